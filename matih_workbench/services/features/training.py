"""Training sets from a feature service: Feast's point-in-time join on an entity DataFrame's timestamps,
the entity rows kept in their order (none lost), and the lineage a training run records."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import take

from matih_workbench.backends.contracts import FeatureRepoRecord, FeatureServiceRecord, FeatureStore
from matih_workbench.errors import InvalidInput, NotFound
from matih_workbench.models.features import FeatureViewLineage, TrainingSetLineage

_ROW = "__matih_row__"
_TS = "event_timestamp"


@dataclass
class TrainingSet:
    """The entity DataFrame's rows, its columns, then the service's features; and their lineage."""

    frame: pd.DataFrame
    lineage: TrainingSetLineage

    @property
    def features(self) -> pd.DataFrame:
        """Only the feature columns, in the order the model reads them (online lookups use it too)."""
        return self.frame[self.lineage.feature_columns]


def find_service(repo: FeatureRepoRecord, name: str) -> FeatureServiceRecord:
    found = next((s for s in repo.services if s.name == name), None)
    if found is None:
        known = ", ".join(s.name for s in repo.services) or "(none)"
        raise NotFound(f"Unknown feature service '{name}'", hint=f"known feature services: {known}")
    return found


def timestamp_column(frame: pd.DataFrame, name: str | None) -> str:
    """The named column, else ``event_timestamp``, else the only datetime column."""
    if name is not None:
        if name not in frame.columns:
            raise InvalidInput(f"The entity DataFrame has no column '{name}'")
        return name
    if _TS in frame.columns:
        return _TS
    dated = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]
    if len(dated) != 1:
        raise InvalidInput(
            "The entity DataFrame needs the event time of each row: "
            + ("none of its columns holds timestamps" if not dated else f"several do ({', '.join(dated)})"),
            hint="add an 'event_timestamp' column, or name the column to use",
        )
    return str(dated[0])


def _row_hashes(frame: pd.DataFrame) -> np.ndarray:
    hashed: np.ndarray = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashed


def _digest(frame: pd.DataFrame, hashed: np.ndarray | None = None) -> str:
    hashed = _row_hashes(frame) if hashed is None else hashed
    return hashlib.sha256(",".join(frame.columns).encode() + hashed.tobytes()).hexdigest()


def _groups(request: pd.DataFrame, hashed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group of identical rows (numbered in order of first appearance) and each group's first
    row: by the rows' hashes, checked value by value (on the rare collision, pandas' exact grouping)."""
    group = pd.factorize(hashed)[0]
    first = np.empty(int(group.max()) + 1, dtype=np.int64)
    first[group[::-1]] = np.arange(len(group) - 1, -1, -1)  # the earliest row of each group wins
    back = first[group]
    exact = all(np.asarray(request[c].array == request[c].array.take(back)).all() for c in request.columns)
    if not exact:  # a hash collision, or null keys (never equal to themselves)
        group = request.groupby(list(request.columns), sort=False, dropna=False).ngroup().to_numpy()
        first = np.unique(group, return_index=True)[1]
    return group, first


def _request(entity_df: Any, join_keys: list[str], ts: str | None) -> tuple[pd.DataFrame, str]:
    if not isinstance(entity_df, pd.DataFrame) or entity_df.empty:
        raise InvalidInput("The entity DataFrame must be a non-empty pandas DataFrame")
    column = timestamp_column(entity_df, ts)
    missing = [k for k in join_keys if k not in entity_df.columns]
    if missing:
        raise InvalidInput(f"The entity DataFrame lacks the join key(s) {', '.join(missing)}")
    if pd.api.types.is_numeric_dtype(entity_df[column]):
        raise InvalidInput(
            f"Column '{column}' does not hold timestamps but {entity_df[column].dtype} numbers",
            hint="convert it, e.g. pd.to_datetime(df[column], unit='s', utc=True)",
        )
    try:
        times = pd.to_datetime(entity_df[column], utc=True)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"Column '{column}' does not hold timestamps: {exc}") from None
    if times.isna().any():
        raise InvalidInput(f"Column '{column}' has {int(times.isna().sum())} missing timestamp(s)")
    request = entity_df[join_keys].reset_index(drop=True)
    request[_TS] = times.reset_index(drop=True).dt.floor("us")  # Feast reads them as datetimes (µs)
    return request, column


