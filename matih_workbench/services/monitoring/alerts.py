"""Alert rules per model and the checks that apply them: on a schedule (the server's supervisor) or by hand.

A breach, outside its cool-down, becomes an alert: stored with its evidence, written as an event
(MODEL_DRIFT_DETECTED for inputs or predictions, MODEL_HEALTH_DEGRADED for errors, latency, volume), tagged on
the model version in the registry, POSTed to the rule's webhook, and, when the rule names a retraining cell
for that kind, starts it (``retrain.py``)."""

from __future__ import annotations

import json
import time
from typing import Any

from matih_workbench.backends.mlflow.registry import MlflowRegistry
from matih_workbench.backends.stores.monitoring import MonitoringStore, RuleRow
from matih_workbench.backends.webhook import post_json
from matih_workbench.errors import Forbidden, InvalidInput, WorkbenchError, shown
from matih_workbench.models import EventType
from matih_workbench.models.monitoring_api import (
    Alert,
    AlertKind,
    AlertList,
    AlertRule,
    AlertRuleSettings,
    CheckOutcome,
    CheckPoint,
    DriftReport,
    HealthReport,
)
from matih_workbench.services.events import EventService
from matih_workbench.services.monitoring.baselines import BaselineService
from matih_workbench.services.monitoring.retrain import RetrainService
from matih_workbench.services.monitoring.service import DriftService
from matih_workbench.services.monitoring.windows import window_seconds
from matih_workbench.services.registry import RegistryService

ALERT_TAG = "matih.monitoring.alert"
HEALTH_KINDS = {AlertKind.ERROR_RATE, AlertKind.LATENCY, AlertKind.VOLUME}


