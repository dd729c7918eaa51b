"""Batch scoring for real: sklearn models registered in the test's MLflow SQLite store, scored on a local Ray
with Ray Data, output Parquet compared with the model's own predictions; validation before anything runs;
the magic through a kernel's shell."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path

import mlflow.sklearn
import numpy as np
import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LinearRegression, LogisticRegression

import matih_workbench.magics.predict  # noqa: F401  (registers %matih predict until magics/__init__ does)
from matih_workbench.backends.ray.batch import prediction_columns
from matih_workbench.config import WorkbenchConfig
from matih_workbench.errors import Conflict, InvalidInput, NotFound
from matih_workbench.models import ModelStage
from matih_workbench.services import Workbench
from matih_workbench.services.serving.batch import BatchScoring, build_batch_scoring, event_payload
from matih_workbench.widgets.serving import BatchScoringView
from tests.conftest import LEAK, DemoRepo

from .conftest import FEATURES, features, register_model

S = ModelStage
pytestmark = pytest.mark.usefixtures("ray_session")


def classifier(train: pd.DataFrame) -> LogisticRegression:
    label = (train["tenure"] < 20) & (train["spend"] > 50)
    return LogisticRegression(max_iter=500).fit(train, label.astype(int))


@pytest.fixture
def scoring(workbench: Workbench, config: WorkbenchConfig) -> BatchScoring:
    return build_batch_scoring(config, workbench.registry)


class Progress:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int) -> None:
        self.calls.append((done, total))


def test_a_dataframe_is_scored_in_order_and_recorded(
    workbench: Workbench, client: MlflowClient, scoring: BatchScoring, tmp_path: Path
) -> None:
    model = classifier(features(400))
    register_model(workbench, client, model, features(400), stage=S.PRODUCTION)
    data = features(20_000, seed=1).assign(customer=[f"c{i}" for i in range(20_000)])
    progress = Progress()
    result = scoring.score("churn@production", data, str(tmp_path / "scores.parquet"), on_progress=progress)

    assert (result.model, result.version, result.stage, result.rows) == ("churn", 1, S.PRODUCTION, 20_000)
    assert result.model_uri == "models:/churn/1" and result.source == "DataFrame"
    assert result.columns == [*FEATURES, "customer", "prediction"] and result.prediction_columns == [
        "prediction"
    ]
    out = pd.read_parquet(result.out)
    assert result.files == [str(tmp_path / "scores.parquet")]
    pd.testing.assert_frame_equal(out[data.columns.tolist()], data)  # same rows, same order
    np.testing.assert_array_equal(out["prediction"].to_numpy(), model.predict(data[FEATURES]))

    assert progress.calls[-1] == (20_000, 20_000) and progress.calls[0] == (0, 20_000)
    assert [d for d, _ in progress.calls] == sorted(d for d, _ in progress.calls)
    assert len(progress.calls) > 3  # reported block by block, not only at the end

    tags = client.get_model_version("churn", "1").tags
    recorded = json.loads(tags[result.lineage_tag])
    assert result.lineage_tag.startswith("matih.batch.")
    assert recorded["out"] == result.out and recorded["rows"] == 20_000 and recorded["user"] == result.user
    payload = event_payload(result)
    assert payload["model"] == "churn" and payload["version"] == 1 and payload["rows"] == 20_000
    assert not [p for p in tmp_path.iterdir() if ".matih-" in p.name]  # no staging file left behind


def test_parquet_in_multi_output_model_out_to_part_files(
    workbench: Workbench, client: MlflowClient, scoring: BatchScoring, tmp_path: Path
) -> None:
    train = features(400)
    targets = np.column_stack([train["tenure"] * 2 + train["spend"], train["visits"] - train["tenure"]])
    model = LinearRegression().fit(train, targets)
    register_model(workbench, client, model, train, name="spend", stage=S.STAGING)
    data = features(20_000, seed=2).assign(id=np.arange(20_000))
    source = tmp_path / "customers"
    source.mkdir()
    for i, start in enumerate(range(0, 20_000, 7_000)):
        data.iloc[start : start + 7_000].to_parquet(source / f"part-{i}.parquet", index=False)
    scoring.rows_per_file = 8_000
    progress = Progress()
    result = scoring.score("spend@STAGING", str(source), str(tmp_path / "scored"), on_progress=progress)

    assert (result.version, result.stage, result.rows) == (1, S.STAGING, 20_000)
    assert result.prediction_columns == ["prediction_0", "prediction_1"]
    assert len(result.files) == 3 and all(Path(f).parent == tmp_path / "scored" for f in result.files)
    out = pd.read_parquet(result.out).sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(out[data.columns.tolist()], data)
    np.testing.assert_allclose(
        out[["prediction_0", "prediction_1"]].to_numpy(), model.predict(data[FEATURES])
    )
    assert progress.calls[-1] == (20_000, 20_000)


def test_nothing_runs_or_is_written_on_bad_input(
    workbench: Workbench, client: MlflowClient, scoring: BatchScoring, tmp_path: Path
) -> None:
    register_model(workbench, client, classifier(features(200)), features(200), stage=S.PRODUCTION)
    out = tmp_path / "scores.parquet"
    progress = Progress()
    with pytest.raises(InvalidInput, match=r"lacks 2 column\(s\).*: spend, visits") as info:
        scoring.score("churn@production", features(100)[["tenure"]], str(out), on_progress=progress)
    assert info.value.details["missing"] == ["spend", "visits"]  # type: ignore[index]
    with pytest.raises(InvalidInput, match="already has a column 'prediction'"):
        scoring.score("churn", features(100).assign(prediction=1), str(out))
    with pytest.raises(InvalidInput, match="no rows"):
        scoring.score("churn", features(0), str(out))
    with pytest.raises(NotFound, match="No Parquet data"):
        scoring.score("churn", str(tmp_path / "missing"), str(out))
    with pytest.raises(InvalidInput, match="overwrite the input"):
        scoring.score("churn", str(tmp_path / "in.parquet"), str(tmp_path / "in.parquet"))
    with pytest.raises(NotFound, match="no version in Staging"):
        scoring.score("churn@staging", features(100), str(out))
    with pytest.raises(InvalidInput, match="--version 1"):
        scoring.score("churn@1", features(100), str(out), version=1)
    out.write_bytes(b"old")
    with pytest.raises(Conflict, match="already exists"):
        scoring.score("churn", features(100), str(out))
    assert out.read_bytes() == b"old" and progress.calls == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["matih", "scores.parquet"]
    assert not [k for k in client.get_model_version("churn", "1").tags if k.startswith("matih.batch.")]


def test_a_model_failing_midway_leaves_no_output(
    workbench: Workbench, client: MlflowClient, scoring: BatchScoring, tmp_path: Path
) -> None:
    register_model(workbench, client, classifier(features(200)), features(200), stage=S.PRODUCTION)
    data = features(5_000)
    data.loc[4_500:, "visits"] = np.nan  # a valid double for MLflow; sklearn refuses it in the last block
    scoring.batch_size = 500
    out = tmp_path / "scores"
    with pytest.raises(InvalidInput, match=r"The model failed on a batch: .*NaN"):
        scoring.score("churn", data, str(out), overwrite=True)
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["matih"]


def test_prediction_columns_of_each_output_shape() -> None:
    assert list(prediction_columns(np.zeros(3), 3)) == ["prediction"]
    assert list(prediction_columns(np.zeros((3, 1)), 3)) == ["prediction"]
    assert list(prediction_columns(pd.DataFrame({"p": [1, 2, 3], "q": [3, 4, 5]}), 3)) == [
        "prediction_p",
        "prediction_q",
    ]
    assert list(prediction_columns({"label": [1, 2], "score": [0.1, 0.2]}, 2)) == [
        "prediction_label",
        "prediction_score",
    ]
    assert list(prediction_columns([{"a": 1}, {"a": 2}], 2)) == ["prediction"]
    assert len(prediction_columns(np.zeros((2, 3, 4)), 2)["prediction"]) == 2
    with pytest.raises(ValueError, match="returned 2 values"):
        prediction_columns([1, 2], 3)


def test_the_magic_shows_progress_and_a_summary(
    shell: InteractiveShell, workbench: Workbench, client: MlflowClient, tmp_path: Path
) -> None:
    model = classifier(features(200))
    register_model(workbench, client, model, features(200), stage=S.PRODUCTION)
    shell.user_ns["customers"] = features(3_000, seed=3)
    out = tmp_path / "scores.parquet"
    assert "--data" in shell.run_line_magic("matih", "predict --help").text
    view = shell.run_line_magic("matih", f"predict churn@production --data customers --out '{out}'")
    assert isinstance(view, BatchScoringView) and view.result.rows == 3_000
    assert "Scored 3,000 rows with churn version 1 (Production)" in repr(view)
    assert "prediction" in view._repr_html_()
    scored = view.to_pandas()
    np.testing.assert_array_equal(scored["prediction"], model.predict(features(3_000, seed=3)))

    with pytest.raises(UsageError, match=r"already exists.*--overwrite"):
        shell.run_line_magic("matih", f"predict churn --version 1 --data customers --out '{out}'")
    shell.user_ns["customers"] = features(10, seed=4)
    again = shell.run_line_magic("matih", f"predict churn@1 --data customers --out '{out}' --overwrite")
    assert again.result.rows == 10 and len(pd.read_parquet(out)) == 10


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("predict churn@production --data customers", "--out"),
        ("predict churn@production --out x.parquet", "--data"),
        ("predict churn --data customers --out x.parquet --bogus", "unrecognized arguments: --bogus"),
        ("predict churn --data customers --out x.parquet --version two", "invalid int value"),
        ("predict churn --data custmers --out x.parquet", "No DataFrame named 'custmers'.*'customers'"),
        ("predict churn --data count --out x.parquet", "'count' is a int, not a pandas DataFrame"),
        ("predict nope --data customers --out x.parquet", "No registered model 'nope'"),
        ("predict churn@2 --version 2 --data customers --out x.parquet", "--version 2"),
    ],
)
def test_the_magic_refuses_wrong_arguments(shell: InteractiveShell, line: str, message: str) -> None:
    shell.user_ns.update(customers=features(10), count=3)
    with pytest.raises(UsageError, match=message):
        shell.run_line_magic("matih", line)


def test_models_logged_without_a_signature_get_every_column(
    workbench: Workbench, client: MlflowClient, scoring: BatchScoring, tmp_path: Path
) -> None:
    model = classifier(features(200))
    register_model(workbench, client, model, features(200), signature=False)
    result = scoring.score("churn@latest", features(1_000), str(tmp_path / "out.parquet"))
    np.testing.assert_array_equal(pd.read_parquet(result.out)["prediction"], model.predict(features(1_000)))


# -- versions trained on a feature service ---------------------------------------------------------------

SERVICE = "driver_activity"
TRAINED_ON = ["conv_rate", "avg_daily_trips", "rating"]


@pytest.fixture
def driver_repo(demo_repo: DemoRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the session's demo repository, the workspace's (set before any workbench is built)."""
    path = tmp_path / "feature-repo"
    shutil.copytree(demo_repo.path, path)
    monkeypatch.setenv("MATIH_FEATURE_REPO", str(path))
    return path


