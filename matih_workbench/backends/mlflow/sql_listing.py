"""Fast read path over an MLflow tracking database (SQLite, PostgreSQL, MySQL).

MLflow stays the single source of truth: this reads the very tables MLflow writes, with queries that let
the database use its primary-key indexes (MLflow's own search joins unindexed subqueries, which costs
seconds on a metric sort over 10,000 runs). Filters are parsed and checked by MLflow's own ``SearchUtils``
(comparators by key type, as ``SqlAlchemyStore`` checks them) so the grammar and its refusals are MLflow's;
the semantics (NaN and missing values, tie-breaks, LIKE case) follow
``SqlAlchemyStore._search_runs``. Filters this path does not cover raise ``UnsupportedQuery``; the caller
then falls back to the MLflow client.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from mlflow.entities import LifecycleStage, ViewType
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE
from mlflow.store.tracking.dbmodels.models import (
    SqlExperiment,
    SqlInput,
    SqlLatestMetric,
    SqlMetric,
    SqlParam,
    SqlRun,
    SqlTag,
)
from mlflow.utils.mlflow_tags import MLFLOW_RUN_NAME, MLFLOW_USER
from mlflow.utils.search_utils import SearchUtils

from matih_workbench.backends.contracts import RunKeys, RunRecord
from matih_workbench.errors import BackendUnavailable, InvalidInput, shown
from matih_workbench.models.common import MAX_INT64

RUNS = SqlRun.__table__
PARAMS = SqlParam.__table__
TAGS = SqlTag.__table__
LATEST = SqlLatestMetric.__table__
METRICS = SqlMetric.__table__
EXPERIMENTS = SqlExperiment.__table__
INPUTS = SqlInput.__table__
_IN_CHUNK = 500
_MAX_INT32 = 2**31 - 1


class UnsupportedQuery(Exception):
    """The query needs MLflow's own search (e.g. dataset filters)."""


def parse_filter(filter_string: str | None) -> list[dict[str, Any]]:
    """A runs filter parsed by MLflow, refused (InvalidInput, MLflow's message) where MLflow's own store
    refuses it: a comparator the key's type does not take (``params.n > '50'``), an integer beyond 64 bits."""
    try:
        parsed = SearchUtils.parse_search_filter(filter_string)
        for clause in parsed:
            _check_clause(clause)
    except MlflowException as exc:
        raise InvalidInput(f"Invalid filter: {shown(exc.message, 500)}", hint=_FILTER_HINT) from exc
    return parsed


def _check_clause(clause: dict[str, Any]) -> None:
    """``SqlAlchemyStore``'s checks of one comparison, in its order, with its messages."""
    key_type, comparator = clause["type"], clause["comparator"].upper()
    key = SearchUtils.translate_key_alias(clause["key"])
    known = (
        SearchUtils.is_string_attribute(key_type, key, comparator)
        or SearchUtils.is_numeric_attribute(key_type, key, comparator)
        or SearchUtils.is_metric(key_type, comparator)
        or SearchUtils.is_param(key_type, comparator)
        or SearchUtils.is_tag(key_type, comparator)
        or SearchUtils.is_dataset(key_type, comparator)
    )
    if not known:
        raise MlflowException(
            f"Invalid search expression type '{key_type}'", error_code=INVALID_PARAMETER_VALUE
        )
    value = clause.get("value")
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, int) and not -MAX_INT64 <= item <= MAX_INT64:
            raise MlflowException(
                f"Value {shown(item, 30)} of {key} is out of range: integers are 64-bit "
                f"(at most {MAX_INT64})",
                error_code=INVALID_PARAMETER_VALUE,
            )


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), _IN_CHUNK):
        yield items[i : i + _IN_CHUNK]


def _compare(comparator: str, column: Any, value: Any) -> Any:
    comparator = comparator.upper()
    ops = {
        "=": lambda: column == value,
        "!=": lambda: column != value,
        ">": lambda: column > value,
        ">=": lambda: column >= value,
        "<": lambda: column < value,
        "<=": lambda: column <= value,
        "LIKE": lambda: column.like(value),
        "ILIKE": lambda: column.ilike(value),
        "IN": lambda: column.in_(value),
        "NOT IN": lambda: ~column.in_(value),
    }
    if comparator not in ops:
        raise InvalidInput(f"Invalid filter: unknown comparator '{comparator}'", hint=_FILTER_HINT)
    return ops[comparator]()


