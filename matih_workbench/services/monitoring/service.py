"""Drift and health of an endpoint's traffic, read from its inference log, against a version's baseline.

Rules decided here whoever calls: which version a window belongs to (the given one, else the live version
with the most traffic), which rows count (answered live requests for drift; every live request for health;
errors are 5xx answers), how features are ordered (most drifted first, on one scale)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from matih_workbench.backends.drift import detect_drift, prediction_drift, read_sample
from matih_workbench.backends.stores.deployments import DeploymentStore, EndpointRow
from matih_workbench.backends.stores.inference_reader import read_log, requests_frame
from matih_workbench.backends.stores.monitoring import MonitoringStore
from matih_workbench.errors import InvalidInput, NotFound, shown
from matih_workbench.models.monitoring import Baseline
from matih_workbench.models.monitoring_api import (
    CheckHistory,
    CheckPoint,
    DriftReport,
    HealthPoint,
    HealthReport,
    MonitoredEndpoint,
    MonitoredEndpointList,
)
from matih_workbench.services.monitoring.baselines import BaselineService
from matih_workbench.services.monitoring.windows import resolve_window, severity

HEALTH_BUCKETS = 24


class DriftService:
    def __init__(
        self,
        deployments: DeploymentStore,
        baselines: BaselineService,
        store: MonitoringStore,
        log_root: Path,
    ) -> None:
        self.deployments = deployments
        self.baselines = baselines
        self.store = store
        self.log_root = log_root

    # -- endpoints --------------------------------------------------------------------------------
    def endpoints(self) -> MonitoredEndpointList:
        """Every endpoint with its versions, last check and alert count."""
        found = []
        for row in self.deployments.endpoints():
            checks = self.store.checks(row.name, limit=1)
            found.append(
                MonitoredEndpoint(
                    endpoint=row.name,
                    model=row.model,
                    versions=sorted(int(r["version"]) for r in row.spec.get("routes", [])),
                    main_version=_main_version(row),
                    last_check=CheckPoint.model_validate(checks[-1]) if checks else None,
                    alerts=self.store.count_alerts(row.name),
                )
            )
        return MonitoredEndpointList(endpoints=found)

    def history(self, endpoint: str, limit: int = 500) -> CheckHistory:
        self.endpoint_row(endpoint)
        points = [CheckPoint.model_validate(p) for p in self.store.checks(endpoint, limit)]
        return CheckHistory(endpoint=endpoint, points=points)

    def endpoint_row(self, endpoint: str) -> EndpointRow:
        row = self.deployments.endpoint(endpoint)
        if row is None:
            known = ", ".join(r.name for r in self.deployments.endpoints()) or "none yet"
            raise NotFound(f"Unknown endpoint '{shown(endpoint)}'", hint=f"endpoints: {known}")
        return row

    # -- drift ------------------------------------------------------------------------------------
    def drift(
        self,
        endpoint: str,
        *,
        window: str | None = "1d",
        start: float | None = None,
        end: float | None = None,
        version: int | None = None,
        data: pd.DataFrame | None = None,
        features: Sequence[str] | None = None,
        fdr: float | None = None,
        drift_share: float = 0.5,
        now: float | None = None,
    ) -> DriftReport:
        """Drift of the endpoint's window (or of ``data``, a DataFrame of inputs, with an optional
        ``prediction`` column) against the version's baseline."""
        now = time.time() if now is None else now
        row, version, baseline = self._subject(endpoint, version)
        lo: float | None = None
        hi: float | None = None
        if data is None:
            lo, hi = resolve_window(window, start, end, now)
            current, predictions, requests = self._window(endpoint, version, lo, hi)
        else:
            current, requests = data, 0
            predictions = data[baseline.prediction] if baseline.prediction in data.columns else None
        return self._report(
            endpoint,
            row.model,
            version,
            baseline,
            current,
            predictions,
            requests,
            features,
            fdr,
            drift_share,
            (lo, hi, now),
        )

    def report_html(
        self,
        endpoint: str,
        *,
        window: str | None = "1d",
        start: float | None = None,
        end: float | None = None,
        version: int | None = None,
        now: float | None = None,
    ) -> str:
        """Evidently's own HTML report of the same window against the same reference sample."""
        _, version, baseline = self._subject(endpoint, version)
        lo, hi = resolve_window(window, start, end, time.time() if now is None else now)
        current, _, _ = self._window(endpoint, version, lo, hi)
        names = _inputs(baseline)
        _check_schema(names, current)
        from matih_workbench.backends.drift.evidently import evidently_html  # Evidently takes ~10 s to import

        return evidently_html(read_sample(baseline, names), current[names])

    # -- health -----------------------------------------------------------------------------------
    def health(
        self,
        endpoint: str,
        *,
        window: str | None = "1h",
        start: float | None = None,
        end: float | None = None,
        version: int | None = None,
        p95_slo_ms: float = 200.0,
        max_error_rate: float = 0.01,
        min_volume_ratio: float = 0.5,
        now: float | None = None,
    ) -> HealthReport:
        """Error rate (5xx answers), p95 latency and request volume of the window, and of the window of the
        same length before it for the volume; ``breaches`` names the limits passed."""
        row = self.endpoint_row(endpoint)
        lo, hi = resolve_window(window, start, end, time.time() if now is None else now)
        tag = str(version) if version is not None else None
        span = hi - lo
        frame = read_log(self.log_root, row.name, lo - span, hi, version=tag, payload=False)
        before, log = frame[frame["time"] < lo], frame[frame["time"] >= lo]
        errors = int((log["status"] >= 500).sum()) if len(log) else 0
        rate = errors / len(log) if len(log) else 0.0
        p95 = float(np.percentile(log["latency_ms"], 95)) if len(log) else None
        breaches = []
        if len(log) and rate > max_error_rate:
            breaches.append("error_rate")
        if p95 is not None and p95 > p95_slo_ms:
            breaches.append("latency")
        if len(before) and len(log) < min_volume_ratio * len(before):
            breaches.append("volume")
        return HealthReport(
            endpoint=row.name,
            version=version,
            start=lo,
            end=hi,
            requests=len(log),
            errors=errors,
            error_rate=rate,
            p95_latency_ms=p95,
            p95_slo_ms=p95_slo_ms,
            previous_requests=len(before),
            max_error_rate=max_error_rate,
            min_volume_ratio=min_volume_ratio,
            breaches=breaches,
            timeline=_timeline(log, lo, hi),
        )

    # -- helpers ----------------------------------------------------------------------------------
    def _subject(self, endpoint: str, version: int | None) -> tuple[EndpointRow, int, Baseline]:
        """The endpoint, the version measured (default: the live one with the most traffic), its baseline."""
        row = self.endpoint_row(endpoint)
        version = self.version_of(row, version)
        return row, version, self.baselines.get(row.model, version)

    def _window(
        self, endpoint: str, version: int, start: float, end: float
    ) -> tuple[pd.DataFrame, pd.Series | None, int]:
        log = read_log(self.log_root, endpoint, start, end, version=str(version))
        current, predictions, requests = requests_frame(log)
        if requests == 0:
            raise InvalidInput(
                f"No answered request of endpoint '{endpoint}' (version {version}) in the window "
                f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime(start))} to "
                f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime(end))} UTC",
                hint="pick a longer window (--window 7d), or wait for traffic",
            )
        return current, predictions, requests

    def version_of(self, row: EndpointRow, version: int | None) -> int:
        versions = {int(r["version"]) for r in row.spec.get("routes", [])}
        if version is None:
            main = _main_version(row)
            if main is None:
                raise InvalidInput(f"Endpoint '{row.name}' has no live version", hint="pass --version")
            return main
        if version not in versions:
            raise NotFound(
                f"Version {version} is not behind endpoint '{row.name}'",
                hint=f"its versions: {', '.join(map(str, sorted(versions)))}",
            )
        return version

    def _report(
        self,
        endpoint: str,
        model: str,
        version: int,
        baseline: Baseline,
        current: pd.DataFrame,
        predictions: pd.Series | None,
        requests: int,
        features: Sequence[str] | None,
        fdr: float | None,
        drift_share: float,
        times: tuple[float | None, float | None, float],
    ) -> DriftReport:
        names = _inputs(baseline)
        if features is not None:
            unknown = [f for f in features if f not in names]
            if unknown:
                raise NotFound(
                    f"Unknown feature '{shown(unknown[0])}'",
                    hint=f"the baseline's features: {', '.join(names)}",
                )
            names = list(features)
        _check_schema(names, current)
        reference = read_sample(baseline)
        kinds = {f.name: f.kind for f in baseline.features}
        result = detect_drift(
            reference, current, features=names, kinds=kinds, fdr_level=fdr, drift_share=drift_share
        )
        scale = {f.feature: severity(f) for f in result.features}
        result.features.sort(key=lambda f: (not f.drifted, -scale[f.feature]))
        drift_of_predictions = None
        if baseline.prediction and predictions is not None and len(predictions):
            kind = kinds.get(baseline.prediction)
            drift_of_predictions = prediction_drift(
                reference[baseline.prediction], predictions.rename(baseline.prediction), kind=kind
            )
        return DriftReport(
            endpoint=endpoint,
            model=model,
            version=version,
            start=times[0],
            end=times[1],
            requests=requests,
            drift=result,
            prediction=drift_of_predictions,
            severity={f.feature: scale[f.feature] for f in result.features},
            checked_at=times[2],
        )


