"""%%matih train through a real InteractiveShell on a real local Ray and MLflow store."""

from __future__ import annotations

import time
from typing import Any

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from mlflow.tracking import MlflowClient

from matih_workbench.backends.ray.plans import TrialEvent
from matih_workbench.config import WorkbenchConfig
from matih_workbench.services.training.job import TrainingJob
from matih_workbench.services.training.service import training_spec
from matih_workbench.widgets.training import TrainingView, curves_figure

CELL = """
import matih_workbench as matih

def train_fn(config):
    from sklearn.linear_model import SGDClassifier
    frame = matih.data()
    x, y = frame[["a", "b"]].to_numpy(), frame["y"].to_numpy()
    model = SGDClassifier(alpha=config["alpha"], random_state=0)
    for epoch in range(config["epochs"]):
        model.partial_fit(x, y, classes=[0, 1])
        matih.report({"accuracy": model.score(x, y)})
"""


@pytest.fixture(autouse=True)
def frame(shell: InteractiveShell) -> None:
    """The cells' training data, as ``frame`` in the shared ``shell``'s namespace."""
    shell.user_ns["frame"] = pd.DataFrame(
        [(i % 7 / 7, (i * 3) % 5 / 5, int(i % 7 > 3)) for i in range(60)], columns=["a", "b", "y"]
    )


def test_help_documents_the_cell_contract(shell: InteractiveShell) -> None:
    text = shell.run_line_magic("matih", "train --help").text
    needles = (
        "train_fn(config)", "matih.report", "--tune", "--scheduler", "--background", "matih.data()",
        "--workers", "--max-failures", "matih.last_checkpoint()",
    )  # fmt: skip
    assert all(needle in text for needle in needles)
    assert "train" in shell.run_line_magic("matih", "--help").text


def test_train_cell_runs_a_search_and_returns_the_best(
    ray_session: None, shell: InteractiveShell, config: WorkbenchConfig
) -> None:
    view = shell.run_cell_magic(
        "matih",
        "train --experiment magic-train --tune alpha=choice(0.0001,0.01) --search-alg grid --metric accuracy "
        "--epochs 2 --data frame --tag source=test",
        CELL,
    )
    assert isinstance(view, TrainingView)
    result = view.result
    assert result.status == "FINISHED" and len(result.trials) == 2
    assert result.best_run_id and result.best_config["alpha"] in (0.0001, 0.01)
    assert "matih-table" in view._repr_html_() and "FINISHED" in view._repr_html_()
    ranked = sorted(result.trials, key=lambda t: -t.metrics["accuracy"])
    assert result.top_run_ids() == [t.run_id for t in ranked] and ranked[0].run_id == result.best_run_id
    assert "%matih compare " + " ".join(result.top_run_ids()) in view._repr_html_()
    comparison = view.compare().comparison  # the trials side by side, alpha flagged as differing
    assert {r.run_id for r in comparison.runs} == {t.run_id for t in result.trials}
    assert [p.key for p in comparison.params if p.differs] == ["alpha"]
    client = MlflowClient(config.tracking_uri)
    parent = client.get_run(result.parent_run_id)
    assert parent.data.tags["matih.framework"] == "sklearn" and parent.data.tags["source"] == "test"
    assert client.download_artifacts(result.parent_run_id, "cell.py")
    assert "train_fn" in shell.user_ns


@pytest.mark.parametrize(
    ("line", "cell", "message"),
    [
        ("train --experiment x --tune lr=loguniform(0,1)", CELL, "low > 0"),
        ("train --experiment x --tune lr=wobble(1,2)", CELL, "Unknown search space function 'wobble'"),
        ("train --experiment x --scheduler asha", CELL, "--metric is required"),
        ("train --experiment x --data nothing_here", CELL, "No data named 'nothing_here'"),
        ("train --experiment x", "x = 1", "No train function"),
        ("train --experiment x --tune space", CELL, "no dict named 'space'"),
        ("train --experiment x --bogus", CELL, "unrecognized arguments"),
        ("train --experiment ' x'", CELL, "experiment name"),
        ("train --experiment x --tag novalue", CELL, "KEY=VALUE"),
        ("train --experiment x --workers 2", CELL, "XGBoost or PyTorch data-parallel"),
        ("train --experiment x --workers 2 --tune alpha=choice(1,2)", CELL, "one configuration"),
        ("train --experiment x --max-failures -1", CELL, "max_failures"),
    ],
)
def test_mistakes_are_one_line_usage_errors_and_create_nothing(
    shell: InteractiveShell, config: WorkbenchConfig, line: str, cell: str, message: str
) -> None:
    shell.user_ns.pop("train_fn", None)
    with pytest.raises(UsageError, match=message) as info:
        shell.run_cell_magic("matih", line, cell)
    assert "\n" not in str(info.value)
    client = MlflowClient(config.tracking_uri)
    assert client.get_experiment_by_name("x") is None


def test_train_needs_a_cell(shell: InteractiveShell) -> None:
    with pytest.raises(UsageError, match="needs a cell"):
        shell.run_line_magic("matih", "train --experiment x")


SLOW_CELL = """
import time
import matih_workbench as matih

def train_fn(config):
    for epoch in range(config["epochs"]):
        time.sleep(0.3)
        matih.report({"loss": 1.0 / (epoch + 1)})
"""


def test_background_job_shows_curves_and_stops_from_its_cancel_button(
    ray_session: None, shell: InteractiveShell, client: MlflowClient
) -> None:
    view = shell.run_cell_magic(
        "matih", "train --experiment magic-bg --background --epochs 300 --metric loss --mode min", SLOW_CELL
    )
    job_id = view.result.job_id
    assert view.cancel_button is not None and not view.cancel_button.disabled
    assert f"Job {job_id} runs in the background" in view._repr_html_()  # the live output moves on above
    live_deadline = time.monotonic() + 180
    training = view_service(shell)
    while not ((trials := training.get(job_id).trials) and all(t.iterations >= 2 for t in trials)):
        assert time.monotonic() < live_deadline, "the background job never reached its second epoch"
        time.sleep(0.2)
    assert all(t.iterations >= 2 for t in view.result.trials)  # .result follows the running job
    view.cancel_button.click()
    assert view.cancel_button.disabled
    result = training.wait(job_id, timeout=120)
    assert result.status == "KILLED" and client.get_run(result.parent_run_id).info.status == "KILLED"


def view_service(shell: InteractiveShell) -> Any:
    """The training service the magic in this shell uses."""
    magics = shell.magics_manager.registry["WorkbenchMagics"]
    return magics.workbench.training


def test_metric_curves_keep_one_line_per_trial_and_one_point_per_epoch() -> None:
    job = TrainingJob("j", training_spec(experiment="e", metric="loss"), "1", "p")

    def report(trial: str, epoch: int, value: float) -> None:
        metrics = {"training_iteration": epoch, "loss": value}
        job.on_trial(TrialEvent(trial_id=trial, status="RUNNING", config={}, metrics=metrics))

    report("a", 1, 0.9)
    report("b", 1, 0.8)
    first = job.curves()
    report("a", 1, 0.9)  # the same epoch again: nothing new
    assert job.curves() == first
    report("a", 2, 0.5)
    fig = curves_figure("loss", job.curves())
    lines = {trace.name: (list(trace.x), list(trace.y)) for trace in fig.data}
    assert lines == {"a": ([1, 2], [0.9, 0.5]), "b": ([1], [0.8])}
