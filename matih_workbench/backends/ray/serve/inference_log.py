"""The inference log: every (sampled) request appended to Parquet off the request path; losses are counted.

Layout: ``<root>/<endpoint>/date=YYYY-MM-DD/part-<time>-<pid>-<n>.parquet``, one file per flush, columns
``request_id, time, endpoint, model, version, role, status, latency_ms, inputs, outputs`` (inputs and
outputs as JSON text). The monitoring capability reads it with any Parquet reader.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import random
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

COLUMNS = (
    "request_id",
    "time",
    "endpoint",
    "model",
    "version",
    "role",
    "status",
    "latency_ms",
    "inputs",
    "outputs",
)


class InferenceLog:
    def __init__(self, root: str, endpoint: str, sample: float = 1.0, capacity: int = 50_000) -> None:
        self.dir = Path(root) / endpoint if root else None
        self.endpoint = endpoint
        self.sample = sample
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue(capacity)
        self.written = 0
        self.dropped = 0
        self.failed = 0
        self.sampled_out = 0
        self._parts = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self.dir is not None:
            self._thread = threading.Thread(target=self._run, name="matih-inference-log", daemon=True)
            self._thread.start()

    def append(self, record: dict[str, Any]) -> None:
        """Never blocks: a full queue drops the record and counts it."""
        if self.dir is None:
            return
        if self.sample < 1.0 and random.random() >= self.sample:
            self.sampled_out += 1
            return
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1

    def counters(self) -> dict[str, Any]:
        return {
            "written": self.written,
            "dropped": self.dropped,
            "failed": self.failed,
            "sampled_out": self.sampled_out,
            "pending": self._queue.qsize(),
            "sample": self.sample,
            "dir": str(self.dir) if self.dir else None,
        }

    def flush(self) -> None:
        batch: list[dict[str, Any]] = []
        while True:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if batch:
            self._write(batch)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            try:
                self.flush()
            except Exception as exc:  # the log must never take the endpoint down
                log.warning("matih: inference log flush failed: %s", exc)

    def _write(self, batch: list[dict[str, Any]]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        assert self.dir is not None
        day = time.strftime("%Y-%m-%d", time.gmtime(batch[0]["time"]))
        folder = self.dir / f"date={day}"
        self._parts += 1
        path = folder / f"part-{time.time_ns()}-{os.getpid()}-{self._parts}.parquet"
        columns = {c: [r.get(c) for r in batch] for c in COLUMNS}
        for c in ("inputs", "outputs"):
            columns[c] = [json.dumps(v, default=str) for v in columns[c]]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            pq.write_table(pa.table(columns), tmp)
            tmp.rename(path)  # readers never see half a file
            self.written += len(batch)
        except OSError as exc:
            self.failed += len(batch)
            log.warning("matih: cannot write the inference log to %s: %s", folder, exc)
