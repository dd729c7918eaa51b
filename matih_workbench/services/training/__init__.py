"""Training: ``%%matih train`` jobs on Ray (one trial, Tune searches, data-parallel Train), and the jobs list
the server rebuilds from events, with cancel requests and jobs whose kernel died."""

from __future__ import annotations

from dataclasses import dataclass

from matih_workbench.backends import artifact_store
from matih_workbench.backends.mlflow.training_runs import TrainingRuns
from matih_workbench.backends.ray.connection import RayBackend
from matih_workbench.config import WorkbenchConfig
from matih_workbench.services.registry.stages import Roles
from matih_workbench.services.shared import Shared
from matih_workbench.services.training.job_list import JobsService
from matih_workbench.services.training.service import TrainingService

__all__ = ["JobsService", "Training", "TrainingService", "build"]


@dataclass(frozen=True)
class Training:
    service: TrainingService
    jobs: JobsService


def build(config: WorkbenchConfig, shared: Shared) -> Training:
    runs = TrainingRuns(config.tracking_uri)
    roles = Roles(
        user=config.user,
        groups=list(config.user_groups),
        leads=list(config.registry_leads),
        lead_groups=list(config.registry_lead_groups),
    )
    return Training(
        service=TrainingService(
            runs,
            RayBackend(config.ray_address),
            shared.events,
            config.user,
            shared.home,
            artifact_store(config.artifact_root, config.s3_endpoint_url),
        ),
        jobs=JobsService(shared.events, shared.tracking, runs, roles),
    )
