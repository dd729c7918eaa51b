"""Asynchronous, batched MLflow metric logging for training loops.

``log()`` only appends a tuple to an in-memory deque (about a microsecond); a background thread delivers
batches of up to 1,000 points with ``log_batch`` as fast as the store takes them. When the store is
unreachable the thread retries with exponential backoff and, after ``spill_after`` seconds, spills the
backlog to a JSONL file under the spool folder; it re-delivers that file when the store is back.
``flush()`` waits for delivery; ``close()`` delivers what it can within its timeout and spills the rest, so
every point logged is accounted for: ``logged == delivered + rejected + spilled_pending + pending``.
Re-delivery is safe: MLflow stores drop exact duplicates (same key, step, timestamp and value).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import uuid
import weakref
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from matih_workbench.backends.mlflow.metric_sink import (
    MAX_BATCH,
    MetricSink,
    Point,
    RejectedBatch,
    TransientSinkError,
    dumps_point,
    sink_for,
)

__all__ = ["AsyncMetricLogger", "LoggerStats", "redeliver_spool"]

log = logging.getLogger(__name__)
_LIVE: weakref.WeakSet[AsyncMetricLogger] = weakref.WeakSet()


@dataclass(frozen=True)
class LoggerStats:
    logged: int
    delivered: int
    rejected: int
    spilled_pending: int
    pending: int
    batches: int
    failures: int
    spill_path: str | None
    last_error: str | None

    @property
    def unaccounted(self) -> int:
        """Points neither delivered, rejected, spilled nor pending: always 0 unless a bug."""
        return self.logged - self.delivered - self.rejected - self.spilled_pending - self.pending


class AsyncMetricLogger:
    """Non-blocking ``log(key, value, step)`` for one MLflow run, delivered by a background thread."""

    def __init__(
        self,
        tracking_uri: str,
        run_id: str,
        spool_dir: str | Path,
        *,
        sink: MetricSink | None = None,
        flush_interval: float = 0.2,
        spill_after: float = 5.0,
        max_backoff: float = 5.0,
    ) -> None:
        self.run_id = run_id
        self.sink = sink or sink_for(tracking_uri)
        self.spool_dir = Path(spool_dir)
        self.flush_interval = flush_interval
        self.spill_after = spill_after
        self.max_backoff = max_backoff
        self._buf: deque[Point] = deque()
        self._append = self._buf.append
        self._now = time.time
        self._wake = threading.Event()
        self._kick = threading.Event()  # cuts a backoff sleep short (close)
        self._stop = threading.Event()
        self._done = threading.Condition()
        self._deadline = float("inf")
        self._taken = self._delivered = self._rejected = self._spilled = self._unspilled = 0
        self._inflight = self._batches = self._failures = 0
        self._down_since: float | None = None
        self._last_error: str | None = None
        self._spill_path = self.spool_dir / f"{run_id}-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
        self._spill_offset = 0
        self._thread: threading.Thread | None = None
        self._start_thread()

    # -- producer side (training loop) ------------------------------------------------------------
    def log(self, key: str, value: float, step: int = 0) -> None:
        """Buffer one point; never blocks on the store."""
        self._append((key, value, step, int(self._now() * 1000)))
        if len(self._buf) >= MAX_BATCH and not self._wake.is_set():
            self._wake.set()

    def log_metrics(self, metrics: Mapping[str, float], step: int = 0) -> None:
        ts = int(self._now() * 1000)
        for key, value in metrics.items():
            self._append((key, value, step, ts))
        self._wake.set()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every point logged so far is delivered (or rejected); False on timeout."""
        target = self._taken + len(self._buf)
        self._start_thread()
        self._wake.set()
        with self._done:
            return self._done.wait_for(lambda: self._delivered + self._rejected >= target, timeout)

    def close(self, timeout: float = 30.0) -> LoggerStats:
        """Deliver all within ``timeout`` seconds, spill the rest to the spool file; stop the thread."""
        self._deadline = time.monotonic() + timeout
        self._stop.set()
        self._wake.set()
        self._kick.set()
        if self._thread is not None:
            self._thread.join(timeout + 5)
        _LIVE.discard(self)
        stats = self.stats()
        if stats.spilled_pending or stats.rejected:
            log.warning(
                "metrics of run %s: %d delivered, %d spilled to %s, %d rejected (%s)",
                self.run_id,
                stats.delivered,
                stats.spilled_pending,
                stats.spill_path,
                stats.rejected,
                stats.last_error,
            )
        return stats

    def stats(self) -> LoggerStats:
        pending = len(self._buf) + self._inflight
        return LoggerStats(
            logged=self._taken + len(self._buf),
            delivered=self._delivered,
            rejected=self._rejected,
            spilled_pending=self._spilled - self._unspilled,
            pending=pending,
            batches=self._batches,
            failures=self._failures,
            spill_path=str(self._spill_path) if self._spilled > self._unspilled else None,
            last_error=self._last_error,
        )

    # -- delivery thread --------------------------------------------------------------------------
    def _start_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._kick.clear()
        self._deadline = float("inf")
        self._thread = threading.Thread(target=self._run, name=f"matih-metrics-{self.run_id}", daemon=True)
        self._thread.start()
        _LIVE.add(self)

    def _run(self) -> None:
        while True:
            if self._spilled > self._unspilled and not self._redeliver():
                self._spill(self._drain(len(self._buf)))  # keep memory flat while the store is away
                if self._past_deadline():
                    return
                self._backoff()
                continue
            batch = self._drain(MAX_BATCH)
            if batch:
                self._deliver(batch)
            elif self._stop.is_set():
                return
            else:
                self._wake.wait(self.flush_interval)
                self._wake.clear()

    def _drain(self, limit: int) -> list[Point]:
        popleft, buf = self._buf.popleft, self._buf
        out: list[Point] = []
        while buf and len(out) < limit:
            out.append(popleft())
        self._taken += len(out)
        self._inflight = len(out)
        return out

    def _deliver(self, batch: list[Point]) -> None:
        while True:
            try:
                self._send(batch)
                self._delivered_now(len(batch))
                return
            except TransientSinkError as exc:
                self._failed(exc)
                down_for = time.monotonic() - (self._down_since or time.monotonic())
                if down_for >= self.spill_after or self._past_deadline():
                    self._spill(batch)
                    return
                self._backoff()

    def _send(self, batch: Sequence[Point]) -> None:
        """Send, isolating rejected points by halving (a bad key does not take 999 good points along)."""
        try:
            self.sink.send(self.run_id, batch)
            self._batches += 1
        except RejectedBatch as exc:
            if len(batch) == 1:
                self._reject(batch, str(exc))
                return
            half = len(batch) // 2
            self._send(batch[:half])
            self._send(batch[half:])

    def _delivered_now(self, n: int, from_spill: bool = False) -> None:
        with self._done:
            self._delivered += n
            if from_spill:
                self._unspilled += n
            else:
                self._inflight = 0
            self._down_since = None
            self._done.notify_all()

    def _reject(self, points: Sequence[Point], error: str) -> None:
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        with open(self.spool_dir / f"rejected-{self._spill_path.name}", "a") as f:
            f.writelines(dumps_point(self.run_id, p) + "\n" for p in points)
        self._last_error = error
        with self._done:
            self._rejected += len(points)
            self._delivered -= len(points)  # _delivered_now counts the whole batch; these were not
            self._done.notify_all()

    def _failed(self, exc: Exception) -> None:
        self._failures += 1
        self._last_error = str(exc)[:300]
        if self._down_since is None:
            self._down_since = time.monotonic()
            log.warning("MLflow unreachable for run %s, buffering metrics: %s", self.run_id, exc)

    def _spill(self, points: Sequence[Point]) -> None:
        if points:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            with open(self._spill_path, "a") as f:
                f.writelines(dumps_point(self.run_id, p) + "\n" for p in points)
            self._spilled += len(points)
        self._inflight = 0

    def _redeliver(self) -> bool:
        """Send the spill file from where we stopped; True when all of it is delivered."""
        from matih_workbench.backends.mlflow.metric_sink import loads_point

        with open(self._spill_path) as f:
            f.seek(self._spill_offset)
            while True:
                lines = [line for line in (f.readline() for _ in range(MAX_BATCH)) if line]
                if not lines:
                    break
                points = [loads_point(line)[1] for line in lines]
                try:
                    self._send(points)
                except TransientSinkError as exc:
                    self._failed(exc)
                    return False
                self._spill_offset = f.tell()
                self._delivered_now(len(points), from_spill=True)
        self._spill_path.unlink(missing_ok=True)
        self._spill_offset = 0
        return True

    def _past_deadline(self) -> bool:
        return self._stop.is_set() and time.monotonic() >= self._deadline

    def _backoff(self) -> None:
        delay = min(self.max_backoff, 0.1 * 2 ** min(self._failures, 10))
        if self._stop.is_set():
            delay = max(0.0, min(delay, self._deadline - time.monotonic()))
        if self._kick.wait(delay):
            self._kick.clear()