def feast_features(repo: Path, entities: pd.DataFrame) -> pd.DataFrame:
    """Feast's own point-in-time answer for ``entities`` (driver_id, event_timestamp), in their order."""
    from feast import FeatureStore

    store = FeatureStore(repo_path=str(repo))
    request = entities.assign(row=np.arange(len(entities)))
    refs = [f"driver_hourly_stats:{c}" for c in TRAINED_ON[:2]] + ["driver_profile:rating"]
    answer = store.get_historical_features(entity_df=request, features=refs).to_df()
    return answer.set_index("row").sort_index()[TRAINED_ON].reset_index(drop=True)


def register_feature_model(wb: Workbench, client: MlflowClient, end: dt.datetime) -> LinearRegression:
    """A model trained on the feature service's point-in-time training set, its lineage on its run."""
    hours = [pd.Timestamp(end) - pd.Timedelta(hours=h) for h in range(40)]
    entities = pd.DataFrame({"driver_id": [1001, 1002, 1003, 1004] * 10, "event_timestamp": hours})
    training = wb.features.training_set(SERVICE, entities)
    train = training.frame[TRAINED_ON]
    model = LinearRegression().fit(train, train.conv_rate * 2 + train.rating - train.avg_daily_trips / 10)
    found = client.get_experiment_by_name("batch-tests")
    experiment_id = found.experiment_id if found else client.create_experiment("batch-tests")
    run_id = client.create_run(experiment_id).info.run_id
    wb.features.log_training_set(run_id, training)
    with tempfile.TemporaryDirectory() as tmp:
        signature = infer_signature(train, model.predict(train))
        mlflow.sklearn.save_model(
            model, f"{tmp}/model", signature=signature, pip_requirements=["scikit-learn"]
        )
        client.log_artifacts(run_id, f"{tmp}/model", "model")
    client.set_terminated(run_id)
    version = wb.registry.register(run_id, "driver-model").version
    wb.registry.transition("driver-model", version, S.STAGING)
    return model


