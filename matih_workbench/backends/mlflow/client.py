"""MLflow tracking, reached through an injected ``MlflowClient`` (never the fluent, process-global API).

Reads of run pages go through ``TrackingSqlReader`` when the tracking store is a database we can read;
everything else, and any query that reader does not cover, goes through the client.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from mlflow.entities import Run, ViewType
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import (
    INVALID_PARAMETER_VALUE,
    RESOURCE_DOES_NOT_EXIST,
    ErrorCode,
)
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
from mlflow.tracking import MlflowClient
from mlflow.utils.mlflow_tags import MLFLOW_RUN_NAME, MLFLOW_USER

from matih_workbench.backends.contracts import (
    ArtifactFile,
    ExperimentRecord,
    MetricHistories,
    RunKeys,
    RunRecord,
)
from matih_workbench.backends.mlflow.sql_listing import TrackingSqlReader, UnsupportedQuery, parse_filter
from matih_workbench.config import is_database_uri
from matih_workbench.errors import BackendUnavailable, InvalidInput, NotFound, shown

__all__ = ["ExperimentRecord", "MlflowTracking", "RunRecord"]

_VIEWS = {"active": ViewType.ACTIVE_ONLY, "deleted": ViewType.DELETED_ONLY, "all": ViewType.ALL}


@contextmanager
def translate_mlflow_errors(what: str) -> Iterator[None]:
    """Map MLflow's exceptions onto the workbench error family."""
    try:
        yield
    except MlflowException as exc:
        if exc.error_code == ErrorCode.Name(RESOURCE_DOES_NOT_EXIST):
            raise NotFound(f"{what} not found") from exc
        if exc.error_code == ErrorCode.Name(INVALID_PARAMETER_VALUE):
            raise InvalidInput(exc.message) from exc
        raise BackendUnavailable(f"MLflow error while reading {what}: {exc.message}") from exc
    except (ConnectionError, OSError) as exc:
        raise BackendUnavailable(f"MLflow tracking store unreachable while reading {what}: {exc}") from exc


def _record_from_run(run: Run) -> RunRecord:
    info, data = run.info, run.data
    return RunRecord(
        run_id=info.run_id,
        run_name=info.run_name or data.tags.get(MLFLOW_RUN_NAME, ""),
        experiment_id=str(info.experiment_id),
        status=info.status,
        lifecycle_stage=info.lifecycle_stage,
        start_time=info.start_time,
        end_time=info.end_time,
        user=info.user_id or data.tags.get(MLFLOW_USER),
        artifact_uri=info.artifact_uri,
        params=dict(data.params),
        metrics={k: (None if v != v else float(v)) for k, v in data.metrics.items()},
        tags=dict(data.tags),
    )


def _items(record: RunRecord) -> tuple[tuple[str, object], ...]:
    return (*sorted(record.params.items()), *sorted(record.tags.items()), *sorted(record.metrics.items()))