class TrackingSqlReader:
    """Read-only queries over MLflow's tracking tables."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.engine = sa.create_engine(uri, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)

    def close(self) -> None:
        self.engine.dispose()

    # -- search -----------------------------------------------------------------------------------
    def search_run_ids(
        self,
        experiment_ids: Sequence[str],
        filter_string: str | None,
        order_by: Sequence[str] | None,
        offset: int,
        limit: int,
        view_type: int = ViewType.ACTIVE_ONLY,
    ) -> tuple[list[str], int]:
        """Run ids of one page in MLflow's order, and the number of matching runs."""
        run = RUNS.alias("r")
        held = [int(e) for e in experiment_ids if self._holds(run.c.experiment_id, int(e))]
        where = [
            run.c.experiment_id.in_(held),
            run.c.lifecycle_stage.in_(LifecycleStage.view_type_to_stages(view_type)),
            *self._filter_clauses(run, filter_string),
        ]
        order_clauses, joins = _order_clauses(run, order_by or [])
        source: Any = run
        for join_table, on in joins:
            source = source.outerjoin(join_table, on)
        filtered = len(where) > 2
        # With a filter, counting in the same pass (a window) beats filtering twice; without one, a
        # separate COUNT lets the page query keep its cheap top-N sort.
        columns = [run.c.run_uuid, sa.func.count().over()] if filtered else [run.c.run_uuid]
        page = (
            sa.select(*columns)
            .select_from(source)
            .where(*where)
            .order_by(*order_clauses)
            .offset(offset)
            .limit(limit)
        )
        with self._connect() as conn:
            rows = conn.execute(page).all()
            ids = [row[0] for row in rows]
            if filtered and rows:
                return ids, int(rows[0][1])
            total = int(conn.execute(sa.select(sa.func.count()).select_from(run).where(*where)).scalar_one())
        return ids, total

    def has_experiment(self, experiment_id: str) -> bool:
        digits = experiment_id.isascii() and experiment_id.isdigit() and len(experiment_id) <= 19
        column = EXPERIMENTS.c.experiment_id
        if not digits or not self._holds(column, int(experiment_id)):
            return False
        query = sa.select(column).where(column == int(experiment_id))
        with self._connect() as conn:
            return conn.execute(query).first() is not None

    def _holds(self, column: Any, value: int) -> bool:
        """Whether an integer column of this database can hold ``value``: MLflow's ``Integer`` ids are
        64-bit on SQLite but 32-bit on PostgreSQL and MySQL, which refuse a larger value in a query (an
        error, not "no such row")."""
        wide = isinstance(column.type, sa.BigInteger) or self.engine.dialect.name == "sqlite"
        return abs(value) <= (MAX_INT64 if wide else _MAX_INT32)

    def _filter_clauses(self, run: Any, filter_string: str | None) -> list[Any]:
        return [_filter_clause(run, f) for f in parse_filter(filter_string)]

    # -- loading ----------------------------------------------------------------------------------
    def load_runs(self, run_ids: Sequence[str]) -> list[RunRecord]:
        """Runs with params, latest metrics and tags, in the order of ``run_ids``; unknown ids skipped."""
        records: dict[str, RunRecord] = {}
        with self._connect() as conn:
            for chunk in _chunks(run_ids):
                for row in conn.execute(sa.select(RUNS).where(RUNS.c.run_uuid.in_(chunk))):
                    records[row.run_uuid] = RunRecord(
                        run_id=row.run_uuid,
                        run_name=row.name or "",
                        experiment_id=str(row.experiment_id),
                        status=row.status,
                        lifecycle_stage=row.lifecycle_stage,
                        start_time=row.start_time,
                        end_time=row.end_time,
                        user=row.user_id,
                        artifact_uri=row.artifact_uri,
                    )
                for row in conn.execute(sa.select(PARAMS).where(PARAMS.c.run_uuid.in_(chunk))):
                    records[row.run_uuid].params[row.key] = row.value
                for row in conn.execute(sa.select(LATEST).where(LATEST.c.run_uuid.in_(chunk))):
                    records[row.run_uuid].metrics[row.key] = _metric_value(row.value, row.is_nan)
                for row in conn.execute(sa.select(TAGS).where(TAGS.c.run_uuid.in_(chunk))):
                    records[row.run_uuid].tags[row.key] = row.value
        for record in records.values():
            record.run_name = record.run_name or record.tags.get(MLFLOW_RUN_NAME, "")
            record.user = record.user or record.tags.get(MLFLOW_USER)
        return [records[i] for i in run_ids if i in records]

    def metric_histories(
        self, run_ids: Sequence[str], keys: Sequence[str] | None = None
    ) -> dict[tuple[str, str], list[tuple[int, float | None, int]]]:
        """``{(run_id, key): [(step, value, timestamp), ...]}`` sorted by step then timestamp."""
        out: dict[tuple[str, str], list[tuple[int, float | None, int]]] = {}
        with self._connect() as conn:
            for chunk in _chunks(run_ids):
                query = sa.select(
                    METRICS.c.run_uuid,
                    METRICS.c.key,
                    METRICS.c.step,
                    METRICS.c.value,
                    METRICS.c.is_nan,
                    METRICS.c.timestamp,
                ).where(METRICS.c.run_uuid.in_(chunk))
                if keys:
                    query = query.where(METRICS.c.key.in_(list(keys)))
                query = query.order_by(METRICS.c.run_uuid, METRICS.c.key, METRICS.c.step, METRICS.c.timestamp)
                for r in conn.execute(query):
                    out.setdefault((r.run_uuid, r.key), []).append(
                        (int(r.step), _metric_value(r.value, r.is_nan), int(r.timestamp))
                    )
        return out

    def experiment_keys(self, experiment_id: str) -> RunKeys:
        """Distinct param, metric and tag keys over the active runs of an experiment."""
        active = sa.select(RUNS.c.run_uuid).where(
            RUNS.c.experiment_id == int(experiment_id), RUNS.c.lifecycle_stage == LifecycleStage.ACTIVE
        )
        result = []
        with self._connect() as conn:
            for table in (PARAMS, LATEST, TAGS):
                query = (
                    sa.select(table.c.key)
                    .distinct()
                    .where(table.c.run_uuid.in_(active))
                    .order_by(table.c.key)
                )
                result.append([row[0] for row in conn.execute(query)])
        return RunKeys(params=result[0], metrics=result[1], tags=result[2])

    def run_counts(self) -> dict[str, int]:
        """Active runs per experiment id."""
        query = (
            sa.select(RUNS.c.experiment_id, sa.func.count())
            .where(RUNS.c.lifecycle_stage == LifecycleStage.ACTIVE)
            .group_by(RUNS.c.experiment_id)
        )
        with self._connect() as conn:
            return {str(e): int(n) for e, n in conn.execute(query)}

    def fingerprint(self) -> dict[str, tuple[Any, ...]]:
        """Per experiment, a summary that changes with every change a user can make to its runs through
        MLflow. Rows MLflow updates in place (runs: name, status, times; tags) are summed as checksums, so a
        rename to a name of the same length counts; params, metric history and dataset inputs are only ever
        added (or purged with their run), so their row counts tell (a metric logged with an earlier timestamp
        adds a row; latest metrics change only with such a row)."""
        run = RUNS.alias("r")
        runs = sa.select(
            run.c.experiment_id,
            sa.func.count(),
            sa.func.sum(
                self._checksum(
                    run.c.run_uuid,
                    run.c.name,
                    run.c.status,
                    run.c.lifecycle_stage,
                    run.c.start_time,
                    run.c.end_time,
                )
            ),
            *(sa.func.sum(_rows_of_run(table, run, *where)) for table, *where in _APPENDED),
        ).group_by(run.c.experiment_id)
        tags = (
            sa.select(
                run.c.experiment_id,
                sa.func.count(),
                sa.func.sum(self._checksum(TAGS.c.run_uuid, TAGS.c.key, TAGS.c.value)),
            )
            .select_from(TAGS.join(run, TAGS.c.run_uuid == run.c.run_uuid))
            .group_by(run.c.experiment_id)
        )
        out: dict[str, tuple[Any, ...]] = {}
        with self._connect() as conn:
            for i, query in enumerate((runs, tags)):
                for row in conn.execute(query):
                    out[str(row[0])] = (*out.get(str(row[0]), ()), (i, *row[1:]))
        return out

    def _checksum(self, *columns: Any) -> Any:
        """A hash of one row computed by the database, summed per experiment by ``fingerprint``."""
        dialect = self.engine.dialect.name
        if dialect == "sqlite":
            return sa.func.matih_crc32(*columns)  # registered on connect (``_sqlite_pragmas``)
        if dialect == "mssql":
            return sa.func.checksum(*columns)
        text = sa.func.concat_ws("\x1f", *(sa.func.coalesce(sa.cast(c, sa.String), "") for c in columns))
        if dialect == "postgresql":
            return sa.cast(sa.func.hashtext(text), sa.BigInteger)
        return sa.func.crc32(text)  # MySQL

    def _connect(self) -> Any:
        try:
            return self.engine.connect()
        except sa.exc.OperationalError as exc:
            raise BackendUnavailable(f"Tracking database unreachable: {exc.orig}") from exc


