"""Framework autologging inside Tune trials, on a real local Ray and MLflow store."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

import matih_workbench as matih
from matih_workbench.services import Workbench
from matih_workbench.services.training.search_space import parse_search_space
from matih_workbench.services.training.service import training_spec


def fit_fn(config: dict[str, Any]) -> None:
    from sklearn.linear_model import LogisticRegression

    frame = matih.data()
    x, y = frame[["a", "b"]].to_numpy(), frame["y"].to_numpy()
    model = LogisticRegression(C=config["C"], max_iter=200).fit(x, y)
    matih.report({"accuracy": model.score(x, y)})


def two_features() -> pd.DataFrame:
    """80 rows of two features and a binary label a linear model can learn."""
    return pd.DataFrame(
        [(i % 7 / 7, (i * 3) % 5 / 5, int(i % 7 > 3)) for i in range(80)], columns=["a", "b", "y"]
    )


def test_sklearn_autologging_fills_each_trial_run(
    ray_session: None, workbench: Workbench, client: MlflowClient
) -> None:
    frame = two_features()
    spec = training_spec(
        experiment="autolog", framework="sklearn", metric="accuracy", data="frame", search_alg="grid",
        search_space=parse_search_space("C=choice(0.1,10.0)"),
    )  # fmt: skip
    result = workbench.training.wait(workbench.training.start(spec, fit_fn, data=frame).job_id, timeout=300)
    assert result.status == "FINISHED" and len(result.trials) == 2
    for trial in result.trials:
        run = client.get_run(trial.run_id)
        assert run.info.status == "FINISHED"
        # autologged by MLflow's sklearn flavor: estimator params and a training score
        assert run.data.params["max_iter"] == "200" and float(run.data.params["C"]) == trial.config["C"]
        assert "training_accuracy_score" in run.data.metrics
        # and still ours: the reported metric by step
        assert [m.step for m in client.get_metric_history(trial.run_id, "accuracy")] == [1]


def partial_fn(config: dict[str, Any]) -> None:
    from sklearn.linear_model import SGDClassifier

    frame = matih.data()
    x, y = frame[["a", "b"]].to_numpy(), frame["y"].to_numpy()
    model = SGDClassifier(random_state=0)
    for _ in range(config["epochs"]):
        model.partial_fit(x, y, classes=[0, 1])
        matih.report({"accuracy": model.score(x, y)})


@pytest.mark.parametrize(
    ("fn", "asked", "wanted"),
    [(fit_fn, "auto", "on"), (partial_fn, "auto", "off"), (partial_fn, "on", "on"), (fit_fn, "off", "off")],
)
def test_autolog_auto_is_on_only_when_the_cell_calls_what_autologging_captures(
    workbench: Workbench, fn: Any, asked: str, wanted: str
) -> None:
    spec = training_spec(experiment="autolog-auto", autolog=asked, data="frame")
    checked = workbench.training.validate(spec, fn, data=object())
    assert checked.framework == "sklearn" and checked.autolog == wanted


def test_autolog_off_leaves_the_trial_run_to_what_train_fn_reports(
    ray_session: None, workbench: Workbench, client: MlflowClient
) -> None:
    frame = two_features()
    spec = training_spec(
        experiment="autolog-off",
        data="frame",
        autolog="off",
        search_space=parse_search_space("C=choice(0.1)"),
    )
    result = workbench.training.run(spec, fit_fn, data=frame)
    assert result.status == "FINISHED"
    for trial in result.trials:
        run = client.get_run(str(trial.run_id))
        assert "max_iter" not in run.data.params and "training_accuracy_score" not in run.data.metrics
        assert "accuracy" in run.data.metrics
    assert client.get_run(result.parent_run_id).data.params["autolog"] == "off"