class MlflowTracking:
    """Everything the services read from MLflow tracking."""

    def __init__(self, client: MlflowClient, reader: TrackingSqlReader | None = None) -> None:
        self.client = client
        self.reader = reader

    @classmethod
    def from_uri(cls, tracking_uri: str, read_uri: str = "", artifact_root: str = "") -> MlflowTracking:
        """A backend for ``tracking_uri``; a new embedded database gets ``artifact_root`` as its default."""
        with translate_mlflow_errors("experiments"):
            if artifact_root and is_database_uri(tracking_uri):
                SqlAlchemyStore(tracking_uri, artifact_root)  # creates experiment 0 under artifact_root
            client = MlflowClient(tracking_uri=tracking_uri)
            client.search_experiments(max_results=1)  # creates and migrates an embedded store
        return cls(client, TrackingSqlReader(read_uri) if read_uri else None)

    @property
    def fast_listing(self) -> bool:
        return self.reader is not None

    # -- experiments ------------------------------------------------------------------------------
    def experiments(self, view: str = "active") -> list[ExperimentRecord]:
        if view not in _VIEWS:
            raise InvalidInput(f"Unknown view '{shown(view)}'", hint="one of: active, deleted, all")
        out: list[ExperimentRecord] = []
        token = None
        with translate_mlflow_errors("experiments"):
            while True:
                page = self.client.search_experiments(
                    view_type=_VIEWS[view], max_results=1000, page_token=token
                )
                out += [self._experiment_record(e) for e in page]
                token = page.token
                if not token:
                    break
        counts = self.reader.run_counts() if self.reader else {}
        for record in out:
            record.run_count = counts.get(record.experiment_id, 0 if self.reader else None)
        return out

    def experiment(self, experiment_id: str) -> ExperimentRecord:
        if self.reader and not self.reader.has_experiment(experiment_id):  # before MLflow: on PostgreSQL an
            raise NotFound(f"Experiment '{experiment_id}' not found")  # id beyond int32 is a DB error there
        try:
            with translate_mlflow_errors(f"Experiment '{experiment_id}'"):
                record = self._experiment_record(self.client.get_experiment(experiment_id))
        except InvalidInput as exc:  # a malformed id names no experiment
            raise NotFound(f"Experiment '{experiment_id}' not found") from exc
        if self.reader:
            record.run_count = self.reader.run_counts().get(record.experiment_id, 0)
        return record

    def require_experiment(self, experiment_id: str) -> None:
        """Raise NotFound unless the experiment exists (cheap on the fast path)."""
        if self.reader is None:
            self.experiment(experiment_id)
        elif not self.reader.has_experiment(experiment_id):
            raise NotFound(f"Experiment '{experiment_id}' not found")

    def experiment_by_name(self, name: str) -> ExperimentRecord:
        with translate_mlflow_errors(f"Experiment '{name}'"):
            found = self.client.get_experiment_by_name(name)
        if found is None:
            raise NotFound(f"Experiment '{shown(name)}' not found", hint="%matih experiments lists them")
        return self._experiment_record(found)

    @staticmethod
    def _experiment_record(e: Any) -> ExperimentRecord:
        return ExperimentRecord(
            experiment_id=str(e.experiment_id),
            name=e.name,
            lifecycle_stage=e.lifecycle_stage,
            artifact_location=e.artifact_location,
            creation_time=e.creation_time,
            last_update_time=e.last_update_time,
            tags=dict(e.tags),
        )

    def experiment_keys(self, experiment_id: str) -> RunKeys:
        self.require_experiment(experiment_id)
        if self.reader:
            return self.reader.experiment_keys(experiment_id)
        records, _ = self.search_runs([experiment_id], None, None, 0, 1000)
        return RunKeys(
            params=sorted({k for r in records for k in r.params}),
            metrics=sorted({k for r in records for k in r.metrics}),
            tags=sorted({k for r in records for k in r.tags}),
        )

    # -- runs -------------------------------------------------------------------------------------
    def search_runs(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None,
        order_by: Sequence[str] | None,
        offset: int,
        limit: int,
    ) -> tuple[list[RunRecord], int | None]:
        """One page of runs in MLflow order, and the total count when it is cheap to know."""
        if self.reader:
            try:
                ids, total = self.reader.search_run_ids(
                    experiment_ids, filter_string, order_by, offset, limit
                )
                return self.reader.load_runs(ids), total
            except UnsupportedQuery:  # the reader checked the filter as MLflow's store does
                pass
        else:
            parse_filter(filter_string)  # refused as MLflow's store refuses it, before any server sees it
        token = base64.b64encode(json.dumps({"offset": offset}).encode()).decode() if offset else None
        with translate_mlflow_errors("runs"):
            page = self.client.search_runs(
                list(experiment_ids),
                filter_string=filter_string or "",
                order_by=list(order_by or []),
                max_results=limit,
                page_token=token,
            )
        counted = None if page.token else offset + len(page)
        return [_record_from_run(r) for r in page], counted

    def runs(self, run_ids: Sequence[str]) -> list[RunRecord]:
        """Runs by id, in order; raises NotFound naming the unknown ids."""
        if self.reader:
            records = self.reader.load_runs(run_ids)
        else:
            records = []
            for run_id in run_ids:
                try:
                    with translate_mlflow_errors(f"Run '{run_id}'"):
                        records.append(_record_from_run(self.client.get_run(run_id)))
                except NotFound:
                    continue
        missing = [r for r in run_ids if r not in {rec.run_id for rec in records}]
        if missing:
            named = ", ".join(shown(r) for r in missing[:5]) + (
                f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            )
            raise NotFound(f"Run not found: {named}", hint="%matih runs lists run ids")
        return records

    def artifacts(self, run_id: str) -> list[ArtifactFile]:
        with translate_mlflow_errors(f"Artifacts of run '{run_id}'"):
            return [ArtifactFile(a.path, a.is_dir, a.file_size) for a in self.client.list_artifacts(run_id)]

    def metric_histories(self, run_ids: Sequence[str], keys: Sequence[str] | None = None) -> MetricHistories:
        if self.reader:
            return self.reader.metric_histories(run_ids, keys)
        out: MetricHistories = {}
        for record in self.runs(run_ids):
            for key in keys or list(record.metrics):
                with translate_mlflow_errors(f"Metric '{key}'"):
                    history = self.client.get_metric_history(record.run_id, key)
                points = [(m.step, None if m.value != m.value else m.value, m.timestamp) for m in history]
                if points:
                    out[(record.run_id, key)] = sorted(points)
        return out

    def fingerprint(self) -> dict[str, tuple[Any, ...]]:
        """Per experiment, a value that changes when its runs change (see RunsWatcher)."""
        if self.reader:
            return self.reader.fingerprint()
        out: dict[str, tuple[Any, ...]] = {}
        for (
            experiment
        ) in self.experiments():  # without the database: the 50 newest runs, as MLflow shows them
            records, _ = self.search_runs([experiment.experiment_id], None, None, 0, 50)
            out[experiment.experiment_id] = tuple(
                (r.run_id, r.run_name, r.status, r.lifecycle_stage, r.end_time, *_items(r)) for r in records
            )
        return out
