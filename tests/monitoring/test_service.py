"""The monitoring service on a real MLflow SQLite registry, real sklearn versions and inference logs in
serving's format: baselines, drift of windows (hour, day, range, DataFrame), prediction drift, health, the
Evidently report, and bad input answered with clear errors."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from matih_workbench.errors import InvalidInput, NotFound
from matih_workbench.models import EventType
from matih_workbench.services import Workbench
from tests.monitoring.logs import FEATURES, add_endpoint, churn, register, write_log

HOUR = 3600.0


@pytest.fixture
def deployed(workbench: Workbench, client: MlflowClient, matih_home: Path, tmp_path: Path) -> dict:
    """Version 1 of ``churn`` registered with its training data logged, its baseline captured from the
    MODEL_REGISTERED event, behind endpoint ``churn``."""
    train = churn(3000, seed=0)
    version, model, run_id = register(workbench, client, train, folder=tmp_path)
    lines = workbench.monitoring.alerts.tick()
    assert lines == [f"baseline of churn v{version} captured"]
    add_endpoint(matih_home, "churn", "churn", {version: 100})
    return {"version": version, "model": model, "run_id": run_id, "train": train}


def test_baseline_is_captured_at_registration_and_stored_with_the_version(
    workbench: Workbench, client: MlflowClient, deployed: dict, matih_home: Path
) -> None:
    version, train, model = deployed["version"], deployed["train"], deployed["model"]
    info = workbench.monitoring.baselines.info("churn", version)
    # the model's signature picks its inputs: the logged label is not a feature
    assert info.features == {
        "tenure": "numeric",
        "spend": "numeric",
        "visits": "numeric",
        "plan": "categorical",
    }
    assert info.rows == 3000 and info.source.startswith("dataset churn-train@")
    assert info.prediction == "prediction"
    baseline = workbench.monitoring.baselines.get("churn", version)
    stats = baseline.feature("prediction")
    assert stats is not None and stats.mean == pytest.approx(float(model.predict(train[FEATURES]).mean()))
    assert baseline.feature("spend").mean == pytest.approx(float(train.spend.mean()))  # type: ignore[union-attr]
    # stored as artifacts of the version's run, and found there again when the workspace cache is gone
    listed = {a.path for a in client.list_artifacts(deployed["run_id"], f"matih/baselines/churn-v{version}")}
    assert f"matih/baselines/churn-v{version}/sample.parquet" in listed
    assert client.get_model_version("churn", str(version)).tags["matih.baseline"] == info.artifact_uri
    shutil.rmtree(matih_home / "monitoring" / "baselines")
    again = workbench.monitoring.baselines.get("churn", version)
    assert again.rows == 3000 and Path(again.sample_path).is_file()


def test_baseline_on_demand_from_a_dataframe_for_an_older_version(
    workbench: Workbench, client: MlflowClient, tmp_path: Path
) -> None:
    train = churn(500, seed=4)
    version, _, _ = register(workbench, client, train)  # no dataset logged: nothing to capture from
    with pytest.raises(NotFound, match="has no baseline") as err:
        workbench.monitoring.baselines.get("churn", version)
    assert "%matih baseline churn" in (err.value.hint or "")
    info = workbench.monitoring.baselines.capture("churn", version, train)
    assert info.source == "dataframe" and info.rows == 500 and info.sample_rows == 500
    with pytest.raises(InvalidInput, match="lacks 1 of the model's inputs: plan"):
        workbench.monitoring.baselines.capture("churn", version, train.drop(columns="plan"))


def test_same_distribution_raises_few_false_alarms_over_repeated_windows(
    workbench: Workbench, deployed: dict, matih_home: Path
) -> None:
    now = time.time()
    model = deployed["model"]
    alarms, tests = 0, 0
    for i in range(12):  # 12 windows of an hour, each of unchanged data
        window = churn(1000, seed=100 + i)
        write_log(
            matih_home, "churn", "churn", 1, window, model.predict(window[FEATURES]), now - (i + 1) * HOUR
        )
        report = workbench.monitoring.drift.drift("churn", start=now - (i + 1) * HOUR, end=now - i * HOUR)
        assert report.drift.current_rows == 1000 and report.requests == 200
        assert not report.drift.dataset_drift
        alarms += report.drift.drifted_features
        tests += len(report.drift.features)
        assert report.prediction is not None and not report.prediction.mean_drifted
    assert tests == 48
    # Evidently's rule at these sizes is the normed Wasserstein distance (> 1000 reference values), which
    # flags some unchanged columns of small windows: counted here, at most 3 of 48 (1 seen)
    assert alarms <= 3


def test_drift_flags_exactly_the_shifted_features_first_with_prediction_drift(
    workbench: Workbench, deployed: dict, matih_home: Path
) -> None:
    now = time.time()
    model = deployed["model"]
    window = churn(1500, seed=7, spend_shift=250.0, plan_p=[0.1, 0.2, 0.7])
    write_log(matih_home, "churn", "churn", 1, window, model.predict(window[FEATURES]), now - 1000)
    report = workbench.monitoring.drift.drift("churn", window="1h", now=now)
    drifted = [f.feature for f in report.drift.features if f.drifted]
    assert sorted(drifted) == ["plan", "spend"]
    assert [f.feature for f in report.drift.features][:2] == drifted  # the drifted ones first
    severity = [report.severity[f.feature] for f in report.drift.features]
    assert severity[0] >= severity[1] > 1 >= max(severity[2:])
    plan = report.drift.feature("plan")
    assert (
        plan is not None
        and plan.distribution is not None
        and set(plan.distribution.categories or []) == set(["basic", "plus", "pro"])
    )
    assert report.prediction is not None and report.prediction.drifted and report.prediction.mean_drifted
    # the same window, given as a DataFrame, gives the same decisions
    frame = window.assign(prediction=model.predict(window[FEATURES]))
    same = workbench.monitoring.drift.drift("churn", data=frame)
    assert [(f.feature, f.drifted) for f in same.drift.features] == [
        (f.feature, f.drifted) for f in report.drift.features
    ]
    assert same.prediction is not None and same.prediction.drifted
    html = workbench.monitoring.drift.report_html("churn", window="1h", now=now)
    assert "<html" in html.lower() and "spend" in html


def test_windows_select_their_rows_and_versions(
    workbench: Workbench, client: MlflowClient, deployed: dict, matih_home: Path
) -> None:
    now = time.time()
    model = deployed["model"]
    old = churn(600, seed=11, spend_shift=80.0)
    fresh = churn(600, seed=12)
    write_log(matih_home, "churn", "churn", 1, old, model.predict(old[FEATURES]), now - 20 * HOUR)
    write_log(matih_home, "churn", "churn", 1, fresh, model.predict(fresh[FEATURES]), now - 0.5 * HOUR)
    hour = workbench.monitoring.drift.drift("churn", window="1h", now=now)
    day = workbench.monitoring.drift.drift("churn", window="1d", now=now)
    assert hour.drift.current_rows == 600 and not hour.drift.feature("spend").drifted  # type: ignore[union-attr]
    assert day.drift.current_rows == 1200 and day.drift.feature("spend").drifted  # type: ignore[union-attr]
    ranged = workbench.monitoring.drift.drift("churn", start=now - 21 * HOUR, end=now - 19 * HOUR)
    assert ranged.drift.current_rows == 600 and ranged.drift.feature("spend").drifted  # type: ignore[union-attr]
    # a second version behind the endpoint: its rows only, against its own baseline
    v2, model2, _ = register(workbench, client, churn(2000, seed=2))
    workbench.monitoring.baselines.capture("churn", v2, churn(2000, seed=2))
    add_endpoint(matih_home, "churn", "churn", {1: 50, v2: 50})
    write_log(matih_home, "churn", "churn", v2, old[:100], model2.predict(old[FEATURES][:100]), now - 600)
    second = workbench.monitoring.drift.drift("churn", window="1h", version=v2, now=now)
    assert second.version == v2 and second.drift.current_rows == 100 and second.drift.feature("spend").drifted  # type: ignore[union-attr]


def test_bad_input_is_answered_with_a_clear_error(
    workbench: Workbench, deployed: dict, matih_home: Path
) -> None:
    drift = workbench.monitoring.drift
    now = time.time()
    with pytest.raises(InvalidInput, match="No answered request of endpoint 'churn'"):
        drift.drift("churn", window="1h", now=now)
    window = churn(50, seed=3)
    write_log(matih_home, "churn", "churn", 1, window, None, now - 60)
    with pytest.raises(NotFound, match="Unknown feature 'income'") as err:
        drift.drift("churn", window="1h", features=["income"], now=now)
    assert "tenure" in (err.value.hint or "")
    with pytest.raises(InvalidInput, match="does not match the baseline's: it lacks plan"):
        drift.drift("churn", data=window.drop(columns="plan"))
    with pytest.raises(InvalidInput, match="'spend' is numeric but holds object values"):
        drift.drift("churn", data=window.assign(spend="high"))
    with pytest.raises(NotFound, match="Unknown endpoint 'nope'"):
        drift.drift("nope")
    with pytest.raises(InvalidInput, match="Invalid window 'yesterday'"):
        drift.drift("churn", window="yesterday")
    with pytest.raises(NotFound, match="Version 9 is not behind endpoint 'churn'"):
        drift.drift("churn", version=9)
    # a window of this endpoint's other data, without predictions: drift of inputs, no prediction drift
    report = drift.drift("churn", window="1h", now=now)
    assert report.prediction is None and report.drift.current_rows == 50


def test_health_from_the_log_error_rate_latency_and_volume(
    workbench: Workbench, deployed: dict, matih_home: Path
) -> None:
    now = time.time()
    data = churn(1000, seed=5)
    write_log(
        matih_home, "churn", "churn", 1, data, None, now - 2 * HOUR + 10, batch=1, spacing=3, latency_ms=8
    )
    ok = write_log(matih_home, "churn", "churn", 1, data[:470], None, now - HOUR + 10, batch=1, spacing=5)
    bad = write_log(
        matih_home, "churn", "churn", 1, data[:10], None, now - 100, batch=1, status=500, latency_ms=400
    )
    health = workbench.monitoring.drift.health("churn", window="1h", p95_slo_ms=100, now=now)
    assert (health.requests, health.errors, health.previous_requests) == (ok + bad, 10, 1000)
    assert health.error_rate == pytest.approx(10 / 480)
    assert health.p95_latency_ms == pytest.approx(5.0)
    assert health.breaches == ["error_rate", "volume"]
    assert sum(p.requests for p in health.timeline) == 480 and health.timeline[-1].errors == 10
    calm = workbench.monitoring.drift.health("churn", window="2h", end=now - HOUR + 1000, now=now)
    assert calm.breaches == [] and calm.requests > 0


def test_registration_without_training_data_gets_no_baseline_and_says_why(
    workbench: Workbench, client: MlflowClient
) -> None:
    version, _, _ = register(workbench, client, churn(200, seed=9))
    registered = [e for e in workbench.events.list().events if e.type is EventType.MODEL_REGISTERED]
    assert registered
    lines = workbench.monitoring.alerts.tick()
    assert lines == [
        f"no baseline for churn v{version}: Version {version} of 'churn' has no readable training dataset"
    ]
    assert "matih.baseline" not in client.get_model_version("churn", str(version)).tags
