"""``%%matih train --features SERVICE --entities NAME``: the trials train on the feature service's
point-in-time training set (from the session's Feast repository), the parent run records its lineage."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from mlflow.tracking import MlflowClient

from matih_workbench.config import WorkbenchConfig
from tests.conftest import LEAK, DemoRepo

SERVICE = "driver_activity"
CELL = """
import matih_workbench as matih

def train_fn(config):
    frame = matih.data()
    conv_rate = float(frame.conv_rate.max())
    matih.report({"rows": len(frame), "columns": frame.shape[1], "max_conv_rate": conv_rate})
"""


@pytest.fixture(autouse=True)
def on_demo_repo(demo_repo: DemoRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """Set before the ``shell`` fixture loads the extension: its workbench reads the session repo."""
    monkeypatch.setenv("MATIH_FEATURE_REPO", str(demo_repo.path))


def test_trials_train_on_the_point_in_time_set_and_the_run_records_its_lineage(
    ray_session: None, shell: InteractiveShell, config: WorkbenchConfig, demo_repo: DemoRepo
) -> None:
    # driver 1001 just before its planted future value: a leaking join would hand the trial LEAK
    times = [demo_repo.planted_at - dt.timedelta(minutes=1 + 7 * i) for i in range(12)]
    shell.user_ns["drivers"] = pd.DataFrame(
        {"driver_id": [1001, 1002, 1003] * 4, "event_timestamp": times, "label": [0, 1] * 6}
    )
    view = shell.run_cell_magic(
        "matih",
        f"train --experiment feature-train --features {SERVICE} --entities drivers --epochs 1 --metric rows",
        CELL,
    )
    result = view.result
    assert result.status == "FINISHED", result.error
    (trial,) = result.trials
    assert trial.metrics["rows"] == 12 and trial.metrics["columns"] == 3 + 4  # entity columns + features
    assert trial.metrics["max_conv_rate"] < LEAK

    client = MlflowClient(config.tracking_uri)
    parent = client.get_run(result.parent_run_id)
    params, tags = parent.data.params, parent.data.tags
    assert params["features.service"] == SERVICE and params["features.entity_rows"] == "12"
    assert json.loads(params["features.columns"]) == ["conv_rate", "acc_rate", "avg_daily_trips", "rating"]
    assert params["data"] == "drivers"
    assert {"matih.feature_view.driver_hourly_stats", "matih.feature_view.driver_profile"} <= set(tags)
    (dataset,) = parent.inputs.dataset_inputs  # the training set, not also the bare entity frame
    assert dataset.dataset.digest == tags["matih.data_digest"]
    assert dataset.dataset.name.startswith(f"{SERVICE}@")
    assert "matih.record_error" not in tags


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (f"--features {SERVICE}", "go together"),
        ("--entities drivers", "go together"),
        (f"--features {SERVICE} --entities nobody", "no DataFrame named 'nobody'"),
        (f"--features {SERVICE} --entities drivers --data drivers", "drop --data"),
        ("--features nope --entities drivers", "Unknown feature service 'nope'"),
        (f"--features {SERVICE} --entities drivers --timestamp when", "has no column 'when'"),
    ],
)
def test_feature_mistakes_are_usage_errors_and_create_nothing(
    shell: InteractiveShell, config: WorkbenchConfig, line: str, message: str
) -> None:
    now = pd.Timestamp.now("UTC")
    shell.user_ns["drivers"] = pd.DataFrame({"driver_id": [1001], "event_timestamp": [now]})
    with pytest.raises(UsageError, match=message):
        shell.run_cell_magic("matih", f"train --experiment feature-mistake {line}", CELL)
    assert MlflowClient(config.tracking_uri).get_experiment_by_name("feature-mistake") is None
