"""Training jobs as the side panel lists them: rebuilt from lifecycle events and the tracking store."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from matih_workbench.models.training import JobStatus


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
