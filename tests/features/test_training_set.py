"""Training sets: exact point-in-time values, no leakage from a planted future value, TTL nulls reported
(rows never lost), bad entity frames refused, the lineage on an MLflow run and back for serving."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import mlflow.sklearn
import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LinearRegression

from matih_workbench.backends.feast.demo import LAPSED_DRIVER, floor_hour, hourly_values, profile_values
from matih_workbench.errors import InvalidInput, NotFound
from matih_workbench.models import ServingFeatures
from matih_workbench.services import Workbench
from tests.features.conftest import HOURLY_VIEW, LEAK, PROFILE_VIEW, SERVICE, DemoRepo

H = dt.timedelta(hours=1)
COLUMNS = ["conv_rate", "acc_rate", "avg_daily_trips", "rating"]


def expected(driver: int, at: dt.datetime) -> dict[str, float | None]:
    hour = floor_hour(at)
    day = hour.replace(hour=0)
    values = {**hourly_values(driver, hour), "rating": profile_values(driver, day)["rating"]}
    for name in ("conv_rate", "acc_rate"):  # stored as float32
        values[name] = None if values[name] is None else float(np.float32(values[name]))
    return values


def test_point_in_time_join_values_are_exact(wb: Workbench, demo_repo: DemoRepo) -> None:
    rng = np.random.default_rng(7)
    rows = []
    for i in range(40):  # any time of the last 5 days, away from the planted row of driver 1001
        at = demo_repo.end - dt.timedelta(minutes=int(rng.integers(60, 5 * 24 * 60)))
        driver = int(rng.choice([1002, 1003, 1004]))
        rows.append({"driver_id": driver, "event_timestamp": at, "label": i})
    rows.append(dict(rows[0], label=99))  # the same entity and time twice: both rows get values
    entity_df = pd.DataFrame(rows)
    result = wb.features.training_set(SERVICE, entity_df)
    frame = result.frame
    assert list(frame.columns) == ["driver_id", "event_timestamp", "label", *COLUMNS]
    assert frame.label.tolist() == entity_df.label.tolist()  # the entity rows, in their order
    for row in frame.itertuples():
        want = expected(row.driver_id, row.event_timestamp)
        got = {c: getattr(row, c) for c in COLUMNS}
        got = {c: None if pd.isna(v) else float(v) for c, v in got.items()}
        assert got == want, (row.driver_id, row.event_timestamp)
    assert result.features.columns.tolist() == COLUMNS == result.lineage.feature_columns


def test_a_planted_future_value_never_leaks_into_earlier_rows(wb: Workbench, demo_repo: DemoRepo) -> None:
    hour = floor_hour(demo_repo.planted_at)  # its hour's row, then LEAK at hour + 45 min
    before = [hour, hour + dt.timedelta(minutes=10), demo_repo.planted_at - dt.timedelta(microseconds=1)]
    after = [demo_repo.planted_at, demo_repo.planted_at + dt.timedelta(minutes=5)]
    entity_df = pd.DataFrame({"driver_id": 1001, "event_timestamp": before + after})
    conv = wb.features.training_set(SERVICE, entity_df).frame.conv_rate.tolist()
    honest = expected(1001, hour)["conv_rate"]
    assert conv[:3] == [honest] * 3 and LEAK not in conv[:3]
    assert conv[3:] == [LEAK, LEAK]  # the planted row is there: from its own timestamp on, it is used
    earlier = wb.features.training_set(SERVICE, entity_df.assign(event_timestamp=hour - H / 60))
    assert LEAK not in earlier.frame.conv_rate.tolist()


def test_ttl_nulls_are_reported_not_filled_and_no_row_is_lost(wb: Workbench, demo_repo: DemoRepo) -> None:
    end = demo_repo.end
    entity_df = pd.DataFrame(
        {
            "driver": [LAPSED_DRIVER, LAPSED_DRIVER, 1002, 1003, 4242],
            "when": [end - H, end - 10 * 24 * H, end - 2 * H, end - 40 * 24 * H, end],
        }
    ).rename(columns={"driver": "driver_id"})
    result = wb.features.training_set(SERVICE, entity_df, timestamp="when")
    frame, lineage = result.frame, result.lineage
    assert len(frame) == 5 and frame.driver_id.tolist() == entity_df.driver_id.tolist()
    hourly_missing = frame[["conv_rate", "acc_rate", "avg_daily_trips"]].isna().all(axis=1).tolist()
    # the lapsed driver's last hourly row is days older than the 1-day TTL; 40 days back precedes the
    # data; 4242 is unknown
    assert hourly_missing == [True, False, False, True, True]
    assert frame.rating.isna().tolist() == [False, False, False, True, True]  # profiles continue
    assert frame.conv_rate.iloc[1] == expected(LAPSED_DRIVER, end - 10 * 24 * H)["conv_rate"]
    views = {v.name: v for v in lineage.views}
    assert (views[HOURLY_VIEW].ttl_nulls, views[PROFILE_VIEW].ttl_nulls) == (3, 2)
    assert lineage.null_counts["conv_rate"] == 3 and lineage.null_counts["rating"] == 2
    assert lineage.timestamp_column == "when" and lineage.entity_rows == 5
    assert (lineage.entity_start, lineage.entity_end) == ((end - 40 * 24 * H).timestamp(), end.timestamp())


def test_lineage_names_the_definitions_and_the_entity_frame(wb: Workbench, demo_repo: DemoRepo) -> None:
    entity_df = pd.DataFrame({"driver_id": [1001, 1002], "event_timestamp": [demo_repo.end - 3 * H] * 2})
    lineage = wb.features.training_set(SERVICE, entity_df).lineage
    overview = wb.features.overview()
    hashes = {v.name: v.definition_hash for v in overview.views}
    assert {v.name: v.definition_hash for v in lineage.views} == hashes
    assert lineage.service_hash == overview.services[0].definition_hash and lineage.project == "matih_demo"
    assert lineage.feature_dtypes == {
        "conv_rate": "float32", "acc_rate": "float32", "avg_daily_trips": "int64", "rating": "float64",
    }  # fmt: skip
    again = wb.features.training_set(SERVICE, entity_df.copy()).lineage
    assert again.entity_digest == lineage.entity_digest
    moved = entity_df.assign(event_timestamp=demo_repo.end - 4 * H)
    assert wb.features.training_set(SERVICE, moved).lineage.entity_digest != lineage.entity_digest


def test_bad_entity_frames_are_refused_clearly(wb: Workbench, demo_repo: DemoRepo) -> None:
    good = pd.DataFrame({"driver_id": [1001], "event_timestamp": [demo_repo.end]})
    with pytest.raises(NotFound, match="Unknown feature service 'nope'") as info:
        wb.features.training_set("nope", good)
    assert info.value.hint == f"known feature services: {SERVICE}"
    with pytest.raises(InvalidInput, match="none of its columns holds timestamps"):
        wb.features.training_set(SERVICE, pd.DataFrame({"driver_id": [1001]}))
    with pytest.raises(InvalidInput, match="several do"):
        wb.features.training_set(
            SERVICE, pd.DataFrame({"driver_id": [1], "a": [demo_repo.end], "b": [demo_repo.end]})
        )
    with pytest.raises(InvalidInput, match="lacks the join key"):
        wb.features.training_set(SERVICE, good.rename(columns={"driver_id": "driver"}))
    with pytest.raises(InvalidInput, match="non-empty pandas DataFrame"):
        wb.features.training_set(SERVICE, good.iloc[:0])
    with pytest.raises(InvalidInput, match="missing timestamp"):
        wb.features.training_set(SERVICE, good.assign(event_timestamp=pd.NaT))
    with pytest.raises(InvalidInput, match="does not hold timestamps but int64 numbers"):
        wb.features.training_set(SERVICE, good, timestamp="driver_id")
    with pytest.raises(InvalidInput, match="does not hold timestamps: Unknown datetime string"):
        wb.features.training_set(SERVICE, good.assign(event_timestamp="not a time"))
    with pytest.raises(InvalidInput, match="already has feature column"):
        wb.features.training_set(SERVICE, good.assign(rating=1.0))


def test_lineage_on_an_mlflow_run_then_the_same_features_online(
    wb: Workbench, demo_repo: DemoRepo, materialized: float
) -> None:
    client = MlflowClient(tracking_uri=wb.config.tracking_uri)
    entity_df = pd.DataFrame(
        {"driver_id": [1001, 1002, 1003], "event_timestamp": [demo_repo.end - 2 * H] * 3}
    )
    training = wb.features.training_set(SERVICE, entity_df)
    run_id = client.create_run(client.create_experiment("features")).info.run_id
    wb.features.log_training_set(run_id, training)

    run = client.get_run(run_id)
    params, tags = run.data.params, run.data.tags
    assert params["features.service"] == SERVICE
    assert json.loads(params["features.columns"]) == COLUMNS
    assert params["features.entity_digest"] == training.lineage.entity_digest
    assert params["features.entity_rows"] == "3"
    for view in training.lineage.views:
        assert tags[f"matih.feature_view.{view.name}"] == view.definition_hash
    assert tags["matih.features.views"] == f"{HOURLY_VIEW},{PROFILE_VIEW}"
    (dataset_input,) = run.inputs.dataset_inputs
    assert dataset_input.dataset.name == f"{SERVICE}@{training.lineage.entity_digest[:12]}"
    assert {t.key: t.value for t in dataset_input.tags}["mlflow.data.context"] == "training"
    lineage = json.loads(Path(client.download_artifacts(run_id, "features/lineage.json")).read_text())
    assert lineage["feature_service"] == SERVICE and lineage["views"][0]["name"] == HOURLY_VIEW

    # what a deployment of this run's model does: the training columns and dtypes, from the online store
    serving = ServingFeatures.from_params(params)
    assert serving is not None and serving.join_keys == ["driver_id"]
    online = wb.features.online_features(
        serving.feature_service, [{"driver_id": 1002}, {"driver_id": 1001}], serving.columns, serving.dtypes
    )
    assert online.columns.tolist() == COLUMNS
    assert online.dtypes.astype(str).to_dict() == training.lineage.feature_dtypes
    assert online.conv_rate.tolist() == [expected(d, demo_repo.end)["conv_rate"] for d in (1002, 1001)]


def test_lineage_reaches_from_a_version_to_its_feature_views_and_back(
    wb: Workbench, demo_repo: DemoRepo
) -> None:
    """``%%matih train --features`` records the lineage on the parent run; the version comes from a trial."""
    client = MlflowClient(tracking_uri=wb.config.tracking_uri)
    entity_df = pd.DataFrame({"driver_id": [1001, 1002], "event_timestamp": [demo_repo.end - 3 * H] * 2})
    training = wb.features.training_set(SERVICE, entity_df)
    experiment_id = client.create_experiment("features-lineage")
    parent = client.create_run(experiment_id).info.run_id
    wb.features.log_training_set(parent, training)
    trial = _run_with_a_model(client, experiment_id, {"mlflow.parentRunId": parent})
    version = wb.registry.register(trial, "feature-model").version
    wb.registry.register(_run_with_a_model(client, experiment_id, {}), "feature-model")  # no feature view

    lineage = wb.lineage.version_lineage("feature-model", version)
    hashes = {v.name: v.definition_hash for v in training.lineage.views}
    assert {v.name: v.definition_hash for v in lineage.feature_views} == hashes
    assert {v.run_id for v in lineage.feature_views} == {parent}
    assert {v.feature_service for v in lineage.feature_views} == {SERVICE}
    node = f"feature_view:{HOURLY_VIEW}@{hashes[HOURLY_VIEW]}"
    assert any(e.source == node and e.target == f"run:{parent}" for e in lineage.edges)

    users = wb.lineage.feature_view_versions(PROFILE_VIEW)
    assert users.kind == "feature_view"
    assert [(v.name, v.version, v.dataset_digest) for v in users.versions] == [
        ("feature-model", version, hashes[PROFILE_VIEW])
    ]
    assert wb.lineage.feature_view_versions("nobody_uses_this").versions == []
    with pytest.raises(InvalidInput, match="Name a feature view"):
        wb.lineage.feature_view_versions(" ")


def _run_with_a_model(client: MlflowClient, experiment_id: str, tags: dict[str, str]) -> str:
    run_id = client.create_run(experiment_id, tags=tags).info.run_id
    with tempfile.TemporaryDirectory() as tmp:
        model = LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0])
        mlflow.sklearn.save_model(model, f"{tmp}/model", pip_requirements=["scikit-learn"])
        client.log_artifacts(run_id, f"{tmp}/model", "model")
    client.set_terminated(run_id)
    return run_id
