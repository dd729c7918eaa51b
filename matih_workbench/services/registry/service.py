"""The governed model registry: stages on MLflow aliases and tags, baseline checks, approvals, history.

A version's stage is the tag ``matih.stage``; Production is the version the alias ``production`` points at
(so a plain MLflow client loading ``models:/NAME@production`` sees the same model), and the alias
``staging`` points at the latest version put in Staging. Every change to a model's stages runs under that
model's lock, which holds across threads and processes: two promotions never leave zero or two Production
versions.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict
from typing import Any

from matih_workbench.backends.mlflow.registry import (
    MlflowRegistry,
    ModelRecord,
    VersionRecord,
    dump_list,
    load_list,
)
from matih_workbench.backends.stores.promotions import ModelLocks, PromotionRow, PromotionStore
from matih_workbench.errors import Conflict, Forbidden, InvalidInput, NotFound, WorkbenchError, shown
from matih_workbench.models import (
    CheckResult,
    Decision,
    DecisionResult,
    EventType,
    GovernanceReport,
    MetricDelta,
    ModelCard,
    ModelDetail,
    ModelHistory,
    ModelList,
    ModelStage,
    ModelThresholds,
    ModelVersionInfo,
    PromotionEvidence,
    PromotionRequest,
    PromotionRequestList,
    RegisteredModelSummary,
    Threshold,
    TransitionResult,
)
from matih_workbench.services.events import EventService
from matih_workbench.services.registry import governance
from matih_workbench.services.registry.cards import ModelCardService
from matih_workbench.services.registry.stages import (
    EVIDENCE_TAG,
    OWNERS_TAG,
    PENDING_TAG,
    PRODUCTION_ALIAS,
    REGISTERED_BY_TAG,
    STAGE_AT_TAG,
    STAGE_BY_TAG,
    STAGE_TAG,
    STAGING_ALIAS,
    THRESHOLDS_TAG,
    Roles,
    S,
    evidence_of,
    evidence_tag,
    free_text,
    next_steps,
    refuse_failures,
    stage_of,
    transition_problem,
)


class RegistryService:
    """Register versions, govern their stages, file and decide promotion requests, read the history."""

    def __init__(
        self,
        registry: MlflowRegistry,
        store: PromotionStore,
        locks: ModelLocks,
        events: EventService,
        roles: Roles,
        cards: ModelCardService,
    ) -> None:
        self.registry = registry
        self.store = store
        self.locks = locks
        self.events = events
        self.roles = roles
        self.cards = cards

    @property
    def user(self) -> str:
        return self.roles.user

    # -- reading ----------------------------------------------------------------------------------
    def list_models(self) -> ModelList:
        latest: dict[str, int] = {}
        for v in self.registry.versions():
            latest[v.name] = max(latest.get(v.name, 0), v.version)
        return ModelList(models=[self._summary(m, latest.get(m.name)) for m in self.registry.models()])

    def get_model(self, name: str) -> ModelDetail:
        model = self.registry.model(name)
        versions = self.registry.versions(name)
        pending = {r.version: r.id for r in self.store.list(status="pending", model=name)}
        summary = self._summary(model, max((v.version for v in versions), default=None))
        return ModelDetail(
            **summary.model_dump(),
            can_approve=self.roles.may_govern(summary.owners),
            thresholds=self._thresholds(model),
            versions=[self._info(v, pending.get(v.version)) for v in versions],
            tags=model.tags,
        )

    def get_version(self, name: str, version: int) -> ModelVersionInfo:
        record = self.registry.version(name, version)
        pending = self.store.list(status="pending", model=name, version=version)
        return self._info(record, pending[0].id if pending else None)

    def thresholds(self, name: str) -> ModelThresholds:
        return ModelThresholds(model=name, thresholds=self._thresholds(self.registry.model(name)))

    def history(self, name: str, version: int | None = None) -> ModelHistory:
        """The model's lifecycle events, oldest first (optionally one version's)."""
        return self.cards.history.history(name, version)

    # -- registering and thresholds ---------------------------------------------------------------
    def register(
        self,
        run: str,
        name: str,
        artifact_path: str = "model",
        description: str | None = None,
        owners: list[str] | None = None,
    ) -> ModelVersionInfo:
        """A run's logged model becomes a new version of ``name``, in Development. The run's metrics as they
        are now are recorded on it: the evidence its checks read, whatever the run logs later."""
        name = name.strip()
        if not name or "/" in name or len(name) > 250:
            raise InvalidInput(
                f"Invalid model name '{shown(name)}'",
                hint="use letters, digits, '-', '_' or '.' (250 at most)",
            )
        free_text(description, "description")
        found = self.registry.resolve_source(run.strip(), artifact_path)
        metrics = self.registry.run(found.run_id).metrics if found.run_id else {}
        self.registry.ensure_model(name, {OWNERS_TAG: dump_list(owners or [self.user])})
        now = time.time()
        tags = {
            STAGE_TAG: S.DEVELOPMENT.value,
            REGISTERED_BY_TAG: self.user,
            STAGE_BY_TAG: self.user,
            STAGE_AT_TAG: f"{now:.3f}",
            EVIDENCE_TAG: evidence_tag(metrics, now),
        }
        created = self.registry.create_version(name, found.source, found.run_id, found.model_id, tags)
        if description:
            self.registry.set_version_description(name, created.version, description)
        self._emit(
            EventType.MODEL_REGISTERED, name, created.version, to_stage=S.DEVELOPMENT, run_id=found.run_id
        )
        return self.get_version(name, created.version)

    def set_thresholds(self, name: str, rules: list[str]) -> ModelThresholds:
        """Replace the baseline rules (owners and leads only); malformed rules change nothing."""
        parsed = governance.parse_thresholds(rules)
        model = self.registry.model(name)
        self._require_governor(model, "set the thresholds of")
        self.registry.set_model_tag(name, THRESHOLDS_TAG, dump_list([t.expression for t in parsed]))
        return ModelThresholds(model=name, thresholds=parsed)

    # -- governance -------------------------------------------------------------------------------
    def checks(self, name: str, version: int, stage: ModelStage) -> GovernanceReport:
        """What a transition to ``stage`` would face, without changing anything."""
        model, record = self.registry.model(name), self.registry.version(name, version)
        current = stage_of(record)
        problem = transition_problem(current, stage)
        checks, deltas, production = self._evaluate(model, record, stage)
        failing = governance.failures(checks)
        if problem is None and failing:
            problem = f"{len(failing)} check(s) fail: " + "; ".join(c.message for c in failing)
        return GovernanceReport(
            model=name,
            version=version,
            stage=stage,
            allowed=problem is None,
            approval_required=stage is S.PRODUCTION,
            problem=problem,
            checks=checks,
            production_version=production,
            metric_deltas=deltas,
        )

    def _evaluate(
        self, model: ModelRecord, record: VersionRecord, stage: ModelStage
    ) -> tuple[list[CheckResult], list[MetricDelta], int | None]:
        if stage not in (S.STAGING, S.PRODUCTION):
            return [], [], None
        metrics = self._evidence(record)
        production = model.aliases.get(PRODUCTION_ALIAS)
        baseline = None
        if production is not None and production != record.version:
            baseline = self._evidence(self.registry.version(model.name, production))
        rollback = stage_of(record) is S.ARCHIVED and stage is S.PRODUCTION
        checks = governance.evaluate(
            self._thresholds(model), metrics, baseline, relative_blocking=not rollback
        )
        return checks, governance.metric_deltas(metrics, baseline), production

    def _evidence(self, record: VersionRecord) -> dict[str, float]:
        """The metrics checks read: those recorded with the version, else (none recorded) the run's."""
        recorded = evidence_of(record)
        if recorded is not None:
            return recorded[0]
        return self.registry.run(record.run_id).metrics if record.run_id else {}

    def _frozen(self, record: VersionRecord) -> VersionRecord:
        """A version without recorded evidence (made by a plain MLflow client, or before the workbench
        recorded it) gets its run's metrics recorded on its first governed move (caller holds the lock)."""
        if evidence_of(record) is None:
            tags = {EVIDENCE_TAG: evidence_tag(self._evidence(record), time.time())}
            self.registry.set_version_tags(record.name, record.version, tags)
            record.tags.update(tags)
        return record

    # -- transitions ------------------------------------------------------------------------------
    def transition(
        self, name: str, version: int, stage: ModelStage, reason: str | None = None
    ) -> TransitionResult:
        """Move a version: Production files a request for approval; the other stages change at once."""
        free_text(reason, "reason")
        with self.locks.hold(name):
            model, record = self.registry.model(name), self._frozen(self.registry.version(name, version))
            current = stage_of(record)
            problem = transition_problem(current, stage)
            if problem:
                raise Conflict(problem, hint=next_steps(current))
            if stage is S.ARCHIVED and current is S.PRODUCTION:
                self._require_governor(model, "archive the Production version of")
            checks, deltas, production = self._evaluate(model, record, stage)
            refuse_failures(name, version, stage, checks)
            if stage is S.PRODUCTION:
                return self._request(model, record, current, reason, checks, deltas, production)
            return self._apply(model, record, stage, reason, checks=checks)

    def _request(
        self,
        model: ModelRecord,
        record: VersionRecord,
        current: ModelStage,
        reason: str | None,
        checks: list[CheckResult],
        deltas: list[MetricDelta],
        production: int | None,
    ) -> TransitionResult:
        if self.store.list(status="pending", model=model.name, version=record.version):
            raise Conflict(
                f"Version {record.version} of '{model.name}' already has a pending promotion request",
                hint="approve or reject it first (%matih promotions)",
            )
        card = self._evidence_card(model.name, record.version)
        evidence = PromotionEvidence(
            checks=checks, production_version=production, metric_deltas=deltas, card=card
        )
        request_id = uuid.uuid4().hex[:12]
        row = PromotionRow(
            id=request_id,
            model=model.name,
            version=record.version,
            from_stage=current.value,
            target_stage=S.PRODUCTION.value,
            requested_by=self.user,
            requested_at=time.time(),
            reason=reason,
            status="pending",
            evidence=evidence.model_dump_json(),
        )
        self.store.add(row)
        self.registry.set_version_tags(model.name, record.version, {PENDING_TAG: request_id})
        self._emit(
            EventType.MODEL_PROMOTION_REQUESTED,
            model.name,
            record.version,
            from_stage=current,
            to_stage=S.PRODUCTION,
            comment=reason,
            request_id=request_id,
        )
        return TransitionResult(
            status="pending_approval",
            version=self.get_version(model.name, record.version),
            checks=checks,
            request=self._request_model(row, {model.name: self._owners(model)}),
        )

    def _evidence_card(self, name: str, version: int) -> ModelCard | None:
        try:
            return self.cards.card(name, version)
        except WorkbenchError:  # a card that cannot be built (e.g. a malformed holdout) is missing evidence
            return None

    def _apply(
        self,
        model: ModelRecord,
        record: VersionRecord,
        stage: ModelStage,
        comment: str | None,
        checks: list[CheckResult] | None = None,
        request_id: str | None = None,
    ) -> TransitionResult:
        """Change the stage (caller holds the model's lock); a replaced Production version is archived."""
        name, version, current = model.name, record.version, stage_of(record)
        archived: list[int] = []
        fresh = self.registry.model(name)  # the alias as it is now, under the lock
        if stage is S.PRODUCTION:
            previous = fresh.aliases.get(PRODUCTION_ALIAS)
            if previous is not None and previous != version:
                self._set_stage(name, previous, S.ARCHIVED)
                archived.append(previous)
                self._emit(
                    EventType.MODEL_ARCHIVED,
                    name,
                    previous,
                    from_stage=S.PRODUCTION,
                    to_stage=S.ARCHIVED,
                    comment=f"replaced by version {version}",
                    request_id=request_id,
                )
            self.registry.set_alias(name, PRODUCTION_ALIAS, version)
        elif current is S.PRODUCTION:
            self.registry.delete_alias(name, PRODUCTION_ALIAS)
        self._set_stage(name, version, stage)
        self._sync_staging_alias(name)
        if request_id is None:
            self._withdraw_pending(name, version, stage)
        event = EventType.MODEL_ARCHIVED if stage is S.ARCHIVED else EventType.MODEL_PROMOTED
        seen = {c.metric: c.value for c in checks or []} or None  # the values the checks passed on
        self._emit(
            event,
            name,
            version,
            from_stage=current,
            to_stage=stage,
            comment=comment,
            request_id=request_id,
            evidence=seen,
        )
        return TransitionResult(
            status="done", version=self.get_version(name, version), archived=archived, checks=checks or []
        )

    def _withdraw_pending(self, name: str, version: int, stage: ModelStage) -> None:
        """A version that moved on its own leaves no pending request behind."""
        for row in self.store.list(status="pending", model=name, version=version):
            comment = f"withdrawn: the version moved to {stage.value}"
            if self.store.decide(row.id, "rejected", self.user, comment):
                self._emit(
                    EventType.MODEL_PROMOTION_REJECTED,
                    name,
                    version,
                    from_stage=row.from_stage,
                    to_stage=row.target_stage,
                    comment=comment,
                    request_id=row.id,
                )

    def _set_stage(self, name: str, version: int, stage: ModelStage) -> None:
        tags = {STAGE_TAG: stage.value, STAGE_BY_TAG: self.user, STAGE_AT_TAG: f"{time.time():.3f}"}
        self.registry.set_version_tags(name, version, tags)
        if stage is not S.STAGING:
            self.registry.delete_version_tag(name, version, PENDING_TAG)

    def _sync_staging_alias(self, name: str) -> None:
        """Alias ``staging`` -> the version most recently put in Staging; removed when there is none."""
        staged = [v for v in self.registry.versions(name) if stage_of(v) is S.STAGING]
        current = self.registry.model(name).aliases.get(STAGING_ALIAS)
        if staged:
            newest = max(staged, key=lambda v: (float(v.tags.get(STAGE_AT_TAG, 0) or 0), v.version))
            if current != newest.version:
                self.registry.set_alias(name, STAGING_ALIAS, newest.version)
        elif current is not None:
            self.registry.delete_alias(name, STAGING_ALIAS)

    # -- promotion requests -----------------------------------------------------------------------
    def promotions(
        self, status: str | None = "pending", model: str | None = None, actionable: bool = False
    ) -> PromotionRequestList:
        """Promotion requests, oldest first; ``actionable`` keeps those the current user may decide."""
        if status not in (None, "pending", "approved", "rejected"):
            raise InvalidInput(f"Unknown request status '{status}'", hint="pending, approved or rejected")
        owners: dict[str, list[str]] = {}
        requests = [self._request_model(r, owners) for r in self.store.list(status=status, model=model)]
        if actionable:
            requests = [r for r in requests if r.can_decide]
        return PromotionRequestList(requests=requests)

    def promotion(self, request_id: str) -> PromotionRequest:
        return self._request_model(self._row(request_id), {})

    def decide(self, request_id: str, decision: Decision) -> DecisionResult:
        """Approve (owner or lead, not the requester unless allowed) or reject a pending request."""
        name = self._row(request_id).model
        with self.locks.hold(name):
            row = self._row(request_id)
            if row.status != "pending":
                raise Conflict(f"Request {request_id} was already {row.status} by {row.decided_by}")
            model = self.registry.model(name)
            if decision.decision == "reject":
                return self._reject(model, row, decision.comment)
            self._require_approver(model, row)
            record = self._frozen(self.registry.version(name, row.version))
            if (now := stage_of(record).value) != row.from_stage:
                raise Conflict(
                    f"Version {row.version} is now {now}, no longer {row.from_stage}",
                    hint="reject this request and file a new one",
                )
            checks, _, _ = self._evaluate(model, record, S.PRODUCTION)
            refuse_failures(name, row.version, S.PRODUCTION, checks)
            seen = json.dumps([c.model_dump() for c in checks])
            self.store.decide(request_id, "approved", self.user, decision.comment, seen)
            transition = self._apply(model, record, S.PRODUCTION, decision.comment, checks, request_id)
            return DecisionResult(request=self.promotion(request_id), transition=transition)

    def _reject(self, model: ModelRecord, row: PromotionRow, comment: str) -> DecisionResult:
        if row.requested_by != self.user:  # requesters may withdraw their own request
            self._require_governor(model, "reject promotions of")
        self.store.decide(row.id, "rejected", self.user, comment)
        self.registry.delete_version_tag(model.name, row.version, PENDING_TAG)
        self._emit(
            EventType.MODEL_PROMOTION_REJECTED,
            model.name,
            row.version,
            from_stage=row.from_stage,
            to_stage=row.target_stage,
            comment=comment,
            request_id=row.id,
        )
        return DecisionResult(request=self.promotion(row.id))

    def _require_approver(self, model: ModelRecord, row: PromotionRow) -> None:
        self._require_governor(model, "approve promotions of")
        if not self.roles.may_approve(self._owners(model), row.requested_by):
            raise Forbidden(
                f"{self.user} requested this promotion and cannot approve it",
                hint="another owner or a lead approves it (or set WorkbenchConfig.allow_self_approval)",
            )

    def _require_governor(self, model: ModelRecord, action: str) -> None:
        owners = self._owners(model)
        if not self.roles.may_govern(owners):
            raise Forbidden(
                f"{self.user} may not {action} '{model.name}'",
                hint=f"owners: {', '.join(owners) or 'none'}; leads come from WorkbenchConfig.registry_leads "
                "and registry_lead_groups",
            )

    def _row(self, request_id: str) -> PromotionRow:
        row = self.store.get(request_id)
        if row is None:
            raise NotFound(
                f"Promotion request '{shown(request_id)}' not found", hint="list them with %matih promotions"
            )
        return row

    def _request_model(self, row: PromotionRow, owners: dict[str, list[str]]) -> PromotionRequest:
        name = row.model
        if name not in owners:
            try:
                owners[name] = self._owners(self.registry.model(name))
            except NotFound:
                owners[name] = []
        fields = {k: v for k, v in asdict(row).items() if k not in ("evidence", "decision_checks")}
        seen = json.loads(row.decision_checks) if row.decision_checks else []
        return PromotionRequest(
            **fields,
            evidence=PromotionEvidence.model_validate_json(row.evidence),
            decision_checks=[CheckResult.model_validate(c) for c in seen],
            can_decide=row.status == "pending" and self.roles.may_approve(owners[name], row.requested_by),
        )

    # -- helpers ----------------------------------------------------------------------------------
    def _emit(self, type_: EventType, name: str, version: int, **payload: Any) -> None:
        clean = {
            k: (v.value if isinstance(v, ModelStage) else v) for k, v in payload.items() if v is not None
        }
        self.events.emit(type_, name, {"model": name, "version": version, **clean})

    def _owners(self, model: ModelRecord) -> list[str]:
        return load_list(model.tags.get(OWNERS_TAG))

    def _thresholds(self, model: ModelRecord) -> list[Threshold]:
        return governance.parse_thresholds(load_list(model.tags.get(THRESHOLDS_TAG)))

    def _summary(self, model: ModelRecord, latest: int | None) -> RegisteredModelSummary:
        return RegisteredModelSummary(
            name=model.name,
            description=model.description,
            owners=self._owners(model),
            production_version=model.aliases.get(PRODUCTION_ALIAS),
            staging_version=model.aliases.get(STAGING_ALIAS),
            latest_version=latest,
            created_at=model.created_at,
            updated_at=model.updated_at,
        )

    def _info(self, v: VersionRecord, pending: str | None) -> ModelVersionInfo:
        at = v.tags.get(STAGE_AT_TAG)
        return ModelVersionInfo(
            name=v.name,
            version=v.version,
            stage=stage_of(v),
            run_id=v.run_id,
            source=v.source,
            aliases=sorted(v.aliases),
            description=v.description,
            created_at=v.created_at,
            registered_by=v.tags.get(REGISTERED_BY_TAG) or v.user_id,
            stage_changed_by=v.tags.get(STAGE_BY_TAG),
            stage_changed_at=float(at) if at else None,
            pending_request_id=pending,
            tags=v.tags,
        )