class AlertService:
    def __init__(
        self,
        drift: DriftService,
        baselines: BaselineService,
        store: MonitoringStore,
        registry: MlflowRegistry,
        events: EventService,
        interval: float,
        governance: RegistryService,
        retrain: RetrainService | None = None,
    ) -> None:
        self.governance = governance  # who may change a model's rules: its owners and the leads
        self.retrain = retrain
        self.drift = drift
        self.baselines = baselines
        self.store = store
        self.registry = registry
        self.events = events
        self.interval = interval
        self._last_pass = 0.0

    # -- rules ------------------------------------------------------------------------------------
    def rules(self, model: str) -> AlertRule:
        """The model's rules; the defaults when none were set."""
        row = self.store.rule(model)
        if row is None:
            return AlertRule(model=model)
        return AlertRule(model=model, **row.settings, updated_by=row.updated_by, updated_at=row.updated_at)

    def set_rules(self, model: str, settings: AlertRuleSettings) -> AlertRule:
        info = self.governance.get_model(model)  # an unknown model is refused
        if not info.can_approve:
            raise Forbidden(
                f"{self.events.user} may not change the alert rules of '{shown(model)}'",
                hint=f"owners ({', '.join(info.owners) or 'none'}) and leads may",
            )
        window_seconds(settings.window)
        if settings.webhook and not settings.webhook.startswith(("http://", "https://")):
            raise InvalidInput(f"Invalid webhook '{shown(settings.webhook)}'", hint="an http(s):// URL")
        if settings.retrain is not None:
            if self.retrain is None:
                raise InvalidInput("This workbench cannot retrain (no training service)")
            self.retrain.validate(settings.retrain)
        self.store.save_rule(RuleRow(model, settings.model_dump(), self.events.user, time.time()))
        return self.rules(model)

    def health(
        self,
        endpoint: str,
        *,
        window: str | None = None,
        version: int | None = None,
        now: float | None = None,
    ) -> HealthReport:
        """The endpoint's health judged by its model's rules (their window unless one is given)."""
        rule = self.rules(self.drift.endpoint_row(endpoint).model)
        return self.drift.health(
            endpoint,
            window=window or rule.window,
            version=version,
            p95_slo_ms=rule.p95_slo_ms,
            max_error_rate=rule.max_error_rate,
            min_volume_ratio=rule.min_volume_ratio,
            now=now,
        )

    def alerts(self, endpoint: str | None = None, limit: int = 100) -> AlertList:
        if not 1 <= limit <= 1000:
            raise InvalidInput("limit must be between 1 and 1000")
        return AlertList(alerts=[Alert(**vars(r)) for r in self.store.alerts(endpoint, limit)])

    # -- checks -----------------------------------------------------------------------------------
    def tick(self, now: float | None = None) -> list[str]:
        """One pass of the supervisor: baselines of newly registered versions, then every endpoint's
        check once ``interval`` has passed since the last."""
        now = time.time() if now is None else now
        lines = self.baselines.capture_registered()
        if self.interval > 0 and now - self._last_pass >= self.interval:
            self._last_pass = now
            for outcome in self.check_all(now):
                lines.append(_line(outcome))
        return lines

    def check_all(self, now: float | None = None) -> list[CheckOutcome]:
        outcomes = []
        for row in self.drift.deployments.endpoints():
            try:
                outcomes.append(self.check(row.name, now=now))
            except WorkbenchError as exc:  # one endpoint's problem does not stop the others' checks
                outcomes.append(
                    CheckOutcome(
                        endpoint=row.name,
                        model=row.model,
                        version=0,
                        checked_at=time.time(),
                        rows=0,
                        skipped=exc.message,
                    )
                )
        return outcomes

    def check(self, endpoint: str, *, now: float | None = None) -> CheckOutcome:
        """Apply the model's rules to the endpoint's last window now; raise the alerts it breaches."""
        now = time.time() if now is None else now
        row = self.drift.endpoint_row(endpoint)
        rule = self.rules(row.model)
        version = self.drift.version_of(row, None)
        outcome = CheckOutcome(endpoint=endpoint, model=row.model, version=version, checked_at=now, rows=0)
        if not rule.enabled:
            return outcome.model_copy(update={"skipped": "the model's rules are disabled"})
        health = self.drift.health(
            endpoint,
            window=rule.window,
            version=version,
            p95_slo_ms=rule.p95_slo_ms,
            max_error_rate=rule.max_error_rate,
            min_volume_ratio=rule.min_volume_ratio,
            now=now,
        )
        report: DriftReport | None = None
        found: dict[AlertKind, tuple[str, dict[str, Any]]] = {}
        if health.requests >= rule.min_rows:
            report = self.drift.drift(
                endpoint,
                window=rule.window,
                version=version,
                fdr=rule.fdr_level if rule.fdr else None,
                drift_share=rule.drift_share,
                now=now,
            )
            found.update(_drift_breaches(report, rule))
            found.update(_health_breaches(health, rule, volume_only=False))
        elif health.previous_requests >= rule.min_rows:
            found.update(_health_breaches(health, rule, volume_only=True))
        self._record(endpoint, version, now, health, report)
        if report is None and health.requests < rule.min_rows:
            outcome.skipped = f"{health.requests} requests in the window (the rules judge {rule.min_rows}+)"
        outcome.rows = report.drift.current_rows if report else 0
        outcome.breaches = list(found)
        for kind, (message, evidence) in found.items():
            last = self.store.last_alert_time(endpoint, kind.value)
            if last is not None and now - last < rule.cooldown_s:
                continue
            outcome.alerts.append(
                self._raise(endpoint, row.model, version, kind, now, message, evidence, rule)
            )
        spec = rule.retrain
        starts = [a for a in outcome.alerts if spec is not None and a.kind in spec.on]
        if spec is not None and starts and self.retrain is not None:  # one job for the check's alerts
            outcome.retrain_job = self.retrain.start(starts[0], spec)
        return outcome

    # -- helpers ----------------------------------------------------------------------------------
    def _record(
        self, endpoint: str, version: int, now: float, health: HealthReport, report: DriftReport | None
    ) -> None:
        point = CheckPoint(
            time=now,
            version=version,
            rows=report.drift.current_rows if report else 0,
            drifted_features=report.drift.drifted_features if report else 0,
            dataset_drift=report.drift.dataset_drift if report else False,
            prediction_drifted=report.prediction.drifted if report and report.prediction else None,
            severity=report.severity if report else {},
            error_rate=health.error_rate if health.requests else None,
            p95_latency_ms=health.p95_latency_ms,
        )
        self.store.add_check(endpoint, now, point.model_dump())

    def _raise(
        self,
        endpoint: str,
        model: str,
        version: int,
        kind: AlertKind,
        now: float,
        message: str,
        evidence: dict[str, Any],
        rule: AlertRule,
    ) -> Alert:
        alert_id = self.store.add_alert(endpoint, model, version, kind.value, now, message, evidence)
        event_type = (
            EventType.MODEL_HEALTH_DEGRADED if kind in HEALTH_KINDS else EventType.MODEL_DRIFT_DETECTED
        )
        payload = {
            "model": model,
            "version": version,
            "endpoint": endpoint,
            "kind": kind.value,
            "alert_id": alert_id,
            "message": message,
            "evidence": evidence,
        }
        event = self.events.emit(event_type, model, payload)
        tag = json.dumps(
            {"kind": kind.value, "time": round(now, 3), "alert_id": alert_id, "message": message}
        )
        self.registry.set_version_tags(model, version, {ALERT_TAG: tag})
        answer = (
            post_json(rule.webhook, {**payload, "event_id": event.id, "time": now}) if rule.webhook else None
        )
        self.store.finish_alert(alert_id, event.id, answer)
        return Alert(
            id=alert_id,
            endpoint=endpoint,
            model=model,
            version=version,
            kind=kind,
            time=now,
            message=message,
            evidence=evidence,
            event_id=event.id,
            webhook=answer,
        )