def test_entity_keys_are_completed_point_in_time_and_inline_columns_win(
    driver_repo: Path, demo_repo: DemoRepo, shell: InteractiveShell, tmp_path: Path
) -> None:
    wb = Workbench.from_config(WorkbenchConfig())
    client = MlflowClient(wb.config.tracking_uri, wb.config.tracking_uri)
    model = register_feature_model(wb, client, demo_repo.end)
    # driver 1001 shortly before its planted future value, and other drivers hours back
    at = [demo_repo.planted_at - pd.Timedelta(minutes=5 + 37 * i) for i in range(24)]
    trips = pd.DataFrame({"trip": np.arange(24), "driver_id": [1001, 1002, 1003, 1004] * 6, "at": at})
    shell.user_ns["trips"] = trips
    out = tmp_path / "scores.parquet"
    view = shell.run_line_magic(
        "matih", f"predict driver-model@staging --data trips --timestamp at --out '{out}'"
    )
    result = view.result
    scored = pd.read_parquet(out)
    expected = feast_features(
        driver_repo, trips.rename(columns={"at": "event_timestamp"})[["driver_id", "event_timestamp"]]
    )
    assert result.rows == 24 and result.columns == ["trip", "driver_id", "at", *TRAINED_ON, "prediction"]
    pd.testing.assert_frame_equal(scored[TRAINED_ON], expected, check_dtype=False)
    assert scored.conv_rate.max() < LEAK  # as of each row's time: never the planted later value
    np.testing.assert_allclose(scored["prediction"], model.predict(expected))
    recorded = json.loads(client.get_model_version("driver-model", "1").tags[result.lineage_tag])
    assert recorded["features"]["feature_service"] == SERVICE and recorded["features"]["as_of"] == "at"
    assert recorded["features"]["fetched"] == TRAINED_ON and recorded["features"]["inline"] == []
    assert set(recorded["features"]["views"]) == {"driver_hourly_stats", "driver_profile"}

    # a Parquet table of keys only: the features as of now; a column the input carries wins over Feast's
    keys = pd.DataFrame({"driver_id": [1004, 1001, 1003], "rating": [1.0, 2.0, 3.0]})
    keys.to_parquet(tmp_path / "keys.parquet", index=False)
    now = feast_features(driver_repo, keys[["driver_id"]].assign(event_timestamp=pd.Timestamp.now("UTC")))
    done = wb.batch.score(
        "driver-model@staging", str(tmp_path / "keys.parquet"), str(tmp_path / "now.parquet")
    )
    latest = pd.read_parquet(done.out)
    assert done.source == str(tmp_path / "keys.parquet") and latest.columns.tolist()[:2] == [
        "driver_id",
        "rating",
    ]
    pd.testing.assert_frame_equal(latest[TRAINED_ON[:2]], now[TRAINED_ON[:2]], check_dtype=False)
    np.testing.assert_allclose(latest["prediction"], model.predict(now.assign(rating=keys.rating)))
    features = json.loads(client.get_model_version("driver-model", "1").tags[done.lineage_tag])["features"]
    assert features["fetched"] == TRAINED_ON[:2] and features["inline"] == ["rating"]


