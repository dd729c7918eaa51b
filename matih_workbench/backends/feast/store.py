"""``FeastStore``: the workbench's ``FeatureStore`` on a Feast repository (registry reads, offline source
scans, incremental materialization, point-in-time joins, online reads), Feast errors translated."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd
from feast import FeatureService, FeatureStore, FeatureView
from feast.errors import FeastError, FeastObjectNotFoundException
from feast.infra.offline_stores.file_source import FileSource
from feast.protos.feast.serving.ServingService_pb2 import FieldStatus
from feast.utils import _get_column_names
from tqdm import tqdm

from matih_workbench.backends.contracts import (
    EntityRecord,
    FeatureRecord,
    FeatureRepoRecord,
    FeatureServiceRecord,
    FeatureViewRecord,
)
from matih_workbench.backends.feast.repo import RepoSettings, ensure_demo, load_config, load_definitions
from matih_workbench.errors import BackendUnavailable, InvalidInput, NotFound

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_FAR = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


@contextmanager
def translate_feast_errors(what: str) -> Iterator[None]:
    """Feast's exceptions as the workbench's error family."""
    try:
        yield
    except FeastObjectNotFoundException as exc:
        raise NotFound(f"{what}: {exc}") from exc
    except FeastError as exc:
        raise InvalidInput(f"{what}: {exc}") from exc
    except (ConnectionError, TimeoutError) as exc:
        raise BackendUnavailable(f"{what}: the feature store is unreachable ({exc})") from exc


def definition_hash(obj: FeatureView | FeatureService) -> str:
    """A digest of the definition (the proto spec: schema, TTL, source, selection), not of its state."""
    spec = obj.to_proto().spec
    return hashlib.sha256(spec.SerializeToString(deterministic=True)).hexdigest()[:16]


def _ts(moment: dt.datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp()


def _view_record(view: FeatureView) -> FeatureViewRecord:
    source = view.batch_source
    where = source.path if isinstance(source, FileSource) else (source.name if source else "")
    return FeatureViewRecord(
        name=view.name,
        entities=list(view.entities),
        join_keys=[c.name for c in view.entity_columns],
        features=[FeatureRecord(f.name, str(f.dtype), f.description) for f in view.features],
        ttl_seconds=view.ttl.total_seconds() if view.ttl else None,
        online=view.online,
        source=where,
        timestamp_field=source.timestamp_field if source else "",
        definition_hash=definition_hash(view),
        description=view.description,
        tags=dict(view.tags),
        materialized=[(_ts(s), _ts(e)) for s, e in view.materialization_intervals],
    )


def _service_record(service: FeatureService) -> FeatureServiceRecord:
    views = [(p.name_to_use(), [f.name for f in p.features]) for p in service.feature_view_projections]
    return FeatureServiceRecord(service.name, views, definition_hash(service), service.description)


@contextmanager
def _file_lock(path: Any) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class FeastStore:
    """One Feast repository. The bundled demo is written and applied on first use (under a file lock:
    a kernel and the server may both start it)."""

    def __init__(self, settings: RepoSettings) -> None:
        self.settings = settings
        if not settings.repo:
            settings.demo_folder.mkdir(parents=True, exist_ok=True)
            with _file_lock(settings.demo_folder.parent / ".features.lock"):
                ensure_demo(settings)
                self._open()
                if not self.store.list_feature_views():
                    self.apply()
        else:
            self._open()

    def _open(self) -> None:
        self.config = load_config(self.settings)
        with translate_feast_errors("Feature store"):
            self.store = FeatureStore(repo_path=str(self.config.repo_path), config=self.config)

    @property
    def project(self) -> str:
        return str(self.config.project)

    def apply(self) -> list[str]:
        with translate_feast_errors("Applying the feature repository"):
            objects = load_definitions(self.settings.yaml_file().parent.resolve())
            self.store.apply(list[Any](objects))
        return [str(o.name) for o in objects]

    def describe(self) -> FeatureRepoRecord:
        with translate_feast_errors("Feature registry"):
            # by name: the registry reorders a view each time it is materialized
            views = sorted(self.store.list_feature_views(), key=lambda v: v.name)
            entities = sorted(self.store.list_entities(), key=lambda e: e.name)
            services = sorted(self.store.list_feature_services(), key=lambda s: s.name)
        return FeatureRepoRecord(
            project=self.project,
            repo_path=str(self.config.repo_path),
            online_store=str(self.config.online_store.type),
            registry=str(getattr(self.config.registry, "registry_type", "file")),
            views=[_view_record(v) for v in views],
            entities=[EntityRecord(e.name, [e.join_key], e.value_type.name, e.description) for e in entities],
            services=[_service_record(s) for s in services],
        )

    def _view(self, name: str) -> FeatureView:
        with translate_feast_errors(f"Feature view '{name}'"):
            return self.store.get_feature_view(name)

    def source_frame(self, view: str) -> pd.DataFrame:
        """Every row of the view's offline source, columns named as the view names them."""
        fv = self._view(view)
        source = fv.batch_source
        if source is None:
            raise InvalidInput(f"Feature view '{view}' has no offline source")
        entities = [self.store.get_entity(e) for e in fv.entities]
        keys, features, timestamp, created = _get_column_names(fv, entities)
        with translate_feast_errors(f"Reading the source of '{view}'"):
            job = self.store.provider.offline_store.pull_all_from_table_or_query(
                self.config, source, keys, features, timestamp, created, _EPOCH, _FAR
            )
            frame = job.to_df()
        return frame.rename(columns=source.field_mapping or {})

    def materialize(self, view: str, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """Feast's ``materialize_incremental`` for one view, without its console output: from the last
        materialization's end (or ``end - ttl``) to ``end``. One at a time per workspace (a file lock)."""
        with _file_lock(self.settings.demo_folder.parent / ".features.lock"):
            self.store.refresh_registry()  # another process may have materialized since our cache
            fv = self._view(view)
            start = fv.most_recent_end_time
            if start is None:
                ttl = fv.ttl if fv.ttl and fv.ttl.total_seconds() > 0 else dt.timedelta(weeks=52)
                start = end - ttl
            start = start if start.tzinfo else start.replace(tzinfo=dt.UTC)
            if start >= end:
                return start, start
            with translate_feast_errors(f"Materializing '{view}'"):
                self.store.provider.materialize_single_feature_view(
                    config=self.config,
                    feature_view=fv,
                    start_date=start,
                    end_date=end,
                    registry=self.store.registry,
                    project=self.project,
                    tqdm_builder=lambda n: tqdm(total=n, disable=True),
                )
                self.store.registry.apply_materialization(fv, self.project, start, end)
        return start, end

    def historical(self, features: str | Sequence[str], entity_df: pd.DataFrame) -> pd.DataFrame:
        chosen: FeatureService | list[str] = list(features) if not isinstance(features, str) else []
        if isinstance(features, str):
            with translate_feast_errors(f"Feature service '{features}'"):
                chosen = self.store.get_feature_service(features)
        with translate_feast_errors("Historical retrieval"):
            return self.store.get_historical_features(entity_df=entity_df, features=chosen).to_df()

    def online(
        self, refs: Sequence[str], rows: Sequence[dict[str, Any]]
    ) -> tuple[dict[str, list[Any]], dict[str, list[bool]]]:
        """Values of ``view:feature`` refs by feature name, and whether the store had each one."""
        with translate_feast_errors("Online retrieval"):
            response = self.store.get_online_features(features=list(refs), entity_rows=list(rows))
        names = list(response.proto.metadata.feature_names.val)
        values = response.to_dict()
        found = {name: _found(result) for name, result in zip(names, response.proto.results, strict=True)}
        return values, found


def _found(result: Any) -> list[bool]:
    """Whether each entity's row was in the store: not NOT_FOUND, and a value or an event timestamp (Feast's
    Redis store answers PRESENT, with neither, for an entity it never stored)."""
    return [
        status != FieldStatus.NOT_FOUND
        and (value.WhichOneof("val") is not None or ts.seconds > 0 or ts.nanos > 0)
        for status, value, ts in zip(result.statuses, result.values, result.event_timestamps, strict=True)
    ]
