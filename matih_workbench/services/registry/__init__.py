"""The governed model registry: versions and stages, governance checks, promotion requests, model cards and
lineage."""

from __future__ import annotations

from dataclasses import dataclass

from matih_workbench.backends.mlflow.registry import MlflowRegistry
from matih_workbench.backends.stores.promotions import ModelLocks, PromotionStore
from matih_workbench.config import WorkbenchConfig
from matih_workbench.services.registry.cards import ModelCardService
from matih_workbench.services.registry.history import VersionHistory
from matih_workbench.services.registry.lineage import LineageService
from matih_workbench.services.registry.service import RegistryService
from matih_workbench.services.registry.stages import Roles
from matih_workbench.services.shared import Shared

__all__ = ["LineageService", "ModelCardService", "Registry", "RegistryService", "Roles", "build"]


@dataclass(frozen=True)
class Registry:
    service: RegistryService
    lineage: LineageService
    cards: ModelCardService


def build(config: WorkbenchConfig, shared: Shared) -> Registry:
    """The registry, its lineage and its cards over one MLflow registry client."""
    backend = MlflowRegistry.from_uri(config.tracking_uri)
    roles = Roles(
        user=config.user,
        groups=list(config.user_groups),
        leads=list(config.registry_leads),
        lead_groups=list(config.registry_lead_groups),
        allow_self_approval=config.allow_self_approval,
        card_editor_groups=list(config.card_editor_groups),
    )
    history = VersionHistory(backend, shared.events)
    lineage = LineageService(backend, history.history)
    cards = ModelCardService(backend, history, lineage, shared.events, roles)
    store = PromotionStore(config.state_url or shared.home / "registry.db")
    locks = ModelLocks(shared.home / "locks", config.state_url)
    service = RegistryService(backend, store, locks, shared.events, roles, cards)
    return Registry(service=service, lineage=lineage, cards=cards)
