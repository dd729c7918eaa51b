"""--address: a job runs on a real second Ray instance (``ray start --head`` in its own process group), by
its GCS address (a driver on a node of the cluster) and through Ray Client (``ray://``, a driver anywhere).

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
from typing import Any, NamedTuple

import pytest
from mlflow.tracking import MlflowClient

from matih_workbench.config import WorkbenchConfig

DRIVER = """
import json, sys
import matih_workbench as matih
from matih_workbench.config import WorkbenchConfig
from matih_workbench.services import Workbench
from matih_workbench.services.training.service import training_spec

def train_fn(config):
    import ray
    port = int(ray.get_runtime_context().gcs_address.rsplit(":", 1)[1])
    for epoch in range(config["epochs"]):
        matih.report({"loss": 1.0 / (epoch + 1), "gcs_port": port})

workbench = Workbench.from_config(WorkbenchConfig())
spec = training_spec(experiment="remote", epochs=2, address=sys.argv[1])
print(json.dumps(workbench.training.run(spec, train_fn).model_dump(mode="json")))
"""


CLIENT_DRIVER = """
import json, sys, time
import matih_workbench as matih
from matih_workbench.config import WorkbenchConfig
from matih_workbench.services import Workbench
from matih_workbench.services.training.service import training_spec

def train_fn(config):
    import ray
    port = int(ray.get_runtime_context().gcs_address.rsplit(":", 1)[1])
    for epoch in range(config["epochs"]):
        time.sleep(0.2)
        matih.report({"loss": 1.0 / (epoch + 1), "gcs_port": port})

workbench = Workbench.from_config(WorkbenchConfig())
done = workbench.training.run(
    training_spec(experiment="client", epochs=2, num_samples=2, metric="loss", address=sys.argv[1]), train_fn
)
job = workbench.training.start(training_spec(experiment="client-cancel", epochs=1000), train_fn)
deadline = time.monotonic() + 120
while not any(t.iterations >= 2 for t in workbench.training.get(job.job_id).trials):
    assert time.monotonic() < deadline, "no progress through Ray Client"
    time.sleep(0.1)
cancelled = workbench.training.cancel(job.job_id, timeout=120)
print(json.dumps([done.model_dump(mode="json"), cancelled.model_dump(mode="json")]))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster(NamedTuple):
    gcs: str  # host:port, for a driver on a node of the cluster
    client: str  # ray://host:port
    temp_dir: Path  # the head's --temp-dir: its logs, shown when a driver fails


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Cluster]:
    """A one-CPU Ray head on free ports, in a session of its own: teardown kills exactly its processes."""
    port, client_port = _free_port(), _free_port()
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}
    temp_dir = tempfile.mkdtemp(prefix="ray-", dir="/tmp")  # short: Ray's socket paths must fit 107 chars
    log = open(Path(temp_dir) / "head.log", "w")  # noqa: SIM115  (closed in teardown)
    head = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "ray"), "start", "--head", "--block", "--port", str(port),
            "--num-cpus", "1", "--include-dashboard", "false", "--disable-usage-stats",
            "--ray-client-server-port", str(client_port), "--temp-dir", temp_dir,
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
        yield Cluster(f"127.0.0.1:{port}", f"ray://127.0.0.1:{client_port}", Path(temp_dir))
    finally:
        with contextlib.suppress(ProcessLookupError):  # `ray stop` would stop every Ray on the machine
            os.killpg(head.pid, signal.SIGKILL)
        head.wait(timeout=30)
        log.close()
        shutil.rmtree(temp_dir, ignore_errors=True)


def _head_logs(temp_dir: Path) -> str:
    """The tails of the head's client-server and raylet error logs: why a connection was refused."""
    logs = sorted(temp_dir.glob("session_latest/logs/ray_client_server*.err"))
    logs += sorted(temp_dir.glob("session_latest/logs/raylet.err"))
    return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}" for log in logs)


def _drive(script: str, address: str, cluster: Cluster, matih_home: Path) -> Any:
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "MATIH_HOME": str(matih_home)}
    done = subprocess.run(
        [sys.executable, "-c", script, address], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:] + "\n" + _head_logs(cluster.temp_dir)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_address_runs_the_job_on_another_ray_cluster(
    ray_cluster: Cluster, matih_home: Path, config: WorkbenchConfig
) -> None:
    address = ray_cluster.gcs
    result = _drive(DRIVER, address, ray_cluster, matih_home)
    assert result["status"] == "FINISHED", result["error"]
    client = MlflowClient(config.tracking_uri)
    (trial,) = result["trials"]
    run = client.get_run(trial["run_id"])
    assert run.data.metrics["gcs_port"] == int(address.rsplit(":", 1)[1])  # ran on that cluster
    environment = json.loads(
        Path(client.download_artifacts(result["parent_run_id"], "environment.json")).read_text()
    )
    assert environment["cluster_resources"]["CPU"] == 1.0


def test_ray_client_address_runs_a_search_with_live_progress_and_cancels(
    ray_cluster: Cluster, matih_home: Path, config: WorkbenchConfig
) -> None:
    gcs_port = int(ray_cluster.gcs.rsplit(":", 1)[1])
    finished, cancelled = _drive(CLIENT_DRIVER, ray_cluster.client, ray_cluster, matih_home)
    client = MlflowClient(config.tracking_uri)
    assert finished["status"] == "FINISHED", finished["error"]
    # Tune's loop ran on the cluster; the trials' progress still reached this driver, best run included
    assert len(finished["trials"]) == 2 and all(t["iterations"] == 2 for t in finished["trials"])
    assert finished["best_metrics"]["loss"] == 0.5 and finished["best_run_id"]
    for trial in finished["trials"]:
        run = client.get_run(trial["run_id"])
        assert run.info.status == "FINISHED" and run.data.metrics["gcs_port"] == gcs_port
    assert cancelled["status"] == "KILLED"
    (trial,) = cancelled["trials"]
    run = client.get_run(trial["run_id"])
    assert trial["status"] == "KILLED" and run.info.status == "KILLED"
    assert 2 <= len(client.get_metric_history(trial["run_id"], "loss")) < 1000
