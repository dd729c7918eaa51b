"""Features: a Feast repository's views and freshness, materialization, consistency, training sets and
online lookups."""

from __future__ import annotations

from functools import partial

from matih_workbench.backends import feature_store, log_feature_lineage
from matih_workbench.config import WorkbenchConfig
from matih_workbench.services.features.service import FeaturesService
from matih_workbench.services.features.training import TrainingSet
from matih_workbench.services.shared import Shared

__all__ = ["FeaturesService", "TrainingSet", "build"]


def build(config: WorkbenchConfig, shared: Shared) -> FeaturesService:
    return FeaturesService(
        open_store=partial(feature_store, config, shared.home),
        events=shared.events,
        log_lineage=partial(log_feature_lineage, config.tracking_uri),
        user=config.user,
    )
