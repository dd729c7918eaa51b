"""Run every benchmark and write benchmarks/results/latest.json (+ latest.md)."""

from __future__ import annotations

import logging

from benchmarks import tracking_listing
from benchmarks.harness import write

logging.getLogger("mlflow").setLevel(logging.WARNING)


def main() -> None:
    entries = tracking_listing.run()
    path = write(entries)
    print(f"wrote {path}")
    print(path.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
