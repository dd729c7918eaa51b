"""Reads the inference log serving writes (``backends/ray/serve/inference_log.py``): Parquet under
``<root>/<endpoint>/date=YYYY-MM-DD/``. Only the day folders a window touches are opened."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from matih_workbench.errors import InvalidInput

DAY = 86_400
LOG_COLUMNS = ("request_id", "time", "endpoint", "model", "version", "role", "status", "latency_ms")


def read_log(
    root: Path,
    endpoint: str,
    start: float,
    end: float,
    *,
    version: str | None = None,
    role: str | None = "live",
    payload: bool = True,
) -> pd.DataFrame:
    """Rows of the endpoint's log with ``start <= time < end`` (one ``version`` and ``role`` if given);
    ``payload`` adds the ``inputs`` and ``outputs`` JSON columns."""
    columns = [*LOG_COLUMNS, *(("inputs", "outputs") if payload else ())]
    tables = [_read(path, columns) for path in _files(root / endpoint, start, end)]
    if not tables:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    table = pa.concat_tables(tables, promote_options="permissive")
    keep = pc.and_(pc.greater_equal(table["time"], start), pc.less(table["time"], end))
    if version is not None:
        keep = pc.and_(keep, pc.equal(table["version"], str(version)))
    if role is not None:
        keep = pc.and_(keep, pc.equal(table["role"], role))
    return table.filter(keep).to_pandas().sort_values("time", kind="stable").reset_index(drop=True)


def _files(folder: Path, start: float, end: float) -> list[Path]:
    if not folder.is_dir():
        return []
    first = time.strftime("%Y-%m-%d", time.gmtime(max(start, 0)))
    last = time.strftime("%Y-%m-%d", time.gmtime(max(end, 0)))
    days = [d for d in folder.glob("date=*") if first <= d.name[5:] <= last]
    return sorted(p for d in days for p in d.glob("*.parquet"))


def _read(path: Path, columns: list[str]) -> pa.Table:
    table = pq.read_table(path)
    return table.select([c for c in columns if c in table.column_names])


def requests_frame(log: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series | None, int]:
    """The answered requests' input records as one DataFrame (a row per record), their predictions when
    every answer is one scalar per record, and the number of requests they came from."""
    ok = log[log["status"] == 200] if len(log) else log
    frames: list[pd.DataFrame] = []
    outputs: list[Any] = []
    aligned = True
    for raw_in, raw_out in zip(ok.get("inputs", []), ok.get("outputs", []), strict=True):
        frame = _records(json.loads(raw_in) if raw_in is not None else None)
        out = json.loads(raw_out) if raw_out is not None else None
        if frame is None:
            continue
        frames.append(frame)
        if aligned and isinstance(out, list) and len(out) == len(frame) and all(map(_scalar, out)):
            outputs.extend(out)
        else:
            aligned = False
    if not frames:
        return pd.DataFrame(), None, 0
    data = pd.concat(frames, ignore_index=True)
    predictions = pd.Series(outputs, name="prediction") if aligned and outputs else None
    if predictions is not None and predictions.map(lambda v: isinstance(v, bool | str)).any():
        predictions = predictions.astype(str)
    return data, predictions, len(frames)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def _records(inputs: Any) -> pd.DataFrame | None:
    """JSON records (a list of objects), or v2 named tensors ({name: values}); tensors without names
    cannot be matched to features and are refused."""
    if isinstance(inputs, list) and inputs and all(isinstance(r, dict) for r in inputs):
        return pd.DataFrame.from_records(inputs)
    if isinstance(inputs, dict) and inputs:
        try:
            return pd.DataFrame({k: np.ravel(v) for k, v in inputs.items()})
        except ValueError:
            return None
    if isinstance(inputs, list) and inputs:
        raise InvalidInput(
            "The logged requests are unnamed tensors: their columns cannot be matched to the baseline's",
            hint="send JSON records (or named v2 inputs), or pass the window as a DataFrame (--data)",
        )
    return None
