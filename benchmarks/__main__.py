"""Run every benchmark and write benchmarks/results/latest.json (+ latest.md)."""

from __future__ import annotations

import logging

from benchmarks import metric_logging, tracking_listing
from benchmarks.harness import write

logging.getLogger("mlflow").setLevel(logging.WARNING)


def main() -> None:
    entries = tracking_listing.run()
    entries += metric_logging.run()
    path = write(entries)
    print(f"wrote {path}")
    print(path.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
