"""Per-feature drift of a window against a reference of the same size: our engine against Evidently 0.7's
``Report([DataDriftPreset()])`` on the same data in the same run, each in a fresh process (same seeds, so the
same tables) so that its time and peak memory are its own.

Tables: "numeric", 50 float columns (normal, log-normal, uniform; 4 shifted); "mixed", 10 numeric (2 with
5% missing, 3 shifted) and 6 categorical columns (strings, booleans, small integers; 2 shifted).

    python -m benchmarks drift                      # 1,000,000 rows per side, recorded in results/latest.*
    python -m benchmarks.drift --rows 100000        # smaller, printed only
    MATIH_BENCH_DRIFT_ROWS=100000 python -m benchmarks drift
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.harness import Entry, entry

ROWS = 1_000_000
ROOT = Path(__file__).resolve().parent.parent
NUMERIC_COLUMNS, NUMERIC_SHIFTED = 50, (3, 17, 29, 41)


def numeric_table(rows: int, window: bool) -> pd.DataFrame:
    data = np.empty((rows, NUMERIC_COLUMNS), order="F")  # column by column, as Parquet reads it
    for j in range(NUMERIC_COLUMNS):
        rng = np.random.default_rng([j, int(window)])
        shift = 0.3 if window and j in NUMERIC_SHIFTED else 0.0
        if j % 3 == 0:
            data[:, j] = rng.normal(shift, 1.0, rows)
        elif j % 3 == 1:
            data[:, j] = rng.lognormal(shift, 0.5, rows)
        else:
            data[:, j] = rng.uniform(shift, 1.0 + shift, rows)
    return pd.DataFrame(data, columns=[f"x{j:02d}" for j in range(NUMERIC_COLUMNS)])


def mixed_table(rows: int, window: bool) -> pd.DataFrame:
    rng = np.random.default_rng(int(window))
    columns: dict[str, Any] = {}
    for j in range(8):
        values = rng.normal(0.25 if window and j in (1, 5) else 0.0, 1.0, rows)
        if j in (2, 6):  # 5% missing: the window and the reference differ in size for these
            values[rng.random(rows) < 0.05] = np.nan
        columns[f"num{j}"] = values
    columns["count"] = rng.poisson(8 if window else 6, rows)  # integers, more than 10 distinct: numeric
    columns["age"] = rng.integers(18, 90, rows)
    cities = np.array([f"city-{i}" for i in range(40)], dtype=object)
    weights = np.linspace(1, 3, 40)
    columns["city"] = cities[rng.choice(40, rows, p=weights / weights.sum())]
    plans = np.array(["free", "basic", "pro", "team", "enterprise"], dtype=object)
    columns["plan"] = plans[
        rng.choice(5, rows, p=[0.2, 0.25, 0.2, 0.15, 0.2] if window else [0.4, 0.3, 0.15, 0.1, 0.05])
    ]
    columns["channel"] = np.array(["web", "app", "store"], dtype=object)[rng.integers(0, 3, rows)]
    columns["active"] = rng.random(rows) < 0.7
    columns["rating"] = rng.integers(1, 6, rows)  # integers, at most 10 distinct: categorical
    columns["segment"] = rng.integers(0, 8, rows)
    return pd.DataFrame(columns)


TABLES = {"numeric": numeric_table, "mixed": mixed_table}


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith(field))


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as refs:  # Linux: VmHWM restarts from the current RSS
        refs.write("5")


def measure(side: str, table: str, rows: int) -> dict[str, Any]:
    """One side on one table, in this process: seconds, peak memory above the process before the data was
    built (so the data and the computation), the data's own resident size, and the decisions."""
    if side == "evidently":
        from matih_workbench.backends.drift.evidently import evidently_drift as run_drift
    else:
        from matih_workbench.backends.drift import detect_drift as run_drift
    before = _status("VmRSS")
    reference, current = TABLES[table](rows, False), TABLES[table](rows, True)
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)  # hand back what building the tables freed: RSS = the tables
    with_data = _status("VmRSS")
    _reset_peak()
    start = time.perf_counter()
    result = run_drift(reference, current)
    seconds = time.perf_counter() - start
    peak = _status("VmHWM")
    return {
        "seconds": seconds,
        "input_bytes": with_data - before,  # resident size of the two tables
        "frame_bytes": int(reference.memory_usage().sum() + current.memory_usage().sum()),
        "peak_bytes": peak - before,  # the data and the computation's high-water mark
        "extra_bytes": peak - with_data,  # the computation's own
        "columns": {f.feature: [f.method.value, f.score, f.drifted] for f in result.features},
        "drifted": result.drifted_features,
    }


def _in_fresh_process(side: str, table: str, rows: int) -> dict[str, Any]:
    command = [sys.executable, "-W", "ignore", "-m", "benchmarks.drift", "--measure", side, table]
    out = subprocess.run(
        [*command, "--rows", str(rows)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def run(rows: int | None = None) -> list[Entry]:
    rows = rows or int(os.environ.get("MATIH_BENCH_DRIFT_ROWS", ROWS))
    entries: list[Entry] = []
    for table in TABLES:
        ours = _in_fresh_process("ours", table, rows)
        peer = _in_fresh_process("evidently", table, rows)
        same = {c: v[:1] + v[2:] for c, v in ours["columns"].items()} == {
            c: v[:1] + v[2:] for c, v in peer["columns"].items()
        }
        gap = max(abs(ours["columns"][c][1] - peer["columns"][c][1]) for c in ours["columns"])
        width = len(ours["columns"])
        gib = 1024**3
        memory = ours["peak_bytes"] / ours["input_bytes"]
        name = f"drift, {table} table {rows:,} x {width} vs the same"
        decisions = (f"identical per-column methods and decisions: {same} ({ours['drifted']} drifted "
                     f"of {width}); largest score difference {gap:.1e}")  # fmt: skip
        entries += [
            entry(f"{name}: time", ours["seconds"], peer["seconds"], "s",
                  "identical decisions and >= 50x faster than Evidently (< 7 s at 1M x 50)",
                  same and peer["seconds"] >= 50 * ours["seconds"], decisions),
            entry(f"{name}: peak memory", ours["peak_bytes"] / gib, peer["peak_bytes"] / gib, "GiB",
                  "peak (data + computation) < 1.5x the input data", memory < 1.5,
                  f"input {ours['input_bytes'] / gib:.2f} GiB resident "
                  f"({ours['frame_bytes'] / gib:.2f} GiB of arrays); ours {memory:.2f}x the input "
                  f"({ours['extra_bytes'] / gib:.2f} GiB above the data), Evidently "
                  f"{peer['peak_bytes'] / peer['input_bytes']:.2f}x ({peer['extra_bytes'] / gib:.2f} GiB)"),
        ]  # fmt: skip
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.drift", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS, help="rows of the reference and of the window")
    parser.add_argument("--measure", nargs=2, metavar=("SIDE", "TABLE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], args.measure[1], args.rows)))
        return
    for e in run(args.rows):
        print(f"{e.name}: ours {e.ours} {e.unit}, Evidently {e.peer} (x{e.ratio}); met {e.met}\n  {e.notes}")


if __name__ == "__main__":
    main()
