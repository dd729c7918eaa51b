"""The fast runs listing on an MLflow tracking store in a real PostgreSQL (MLflow creates its schema): the
same runs, in the same order, as ``MlflowClient.search_runs`` on that store for every query the SQLite
tests check; the same run contents, keys, counts and histories; a fingerprint that sees every change."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from mlflow.entities import Metric
from mlflow.tracking import MlflowClient

from matih_workbench.backends.mlflow.sql_listing import TrackingSqlReader
from matih_workbench.config import WorkbenchConfig
from matih_workbench.services import Workbench
from tests.conftest import seed_varied_runs
from tests.deploy.postgres import PostgresServer
from tests.services.test_tracking_service import QUERIES, _all_pages, _mlflow_ids

HUGE_ID = "9223372036854775807"  # the largest 64-bit id; MLflow's experiment ids are int4 on PostgreSQL


class Store:
    """A workbench and a plain MLflow client on one PostgreSQL tracking database."""

    def __init__(self, home: Path, url: str) -> None:
        self.url = url
        config = WorkbenchConfig(home=str(home), tracking_uri=url, tracking_read_uri=url)
        self.workbench = Workbench.from_config(config)
        self.client = MlflowClient(tracking_uri=url)
        self.reader = self.workbench.tracking.tracking.reader
        assert isinstance(self.reader, TrackingSqlReader)
        assert self.reader.engine.dialect.name == "postgresql"

    def close(self) -> None:
        assert self.reader is not None
        self.reader.close()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer) -> Iterator[Store]:
    s = Store(tmp_path_factory.mktemp("pg-home"), postgres.create_database("listing"))
    yield s
    s.close()


@pytest.fixture(scope="module")
def varied(store: Store) -> str:
    """One seeded experiment shared by the read-only equality tests of this module."""
    return seed_varied_runs(store.client, "varied")


@pytest.mark.parametrize(("filter_string", "order_by"), QUERIES)
def test_run_listing_equals_mlflow_search_on_postgres(
    store: Store, varied: str, filter_string: str | None, order_by: list[str]
) -> None:
    expected = _mlflow_ids(store.client, varied, filter_string, order_by)
    assert expected, "query should match some runs"
    assert _all_pages(store.workbench.tracking, varied, filter_string, order_by) == expected


@pytest.mark.parametrize(
    ("filter_string", "order_by"),
    [
        ("params.model LIKE 'R%'", ["params.model DESC"]),  # LIKE keeps case, as MLflow's does
        ("params.model ILIKE '%F'", ["tags.team DESC", "params.depth ASC"]),
        ("params.model != 'rf'", ["metrics.acc DESC"]),
        ("attributes.run_name ILIKE 'RUN-00%'", ["attributes.run_name ASC"]),
        ("tags.team != 'a'", ["attributes.end_time DESC"]),
        ("metrics.loss < 0.3 and params.depth = '5'", ["metrics.loss ASC", "params.lr DESC"]),
        ("attributes.start_time < 9223372036854775807", ["attributes.status ASC"]),
    ],
)
def test_more_filters_and_orders_equal_mlflow_on_postgres(
    store: Store, varied: str, filter_string: str, order_by: list[str]
) -> None:
    expected = _mlflow_ids(store.client, varied, filter_string, order_by)
    assert expected, "query should match some runs"
    assert _all_pages(store.workbench.tracking, varied, filter_string, order_by) == expected


def test_run_content_keys_counts_and_histories_match_mlflow(store: Store, varied: str) -> None:
    page = store.workbench.tracking.list_runs(varied, page_size=100)
    runs = {r.info.run_id: r for r in store.client.search_runs([varied], max_results=1000)}
    assert page.total == len(runs) and {s.run_id for s in page.runs} == set(runs)
    for summary in page.runs:
        run = runs[summary.run_id]
        assert summary.params == run.data.params and summary.tags == run.data.tags
        assert (summary.run_name, summary.status) == (run.info.run_name, run.info.status)
        assert summary.metrics == {k: None if math.isnan(v) else v for k, v in run.data.metrics.items()}, (
            summary.run_id
        )
    assert store.reader is not None
    keys = store.reader.experiment_keys(varied)
    assert keys.metrics == sorted({k for r in runs.values() for k in r.data.metrics})
    assert keys.params == sorted({k for r in runs.values() for k in r.data.params})
    assert keys.tags == sorted({k for r in runs.values() for k in r.data.tags})
    assert store.reader.run_counts()[varied] == len(runs)
    some = list(runs)[:5]
    histories = store.reader.metric_histories(some, ["acc", "loss"])
    for run_id in some:
        for key in ("acc", "loss"):
            expected = [
                (m.step, None if math.isnan(m.value) else m.value, m.timestamp)
                for m in sorted(
                    store.client.get_metric_history(run_id, key), key=lambda m: (m.step, m.timestamp)
                )
            ]
            assert histories.get((run_id, key), []) == expected


def test_ids_beyond_postgres_integer_columns_are_not_found(store: Store, varied: str) -> None:
    assert store.reader is not None
    assert store.reader.has_experiment(varied)
    assert not store.reader.has_experiment(HUGE_ID)
    assert not store.reader.has_experiment("2147483648")  # one past int4
    assert store.reader.search_run_ids([HUGE_ID], None, [], 0, 10) == ([], 0)


def test_fingerprint_sees_every_change_a_client_makes(
    tmp_path: Path, postgres_database: Callable[[str], str]
) -> None:
    store = Store(tmp_path, postgres_database("fingerprint"))
    try:
        experiment_id = seed_varied_runs(store.client, "changes", runs=6)
        run = store.client.search_runs([experiment_id], order_by=["attributes.start_time ASC"])[0]
        run_id, name = run.info.run_id, run.info.run_name
        store.client.set_tag(run_id, "note", "aaaa")
        assert store.reader is not None
        before = store.reader.fingerprint()
        assert before == store.reader.fingerprint(), "nothing changed, the fingerprint must not"
        changes = [
            lambda: store.client.update_run(run_id, name=name[::-1]),  # a rename, same length
            lambda: store.client.log_param(run_id, "added_later", "1"),
            lambda: store.client.set_tag(run_id, "note", "bbbb"),  # a tag value of the same length
            lambda: store.client.log_batch(run_id, metrics=[Metric("acc", 0.1, 1, 0)]),  # earlier timestamp
            lambda: store.client.update_run(run_id, status="KILLED"),
            lambda: store.client.delete_run(run_id),
        ]
        for change in changes:
            change()
            after = store.reader.fingerprint()
            assert after[experiment_id] != before[experiment_id]
            before = after
    finally:
        store.close()
