"""Checkpoints on S3-compatible artifact storage (a real moto S3 server process): a trial that crashes once
resumes from its last checkpoint (within --max-failures) in the same MLflow run, and every checkpoint lands
in the bucket as MLflow artifacts."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from mlflow.tracking import MlflowClient
from ray import cloudpickle

import matih_workbench as matih
from matih_workbench.config import WorkbenchConfig
from matih_workbench.services import Workbench
from matih_workbench.services.training.service import training_spec

BUCKET = "matih-artifacts"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A moto S3 server on a free local port, with a bucket; credentials for the driver process only."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        for key, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "MLFLOW_S3_ENDPOINT_URL": endpoint,  # restored after the test (the storage backend sets it)
        }.items():
            monkeypatch.setenv(key, value)
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=30)


def flaky_fn(config: dict[str, Any]) -> None:
    saved = matih.last_checkpoint()
    state = saved or {"epoch": 0, "weights": []}
    for epoch in range(state["epoch"], config["epochs"]):
        if epoch == 1 and saved is None:
            raise RuntimeError("worker lost in epoch 1")  # only on the first attempt
        state = {"epoch": epoch + 1, "weights": [*state["weights"], epoch]}
        matih.report({"loss": 1.0 / (epoch + 1)}, checkpoint=state)


def test_checkpoints_go_to_s3_and_a_crashed_trial_resumes_from_the_last_one(
    ray_session: None, matih_home: Path, s3_endpoint: str
) -> None:
    config = WorkbenchConfig(artifact_root=f"s3://{BUCKET}/team-a", s3_endpoint_url=s3_endpoint)
    workbench = Workbench.from_config(config)
    spec = training_spec(experiment="ckpt-s3", epochs=3, max_failures=1)
    result = workbench.training.run(spec, flaky_fn, cell_source="def flaky_fn(config): ...")
    assert result.status == "FINISHED", result.error
    (trial,) = result.trials
    assert trial.status == "TERMINATED"
    client = MlflowClient(config.tracking_uri)
    children = client.search_runs(
        [result.experiment_id], f"tags.mlflow.parentRunId = '{result.parent_run_id}'"
    )
    assert [c.info.run_id for c in children] == [trial.run_id]  # the retry continued the same run
    run = children[0]
    assert run.info.status == "FINISHED" and run.data.tags["matih.resumed_from_step"] == "1"
    assert "worker lost in epoch 1" in run.data.tags["matih.previous_error"]
    assert "matih.error" not in run.data.tags
    steps = [m.step for m in client.get_metric_history(run.info.run_id, "loss")]
    assert steps == [1, 2, 3]

    experiment = client.get_experiment(result.experiment_id)
    assert experiment.artifact_location.startswith(f"s3://{BUCKET}/team-a/")
    prefix = experiment.artifact_location.removeprefix(f"s3://{BUCKET}/")
    listed = boto3.client("s3", endpoint_url=s3_endpoint).list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    keys = {obj["Key"].removeprefix(prefix + "/") for obj in listed.get("Contents", [])}
    run_prefix = f"{run.info.run_id}/artifacts/checkpoints"
    assert {f"{run_prefix}/step-{s:04d}/state.pkl" for s in (1, 2, 3)} <= keys
    assert f"{result.parent_run_id}/artifacts/cell.py" in keys
    local = client.download_artifacts(run.info.run_id, "checkpoints/step-0003/state.pkl")
    assert cloudpickle.loads(Path(local).read_bytes()) == {"epoch": 3, "weights": [0, 1, 2]}
    assert client.get_run(result.parent_run_id).data.tags["matih.checkpoints"] == "3"
