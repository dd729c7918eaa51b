"""Time from running a ``%%matih train`` cell to its first metric visible through the REST handlers
(``GET /matih/api/v1/experiments/{id}/runs`` of a real jupyter server on the same store, polled over HTTP),
on a warm local Ray. The cell runs with ``--background`` (it returns at once); the clock stops when a child
run of the job lists the first epoch's metric. Median of 5 cells; target under 3 s. A single-trial cell runs
as a plain Ray task on a pre-warmed worker (``backends/ray/single.py``); a search (``--tune``) goes through
Tune.

Peer, same run: the floor of Ray Tune itself, a hand-written ``tune.Tuner`` of a trivial function (no
MLflow), timed from ``Tuner(...)`` to its first ``on_trial_result`` callback.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import Entry, entry
from benchmarks.tracking_listing import JupyterServer

CELL = """
import time
import matih_workbench as matih

def train_fn(config):
    for epoch in range(config["epochs"]):
        time.sleep(0.05)
        matih.report({"loss": 1.0 / (epoch + 1)})
"""
REPEAT = 5


def _trivial(config: dict[str, Any]) -> None:
    from ray import tune

    for epoch in range(20):
        time.sleep(0.05)
        tune.report({"loss": 1.0 / (epoch + 1)})


def _tune_floor(storage: str) -> float:
    from ray import tune

    first: list[float] = []

    class First(tune.Callback):
        def on_trial_result(self, iteration: int, trials: Any, trial: Any, result: Any, **info: Any) -> None:
            if not first:
                first.append(time.perf_counter())

    start = time.perf_counter()
    tune.Tuner(
        _trivial, run_config=tune.RunConfig(storage_path=storage, callbacks=[First()], verbose=0)
    ).fit()
    return first[0] - start


def _first_metric(shell: Any, workbench: Any, server: JupyterServer, name: str) -> float:
    start = time.perf_counter()
    view = shell.run_cell_magic("matih", f"train --experiment {name} --epochs 20 --background", CELL)
    job = view.result
    deadline = start + 60
    while time.perf_counter() < deadline:
        page = server.get(f"experiments/{job.experiment_id}/runs")
        if any("loss" in run["metrics"] for run in page["runs"] if run["run_id"] != job.parent_run_id):
            elapsed = time.perf_counter() - start
            workbench.training.wait(job.job_id, timeout=120)
            workbench.training.ray.wait_warm()  # its replacement worker must not slow the peer down
            return elapsed
        time.sleep(0.02)
    raise RuntimeError("no metric visible within 60 s")


def run() -> list[Entry]:
    import ray
    from IPython.core.interactiveshell import InteractiveShell

    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    with tempfile.TemporaryDirectory(prefix="matih-bench-first-") as tmp:
        os.environ["MATIH_HOME"] = tmp
        os.environ["MATIH_TRACKING_URI"] = f"sqlite:///{tmp}/mlflow.db"
        server = JupyterServer(Path(tmp))
        if not ray.is_initialized():
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
        shell = InteractiveShell.instance()
        shell.extension_manager.load_extension("matih_workbench")
        workbench = shell.magics_manager.registry["WorkbenchMagics"].workbench
        try:
            # the first cell on a fresh Ray: Ray starts the workers, which import MLflow
            cold = _first_metric(shell, workbench, server, "bench-first-cold")
            _tune_floor(f"{tmp}/floor")
            samples, floor = [], []
            for i in range(REPEAT):
                samples.append(_first_metric(shell, workbench, server, f"bench-first-{i}"))
                floor.append(_tune_floor(f"{tmp}/floor"))
        finally:
            server.stop()
            shell.extension_manager.unload_extension("matih_workbench")
            InteractiveShell.clear_instance()
    median, peer = statistics.median(samples), statistics.median(floor)
    return [
        entry(
            "%%matih train: cell to first metric visible through the REST handlers (warm local Ray)",
            median,
            peer,
            "s median",
            "< 3 s",
            median < 3.0,
            notes=(
                f"{REPEAT} cells, samples {[round(s, 2) for s in samples]} (first cell on a fresh Ray: "
                f"{cold:.2f} s); peer: bare Ray Tune, Tuner() to its first result callback, no MLflow: "
                f"{[round(s, 2) for s in floor]}"
            ),
        )
    ]