def test_an_entity_table_without_its_keys_is_refused_and_nothing_is_written(
    driver_repo: Path, demo_repo: DemoRepo, tmp_path: Path
) -> None:
    wb = Workbench.from_config(WorkbenchConfig())
    client = MlflowClient(wb.config.tracking_uri, wb.config.tracking_uri)
    register_feature_model(wb, client, demo_repo.end)
    out = tmp_path / "scores.parquet"
    with pytest.raises(
        InvalidInput, match=r"neither the entity key\(s\) driver_id nor the feature\(s\) conv_rate"
    ):
        wb.batch.score("driver-model@staging", pd.DataFrame({"rating": [4.0]}), str(out))
    with pytest.raises(InvalidInput, match="no column 'when'"):
        wb.batch.score(
            "driver-model@staging", pd.DataFrame({"driver_id": [1001]}), str(out), timestamp="when"
        )
    register_model(wb, client, classifier(features(200)), features(200))
    with pytest.raises(InvalidInput, match="not trained on a feature service"):
        wb.batch.score(
            "churn@latest", features(10).assign(at=pd.Timestamp.now("UTC")), str(out), timestamp="at"
        )
    assert not out.exists()
    assert not [k for k in client.get_model_version("driver-model", "1").tags if k.startswith("matih.batch.")]
