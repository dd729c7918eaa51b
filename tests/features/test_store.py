"""The feature repository through the service: listing with statistics and freshness, background
materialization, online values against offline ones, sample rows, the embedded default."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matih_workbench.backends.contracts import FeatureRecord, FeatureViewRecord
from matih_workbench.backends.feast.demo import LAPSED_DRIVER, hourly_values
from matih_workbench.config import WorkbenchConfig
from matih_workbench.errors import InvalidInput, NotFound
from matih_workbench.models import EventType
from matih_workbench.services import Workbench
from matih_workbench.services.features.freshness import view_info
from tests.features.conftest import HOURLY_VIEW, LEAK, PROFILE_VIEW, SERVICE, DemoRepo, workbench_on


def test_embedded_default_writes_and_applies_the_bundled_demo(
    matih_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MATIH_FEATURE_REPO")
    overview = Workbench.from_config(WorkbenchConfig()).features.overview()
    repo = matih_home / "features"
    assert overview.repo_path == str(repo.resolve())
    assert (repo / "feature_store.yaml").is_file() and (repo / "definitions.py").is_file()
    assert (repo / "data" / "registry.db").is_file() and (repo / "data" / "online_store.db").is_file()
    assert (overview.project, overview.online_store, overview.registry) == ("matih_demo", "sqlite", "file")
    assert [v.name for v in overview.views] == [HOURLY_VIEW, PROFILE_VIEW]
    assert all(v.row_count > 0 and v.stale and v.last_materialized is None for v in overview.views)


def test_overview_lists_views_entities_services_with_statistics(wb: Workbench, demo_repo: DemoRepo) -> None:
    overview = wb.features.overview()
    source = pd.read_parquet(demo_repo.hourly())
    hourly = next(v for v in overview.views if v.name == HOURLY_VIEW)
    assert (hourly.entities, hourly.join_keys, hourly.ttl_seconds) == (["driver"], ["driver_id"], 86400.0)
    assert (hourly.row_count, hourly.entity_count) == (len(source), 5)
    assert hourly.last_event == demo_repo.end.timestamp()
    stats = {f.name: f for f in hourly.features}
    assert [f.name for f in hourly.features] == ["conv_rate", "acc_rate", "avg_daily_trips"]
    assert stats["conv_rate"].dtype == "Float32" and stats["avg_daily_trips"].dtype == "Int64"
    assert stats["acc_rate"].null_rate == pytest.approx(source.acc_rate.isna().mean())
    assert 0 < stats["acc_rate"].null_rate < 0.2  # type: ignore[operator]
    assert stats["conv_rate"].max == LEAK and stats["conv_rate"].min == pytest.approx(source.conv_rate.min())
    assert (stats["avg_daily_trips"].min, stats["avg_daily_trips"].max) == (10, 59)
    assert hourly.services == [SERVICE] and len(hourly.definition_hash) == 16
    assert [(e.name, e.join_keys, e.value_type) for e in overview.entities] == [
        ("driver", ["driver_id"], "INT64")
    ]
    (service,) = overview.services
    assert service.name == SERVICE
    assert [(v.view, v.features) for v in service.views] == [
        (HOURLY_VIEW, ["conv_rate", "acc_rate", "avg_daily_trips"]),
        (PROFILE_VIEW, ["rating"]),
    ]


def _record(
    ttl: float | None, materialized: list[tuple[float, float]], online: bool = True
) -> FeatureViewRecord:
    return FeatureViewRecord(
        name="v", entities=["e"], join_keys=["k"], features=[FeatureRecord("x", "Float64")], ttl_seconds=ttl,
        online=online, source="s", timestamp_field="ts", definition_hash="h", materialized=materialized,
    )  # fmt: skip


def test_staleness_is_measured_against_the_ttl() -> None:
    frame = pd.DataFrame(
        {"k": [1, 2, 2], "ts": pd.to_datetime([0, 60, 120], unit="s", utc=True), "x": [1.0, None, 3.0]}
    )
    never = view_info(_record(3600, []), frame, [], now=10_000)
    assert never.stale and never.staleness_seconds is None and never.last_materialized is None
    fresh = view_info(_record(3600, [(0, 5000), (5000, 8000)]), frame, [], now=10_000)
    assert (fresh.stale, fresh.last_materialized, fresh.staleness_seconds) == (False, 8000, 2000)
    assert view_info(_record(1000, [(0, 8000)]), frame, [], now=10_000).stale
    assert not view_info(_record(None, [(0, 1)]), frame, [], now=10_000).stale  # no TTL: never expires
    assert not view_info(_record(1000, [], online=False), frame, [], now=10_000).stale  # offline only
    assert (fresh.row_count, fresh.entity_count, fresh.first_event, fresh.last_event) == (3, 2, 0.0, 120.0)
    assert (fresh.features[0].null_rate, fresh.features[0].min, fresh.features[0].max) == (
        pytest.approx(1 / 3),
        1.0,
        3.0,
    )


def _online_conv_rate(wb: Workbench, drivers: list[int]) -> dict[int, float | None]:
    values, found = wb.features.store.online(
        [f"{HOURLY_VIEW}:conv_rate"], [{"driver_id": d} for d in drivers]
    )
    return {
        d: (v if ok else None)
        for d, v, ok in zip(drivers, values["conv_rate"], found["conv_rate"], strict=True)
    }


def test_materialize_in_the_background_then_online_equals_offline(wb: Workbench, demo_repo: DemoRepo) -> None:
    before = wb.events.last_id()
    job = wb.features.materialize()
    assert job.status == "RUNNING" and job.views == [HOURLY_VIEW, PROFILE_VIEW] and job.progress == 0.0
    done = wb.features.wait(job.id)
    assert done.status == "SUCCEEDED" and done.progress == 1.0 and done.current is None
    assert [d.view for d in done.done] == [HOURLY_VIEW, PROFILE_VIEW]
    assert all(d.end == done.end for d in done.done)
    (event,) = [e for e in wb.events.list(after=before).events if e.type is EventType.FEATURES_MATERIALIZED]
    assert event.subject == "matih_demo" and event.payload["job"] == job.id
    assert [v["view"] for v in event.payload["views"]] == [HOURLY_VIEW, PROFILE_VIEW]

    overview = wb.features.overview()
    assert all(v.last_materialized == done.end and not v.stale for v in overview.views)
    assert all(v.staleness_seconds is not None and 0 <= v.staleness_seconds < 120 for v in overview.views)
    # the online store serves each driver's newest row up to the end (the lapsed driver has none in its TTL)
    online = _online_conv_rate(wb, [1001, 1002, 1003, 1004, LAPSED_DRIVER])
    for driver in (1001, 1002, 1003, 1004):
        assert online[driver] == float(np.float32(hourly_values(driver, demo_repo.end)["conv_rate"]))
    assert online[LAPSED_DRIVER] is None
    report = wb.features.check(sample=5)
    assert report.consistent and [v.view for v in report.views] == [HOURLY_VIEW, PROFILE_VIEW]
    assert [(v.entities, v.compared, v.as_of) for v in report.views] == [(5, 15, done.end), (5, 10, done.end)]


def test_check_finds_an_online_store_that_lost_its_values(
    wb: Workbench, materialized: float, tmp_path: Path
) -> None:
    """The registry says materialized, but this (empty) online store never got the rows."""
    other = workbench_on(tmp_path / "other", feature_online_store=f"sqlite:///{tmp_path / 'empty.db'}")
    other.features.apply()  # creates the online tables; the registry's definitions are unchanged
    assert other.features.overview().views[0].last_materialized is not None
    report = other.features.check(sample=5, views=[HOURLY_VIEW])
    assert not report.consistent
    (view,) = report.views
    wrong = {(m.entity["driver_id"], m.feature) for m in view.mismatches}
    assert {(1001, "conv_rate"), (1004, "avg_daily_trips")} <= wrong
    assert all(m.online is None and m.offline is not None for m in view.mismatches)
    assert all(m.entity["driver_id"] != LAPSED_DRIVER for m in view.mismatches)  # null both ways: consistent
    assert wb.features.check(sample=5).consistent  # the real store is untouched


def test_materialize_refuses_unknown_views_and_future_ends(wb: Workbench) -> None:
    with pytest.raises(NotFound, match="No online feature view nope") as info:
        wb.features.materialize(["nope"])
    assert info.value.hint and HOURLY_VIEW in info.value.hint
    with pytest.raises(InvalidInput, match="in the future"):
        wb.features.materialize(end=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    with pytest.raises(NotFound, match="No materialization job"):
        wb.features.materialization("nope")


def test_sample_rows_are_the_newest(wb: Workbench, demo_repo: DemoRepo) -> None:
    sample = wb.features.sample(HOURLY_VIEW, 3)
    assert sample.columns == ["driver_id", "event_timestamp", "conv_rate", "acc_rate", "avg_daily_trips"]
    assert len(sample.rows) == 3 and sample.row_count == len(pd.read_parquet(demo_repo.hourly()))
    newest = pd.Timestamp(sample.rows[0]["event_timestamp"])
    assert newest == demo_repo.end and sample.rows[0]["driver_id"] in {1001, 1002, 1003, 1004}
    with pytest.raises(InvalidInput, match="limit"):
        wb.features.sample(HOURLY_VIEW, 0)
    with pytest.raises(NotFound, match="Unknown feature view 'nope'"):
        wb.features.sample("nope")
