"""--address: a job runs on a real second Ray instance (``ray start --head`` in its own process group).

This test process already holds the session's local Ray, and a process holds one Ray connection, so the
job is driven from a subprocess, as a second kernel would: the Workbench there connects to the cluster by
its address; the runs it records are read back here from the shared MLflow store.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from matih_workbench.config import WorkbenchConfig

DRIVER = """
import json, sys
import matih_workbench as matih
from matih_workbench.config import WorkbenchConfig
from matih_workbench.services import Workbench
from matih_workbench.services.training import training_spec

def train_fn(config):
    import ray
    port = int(ray.get_runtime_context().gcs_address.rsplit(":", 1)[1])
    for epoch in range(config["epochs"]):
        matih.report({"loss": 1.0 / (epoch + 1), "gcs_port": port})

workbench = Workbench.from_config(WorkbenchConfig())
spec = training_spec(experiment="remote", epochs=2, address=sys.argv[1])
print(json.dumps(workbench.training.run(spec, train_fn).model_dump(mode="json")))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def ray_cluster() -> Iterator[str]:
    """A one-CPU Ray head on free ports, in a session of its own: teardown kills exactly its processes."""
    port = _free_port()
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}
    temp_dir = tempfile.mkdtemp(prefix="ray-", dir="/tmp")  # short: Ray's socket paths must fit 107 chars
    log = open(Path(temp_dir) / "head.log", "w")  # noqa: SIM115  (closed in teardown)
    head = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "ray"), "start", "--head", "--block", "--port", str(port),
            "--num-cpus", "1", "--include-dashboard", "false", "--disable-usage-stats",
            "--ray-client-server-port", str(_free_port()), "--temp-dir", temp_dir,
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline, started = time.monotonic() + 180, False
        while time.monotonic() < deadline and not started:
            assert head.poll() is None, (Path(temp_dir) / "head.log").read_text()[-3000:]
            started = "Ray runtime started" in (Path(temp_dir) / "head.log").read_text()
            time.sleep(0.5)
        assert started, "ray start --head did not start in 180 s"
        yield f"127.0.0.1:{port}"
    finally:
        with contextlib.suppress(ProcessLookupError):  # `ray stop` would stop every Ray on the machine
            os.killpg(head.pid, signal.SIGKILL)
        head.wait(timeout=30)
        log.close()
        shutil.rmtree(temp_dir, ignore_errors=True)


def test_address_runs_the_job_on_another_ray_cluster(
    ray_cluster: str, matih_home: Path, config: WorkbenchConfig
) -> None:
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "MATIH_HOME": str(matih_home)}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, ray_cluster],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == "FINISHED", result["error"]
    client = MlflowClient(config.tracking_uri)
    (trial,) = result["trials"]
    run = client.get_run(trial["run_id"])
    assert run.data.metrics["gcs_port"] == int(ray_cluster.rsplit(":", 1)[1])  # ran on that cluster
    environment = json.loads(
        Path(client.download_artifacts(result["parent_run_id"], "environment.json")).read_text()
    )
    assert environment["cluster_resources"]["CPU"] == 1.0