def _inputs(baseline: Baseline) -> list[str]:
    return [f.name for f in baseline.features if f.name != baseline.prediction]


def _check_schema(names: list[str], current: pd.DataFrame) -> None:
    missing = [n for n in names if n not in current.columns]
    if missing:
        raise InvalidInput(
            f"The window's schema does not match the baseline's: it lacks {', '.join(missing[:10])}"
            + (f" (and {len(missing) - 10} more)" if len(missing) > 10 else ""),
            hint=f"the window's columns: {', '.join(map(str, current.columns[:20]))}",
            details={"missing": missing},
        )


def _main_version(row: EndpointRow) -> int | None:
    live = [r for r in row.spec.get("routes", []) if not r.get("shadow")]
    return int(max(live, key=lambda r: r["weight"])["version"]) if live else None


def _timeline(log: pd.DataFrame, start: float, end: float) -> list[HealthPoint]:
    if not len(log):
        return []
    width = (end - start) / HEALTH_BUCKETS
    bucket = ((log["time"] - start) // width).clip(0, HEALTH_BUCKETS - 1).astype(int)
    points = []
    for index, group in log.groupby(bucket):
        errors = int((group["status"] >= 500).sum())
        points.append(
            HealthPoint(
                time=start + int(index) * width,
                requests=len(group),
                errors=errors,
                error_rate=errors / len(group),
                p95_latency_ms=float(np.percentile(group["latency_ms"], 95)),
            )
        )
    return points
