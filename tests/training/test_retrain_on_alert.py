"""The monitoring loop closed (#11): a drift alert runs the model's retraining cell as a background training
job on fresh data (real Ray, real MLflow); the best trial's logged model becomes a new version, moved to
Staging through governance, or left in Development with the failed check named; every step is an event and
the version's lineage goes back to the alert. Bad retraining cells are refused when the rule is set."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import mlflow.pyfunc
import pytest
from mlflow.tracking import MlflowClient

from matih_workbench.errors import InvalidInput
from matih_workbench.models import EventType
from matih_workbench.models.monitoring_api import AlertKind, AlertRuleSettings, RetrainSpec
from matih_workbench.models.training import TrainingSpec
from matih_workbench.services import Workbench
from tests.monitoring.logs import FEATURES, add_endpoint, churn, register, write_log

RETRAIN_CELL = """
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

import matih_workbench as matih

FEATURES = ["tenure", "spend", "visits", "plan"]


def load_data():
    rng = np.random.default_rng(7)
    n = 2000
    frame = pd.DataFrame({
        "tenure": rng.uniform(0, 60, n),
        "spend": rng.gamma(2.0, 30.0, n) + 80,
        "visits": rng.normal(4, 1.5, n),
        "plan": rng.choice(["basic", "plus", "pro"], n),
    })
    return frame.assign(label=frame.tenure * 0.5 + frame.spend * 0.1 - frame.visits)


def train_fn(config):
    frame = matih.data()
    plan = OneHotEncoder(handle_unknown="ignore")
    encode = ColumnTransformer([("plan", plan, ["plan"])], remainder="passthrough")
    model = Pipeline([("encode", encode), ("fit", LinearRegression())]).fit(frame[FEATURES], frame["label"])
    matih.report({"r2": model.score(frame[FEATURES], frame["label"]), "rows": len(frame)})
    matih.log_model(model, input_example=frame[FEATURES].head(20))
"""


def _spec(source: str = RETRAIN_CELL) -> RetrainSpec:
    return RetrainSpec(
        source=source, training=TrainingSpec(experiment="churn-retrain", epochs=1, metric="r2")
    )


def _events(workbench: Workbench, after: int) -> list[Any]:
    return [e for e in workbench.events.list().events if e.id > after]


def _drift(workbench: Workbench, model: Any, home: Path, now: float) -> Any:
    """A calm window, then one where spend moved: the check raises a drift alert."""
    shifted = churn(1500, seed=5, spend_shift=80.0)
    write_log(home, "churn", "churn", 1, shifted, model.predict(shifted[FEATURES]), now - 600)
    return workbench.monitoring.alerts.check("churn", now=now)


def test_a_drift_alert_retrains_registers_and_stages_a_version(
    ray_session: None, workbench: Workbench, client: MlflowClient, matih_home: Path, tmp_path: Path
) -> None:
    version, model, _ = register(workbench, client, churn(3000, seed=0), folder=tmp_path)
    workbench.monitoring.alerts.tick()  # the baseline of v1
    add_endpoint(matih_home, "churn", "churn", {version: 100})
    alerts = workbench.monitoring.alerts
    workbench.registry.set_thresholds("churn", ["r2 >= 0.9"])
    # refused cells change nothing
    for source, message in [("def train_fn(config) pass", "does not compile"), ("x = 1", "does not define")]:
        with pytest.raises(InvalidInput, match=message):
            alerts.set_rules("churn", AlertRuleSettings(retrain=_spec(source)))
    assert alerts.rules("churn").retrain is None
    settings = AlertRuleSettings(retrain=_spec(), features=["spend"], prediction_drift=False, cooldown_s=0)
    alerts.set_rules("churn", settings)
    assert alerts.rules("churn").retrain == _spec()  # stored and read back whole

    last = workbench.events.list().events[-1].id
    outcome = _drift(workbench, model, matih_home, time.time())
    assert outcome.breaches == [AlertKind.DRIFT] and outcome.retrain_job
    (alert,) = outcome.alerts
    workbench.monitoring.retrain.join(timeout=600)
    result = workbench.training.get(outcome.retrain_job)
    assert result.status == "FINISHED", result.error
    assert client.get_run(result.parent_run_id).data.tags["matih.retrain.alert_id"] == str(alert.id)

    events = _events(workbench, last)
    kinds = [e.type for e in events]
    order = [
        EventType.MODEL_DRIFT_DETECTED,
        EventType.MODEL_RETRAINING_STARTED,
        EventType.MODEL_REGISTERED,
        EventType.MODEL_PROMOTED,
        EventType.MODEL_RETRAINING_COMPLETED,
    ]
    assert [k for k in kinds if k in order] == order
    started = next(e for e in events if e.type is EventType.MODEL_RETRAINING_STARTED)
    assert started.payload["alert_id"] == alert.id and started.payload["job_id"] == result.job_id
    done = events[kinds.index(EventType.MODEL_RETRAINING_COMPLETED)].payload
    assert (done["version"], done["staged"], done["run_id"]) == (2, True, result.best_run_id)
    new = workbench.registry.get_version("churn", 2)
    assert (
        new.stage.value == "Staging"
        and workbench.registry.get_version("churn", 1).stage.value == "Development"
    )

    lineage = workbench.lineage.version_lineage("churn", 2)
    assert lineage.trigger is not None and lineage.trigger.alert_id == alert.id
    assert lineage.trigger.job_id == result.job_id and lineage.trigger.from_version == 1
    assert [d.to_stage for d in lineage.deployments] == ["Staging"]
    edge = next(e for e in lineage.edges if e.source == f"alert:{alert.id}")
    assert edge.target == f"run:{result.parent_run_id}"
    # the retrained model serves what it learned: the logged pyfunc predicts like its training target
    fresh = churn(50, seed=9)
    loaded = mlflow.pyfunc.load_model(client.get_model_version_download_uri("churn", "2"))
    expected = fresh.tenure * 0.5 + fresh.spend * 0.1 - fresh.visits
    assert abs(loaded.predict(fresh[FEATURES]) - expected).max() < 1e-6

    # a retrain whose version fails Staging's thresholds stays in Development, and says why
    workbench.registry.set_thresholds("churn", ["r2 >= 1.5"])
    last = workbench.events.list().events[-1].id
    again = _drift(workbench, model, matih_home, time.time() + 1)
    assert again.retrain_job and again.retrain_job != outcome.retrain_job
    workbench.monitoring.retrain.join(timeout=600)
    done = next(e for e in _events(workbench, last) if e.type is EventType.MODEL_RETRAINING_COMPLETED)
    assert (done.payload["version"], done.payload["staged"]) == (3, False)
    assert "r2" in done.payload["reason"]
    assert workbench.registry.get_version("churn", 3).stage.value == "Development"
