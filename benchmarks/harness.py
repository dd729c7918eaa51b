"""Timing and result records shared by every benchmark."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> str:
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{platform.machine()} {os.cpu_count()} cpu, {python}"


def median_ms(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> float:
    """Median wall time of ``fn`` in milliseconds after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


@dataclass
class Entry:
    """One figure: ours against the peer on the same data in the same run; ratio = peer / ours."""

    name: str
    ours: float
    peer: float | None
    unit: str
    ratio: float | None
    target: str
    met: bool
    machine: str
    date: str
    notes: str = ""


def entry(
    name: str, ours: float, peer: float | None, unit: str, target: str, met: bool, notes: str = ""
) -> Entry:
    ratio = round(peer / ours, 2) if peer is not None and ours > 0 else None
    return Entry(
        name,
        round(ours, 3),
        None if peer is None else round(peer, 3),
        unit,
        ratio,
        target,
        met,
        machine(),
        dt.date.today().isoformat(),
        notes,
    )


def write(entries: list[Entry]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "latest.json"
    path.write_text(json.dumps([asdict(e) for e in entries], indent=2) + "\n")
    lines = ["| benchmark | ours | peer | unit | peer/ours | target | met |", "|---|---|---|---|---|---|---|"]
    for e in entries:
        lines.append(
            f"| {e.name} | {e.ours} | {e.peer if e.peer is not None else '-'} | {e.unit} | "
            f"{e.ratio if e.ratio is not None else '-'} | {e.target} | {'yes' if e.met else 'NO'} |"
        )
    notes = [f"- {e.name}: {e.notes}" for e in entries if e.notes]
    machine_line = f"\nMachine: {entries[0].machine if entries else machine()}; date {dt.date.today()}.\n"
    (RESULTS / "latest.md").write_text(
        "\n".join(lines) + "\n" + machine_line + ("\n".join(notes) + "\n" if notes else "")
    )
    return path
