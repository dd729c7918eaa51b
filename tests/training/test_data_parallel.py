"""Data-parallel Ray Train runs on the session's local Ray (2 CPUs): XGBoost with 2 workers on sharded data,
and PyTorch DDP with 2 workers whose rank-0 process is killed mid-epoch and resumes from its checkpoint."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from mlflow.tracking import MlflowClient

import matih_workbench as matih
from matih_workbench.services import Workbench
from matih_workbench.services.training.service import training_spec


def _frame(rows: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 3))
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "y": (x[:, 0] + x[:, 1] > 0).astype(int)})


def xgb_fn(config: dict[str, Any]) -> None:
    import xgboost

    frame = matih.data()  # this worker's shard
    dtrain = xgboost.DMatrix(frame[["a", "b", "c"]], label=frame["y"])
    booster = None
    for _ in range(config["epochs"]):
        history: dict[str, Any] = {}
        booster = xgboost.train(
            {"objective": "binary:logistic", "eval_metric": "logloss", "max_depth": 3},
            dtrain,
            num_boost_round=2,
            xgb_model=booster,
            evals=[(dtrain, "train")],
            evals_result=history,
            verbose_eval=False,
        )
        matih.report(
            {"logloss": history["train"]["logloss"][-1], "rows": len(frame)},
            checkpoint={"model": bytes(booster.save_raw("json"))},
        )


def test_xgboost_two_workers_on_sharded_data(
    ray_session: None, workbench: Workbench, client: MlflowClient
) -> None:
    frame = _frame()
    spec = training_spec(experiment="dp-xgb", workers=2, epochs=3, metric="logloss", data="frame")
    result = workbench.training.run(spec, xgb_fn, data=frame)
    assert result.status == "FINISHED", result.error
    parent = client.get_run(result.parent_run_id)
    assert parent.data.tags["matih.framework"] == "xgboost" and parent.data.params["workers"] == "2"
    assert parent.data.tags["matih.restarts"] == "0" and parent.data.tags["matih.checkpoints"] == "3"
    (trial,) = result.trials
    assert trial.status == "TERMINATED" and result.best_run_id == trial.run_id
    run = client.get_run(str(trial.run_id))
    assert run.info.status == "FINISHED" and run.data.tags["mlflow.parentRunId"] == result.parent_run_id
    assert run.data.metrics["rows"] == len(frame) / 2  # each worker trained on its own half
    history = client.get_metric_history(run.info.run_id, "logloss")
    assert [m.step for m in history] == [1, 2, 3]
    assert history[-1].value < history[0].value  # boosting rounds continued across epochs
    saved = {a.path for a in client.list_artifacts(run.info.run_id, "checkpoints")}
    assert saved == {"checkpoints/step-0001", "checkpoints/step-0002", "checkpoints/step-0003"}
    import xgboost
    from ray import cloudpickle

    local = client.download_artifacts(run.info.run_id, "checkpoints/step-0003/state.pkl")
    state = cloudpickle.loads(Path(local).read_bytes())
    booster = xgboost.Booster(model_file=bytearray(state["model"]))
    assert booster.num_boosted_rounds() == 6


def torch_fn(config: dict[str, Any]) -> None:
    import torch
    from ray.train.torch import prepare_model

    torch.manual_seed(0)
    model = prepare_model(torch.nn.Linear(3, 1))  # DDP over gloo: gradients averaged across the workers
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    state = matih.last_checkpoint()
    start = 0
    if state is not None:
        model.module.load_state_dict(state["model"])
        start = state["epoch"]
    frame = matih.data()
    x = torch.tensor(frame[["a", "b", "c"]].to_numpy(), dtype=torch.float32)
    y = torch.tensor(frame["y"].to_numpy(), dtype=torch.float32).unsqueeze(1)
    for epoch in range(start, config["epochs"]):
        time.sleep(1.0)  # long enough epochs to be killed in the middle of one
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        matih.report(
            {"loss": loss.item(), "epoch": epoch, "start_epoch": start, "worker_pid": os.getpid()},
            checkpoint={"epoch": epoch + 1, "model": model.module.state_dict()},
        )


def test_torch_two_workers_resume_after_a_worker_is_killed(
    ray_session: None, workbench: Workbench, client: MlflowClient
) -> None:
    spec = training_spec(experiment="dp-torch", workers=2, epochs=6, max_failures=1, data="frame")
    job = workbench.training.start(spec, torch_fn, data=_frame())
    assert workbench.training.get(job.job_id).status == "RUNNING"
    deadline, victim = time.monotonic() + 240, None
    while time.monotonic() < deadline and victim is None:
        trials = workbench.training.get(job.job_id).trials
        if trials and trials[0].iterations >= 2:
            victim = int(trials[0].metrics["worker_pid"])
        time.sleep(0.1)
    assert victim, "no report from the workers"
    os.kill(victim, signal.SIGKILL)  # the rank-0 worker process, in the middle of epoch 3
    result = workbench.training.wait(job.job_id, timeout=300)
    assert result.status == "FINISHED", result.error
    parent = client.get_run(result.parent_run_id)
    assert parent.data.tags["matih.framework"] == "torch" and parent.data.tags["matih.restarts"] == "1"
    run_id = str(result.trials[0].run_id)
    assert client.get_run(run_id).info.status == "FINISHED"
    epochs = client.get_metric_history(run_id, "epoch")
    assert sorted({m.step for m in epochs}) == [1, 2, 3, 4, 5, 6]  # steps continue after the restart
    assert sorted({int(m.value) for m in epochs}) == [0, 1, 2, 3, 4, 5]
    starts = {int(m.value) for m in client.get_metric_history(run_id, "start_epoch")}
    assert starts == {0, max(starts)} and max(starts) >= 2  # resumed from a checkpoint, not from scratch
    pids = {int(m.value) for m in client.get_metric_history(run_id, "worker_pid")}
    assert victim in pids and len(pids) == 2
    saved = {a.path for a in client.list_artifacts(run_id, "checkpoints")}
    assert "checkpoints/step-0006" in saved
