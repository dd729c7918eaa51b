"""Training jobs: what ``%%matih train`` asks for (TrainingSpec) and what it gives back (TrainingResult)."""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from matih_workbench.models.common import MAX_NAME, FreeText, Name

Framework = Literal["auto", "sklearn", "xgboost", "torch", "custom"]
SearchAlg = Literal["random", "grid", "optuna"]
Scheduler = Literal["none", "asha", "hyperband", "pbt"]
ParamKind = Literal["loguniform", "uniform", "randint", "choice", "grid"]
JobStatus = Literal["RUNNING", "FINISHED", "FAILED", "KILLED"]
TrialStatus = Literal["PENDING", "RUNNING", "TERMINATED", "ERROR", "KILLED"]

#: Experiment names we create: printable, no leading/trailing blanks, no control characters.
EXPERIMENT_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9 _.\-/:]{0,249}$")
#: Run tag keys MLflow and the workbench set themselves (author, parent run, job id...): never from a user.
RESERVED_TAG_PREFIXES = ("mlflow.", "matih.")
Scalar = float | int | str | bool


class ParamSpec(BaseModel):
    """One dimension of a search space, e.g. ``loguniform(1e-4, 1e-1)`` or ``choice(4, 8, 16)``."""

    kind: ParamKind
    values: list[Scalar] = Field(description="Bounds (low, high) for ranges; the options for choice/grid.")

    @model_validator(mode="after")
    def _check(self) -> ParamSpec:
        if self.kind in ("choice", "grid"):
            if not self.values:
                raise ValueError(f"{self.kind}() needs at least one value")
            return self
        if len(self.values) != 2 or not all(_is_number(v) for v in self.values):
            raise ValueError(f"{self.kind}(low, high) needs two numbers")
        low, high = (float(v) for v in self.values)
        if not low < high:
            raise ValueError(f"{self.kind}(low, high) needs low < high")
        if self.kind == "loguniform" and low <= 0:
            raise ValueError("loguniform(low, high) needs low > 0")
        if self.kind == "randint" and not all(isinstance(v, int) for v in self.values):
            raise ValueError("randint(low, high) needs integers")
        return self

    def __str__(self) -> str:
        return f"{self.kind}({', '.join(repr(v) for v in self.values)})"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class TrainingSpec(BaseModel):
    """Everything a training job needs, validated before anything starts."""

    experiment: str = Field(description="Experiment name; created when missing.")
    framework: Framework = "auto"
    workers: int = Field(1, ge=1, le=256)
    cpus_per_worker: float = Field(1.0, gt=0)
    gpus_per_worker: float = Field(0.0, ge=0)
    epochs: int = Field(10, ge=1, description="Passed to train_fn as config['epochs'].")
    metric: str | None = Field(None, description="Metric to optimize, as reported by train_fn.")
    mode: Literal["min", "max"] | None = None
    search_space: dict[str, ParamSpec] = Field(default_factory=dict)
    num_samples: int = Field(1, ge=1, le=10_000)
    search_alg: SearchAlg = "random"
    scheduler: Scheduler = "none"
    max_concurrent: int | None = Field(None, ge=1)
    run_name: Name | None = None
    tags: dict[Name, FreeText] = Field(default_factory=dict, max_length=100)
    address: str | None = Field(
        None, description="Ray cluster address (ray://host:10001); local Ray if empty."
    )
    data: str | None = Field(None, description="Name of the input data in the kernel namespace.")
    seed: int | None = None
    max_failures: int = Field(
        0, ge=0, le=100, description="Restarts of a failed trial or worker group, from its last checkpoint."
    )
    autolog: Literal["auto", "on", "off"] = Field(
        "auto",
        description="MLflow framework autologging in trials; auto: on when the cell calls a fit it captures.",
    )

    @model_validator(mode="after")
    def _check(self) -> TrainingSpec:
        if not EXPERIMENT_NAME.match(self.experiment):
            raise ValueError(
                f"experiment name {self.experiment!r} must start with a letter, digit or _ and use only "
                "letters, digits, spaces and _ . - / :"
            )
        if (self.scheduler != "none" or self.search_alg == "optuna") and not self.metric:
            raise ValueError(f"--metric is required with scheduler {self.scheduler} / {self.search_alg}")
        kinds = {p.kind for p in self.search_space.values()}
        if self.search_alg == "optuna" and "grid" in kinds:
            raise ValueError("optuna does not take grid() dimensions; use choice()")
        if self.search_alg == "grid" and kinds - {"grid", "choice"}:
            raise ValueError("--search-alg grid needs grid() or choice() dimensions only")
        if self.search_alg == "optuna" and not self.search_space:
            raise ValueError("--search-alg optuna needs a search space (--tune)")
        if self.scheduler == "pbt" and not any(k != "grid" for k in kinds):
            raise ValueError("pbt needs at least one non-grid dimension to perturb")
        if self.workers > 1 and (self.search_space or self.num_samples > 1 or self.scheduler != "none"):
            raise ValueError(
                "--workers > 1 trains one configuration data-parallel: drop --tune, --num-samples and "
                "--scheduler, or search with --workers 1"
            )
        spoofed = sorted(k for k in self.tags if k.strip().lower().startswith(RESERVED_TAG_PREFIXES))
        if spoofed:
            raise ValueError(
                f"tag {spoofed[0][:MAX_NAME]!r} is reserved: keys starting with "
                f"{' or '.join(RESERVED_TAG_PREFIXES)} are set by MLflow and the workbench (author, parent)"
            )
        reserved = {"epochs"} & set(self.search_space)
        if reserved:
            raise ValueError("'epochs' is set by --epochs; do not put it in the search space")
        return self


