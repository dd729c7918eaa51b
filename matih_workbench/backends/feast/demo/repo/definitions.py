"""The demo feature repository: drivers, their hourly stats and daily profile, one feature service.

The Parquet files under ``data/`` are written by ``matih_workbench.backends.feast.demo.generate`` with
values that are a known function of the driver and the hour (or day), so a point-in-time join can be
checked exactly. Paths are relative to this folder.
"""

from datetime import timedelta

from feast import Entity, FeatureService, FeatureView, Field, FileSource, ValueType
from feast.types import Float32, Float64, Int64

driver = Entity(
    name="driver", join_keys=["driver_id"], value_type=ValueType.INT64, description="A driver of the fleet"
)

driver_hourly_stats = FeatureView(
    name="driver_hourly_stats",
    entities=[driver],
    ttl=timedelta(days=1),
    schema=[
        Field(name="conv_rate", dtype=Float32, description="Conversion rate over the hour"),
        Field(name="acc_rate", dtype=Float32, description="Acceptance rate over the hour"),
        Field(name="avg_daily_trips", dtype=Int64, description="Average daily trips"),
    ],
    online=True,
    source=FileSource(
        name="driver_hourly_stats_source",
        path="data/driver_hourly_stats.parquet",
        timestamp_field="event_timestamp",
        created_timestamp_column="created",
    ),
    tags={"team": "drivers"},
)

driver_profile = FeatureView(
    name="driver_profile",
    entities=[driver],
    ttl=timedelta(days=2),
    schema=[
        Field(name="rating", dtype=Float64, description="Average rider rating"),
        Field(name="years_active", dtype=Int64, description="Years on the platform"),
    ],
    online=True,
    source=FileSource(
        name="driver_profile_source",
        path="data/driver_profile.parquet",
        timestamp_field="event_timestamp",
    ),
    tags={"team": "drivers"},
)

driver_activity = FeatureService(
    name="driver_activity",
    features=[driver_hourly_stats, driver_profile[["rating"]]],
    description="What the driver-conversion model reads, at training and at serving",
)
