"""Online lookups for serving: the training columns in order and dtypes, inline features winning, and a
missing entity answered with a clear error, never a silent zero."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matih_workbench.backends.feast.demo import LAPSED_DRIVER, hourly_values, profile_values
from matih_workbench.errors import InvalidInput, NotFound
from matih_workbench.services import Workbench
from tests.features.conftest import SERVICE, DemoRepo

COLUMNS = ["conv_rate", "acc_rate", "avg_daily_trips", "rating"]


def test_records_get_the_features_in_training_order_and_dtypes(
    wb: Workbench, demo_repo: DemoRepo, materialized: float
) -> None:
    lookup = wb.features.online_lookup(SERVICE)
    assert lookup.columns == COLUMNS and lookup.join_keys == ["driver_id"]
    frame = lookup.frame([{"driver_id": 1003}, {"driver_id": 1002, "conv_rate": 0.5}])
    assert frame.columns.tolist() == COLUMNS
    assert frame.dtypes.astype(str).tolist() == ["float32", "float32", "int64", "float64"]
    hourly = hourly_values(1003, demo_repo.end)
    assert frame.conv_rate.tolist() == [np.float32(hourly["conv_rate"]), np.float32(0.5)]  # inline wins
    assert frame.avg_daily_trips.iloc[0] == hourly["avg_daily_trips"]
    assert frame.rating.iloc[0] == profile_values(1003, demo_repo.end.replace(hour=0))["rating"]
    # a record with every feature inline needs no entity key and no store
    inline = dict(zip(COLUMNS, [0.1, 0.2, 3, 4.5], strict=True))
    assert lookup.complete([inline]) == [inline]
    # the training dtypes win over the store's types, columns may be a subset in the model's order
    narrow = wb.features.online_features(
        SERVICE, [{"driver_id": 1004}], ["rating", "conv_rate"], {"conv_rate": "float64"}
    )
    assert narrow.columns.tolist() == ["rating", "conv_rate"] and narrow.conv_rate.dtype == "float64"
    completed = lookup.complete([{"driver_id": 1004, "extra": "kept"}])[0]
    assert completed["extra"] == "kept" and set(COLUMNS) <= set(completed)


def test_a_missing_entity_is_a_clear_error(wb: Workbench, materialized: float) -> None:
    lookup = wb.features.online_lookup(SERVICE)
    with pytest.raises(
        NotFound, match="No online features for driver_id=9999 in driver_hourly_stats, "
    ) as info:
        lookup.frame([{"driver_id": 1001}, {"driver_id": 9999}])
    assert info.value.hint and "materialize" in info.value.hint
    with pytest.raises(NotFound, match=f"driver_id={LAPSED_DRIVER} in driver_hourly_stats: unknown entity"):
        lookup.frame([{"driver_id": LAPSED_DRIVER}])  # its profile is there, its hourly stats are not
    # its missing features sent inline, the lapsed driver is served
    inline = {"driver_id": LAPSED_DRIVER, "conv_rate": 0.1, "acc_rate": 0.2, "avg_daily_trips": 7}
    assert lookup.frame([inline]).avg_daily_trips.tolist() == [7]
    with pytest.raises(InvalidInput, match="Record 0 has neither the entity key"):
        lookup.frame([{"driver": 1001}])
    with pytest.raises(NotFound, match="Unknown feature service 'nope'"):
        wb.features.online_lookup("nope")
    with pytest.raises(InvalidInput, match="has no feature"):
        wb.features.online_lookup(SERVICE, ["conv_rate", "years_active"])
    with pytest.raises(InvalidInput, match="Feature 'avg_daily_trips' is null"):
        lookup.frame([{"driver_id": 1001, "avg_daily_trips": None}])
    assert isinstance(lookup.frame([{"driver_id": 1001, "conv_rate": None}]), pd.DataFrame)