def _values(column: pd.Series) -> Any:
    """A column's values: a numpy array, or pandas' own array for its extension types (tz-aware times)."""
    return column.to_numpy() if isinstance(column.dtype, np.dtype) else column.array


def _positions(answer: pd.DataFrame, rows: int) -> np.ndarray:
    """Where each numbered row's answer is in ``answer``; -1 where Feast returned none."""
    where = np.full(rows, -1, dtype=np.int64)
    where[answer[_ROW].to_numpy()] = np.arange(len(answer))
    return where


def _join(
    store: FeatureStore, service: str, chosen: FeatureServiceRecord, numbered: pd.DataFrame
) -> dict[str, Any]:
    """The service's features by row number, as arrays. Feast's file store drops a row whose every match of
    one view lies outside that view's TTL, losing its other views' values too: such rows are asked again view
    by view (where a view drops them again, its values are null: the TTL left them so)."""
    answer = store.historical(service, numbered)
    where = _positions(answer, len(numbered))
    columns = [f for _, features in chosen.views for f in features]
    joined = {c: take(_values(answer[c]), where, allow_fill=True) for c in columns}
    lost = np.logical_and.reduce([pd.isna(joined[c]) for c in columns])
    if lost.any():
        asked = numbered[lost]
        for view, features in chosen.views:
            part = store.historical([f"{view}:{f}" for f in features], asked)
            rows = part[_ROW].to_numpy()
            for f in features:
                joined[f][rows] = part[f].to_numpy()
    return joined


def build_training_set(
    store: FeatureStore, service: str, entity_df: Any, timestamp: str | None = None
) -> TrainingSet:
    """Join ``service``'s features onto ``entity_df`` as of each row's timestamp (never a later value)."""
    repo = store.describe()
    chosen = find_service(repo, service)
    views = {v.name: v for v in repo.views}
    join_keys = sorted({k for view, _ in chosen.views for k in views[view].join_keys})
    request, column = _request(entity_df, join_keys, timestamp)
    columns = [f for _, features in chosen.views for f in features]
    clash = [c for c in columns if c in entity_df.columns]
    if clash:
        raise InvalidInput(f"The entity DataFrame already has feature column(s) {', '.join(clash)}")
    # Feast's file store keeps one of several rows with the same keys and timestamp: each distinct row is
    # asked once, numbered, and every row takes its answer back by number (groups numbered in order of first
    # appearance: the first row of each group, in order, are the distinct rows)
    hashed = _row_hashes(request)
    group, first = _groups(request, hashed)
    distinct = request.iloc[first].reset_index(drop=True)
    joined = _join(store, service, chosen, distinct.assign(**{_ROW: np.arange(len(distinct))}))
    values = {c: take(joined[c], group) for c in columns}
    frame = pd.concat([entity_df.reset_index(drop=True), pd.DataFrame(values, copy=False)], axis=1)
    nulls = {c: pd.isna(values[c]) for c in columns}
    lineage = TrainingSetLineage(
        project=repo.project,
        feature_service=service,
        service_hash=chosen.definition_hash,
        views=[
            FeatureViewLineage(
                name=view,
                definition_hash=views[view].definition_hash,
                features=features,
                ttl_seconds=views[view].ttl_seconds,
                ttl_nulls=int(np.logical_and.reduce([nulls[f] for f in features]).sum()),
            )
            for view, features in chosen.views
        ],
        join_keys=join_keys,
        timestamp_column=column,
        entity_rows=len(request),
        entity_digest=_digest(request, hashed),
        entity_start=request[_TS].min().timestamp(),
        entity_end=request[_TS].max().timestamp(),
        feature_columns=columns,
        feature_dtypes={c: str(frame[c].dtype) for c in columns},
        null_counts={c: int(nulls[c].sum()) for c in columns},
    )
    return TrainingSet(frame, lineage)
