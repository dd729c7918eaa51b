"""``%%matih train`` against the same ~30 s Tune search written by hand against Ray Tune + MLflow.

One warm local Ray (2 CPUs) for both, same process, same data, same trials: 4 trials of an SGD classifier,
2 at a time, 16 epochs of ``partial_fit`` plus 0.4 s of simulated work each. The peer is what one writes
without the workbench: a parent run, ``tune.with_parameters`` for the data, a child run per trial created in
the trial with ``MlflowClient``, params, ``log_metric`` per epoch, ``tune.report``, ``set_terminated``.
Ours is the magic in an IPython shell: the same plus environment/git/cell/dataset capture, the async metric
logger, live trial table, events, result reconciliation. Runs alternate (peer, ours, ours, peer); the figure
is the mean of each side; overhead = ours / peer - 1, target at most 10 %. One more run of ours with
``--autolog on`` shows what MLflow's sklearn autologging costs on top (the default, ``auto``, leaves it off
for this ``partial_fit`` loop, where it would capture nothing).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.harness import Entry, entry

TRIALS, CONCURRENT, EPOCHS, WORK_S = 4, 2, 16, 0.4
ALPHAS = [1e-4, 3e-4, 1e-3, 3e-3]

CELL = f"""
import time
import matih_workbench as matih

def train_fn(config):
    from sklearn.linear_model import SGDClassifier
    frame = matih.data()
    x, y = frame.drop(columns="y").to_numpy(), frame["y"].to_numpy()
    model = SGDClassifier(alpha=config["alpha"], random_state=0)
    for epoch in range(config["epochs"]):
        model.partial_fit(x, y, classes=[0, 1])
        time.sleep({WORK_S})
        matih.report({{"accuracy": model.score(x, y)}})
"""


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20_000, 20))
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(20)])
    frame["y"] = (x[:, 0] + x[:, 1] > 0).astype(int)
    return frame


def peer_train(config: dict[str, Any], frame: pd.DataFrame, tracking_uri: str, experiment_id: str,
               parent_run_id: str) -> None:  # fmt: skip
    from mlflow.tracking import MlflowClient
    from ray import tune
    from sklearn.linear_model import SGDClassifier

    client = MlflowClient(tracking_uri)
    name = tune.get_context().get_trial_name()
    run_id = client.create_run(experiment_id, tags={"mlflow.parentRunId": parent_run_id}, run_name=name)
    run_id = run_id.info.run_id
    client.log_param(run_id, "alpha", config["alpha"])
    x, y = frame.drop(columns="y").to_numpy(), frame["y"].to_numpy()
    model = SGDClassifier(alpha=config["alpha"], random_state=0)
    for epoch in range(config["epochs"]):
        model.partial_fit(x, y, classes=[0, 1])
        time.sleep(WORK_S)
        accuracy = model.score(x, y)
        client.log_metric(run_id, "accuracy", accuracy, step=epoch + 1)
        tune.report({"accuracy": accuracy})
    client.set_terminated(run_id, "FINISHED")


def _peer(frame: pd.DataFrame, tracking_uri: str, storage: Path, epochs: int = EPOCHS) -> float:
    from mlflow.tracking import MlflowClient
    from ray import tune

    start = time.perf_counter()
    client = MlflowClient(tracking_uri)
    experiment = client.get_experiment_by_name("bench-peer")
    experiment_id = experiment.experiment_id if experiment else client.create_experiment("bench-peer")
    parent = client.create_run(experiment_id, run_name="peer").info.run_id
    trainable = tune.with_parameters(
        peer_train, frame=frame, tracking_uri=tracking_uri, experiment_id=experiment_id, parent_run_id=parent
    )
    tuner = tune.Tuner(
        tune.with_resources(trainable, {"cpu": 1}),
        param_space={"alpha": tune.grid_search(ALPHAS), "epochs": epochs},
        tune_config=tune.TuneConfig(metric="accuracy", mode="max", max_concurrent_trials=CONCURRENT),
        run_config=tune.RunConfig(storage_path=str(storage), verbose=0),
    )
    results = tuner.fit()
    best = results.get_best_result()
    client.log_metric(parent, "best_accuracy", float(best.metrics["accuracy"]))
    client.set_terminated(parent, "FINISHED")
    return time.perf_counter() - start


def _ours(shell: Any, epochs: int = EPOCHS, extra: str = "") -> float:
    line = (
        f"train --experiment bench-ours --tune alpha=grid({','.join(map(str, ALPHAS))}) --metric accuracy "
        f"--mode max --epochs {epochs} --max-concurrent {CONCURRENT} --data frame {extra}"
    )
    start = time.perf_counter()
    view = shell.run_cell_magic("matih", line, CELL)
    elapsed = time.perf_counter() - start
    assert view.result.status == "FINISHED" and len(view.result.trials) == TRIALS, view.result.error
    return elapsed


def run() -> list[Entry]:
    import ray
    from IPython.core.interactiveshell import InteractiveShell

    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    with tempfile.TemporaryDirectory(prefix="matih-bench-train-") as tmp:
        os.environ["MATIH_HOME"] = tmp
        tracking_uri = f"sqlite:///{tmp}/mlflow.db"
        os.environ["MATIH_TRACKING_URI"] = tracking_uri
        if not ray.is_initialized():
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
        shell = InteractiveShell.instance()
        shell.extension_manager.load_extension("matih_workbench")
        frame = _frame()
        shell.user_ns["frame"] = frame
        try:
            _peer(frame, tracking_uri, Path(tmp) / "peer", epochs=1)  # warm-up: workers, imports, stores
            _ours(shell, epochs=1)
            peer, ours = [], []
            for side in ("peer", "ours", "ours", "peer"):
                if side == "peer":
                    peer.append(_peer(frame, tracking_uri, Path(tmp) / "peer"))
                else:
                    ours.append(_ours(shell))
                print(f"  {side}: {(peer if side == 'peer' else ours)[-1]:.1f} s", flush=True)
            autologged = _ours(shell, extra="--autolog on")  # what MLflow's sklearn autologging adds
        finally:
            shell.extension_manager.unload_extension("matih_workbench")
            InteractiveShell.clear_instance()
    ours_s, peer_s = statistics.mean(ours), statistics.mean(peer)
    overhead = ours_s / peer_s - 1
    extra = autologged / peer_s - 1
    return [
        entry(
            f"%%matih train wall time, {TRIALS} Tune trials x {EPOCHS} epochs (~30 s job)",
            ours_s,
            peer_s,
            "s mean",
            "overhead <= 10% vs hand-written Tune + MLflow",
            overhead <= 0.10,
            notes=(
                f"overhead {overhead * 100:+.1f}%; peer: hand-written Ray Tune + MlflowClient (parent/child "
                f"runs, log_metric per epoch); runs ours {[round(s, 1) for s in ours]}, peer "
                f"{[round(s, 1) for s in peer]}; the cell calls partial_fit, so --autolog auto leaves "
                "MLflow autologging off"
            ),
        ),
        entry(
            "the same with --autolog on (MLflow sklearn autologging in every trial; the peer has none)",
            autologged,
            peer_s,
            "s",
            "informational: autologging's own cost",
            True,
            notes=f"{extra * 100:+.1f}% vs the peer: patching sklearn takes ~1.7 s in each new trial process",
        ),
    ]
