"""The bundled demo feature repository (``repo/``) and the generator of its Parquet data.

Every value is a known function of the driver and the row's hour (or day), so a test can compute what a
point-in-time join must return: ``hourly_values(driver, hour)``, ``profile_values(driver, day)``. Driver
``LAPSED_DRIVER``'s hourly stats stop halfway, so later rows of it lie beyond the view's one-day TTL.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

TEMPLATE = Path(__file__).with_name("repo")
DRIVERS = (1001, 1002, 1003, 1004, 1005)
LAPSED_DRIVER = 1005
HOURLY = "data/driver_hourly_stats.parquet"
PROFILE = "data/driver_profile.parquet"
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def hourly_values(driver: int, hour: dt.datetime) -> dict[str, Any]:
    """The hourly stats of ``driver`` at ``hour`` (a UTC hour boundary); ``acc_rate`` is sometimes null."""
    h = int(hour.timestamp() // 3600)
    acc = None if (h + driver) % 17 == 0 else ((driver * 11 + h * 3) % 100) / 100
    return {
        "conv_rate": ((driver * 37 + h) % 100) / 100,
        "acc_rate": acc,
        "avg_daily_trips": (driver * 13 + h) % 50 + 10,
    }


def profile_values(driver: int, day: dt.datetime) -> dict[str, Any]:
    """The profile of ``driver`` on ``day`` (a UTC midnight)."""
    d = int(day.timestamp() // 86400)
    return {"rating": 3.0 + ((driver + d) % 20) / 10, "years_active": driver % 7 + d % 3}


def _hourly(end: dt.datetime, days: int) -> pd.DataFrame:
    start = end - days * DAY
    lapse = start + (days // 2) * DAY
    rows = []
    hour = start
    while hour <= end:
        for driver in DRIVERS:
            if driver == LAPSED_DRIVER and hour > lapse:
                continue
            rows.append({"driver_id": driver, "event_timestamp": hour, **hourly_values(driver, hour)})
        hour += HOUR
    frame = pd.DataFrame(rows)
    frame["created"] = frame["event_timestamp"] + dt.timedelta(minutes=1)
    return frame.astype({"conv_rate": "float32", "acc_rate": "float32", "avg_daily_trips": "int64"})


def _profile(end: dt.datetime, days: int) -> pd.DataFrame:
    first = (end - days * DAY).replace(hour=0)
    rows = [
        {"driver_id": driver, "event_timestamp": first + n * DAY, **profile_values(driver, first + n * DAY)}
        for n in range(days + 1)
        for driver in DRIVERS
        if first + n * DAY <= end
    ]
    return pd.DataFrame(rows).astype({"rating": "float64", "years_active": "int64"})


def floor_hour(moment: dt.datetime) -> dt.datetime:
    utc = moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return utc.replace(minute=0, second=0, microsecond=0)


def generate(repo: Path, end: dt.datetime | None = None, days: int = 14) -> dt.datetime:
    """Write the demo's Parquet files under ``repo/data``: ``days`` of hourly stats and daily profiles up to
    ``end`` (default: now), on UTC hour boundaries. Returns the last hour written."""
    last = floor_hour(end or dt.datetime.now(dt.UTC))
    (repo / "data").mkdir(parents=True, exist_ok=True)
    _hourly(last, days).to_parquet(repo / HOURLY, index=False)
    _profile(last, days).to_parquet(repo / PROFILE, index=False)
    return last


def plant(repo: Path, driver: int, at: dt.datetime, **values: Any) -> None:
    """Append one hourly-stats row (e.g. a value from the future of some training rows)."""
    frame = pd.read_parquet(repo / HOURLY)
    row = {
        "driver_id": driver,
        "event_timestamp": at,
        **hourly_values(driver, floor_hour(at)),
        **values,
        "created": at,
    }
    frame = pd.concat([frame, pd.DataFrame([row]).astype(frame.dtypes.to_dict())], ignore_index=True)
    frame.to_parquet(repo / HOURLY, index=False)


def write_repo(repo: Path, end: dt.datetime | None = None, days: int = 14) -> dt.datetime:
    """A new demo repository at ``repo``: the definitions, ``feature_store.yaml`` and fresh data."""
    repo.mkdir(parents=True, exist_ok=True)
    for name in ("definitions.py", "feature_store.yaml"):
        shutil.copyfile(TEMPLATE / name, repo / name)
    return generate(repo, end, days)
