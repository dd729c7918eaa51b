"""What a feature view's offline rows and materializations say: row counts, null rate and range per feature,
staleness against the TTL, the newest rows, and online values compared with offline ones."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from matih_workbench.backends.contracts import FeatureViewRecord
from matih_workbench.models.features import (
    ConsistencyMismatch,
    FeatureSample,
    FeatureStats,
    FeatureViewInfo,
    Scalar,
)


def _plain(value: Any) -> Scalar:
    """A pandas/numpy scalar as JSON-ready Python (timestamps as epoch seconds)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return float(value.timestamp())
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value if isinstance(value, int | float | str | bool) else str(value)


def feature_stats(view: FeatureViewRecord, frame: pd.DataFrame) -> list[FeatureStats]:
    stats = []
    for f in view.features:
        column = frame[f.name] if f.name in frame.columns else pd.Series(dtype=object)
        orderable = pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column)
        present = column.dropna()
        stats.append(
            FeatureStats(
                name=f.name,
                dtype=f.dtype,
                description=f.description,
                null_rate=float(column.isna().mean()) if len(column) else None,
                min=_plain(present.min()) if orderable and len(present) else None,
                max=_plain(present.max()) if orderable and len(present) else None,
            )
        )
    return stats


def view_info(
    view: FeatureViewRecord, frame: pd.DataFrame, services: list[str], now: float
) -> FeatureViewInfo:
    """A view with its statistics (over ``frame``, its offline rows) and freshness at ``now``."""
    times = frame[view.timestamp_field] if view.timestamp_field in frame.columns else pd.Series(dtype=object)
    last = max((end for _, end in view.materialized), default=None)
    staleness = now - last if last is not None else None
    expired = staleness is not None and view.ttl_seconds is not None and staleness > view.ttl_seconds
    keys = [k for k in view.join_keys if k in frame.columns]
    return FeatureViewInfo(
        name=view.name,
        entities=view.entities,
        join_keys=view.join_keys,
        features=feature_stats(view, frame),
        ttl_seconds=view.ttl_seconds,
        online=view.online,
        source=view.source,
        definition_hash=view.definition_hash,
        description=view.description,
        tags=view.tags,
        row_count=len(frame),
        entity_count=len(frame[keys].drop_duplicates()) if keys else 0,
        first_event=_plain(times.min()) if len(times) else None,  # type: ignore[arg-type]
        last_event=_plain(times.max()) if len(times) else None,  # type: ignore[arg-type]
        last_materialized=last,
        staleness_seconds=staleness,
        stale=view.online and (last is None or expired),
        services=services,
    )


def sample_rows(view: FeatureViewRecord, frame: pd.DataFrame, limit: int) -> FeatureSample:
    columns = [*view.join_keys, view.timestamp_field, *(f.name for f in view.features)]
    columns = [c for c in columns if c in frame.columns]
    newest = frame.sort_values(view.timestamp_field, ascending=False).head(limit)[columns]
    rows = json.loads(newest.to_json(orient="records", date_format="iso"))
    return FeatureSample(view=view.name, columns=columns, rows=rows, row_count=len(frame))


def same(online: Any, offline: Any) -> bool:
    """Equal values, both null, or floats equal to float32 precision."""
    a, b = _plain(online), _plain(offline)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)
    return a == b


def mismatches(
    view: FeatureViewRecord, keys: pd.DataFrame, offline: pd.DataFrame, online: dict[str, list[Any]]
) -> list[ConsistencyMismatch]:
    """Where ``online`` (by feature, in ``keys`` order) differs from ``offline`` (aligned with ``keys``)."""
    found = []
    for i, entity in enumerate(keys.to_dict("records")):
        for f in view.features:
            off = offline[f.name].iloc[i] if f.name in offline.columns else None
            on = online.get(f.name, [None] * len(keys))[i]
            if not same(on, off):
                found.append(
                    ConsistencyMismatch(
                        entity={k: _plain(v) for k, v in entity.items()},
                        feature=f.name,
                        online=_plain(on),
                        offline=_plain(off),
                    )
                )
    return found