_FILTER_HINT = "MLflow filter syntax, e.g. metrics.accuracy > 0.9 and params.model = 'rf'"
_ORDER_HINT = "e.g. metrics.loss ASC or params.lr DESC (attributes, metrics, params or tags)"


def _crc32(*values: Any) -> int:
    return zlib.crc32("\x1f".join("\x00" if v is None else str(v) for v in values).encode())


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.create_function("matih_crc32", -1, _crc32, deterministic=True)
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA busy_timeout = 20000")
    cursor.execute("PRAGMA case_sensitive_like = true")
    cursor.close()


#: tables MLflow only adds rows to (or purges with their run): the column naming the run, as its index has it
_APPENDED: tuple[tuple[Any, ...], ...] = (
    (PARAMS, PARAMS.c.run_uuid),
    (METRICS, METRICS.c.run_uuid),
    (INPUTS, INPUTS.c.destination_type == "RUN", INPUTS.c.destination_id),
)


def _rows_of_run(table: Any, run: Any, *where: Any) -> Any:
    """How many rows of ``table`` name the run: a correlated count that walks the table's run index."""
    *conditions, column = where
    query = sa.select(sa.func.count()).select_from(table).where(*conditions, column == run.c.run_uuid)
    return query.scalar_subquery()


def _metric_value(value: float | None, is_nan: bool | None) -> float | None:
    if is_nan or value is None or math.isnan(value):
        return None
    return float(value)


