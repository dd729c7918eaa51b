"""Batch scoring for real: sklearn models registered in the test's MLflow SQLite store, scored on a local Ray
with Ray Data, output Parquet compared with the model's own predictions; validation before anything runs;
the magic through a kernel's shell."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
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