def redeliver_spool(spool_dir: str | Path, tracking_uri: str, sink: MetricSink | None = None) -> int:
    """Deliver spill files left by loggers of ended processes; returns the points delivered.

    A file is removed once all of it is delivered; on a transient failure it stays for a later call.
    """
    from matih_workbench.backends.mlflow.metric_sink import loads_point

    sink = sink or sink_for(tracking_uri)
    live = {str(logger._spill_path) for logger in list(_LIVE)}
    delivered = 0
    for path in sorted(Path(spool_dir).glob("*.jsonl")):
        if path.name.startswith("rejected-") or str(path) in live:
            continue
        by_run: dict[str, list[Point]] = {}
        for line in path.read_text().splitlines():
            if line.strip():
                run_id, point = loads_point(line)
                by_run.setdefault(run_id, []).append(point)
        try:
            for run_id, points in by_run.items():
                for start in range(0, len(points), MAX_BATCH):
                    sink.send(run_id, points[start : start + MAX_BATCH])
        except (TransientSinkError, RejectedBatch) as exc:
            log.warning("spool file %s not re-delivered yet: %s", path, exc)
            continue
        delivered += sum(len(p) for p in by_run.values())
        path.unlink()
    return delivered


@atexit.register
def _close_all() -> None:
    """Interpreter exit: deliver or spill what is still buffered (bounded)."""
    for logger in list(_LIVE):
        logger.close(timeout=5.0)
