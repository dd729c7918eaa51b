"""Model version stages: where they are kept, which transitions exist, who may govern a model."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from matih_workbench.backends.mlflow.registry import VersionRecord
from matih_workbench.errors import Conflict, InvalidInput, shown
from matih_workbench.models import CheckResult, EventType, ModelStage, TransitionRecord, WorkbenchEvent
from matih_workbench.models.common import MAX_TEXT
from matih_workbench.services.registry import governance

STAGE_TAG = "matih.stage"
STAGE_BY_TAG = "matih.stage_changed_by"
STAGE_AT_TAG = "matih.stage_changed_at"
REGISTERED_BY_TAG = "matih.registered_by"
PENDING_TAG = "matih.pending_request"
OWNERS_TAG = "matih.owners"
THRESHOLDS_TAG = "matih.thresholds"
#: the run's metrics when the version was registered, as JSON: what governance checks read
EVIDENCE_TAG = "matih.evidence"
MAX_EVIDENCE_CHARS = 90_000  # MLflow keeps model version tag values up to 100,000 characters
PRODUCTION_ALIAS = "production"
STAGING_ALIAS = "staging"

S = ModelStage
ALLOWED: dict[ModelStage, set[ModelStage]] = {
    S.DEVELOPMENT: {S.STAGING, S.ARCHIVED},
    S.STAGING: {S.PRODUCTION, S.DEVELOPMENT, S.ARCHIVED},
    S.PRODUCTION: {S.ARCHIVED},
    S.ARCHIVED: {S.PRODUCTION, S.STAGING, S.DEVELOPMENT},
}
#: Serving events that enter a version's history, lineage and card (subject: the model; payload: version).
DEPLOYMENT_EVENTS = {
    EventType.MODEL_DEPLOYED,
    EventType.MODEL_UNDEPLOYED,
    EventType.MODEL_EXPORTED,
    EventType.SHADOW_STARTED,
    EventType.CANARY_STARTED,
    EventType.CANARY_PROMOTED,
    EventType.CANARY_ROLLED_BACK,
}
HISTORY_EVENTS = {
    EventType.MODEL_REGISTERED,
    EventType.MODEL_PROMOTION_REQUESTED,
    EventType.MODEL_PROMOTED,
    EventType.MODEL_ARCHIVED,
    EventType.MODEL_PROMOTION_REJECTED,
    EventType.MODEL_CARD_EDITED,
    *DEPLOYMENT_EVENTS,
}


@dataclass
class Roles:
    """Who the acting user is, who may approve promotions to Production and who may edit model cards."""

    user: str
    groups: list[str]
    leads: list[str]
    lead_groups: list[str]
    allow_self_approval: bool = False
    card_editor_groups: list[str] = field(default_factory=list)

    def may_govern(self, owners: Iterable[str]) -> bool:
        """Owners of the model and leads (by name or by group) approve, archive Production, set thresholds."""
        return self.user in owners or self.is_lead()

    def is_lead(self) -> bool:
        return self.user in self.leads or bool(set(self.groups) & set(self.lead_groups))

    def may_edit_card(self, owners: Iterable[str]) -> bool:
        """Owners and leads, and members of the groups ``WorkbenchConfig.card_editor_groups`` names."""
        return self.may_govern(owners) or bool(set(self.groups) & set(self.card_editor_groups))

    def may_approve(self, owners: Iterable[str], requested_by: str) -> bool:
        """Governors approve a request, but not their own unless ``allow_self_approval``."""
        return self.may_govern(owners) and (requested_by != self.user or self.allow_self_approval)


def stage_of(version: VersionRecord) -> ModelStage:
    """The alias ``production`` decides Production; else the stage tag (a stale Production is Archived)."""
    if PRODUCTION_ALIAS in version.aliases:
        return S.PRODUCTION
    try:
        stage = ModelStage(version.tags.get(STAGE_TAG, S.DEVELOPMENT))
    except ValueError:
        return S.DEVELOPMENT
    return S.ARCHIVED if stage is S.PRODUCTION else stage


def free_text(value: str | None, what: str) -> str | None:
    """``value`` unless longer than ``MAX_TEXT``, the one limit of every free-text field."""
    if value is not None and len(value) > MAX_TEXT:
        raise InvalidInput(
            f"The {what} is {len(value)} characters long; free-text fields hold at most {MAX_TEXT}",
            hint="shorten it, or link to a longer document",
        )
    return value


def evidence_tag(metrics: dict[str, float], now: float) -> str:
    """The ``EVIDENCE_TAG`` value: the metrics, finite ones only, within MLflow's tag size."""
    kept: dict[str, float] = {}
    size = 0
    for key, value in sorted(metrics.items()):
        size += len(key) + 32
        if size > MAX_EVIDENCE_CHARS:
            break
        kept[key] = value
    return json.dumps({"metrics": kept, "recorded_at": round(now, 3)})


def evidence_of(version: VersionRecord) -> tuple[dict[str, float], float] | None:
    """The metrics recorded with a version at registration and when; None if none were (e.g. a version made
    by a plain MLflow client, or before the workbench recorded them)."""
    try:
        data = json.loads(version.tags[EVIDENCE_TAG])
        metrics = {str(k): float(v) for k, v in data["metrics"].items()}
        return metrics, float(data["recorded_at"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def parse_stage(text: str) -> ModelStage:
    for stage in ModelStage:
        if stage.value.lower() == text.strip().lower():
            return stage
    raise InvalidInput(
        f"Unknown stage '{shown(text)}'", hint="one of " + ", ".join(s.value for s in ModelStage)
    )


def transition_problem(current: ModelStage, target: ModelStage) -> str | None:
    if current is target:
        return f"The version is already in {target.value}"
    if target not in ALLOWED[current]:
        return f"No transition from {current.value} to {target.value}"
    return None


def next_steps(current: ModelStage) -> str:
    return f"from {current.value} a version may go to " + ", ".join(sorted(s.value for s in ALLOWED[current]))


def refuse_failures(name: str, version: int, stage: ModelStage, checks: list[CheckResult]) -> None:
    failing = governance.failures(checks)
    if failing:
        raise Conflict(
            f"Version {version} of '{name}' fails {len(failing)} check(s) for {stage.value}: "
            + "; ".join(c.message for c in failing),
            hint="improve the model, or have an owner or lead revise the thresholds",
            details={"checks": [c.model_dump() for c in checks]},
        )


def history_record(event: WorkbenchEvent) -> TransitionRecord:
    """A registry lifecycle event as one entry of a model's history."""
    payload = event.payload
    return TransitionRecord(
        event_id=event.id,
        type=event.type.value,
        time=event.time,
        user=event.user,
        model=event.subject,
        version=payload.get("version"),
        from_stage=payload.get("from_stage"),
        to_stage=payload.get("to_stage"),
        comment=payload.get("comment"),
        request_id=payload.get("request_id"),
        changes=payload.get("changes") or {},
    )