class TrialResult(BaseModel):
    trial_id: str
    run_id: str | None = None
    status: TrialStatus
    config: dict[str, Any] = Field(default_factory=dict)
    metrics: dict[str, float] = Field(default_factory=dict, description="Latest reported metrics.")
    iterations: int = 0
    error: str | None = None


class TrainingResult(BaseModel):
    """A training job, running or finished: one parent MLflow run, one child run per trial."""

    job_id: str
    experiment_id: str
    experiment: str
    parent_run_id: str
    status: JobStatus
    metric: str | None = None
    mode: Literal["min", "max"] | None = None
    best_run_id: str | None = None
    best_trial_id: str | None = None
    best_config: dict[str, Any] = Field(default_factory=dict)
    best_metrics: dict[str, float] = Field(default_factory=dict)
    trials: list[TrialResult] = Field(default_factory=list)
    started: float
    ended: float | None = None
    error: str | None = None

    @property
    def elapsed(self) -> float:
        import time

        return (self.ended or time.time()) - self.started

    def top_run_ids(self, n: int = 5) -> list[str]:
        """Run ids of the ``n`` best trials by the job metric (trials without it last, failed ones out)."""
        runs = [t for t in self.trials if t.run_id and t.status != "ERROR"]
        if self.metric:
            sign = 1.0 if self.mode == "min" else -1.0
            metric = self.metric
            runs.sort(key=lambda t: (metric not in t.metrics, sign * t.metrics.get(metric, 0.0)))
        return [str(t.run_id) for t in runs[:n]]


class TrainingJobList(BaseModel):
    jobs: list[TrainingResult]


class TrainingJobSummary(BaseModel):
    """One ``%%matih train`` job, running or ended, with its progress."""

    job_id: str
    experiment_id: str
    experiment: str
    parent_run_id: str
    user: str
    status: JobStatus
    metric: str | None = Field(None, description="The metric the job optimizes, when it has one.")
    mode: Literal["min", "max"] | None = None
    trials_total: int = Field(description="Trials asked for (num_samples), or the trials seen if more.")
    trials_done: int = Field(description="Trials ended: finished, failed or killed.")
    trials_running: int
    trials_failed: int
    best_run_id: str | None = None
    best_value: float | None = Field(None, description="Best value of `metric` over the trials so far.")
    started: float = Field(description="Seconds since the epoch.")
    ended: float | None = None
    error: str | None = None
    cancel_requested: bool = Field(
        False, description="Someone asked to cancel the job; the kernel running it then ends it KILLED."
    )


class TrainingJobSummaryList(BaseModel):
    """Most recently started first."""

    jobs: list[TrainingJobSummary]
