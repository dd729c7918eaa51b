"""A shared deployment by config alone: the session repository's definitions with a Redis online store
(a real redis-server) and Feast's SQL registry (on SQLite here, PostgreSQL in production)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import redis

from matih_workbench.backends.feast.demo import hourly_values
from matih_workbench.errors import NotFound
from tests.features.conftest import HOURLY_VIEW, PROFILE_VIEW, SERVICE, DemoRepo, workbench_on


def test_redis_online_store_and_sql_registry(tmp_path: Path, redis_url: str, demo_repo: DemoRepo) -> None:
    registry = f"sqlite:///{tmp_path / 'registry.db'}"
    workbench = workbench_on(tmp_path / "home", feature_online_store=redis_url, feature_registry=registry)
    assert sorted(workbench.features.apply()) == sorted(["driver", HOURLY_VIEW, PROFILE_VIEW, SERVICE])
    overview = workbench.features.overview()
    assert (overview.online_store, overview.registry) == ("redis", "sql")
    assert all(v.last_materialized is None for v in overview.views)  # a registry of its own

    job = workbench.features.wait(workbench.features.materialize().id)
    assert job.status == "SUCCEEDED", job.error
    assert redis.Redis.from_url(redis_url).dbsize() >= 5  # the rows are in Redis

    frame = workbench.features.online_features(SERVICE, [{"driver_id": 1002}])
    assert frame.conv_rate.tolist() == [np.float32(hourly_values(1002, demo_repo.end)["conv_rate"])]
    with pytest.raises(NotFound, match="driver_id=9999"):
        workbench.features.online_features(SERVICE, [{"driver_id": 9999}])
    assert workbench.features.check(sample=5).consistent

    # a second workbench (the server beside a kernel) reads the same registry and Redis
    other = workbench_on(tmp_path / "other", feature_online_store=redis_url, feature_registry=registry)
    assert [v.last_materialized for v in other.features.overview().views] == [job.end, job.end]
