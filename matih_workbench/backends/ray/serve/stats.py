"""Live counters of one endpoint replica, per version: requests, errors, latencies, predictions, shadow."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np

WINDOW = 8192  # latest requests kept per version for percentiles and "since" queries


class Ring:
    """The latest ``WINDOW`` (time, value) pairs, cheap to append from the request path."""

    def __init__(self) -> None:
        self.times = np.zeros(WINDOW)
        self.values = np.zeros(WINDOW)
        self.errors = np.zeros(WINDOW, dtype=bool)
        self.count = 0

    def add(self, value: float, error: bool, at: float) -> None:
        i = self.count % WINDOW
        self.times[i] = at
        self.values[i] = value
        self.errors[i] = error
        self.count += 1

    def since(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        n = min(self.count, WINDOW)
        mask = self.times[:n] >= t
        return self.values[:n][mask], self.errors[:n][mask]


class VersionStats:
    def __init__(self) -> None:
        self.requests = 0
        self.errors = 0
        self.rejected = 0
        self.latency = Ring()
        self.predictions = Ring()
        self.shadow_compared = 0
        self.shadow_agreed = 0
        self.outcomes = np.zeros(3)  # n, sum, sum of squares of the observed outcomes (feedback)

    def summary(self, since: float) -> dict[str, Any]:
        lat, err = self.latency.since(since)
        preds, _ = self.predictions.since(since)
        pct = np.percentile(lat, [50, 95, 99]).round(3).tolist() if len(lat) else [None, None, None]
        hist: dict[str, list[float]] = {"counts": [], "edges": []}
        finite = preds[np.isfinite(preds)]
        if len(finite):
            counts, edges = np.histogram(finite, bins=min(20, max(1, len(np.unique(finite)))))
            hist = {"counts": counts.tolist(), "edges": edges.round(6).tolist()}
        return {
            "requests": self.requests,
            "errors": self.errors,
            "rejected": self.rejected,
            "window_requests": len(lat),
            "window_errors": int(err.sum()),
            "p50_ms": pct[0],
            "p95_ms": pct[1],
            "p99_ms": pct[2],
            "prediction_mean": float(finite.mean()) if len(finite) else None,
            "prediction_histogram": hist,
            "shadow_compared": self.shadow_compared,
            "shadow_agreed": self.shadow_agreed,
            "outcomes": {
                "n": int(self.outcomes[0]),
                "sum": float(self.outcomes[1]),
                "sum_sq": float(self.outcomes[2]),
            },
        }


class EndpointStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.versions: dict[str, VersionStats] = {}
        self.started = time.time()

    def of(self, version: str) -> VersionStats:
        stats = self.versions.get(version)
        if stats is None:
            with self._lock:
                stats = self.versions.setdefault(version, VersionStats())
        return stats

    def served(self, version: str, latency_ms: float, error: bool, prediction: float | None) -> None:
        stats = self.of(version)
        now = time.time()
        stats.requests += 1
        stats.errors += int(error)
        stats.latency.add(latency_ms, error, now)
        if prediction is not None:
            stats.predictions.add(prediction, False, now)

    def rejected(self, version: str) -> None:
        self.of(version).rejected += 1

    def outcome(self, version: str, value: float) -> None:
        self.of(version).outcomes += (1.0, value, value * value)

    def summary(self, since: float = 0.0) -> dict[str, Any]:
        return {v: s.summary(since) for v, s in list(self.versions.items())}


def first_number(predictions: np.ndarray) -> float | None:
    """The mean of a request's first numeric output, for the prediction distribution."""
    if predictions.size == 0 or predictions.dtype.kind not in "biuf":
        return None
    flat = predictions.reshape(len(predictions), -1)[:, 0] if predictions.ndim > 1 else predictions
    return float(np.mean(flat))
