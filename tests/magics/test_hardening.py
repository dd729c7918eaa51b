"""Magic lines a user (or a busy machine) gets wrong, through a real InteractiveShell over a real MLflow
store: one line of UsageError with a hint, never a traceback, and nothing changed by a refused line; what
kernels render (Markdown cards, Plotly figures) carries user text literally."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from mlflow.entities import Metric
from mlflow.tracking import MlflowClient

from matih_workbench.backends.mlflow.demo_data import seed_demo_runs
from matih_workbench.config import WorkbenchConfig
from matih_workbench.widgets import ComparisonView
from matih_workbench.widgets.registry import ModelCardView
from matih_workbench.widgets.training import curves_figure
from tests.registry.conftest import holdout_frame, make_run

CELL = """
def train_fn(config):
    pass
"""


@pytest.fixture
def store(config: WorkbenchConfig) -> MlflowClient:
    """The demo runs and a registered model ``churn`` v1 with holdout predictions, before the shell loads."""
    seed_demo_runs(config.tracking_uri, config.artifact_root)
    return MlflowClient(tracking_uri=config.tracking_uri, registry_uri=config.tracking_uri)


@pytest.fixture
def churn(store: MlflowClient, shell: InteractiveShell) -> str:
    run_id = make_run(store, {"auc": 0.9}, holdout=holdout_frame())
    shell.run_line_magic("matih", f"register {run_id} --name churn")
    return run_id


def usage_error(shell: InteractiveShell, line: str, cell: str | None = None) -> str:
    with pytest.raises(UsageError) as info:
        if cell is None:
            shell.run_line_magic("matih", line)
        else:
            shell.run_cell_magic("matih", line, cell)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message and len(message) < 1000
    return message


def test_a_runs_query_the_database_cannot_take_is_one_line(
    store: MlflowClient, shell: InteractiveShell
) -> None:
    keys = " ".join(f"-o 'params.p{i} ASC'" for i in range(70))
    message = usage_error(shell, f"runs -e quickstart-demo {keys}")
    assert "order_by takes at most 20 sort keys, got 70" in message and "Hint" in message
    message = usage_error(
        shell, "runs -e quickstart-demo --filter 'attributes.start_time < 99999999999999999999'"
    )
    assert "out of range" in message and "Hint" in message
    message = usage_error(shell, "runs -e quickstart-demo --filter \"params.n > '50'\"")
    assert "Invalid comparator '>'" in message


def test_card_settings_and_export_paths_are_checked_first(
    churn: str, shell: InteractiveShell, store: MlflowClient, tmp_path: Path
) -> None:
    assert "seed must be a whole number from 0 to 4294967295, got -1" in usage_error(
        shell, "card churn 1 --seed -1"
    )
    missing = tmp_path / "no-such-dir" / "card.html"
    message = usage_error(shell, f"card churn 1 --limitations 'edited?' --export {missing}")
    assert f"no folder '{missing.parent}'" in message
    assert "matih.card.limitations" not in store.get_model_version("churn", "1").tags  # nothing was edited
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    message = usage_error(shell, f"card churn 1 --export {blocked}/card.md")
    assert "Cannot export" in message or "Cannot write" in message
    assert "Version 99999999999999999999 of model 'churn' not found" in usage_error(
        shell, "card churn 99999999999999999999"
    )


def test_a_free_text_option_has_the_one_limit(churn: str, shell: InteractiveShell) -> None:
    message = usage_error(shell, f"promote churn 1 Staging --reason {'x' * 5001}")
    assert "at most 5000" in message
    message = usage_error(shell, f"card churn 1 --limitations {'x' * 5001}")
    assert "at most 5000" in message
    assert shell.run_line_magic("matih", "models churn").model.versions[0].stage.value == "Development"


def test_a_local_ray_that_does_not_start_is_one_line(
    store: MlflowClient, shell: InteractiveShell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ray

    # tests/magics runs before any folder that starts Ray in the pytest process
    assert not ray.is_initialized(), "this test needs a process where Ray has not started yet"
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("RAY_TMPDIR", str(blocked))  # Ray cannot make its session folder: it fails to start
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    message = usage_error(shell, "train --experiment ray-down", CELL)
    assert message.startswith("Ray did not start") and "Hint" in message and "ray start --head" in message
    assert not ray.is_initialized()
    assert store.get_experiment_by_name("ray-down") is None


def test_a_train_cell_must_define_what_it_trains(store: MlflowClient, shell: InteractiveShell) -> None:
    shell.run_cell(CELL)  # an earlier cell left a train_fn in the namespace
    message = usage_error(shell, "train --experiment stale", "x = 1  # no train_fn here")
    assert "the cell does not define train_fn(config)" in message and "--fn NAME" in message
    assert "x" not in shell.user_ns  # the refused cell did not run
    message = usage_error(shell, "train --experiment stale --fn not_defined_anywhere", "y = 1")
    assert "No train function" in message
    assert store.get_experiment_by_name("stale") is None


@pytest.mark.parametrize(
    "tag", ["mlflow.user=mallory", "mlflow.parentRunId=0123456789abcdef", "matih.job_id=x"]
)
def test_reserved_run_tags_are_refused(store: MlflowClient, shell: InteractiveShell, tag: str) -> None:
    message = usage_error(shell, f"train --experiment spoof --tag team=a --tag {tag}", CELL)
    assert "is reserved" in message
    assert store.get_experiment_by_name("spoof") is None


def test_markdown_cards_from_a_kernel_escape_user_text(
    churn: str, shell: InteractiveShell, tmp_path: Path
) -> None:
    hostile = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    shell.run_line_magic("matih", f"card churn 1 --limitations '{hostile}'")
    export = tmp_path / "card.md"
    card = shell.run_line_magic("matih", f"card churn 1 --export {export}")
    assert isinstance(card, ModelCardView) and card.card.limitations == hostile
    for text in (card._repr_mimebundle_()["text/markdown"], export.read_text()):
        assert "<script" not in text and "<img" not in text and not re.search(r"(?<!\\)\]\(", text)
        assert "&lt;script&gt;" in text


def test_notebook_figures_show_user_strings_literally(store: MlflowClient, shell: InteractiveShell) -> None:
    experiment_id = store.create_experiment("hostile-names")
    names = ['<a href="https://evil.test">click</a>', "<b>bold</b> & <span style='color:red'>red</span>"]
    run_ids = []
    for name in names:
        run_id = store.create_run(experiment_id, run_name=name).info.run_id
        store.log_batch(run_id, metrics=[Metric("acc", 0.5 + s / 10, 0, s) for s in range(3)])
        run_ids.append(run_id)
    view = shell.run_line_magic("matih", f"compare {run_ids[0]} {run_ids[1]}")
    assert isinstance(view, ComparisonView)
    figure = view.figure()
    assert [t.name for t in figure.data] == [
        '&lt;a href="https://evil.test"&gt;click&lt;/a&gt;',
        "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;span style='color:red'&gt;red&lt;/span&gt;",
    ]
    curves = curves_figure("<b>loss</b>", {"<a href='x'>t</a>": [(1, 0.5)]})
    assert curves.data[0].name == "&lt;a href='x'&gt;t&lt;/a&gt;"
    assert curves.layout.title.text == "&lt;b&gt;loss&lt;/b&gt; by epoch"
