"""One local Ray for the whole test session (started once: ~8 s), two CPUs, no dashboard."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # local test cluster; set before Ray is imported
os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")


@pytest.fixture(scope="session")
def ray_session() -> Iterator[None]:
    import ray

    for attempt in range(3):  # a busy machine can miss Ray's fixed start-up wait: start afresh
        try:
            ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
            break
        except Exception as exc:
            if attempt == 2 or "timed out during startup" not in str(exc):
                raise
            ray.shutdown()
    yield
    ray.shutdown()
