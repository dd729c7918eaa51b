"""MLflow writes of a training job (parent run, statuses, inputs, artifacts) and what it records about the
environment (packages, hardware, git). Explicit run ids through an ``MlflowClient``; never the fluent API.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from mlflow.entities import DatasetInput, InputTag, Metric, Param, RunTag
from mlflow.tracking import MlflowClient
from mlflow.utils.mlflow_tags import (
    MLFLOW_GIT_BRANCH,
    MLFLOW_GIT_COMMIT,
    MLFLOW_PARENT_RUN_ID,
    MLFLOW_RUN_NAME,
    MLFLOW_USER,
)

from matih_workbench.backends.mlflow.client import translate_mlflow_errors

__all__ = ["GIT_TAGS", "PACKAGES", "ChildRun", "GitState", "TrainingRuns", "environment", "git_state"]

#: Package versions recorded with every training run.
PACKAGES = (
    "matih-workbench", "mlflow", "ray", "scikit-learn", "xgboost", "torch", "optuna", "numpy", "pandas",
    "pyarrow",
)  # fmt: skip
MAX_DIFF = 2_000_000


@dataclass(frozen=True)
class ChildRun:
    """A child run of a training job's parent run, as it is in the tracking store."""

    run_id: str
    status: str
    error: str | None  # the tag ``matih.error`` the trial recorded, if any


@dataclass(frozen=True)
class GitState:
    """The repository holding a notebook: its root, the commit and branch checked out, the diff from HEAD."""

    root: str
    commit: str
    branch: str
    diff: str


class TrainingRuns:
    """Parent and child runs of training jobs in one tracking store."""

    def __init__(self, tracking_uri: str) -> None:
        self.tracking_uri = tracking_uri
        self.client = MlflowClient(tracking_uri=tracking_uri)

    def experiment_id(self, name: str, artifact_location: str | None = None) -> str:
        """The id of experiment ``name``, created when missing (artifacts under ``artifact_location``)."""
        with translate_mlflow_errors(f"Experiment '{name}'"):
            found = self.client.get_experiment_by_name(name)
            if found is not None:
                return str(found.experiment_id)
            return str(self.client.create_experiment(name, artifact_location=artifact_location))

    def create_run(
        self,
        experiment_id: str,
        run_name: str,
        user: str,
        tags: dict[str, str],
        parent_run_id: str | None = None,
    ) -> str:
        all_tags = {**tags, MLFLOW_RUN_NAME: run_name, MLFLOW_USER: user, "matih.user": user}  # ours win
        if parent_run_id:
            all_tags[MLFLOW_PARENT_RUN_ID] = parent_run_id
        with translate_mlflow_errors("Run"):
            return str(self.client.create_run(experiment_id, run_name=run_name, tags=all_tags).info.run_id)

    def log(
        self, run_id: str, params: dict[str, Any] | None = None, tags: dict[str, str] | None = None
    ) -> None:
        ps = [Param(k, _str(v)[:6000]) for k, v in (params or {}).items()]
        ts = [RunTag(k, _str(v)[:5000]) for k, v in (tags or {}).items()]
        with translate_mlflow_errors("Run"):
            for start in range(0, max(len(ps), len(ts)), 100):
                self.client.log_batch(run_id, params=ps[start : start + 100], tags=ts[start : start + 100])

    def log_metrics(self, run_id: str, metrics: dict[str, float], step: int = 0) -> None:
        now = int(time.time() * 1000)
        with translate_mlflow_errors("Run"):
            self.client.log_batch(
                run_id, metrics=[Metric(k, float(v), now, step) for k, v in metrics.items()]
            )

    def log_text(self, run_id: str, text: str, path: str) -> None:
        with translate_mlflow_errors("Artifact"):
            self.client.log_text(run_id, text, path)

    def log_dataframe_input(self, run_id: str, frame: Any, name: str) -> str:
        """Record a pandas DataFrame as a dataset input of the run; returns its digest."""
        from mlflow.data.pandas_dataset import from_pandas

        dataset = from_pandas(frame, name=name)
        entity = dataset._to_mlflow_entity()
        with translate_mlflow_errors("Dataset input"):
            self.client.log_inputs(
                run_id, datasets=[DatasetInput(entity, tags=[InputTag("mlflow.data.context", "training")])]
            )
        return str(dataset.digest)

    def resumed(self, run_id: str, step: int) -> None:
        """A retried trial continues its run: RUNNING again, the previous attempt's error kept aside."""
        with translate_mlflow_errors("Run"):
            run = self.client.get_run(run_id)
            error = run.data.tags.get("matih.error")
            tags = {"matih.resumed_from_step": str(step)}
            if error:
                tags["matih.previous_error"] = error
                self.client.delete_tag(run_id, "matih.error")
            self.log(run_id, tags=tags)
            self.client.update_run(run_id, status="RUNNING")

    def terminate(self, run_id: str, status: str) -> None:
        with translate_mlflow_errors("Run"):
            self.client.set_terminated(run_id, status=status)

    def status(self, run_id: str) -> str:
        with translate_mlflow_errors("Run"):
            return str(self.client.get_run(run_id).info.status)

    def children(self, experiment_id: str, parent_run_id: str) -> dict[str, ChildRun]:
        """The child runs of a parent, by trial id."""
        with translate_mlflow_errors("Runs"):
            runs = self.client.search_runs(
                [experiment_id], f"tags.`{MLFLOW_PARENT_RUN_ID}` = '{parent_run_id}'", max_results=10_000
            )
        return {
            r.data.tags.get("matih.trial_id", r.info.run_id): ChildRun(
                run_id=r.info.run_id, status=r.info.status, error=r.data.tags.get("matih.error")
            )
            for r in runs
        }


def _str(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def environment(seed: int | None) -> dict[str, Any]:
    """Python, package versions, CPU/GPU and seeds of this process (the driver)."""
    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": packages,
        "cpu_count": os.cpu_count(),
        "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
        "seed": seed,
        "python_hash_seed": os.environ.get("PYTHONHASHSEED"),
    }


def git_state(path: str | Path) -> GitState | None:
    """Commit, branch and the diff from HEAD of the repository holding ``path``; None outside one."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=path, capture_output=True, text=True, timeout=20, check=True
        )
        return done.stdout

    try:
        root = git("rev-parse", "--show-toplevel").strip()
        commit = git("rev-parse", "HEAD").strip()
        branch = git("rev-parse", "--abbrev-ref", "HEAD").strip()
        diff = git("diff", "HEAD")[:MAX_DIFF]
    except (OSError, subprocess.SubprocessError):
        return None
    return GitState(root=root, commit=commit, branch=branch, diff=diff)


GIT_TAGS = {"commit": MLFLOW_GIT_COMMIT, "branch": MLFLOW_GIT_BRANCH}
