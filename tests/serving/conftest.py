"""Serving fixtures: registered sklearn versions with real MLflow models in the test's SQLite store, and a
local Ray for the serving tests.

``ray_session`` is not imported from ``tests/training/conftest.py``: an imported fixture is a second
definition, so a run of both folders would call ``ray.init`` twice and fail. Here it is package-scoped:
it reuses a Ray that is already up (training's, when that ran first), and otherwise starts a head with
``ray start`` and every port given, connects, and stops that head after the last serving test (before
training's session fixture starts its own). Given ports matter on a busy machine: with ``ray.init()`` the
raylet waits a fixed 15 s for its dashboard agent to write its port files and aborts when the agent is slower
to import ("The current node timed out during startup"); with the ports given it does not wait for them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import mlflow.sklearn
import numpy as np
import pandas as pd
import pytest
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient

from matih_workbench.config import WorkbenchConfig
from matih_workbench.models import Decision, ModelStage
from matih_workbench.services import Workbench
from tests.conftest import free_port

os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # local test cluster; set before Ray is imported
os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")

S = ModelStage
FEATURES = ["tenure", "spend", "visits"]


@pytest.fixture(scope="package")
def ray_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    import ray

    if ray.is_initialized():
        yield
        return
    ports = {name: free_port() for name in ("port", "agent", "grpc", "metrics", "env", "client")}
    temp_dir = tempfile.mkdtemp(prefix="matih-batch-ray-")  # Ray's socket paths must stay short
    log = tmp_path_factory.mktemp("ray") / "head.log"
    command = [
        str(Path(sys.executable).with_name("ray")),
        "start",
        "--head",
        "--disable-usage-stats",
        "--include-dashboard=false",
        "--node-ip-address=127.0.0.1",
        "--num-cpus=2",
        f"--port={ports['port']}",
        f"--dashboard-agent-listen-port={ports['agent']}",
        f"--dashboard-agent-grpc-port={ports['grpc']}",
        f"--metrics-export-port={ports['metrics']}",
        f"--runtime-env-agent-port={ports['env']}",
        f"--ray-client-server-port={ports['client']}",
        f"--temp-dir={temp_dir}",
    ]
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    with open(log, "wb") as out:
        head = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        code = head.wait(timeout=300)
    try:
        assert code == 0, log.read_text()
        ray.init(address=f"127.0.0.1:{ports['port']}", log_to_driver=False, configure_logging=False)
        yield
        ray.shutdown()
    finally:  # the head's process group, then its workers (each in a group of its own): ours alone
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(head.pid, sig)
            for pid in _processes_using(temp_dir):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            time.sleep(2)
        shutil.rmtree(temp_dir, ignore_errors=True)


def _processes_using(folder: str) -> list[int]:
    """Processes whose command line names ``folder`` (Ray's per-head temp folder)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if folder.encode() in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
    return found


def features(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "tenure": rng.uniform(0, 60, n).round(2),
            "spend": rng.gamma(2.0, 30.0, n).round(2),
            "visits": rng.poisson(4, n).astype("float64"),
        }
    )


def register_model(
    workbench: Workbench,
    client: MlflowClient,
    model: object,
    train: pd.DataFrame,
    name: str = "churn",
    stage: ModelStage = S.DEVELOPMENT,
    signature: bool = True,
) -> int:
    """A real sklearn pyfunc model, logged in a run's ``model`` folder and registered; moved to ``stage``."""
    found = client.get_experiment_by_name("batch-tests")
    experiment_id = found.experiment_id if found else client.create_experiment("batch-tests")
    run_id = client.create_run(experiment_id).info.run_id
    with tempfile.TemporaryDirectory() as tmp:
        sig = infer_signature(train, model.predict(train)) if signature else None  # type: ignore[attr-defined]
        mlflow.sklearn.save_model(model, f"{tmp}/model", signature=sig, pip_requirements=["scikit-learn"])
        client.log_artifacts(run_id, f"{tmp}/model", "model")
    client.set_terminated(run_id)
    version = workbench.registry.register(run_id, name).version
    promote(workbench, name, version, stage)
    return version


def promote(workbench: Workbench, name: str, version: int, stage: ModelStage) -> None:
    """Development -> ``stage`` the governed way: Production through Staging and a lead's approval."""
    if (
        stage in (S.STAGING, S.PRODUCTION)
        and workbench.registry.get_version(name, version).stage is not S.STAGING
    ):
        workbench.registry.transition(name, version, S.STAGING)
    if stage is S.PRODUCTION:
        request = workbench.registry.transition(name, version, S.PRODUCTION).request
        assert request is not None
        lead = Workbench.from_config(WorkbenchConfig(user="lead", registry_leads=["lead"]))
        try:
            lead.registry.decide(request.id, Decision(decision="approve", comment="ok"))
        finally:
            if lead.tracking.tracking.reader:
                lead.tracking.tracking.reader.close()
    if stage is S.ARCHIVED:
        workbench.registry.transition(name, version, S.ARCHIVED)
