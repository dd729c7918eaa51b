"""Online features for serving: entity keys in, the features a model was trained on out, in the training
order and dtypes. Lives with the engine so that a serving replica can use it without the service layer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from matih_workbench.backends.contracts import FeatureRepoRecord, FeatureStore
from matih_workbench.errors import InvalidInput, NotFound

#: Feast value types as the pandas dtypes the offline store returns them in
DTYPES = {
    "Float32": "float32",
    "Float64": "float64",
    "Int32": "int32",
    "Int64": "int64",
    "Bool": "bool",
    "String": "object",
    "Bytes": "object",
    "UnixTimestamp": "datetime64[ns, UTC]",
}


class OnlineLookup:
    """The features of one feature service for request records. A record carries the join keys and may
    carry some features inline (they win); a feature the store lacks for an entity is an error, never a
    silent zero."""

    def __init__(
        self,
        store: FeatureStore,
        service: str,
        columns: Sequence[str] | None = None,
        dtypes: dict[str, str] | None = None,
        repo: FeatureRepoRecord | None = None,
    ) -> None:
        repo = repo or store.describe()
        found = next((s for s in repo.services if s.name == service), None)
        if found is None:
            known = ", ".join(s.name for s in repo.services) or "(none)"
            raise NotFound(f"Unknown feature service '{service}'", hint=f"known: {known}")
        views = {v.name: v for v in repo.views}
        self.store = store
        self.service = service
        self.refs = {f: f"{view}:{f}" for view, features in found.views for f in features}
        self.view_of = {f: view for view, features in found.views for f in features}
        self.join_keys = sorted({k for view, _ in found.views for k in views[view].join_keys})
        self.columns = list(columns) if columns is not None else list(self.refs)
        unknown = [c for c in self.columns if c not in self.refs]
        if unknown:
            raise InvalidInput(f"Feature service '{service}' has no feature(s) {', '.join(unknown)}")
        types = {f.name: f.dtype for view, _ in found.views for f in views[view].features}
        self.dtypes = {c: (dtypes or {}).get(c) or DTYPES.get(types[c], "object") for c in self.columns}

    def complete(self, records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each record with every feature column filled from the online store (inline values kept)."""
        wanted = [[c for c in self.columns if c not in r] for r in records]
        rows = [i for i, missing in enumerate(wanted) if missing]
        if not rows:
            return [dict(r) for r in records]
        for i in rows:
            absent = [k for k in self.join_keys if records[i].get(k) is None]
            if absent:
                raise InvalidInput(
                    f"Record {i} has neither the entity key(s) {', '.join(absent)} nor the features "
                    f"{', '.join(wanted[i])}",
                    hint=f"send {', '.join(self.join_keys)} (features come from '{self.service}')",
                )
        refs = sorted({self.refs[c] for i in rows for c in wanted[i]})
        entities = [{k: records[i][k] for k in self.join_keys} for i in rows]
        values, found = self.store.online(refs, entities)
        out = [dict(r) for r in records]
        for n, i in enumerate(rows):
            lacking = [c for c in wanted[i] if not found[c][n]]
            if lacking:
                views = sorted({self.view_of[c] for c in lacking})
                key = ", ".join(f"{k}={entities[n][k]!r}" for k in self.join_keys)
                raise NotFound(
                    f"No online features for {key} in {', '.join(views)}: unknown entity or not materialized",
                    hint="materialize (%matih features materialize) or send the features inline",
                )
            out[i].update({c: values[c][n] for c in wanted[i]})
        return out

    def frame(self, records: Sequence[dict[str, Any]]) -> pd.DataFrame:
        """The feature columns of ``complete(records)``, in the training order and dtypes."""
        frame = pd.DataFrame(self.complete(records), columns=self.columns)
        for column, dtype in self.dtypes.items():
            if pd.api.types.pandas_dtype(dtype).kind in "iub":
                nulls = frame[column].isna()
                if nulls.any():
                    raise InvalidInput(
                        f"Feature '{column}' is null for record(s) {np.flatnonzero(nulls)[:5].tolist()}, "
                        f"and the model was trained on {dtype} values"
                    )
            frame[column] = frame[column].astype(dtype)
        return frame