def _filter_clause(run: Any, parsed: dict[str, Any]) -> Any:
    key_type, comparator, value = parsed["type"], parsed["comparator"].upper(), parsed["value"]
    key = SearchUtils.translate_key_alias(parsed["key"])
    if key_type == "attribute":
        if key == "run_name":
            return _exists(TAGS, run, MLFLOW_RUN_NAME, _compare(comparator, TAGS.c.value, value))
        return _compare(comparator, getattr(run.c, SqlRun.get_attribute_name(key)), value)
    tables = {"metric": LATEST, "parameter": PARAMS, "tag": TAGS}
    if key_type not in tables:
        raise UnsupportedQuery(key_type)
    table = tables[key_type]
    if comparator in ("IS NULL", "IS NOT NULL"):
        exists = _exists(table, run, key, sa.true())
        return ~exists if comparator == "IS NULL" else exists
    if table is LATEST:
        value_clause = _compare(comparator, table.c.value, float(value))
        nan_clause = table.c.is_nan == sa.true()
        value_clause = (
            sa.or_(value_clause, nan_clause) if comparator == "!=" else sa.and_(value_clause, ~nan_clause)
        )
    else:
        value_clause = _compare(comparator, table.c.value, value)
    return _exists(table, run, key, value_clause)


def _exists(table: Any, run: Any, key: str, clause: Any) -> Any:
    return sa.exists().where(table.c.run_uuid == run.c.run_uuid, table.c.key == key, clause)


def _order_clauses(run: Any, order_by: Sequence[str]) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """ORDER BY clauses and outer joins reproducing MLflow's run ordering (missing values last)."""
    clauses: list[Any] = []
    joins: list[tuple[Any, Any]] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(order_by):
        try:
            key_type, key, ascending = SearchUtils.parse_order_by_for_search_runs(item)
        except MlflowException as exc:
            raise InvalidInput(
                f"Invalid order_by '{shown(item)}': {shown(exc.message, 500)}", hint=_ORDER_HINT
            ) from exc
        key = SearchUtils.translate_key_alias(key)
        tables = {"metric": LATEST, "parameter": PARAMS, "tag": TAGS}
        if key_type != "attribute" and key_type not in tables:  # MLflow sorts on no dataset field either
            raise InvalidInput(
                f"Invalid order_by '{shown(item)}': Invalid identifier type '{key_type}'", hint=_ORDER_HINT
            )
        if (key_type, key) in seen:
            raise InvalidInput(f"order_by contains duplicate fields: {list(order_by)}")
        seen.add((key_type, key))
        if key_type == "attribute":
            value = getattr(run.c, SqlRun.get_attribute_name(key))
            clauses += [sa.case((value.is_(None), 1), else_=0), value if ascending else value.desc()]
            continue
        joined = tables[key_type].alias(f"o{i}")
        joins.append((joined, sa.and_(joined.c.run_uuid == run.c.run_uuid, joined.c.key == key)))
        value = joined.c.value
        if key_type == "metric":
            clauses.append(sa.case((joined.c.is_nan == sa.true(), 1), (value.is_(None), 2), else_=0))
        else:
            clauses.append(sa.case((value.is_(None), 1), else_=0))
        clauses.append(value if ascending else value.desc())
    if ("attribute", "start_time") not in seen:
        clauses.append(run.c.start_time.desc())
    clauses.append(run.c.run_uuid)
    return clauses, joins
