"""Run the benchmarks and merge their entries into benchmarks/results/latest.json (+ latest.md).

python -m benchmarks                      # every benchmark
python -m benchmarks training_overhead    # only the named ones; other entries in latest.json are kept
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging

from benchmarks.harness import RESULTS, Entry, write

logging.getLogger("mlflow").setLevel(logging.WARNING)

#: module name -> what it measures; each module has ``run() -> list[Entry]``
BENCHMARKS = {
    "tracking_listing": "run listing and comparison on a 10,000-run store",
    "metric_logging": "async metric logger against a local mlflow server",
    "training_overhead": "%%matih train wall time against hand-written Ray Tune + MLflow",
    "first_metric": "%%matih train cell to first metric visible through the REST service",
    "serving_ab": "A/B endpoint (two versions, log on) against a plain Ray Serve deployment",
    "drift": "per-feature drift of 1,000,000 x 50 rows against Evidently's DataDriftPreset",
    "features": "Feast training set of 1,000,000 x 20 and online fetch in a served request vs Feast alone",
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all): {', '.join(BENCHMARKS)}")
    names = parser.parse_args().names or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}")
    entries: list[Entry] = []
    for name in names:
        print(f"==> {name}: {BENCHMARKS[name]}", flush=True)
        entries += importlib.import_module(f"benchmarks.{name}").run()
    path = write(_merged(entries))
    print(f"wrote {path}")
    print(path.with_suffix(".md").read_text())


def _merged(new: list[Entry]) -> list[Entry]:
    """Earlier entries of latest.json, each replaced by a new one of the same name; new ones appended."""
    path = RESULTS / "latest.json"
    old = [Entry(**e) for e in json.loads(path.read_text())] if path.is_file() else []
    fresh = {e.name: e for e in new}
    kept = [fresh.pop(e.name, e) for e in old]
    return kept + list(fresh.values())


if __name__ == "__main__":
    main()
