"""Prepare the embedded demo: ``python -m matih_workbench.demo`` seeds a demo experiment once."""

from __future__ import annotations

from matih_workbench.backends.mlflow.demo_data import DEMO_EXPERIMENT, seed_demo_runs
from matih_workbench.config import WorkbenchConfig
from matih_workbench.services import Workbench


def main() -> None:
    config = WorkbenchConfig()
    Workbench.from_config(config)  # creates the embedded store under MATIH_HOME
    experiment_id = seed_demo_runs(config.tracking_uri, config.artifact_root)
    print(f"MATIH Workbench demo: {config.tracking_uri} (experiment '{DEMO_EXPERIMENT}' = {experiment_id})")


if __name__ == "__main__":
    main()
