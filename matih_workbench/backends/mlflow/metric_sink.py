"""Where the async metric logger delivers batches: one ``log_batch`` call per batch of at most 1,000 points.

Two sinks share one contract (``send(run_id, points)``; raise ``TransientSinkError`` when a retry may
succeed, ``RejectedBatch`` when the store refused the data itself):

- ``ClientSink``: ``MlflowClient.log_batch`` for embedded stores (SQLite, file).
- ``RestSink``: the same ``runs/log-batch`` REST endpoint that ``MlflowClient.log_batch`` calls, through
  MLflow's own ``http_request`` (same credentials and TLS settings), but with *no* retries inside the call.
  ``MlflowClient`` retries a dead server for minutes under ``MLFLOW_HTTP_REQUEST_MAX_RETRIES``; the logger
  owns the retry and spill policy instead, so a close() against a dead server ends in seconds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Protocol

from mlflow.entities import Metric
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient
from mlflow.utils.credentials import get_default_host_creds
from mlflow.utils.rest_utils import http_request, verify_rest_response

__all__ = [
    "MAX_BATCH",
    "ClientSink",
    "MetricSink",
    "Point",
    "RejectedBatch",
    "RestSink",
    "TransientSinkError",
    "sink_for",
]

#: MLflow's limit of metrics per ``log_batch`` call.
MAX_BATCH = 1000

#: ``(key, value, step, timestamp_ms)``
Point = tuple[str, float, int, int]

_LOG_BATCH = "/api/2.0/mlflow/runs/log-batch"
# Errors that say "the data is wrong", not "the store is away": retrying cannot help.
_PERMANENT = {"INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST", "BAD_REQUEST", "PERMISSION_DENIED"}


class TransientSinkError(Exception):
    """The store did not take the batch; it may later (unreachable, 5xx, timeout, locked database)."""


class RejectedBatch(Exception):
    """The store refused the batch itself (bad key, unknown or finished-and-deleted run)."""


class MetricSink(Protocol):
    def send(self, run_id: str, points: Sequence[Point]) -> None: ...


def _classify(exc: Exception) -> Exception:
    if isinstance(exc, MlflowException) and exc.error_code in _PERMANENT:
        return RejectedBatch(f"{exc.error_code}: {exc.message}")
    return TransientSinkError(str(exc)[:300])


class ClientSink:
    """``MlflowClient.log_batch`` (embedded SQLite/file stores)."""

    def __init__(self, tracking_uri: str) -> None:
        self.client = MlflowClient(tracking_uri=tracking_uri)

    def send(self, run_id: str, points: Sequence[Point]) -> None:
        metrics = [Metric(key, value, ts, step) for key, value, step, ts in points]
        try:
            self.client.log_batch(run_id, metrics=metrics, synchronous=True)
        except Exception as exc:  # classified below: nothing is dropped here
            raise _classify(exc) from exc


def _json_value(value: float) -> float | str:
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


class RestSink:
    """``runs/log-batch`` over HTTP(S), one attempt per call, bounded by ``timeout`` seconds."""

    def __init__(self, tracking_uri: str, timeout: float = 15.0) -> None:
        self.creds = get_default_host_creds(tracking_uri)
        self.timeout = timeout

    def send(self, run_id: str, points: Sequence[Point]) -> None:
        body = {
            "run_id": run_id,
            "metrics": [
                {"key": key, "value": _json_value(value), "timestamp": ts, "step": step}
                for key, value, step, ts in points
            ],
        }
        try:
            response = http_request(
                self.creds,
                _LOG_BATCH,
                "POST",
                json=body,
                max_retries=0,
                backoff_factor=0,
                timeout=self.timeout,
            )
            verify_rest_response(response, _LOG_BATCH)
        except Exception as exc:  # classified below: nothing is dropped here
            raise _classify(exc) from exc


def sink_for(tracking_uri: str) -> MetricSink:
    if tracking_uri.startswith(("http://", "https://")):
        return RestSink(tracking_uri)
    return ClientSink(tracking_uri)


def dumps_point(run_id: str, point: Point) -> str:
    key, value, step, ts = point
    return json.dumps({"run_id": run_id, "key": key, "value": _json_value(value), "step": step, "ts": ts})


def loads_point(line: str) -> tuple[str, Point]:
    row = json.loads(line)
    return row["run_id"], (row["key"], float(row["value"]), int(row["step"]), int(row["ts"]))