def _drift_breaches(report: DriftReport, rule: AlertRule) -> dict[AlertKind, tuple[str, dict[str, Any]]]:
    found: dict[AlertKind, tuple[str, dict[str, Any]]] = {}
    drift = report.drift
    fdr = rule.fdr and drift.fdr is not None
    drifted = [f for f in drift.features if (f.fdr_drifted if fdr else f.drifted)]
    dataset = drift.fdr.dataset_drift if fdr and drift.fdr else drift.dataset_drift
    watched = [f.feature for f in drifted if f.feature in rule.features]
    if dataset or watched:
        names = ", ".join(f.feature for f in drifted[:5]) + (" ..." if len(drifted) > 5 else "")
        evidence = {
            "start": report.start,
            "end": report.end,
            "rows": drift.current_rows,
            "dataset_drift": dataset,
            "drifted_share": len(drifted) / len(drift.features),
            "fdr": fdr,
            "watched_features": watched,
            "features": [
                {
                    "feature": f.feature,
                    "method": f.method.value,
                    "score": f.score,
                    "threshold": f.threshold,
                    "psi": f.psi,
                }
                for f in drifted
            ],
        }
        found[AlertKind.DRIFT] = (
            f"{len(drifted)} of {len(drift.features)} features drifted on endpoint {report.endpoint}: "
            + names,
            evidence,
        )
    prediction = report.prediction
    if rule.prediction_drift and prediction is not None and prediction.drifted:
        found[AlertKind.PREDICTION_DRIFT] = (
            f"Predictions drifted on endpoint {report.endpoint}"
            + (
                f": mean moved {prediction.shift_in_std:.1f} std"
                if prediction.shift_in_std is not None
                else ""
            ),
            {
                "start": report.start,
                "end": report.end,
                **prediction.model_dump(mode="json", exclude={"test"}),
                "test": {
                    "method": prediction.test.method.value,
                    "score": prediction.test.score,
                    "drifted": prediction.test.drifted,
                },
            },
        )
    return found


def _health_breaches(
    health: HealthReport, rule: AlertRule, *, volume_only: bool
) -> dict[AlertKind, tuple[str, dict[str, Any]]]:
    evidence = health.model_dump(mode="json", exclude={"timeline"})
    found: dict[AlertKind, tuple[str, dict[str, Any]]] = {}
    if "error_rate" in health.breaches and not volume_only:
        found[AlertKind.ERROR_RATE] = (
            f"Error rate {health.error_rate:.1%} on endpoint {health.endpoint} "
            f"(limit {rule.max_error_rate:.1%})",
            evidence,
        )
    if "latency" in health.breaches and not volume_only:
        found[AlertKind.LATENCY] = (
            f"p95 latency {health.p95_latency_ms:.0f} ms on endpoint {health.endpoint} "
            f"(SLO {rule.p95_slo_ms:.0f} ms)",
            evidence,
        )
    if "volume" in health.breaches:
        found[AlertKind.VOLUME] = (
            f"Requests fell to {health.requests} on endpoint {health.endpoint} "
            f"from {health.previous_requests} in the window before",
            evidence,
        )
    return found


def _line(outcome: CheckOutcome) -> str:
    if outcome.skipped:
        return f"{outcome.endpoint}: skipped ({outcome.skipped})"
    raised = ", ".join(a.kind.value for a in outcome.alerts) or "no new alert"
    retrain = f"; retraining job {outcome.retrain_job}" if outcome.retrain_job else ""
    return f"{outcome.endpoint} v{outcome.version}: {outcome.rows} rows; {raised}{retrain}"
