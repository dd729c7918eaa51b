"""TrackingService against a real MLflow SQLite store, checked against MLflow's own search."""

from __future__ import annotations

import math

import pytest
from mlflow.tracking import MlflowClient

from matih_workbench.backends.mlflow.client import MlflowTracking
from matih_workbench.config import WorkbenchConfig
from matih_workbench.errors import InvalidInput, NotFound
from matih_workbench.services import Workbench
from matih_workbench.services.tracking.service import TrackingService, metric_mode
from tests.conftest import seed_varied_runs

QUERIES = [
    (None, []),
    (None, ["metrics.acc DESC"]),
    (None, ["metrics.loss ASC"]),
    (None, ["metrics.loss DESC", "params.model ASC"]),
    (None, ["params.depth DESC"]),
    (None, ["params.lr ASC"]),
    (None, ["tags.team ASC", "metrics.acc ASC"]),
    (None, ["attributes.start_time ASC"]),
    (None, ["attributes.run_name DESC"]),
    ("metrics.acc > 0.5", ["metrics.acc DESC"]),
    ("metrics.loss != 0.2", []),
    ("metrics.loss = 0.2", []),
    ("params.model = 'rf'", []),
    ("params.model LIKE 'r%'", []),
    ("params.model ILIKE 'r%'", []),
    ("params.lr IS NULL", ["params.depth ASC"]),
    ("params.lr IS NOT NULL", []),
    ("tags.team = 'a' and metrics.acc <= 0.7", ["metrics.acc ASC"]),
    ("attributes.status = 'FAILED'", []),
    ("attributes.status != 'FINISHED'", ["metrics.rare DESC"]),
    ("attributes.run_name LIKE 'run-01%'", []),
    ("metrics.rare >= 0", ["metrics.rare DESC"]),
]


def _mlflow_ids(
    client: MlflowClient, experiment_id: str, filter_string: str | None, order_by: list[str]
) -> list[str]:
    runs = client.search_runs(
        [experiment_id], filter_string=filter_string or "", order_by=order_by, max_results=1000
    )
    return [r.info.run_id for r in runs]


def _all_pages(
    service: TrackingService, experiment_id: str, filter_string: str | None, order_by: list[str]
) -> list[str]:
    ids: list[str] = []
    token = None
    while True:
        page = service.list_runs(experiment_id, filter_string, order_by, page_size=7, page_token=token)
        ids += [r.run_id for r in page.runs]
        token = page.next_page_token
        if token is None:
            assert page.total == len(ids)
            return ids


@pytest.fixture(scope="module")
def varied(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workbench, MlflowClient, str]:
    """One seeded store shared by the read-only equality tests of this module."""
    config = WorkbenchConfig(home=str(tmp_path_factory.mktemp("varied")))
    config.tracking_uri = f"sqlite:///{config.home}/mlflow.db"
    config.tracking_read_uri = config.tracking_uri
    workbench = Workbench.from_config(config)
    client = MlflowClient(tracking_uri=config.tracking_uri)
    return workbench, client, seed_varied_runs(client, "varied")


@pytest.mark.parametrize(("filter_string", "order_by"), QUERIES)
def test_run_listing_equals_mlflow_search(
    varied: tuple[Workbench, MlflowClient, str], filter_string: str | None, order_by: list[str]
) -> None:
    workbench, client, experiment_id = varied
    expected = _mlflow_ids(client, experiment_id, filter_string, order_by)
    assert expected, "query should match some runs"
    assert _all_pages(workbench.tracking, experiment_id, filter_string, order_by) == expected


@pytest.mark.parametrize(("filter_string", "order_by"), QUERIES[:6] + QUERIES[10:14])
def test_client_fallback_equals_fast_path(
    varied: tuple[Workbench, MlflowClient, str], filter_string: str | None, order_by: list[str]
) -> None:
    _, client, experiment_id = varied
    slow = TrackingService(MlflowTracking(client, reader=None))
    assert _all_pages(slow, experiment_id, filter_string, order_by) == _mlflow_ids(
        client, experiment_id, filter_string, order_by
    )


def test_run_content_matches_mlflow(workbench: Workbench, client: MlflowClient) -> None:
    experiment_id = seed_varied_runs(client, "varied", runs=15)
    page = workbench.tracking.list_runs(experiment_id, page_size=100)
    for summary in page.runs:
        run = client.get_run(summary.run_id)
        assert summary.params == run.data.params
        assert summary.tags == run.data.tags
        assert summary.run_name == run.info.run_name
        assert summary.status == run.info.status
        for key, value in run.data.metrics.items():
            assert summary.metrics[key] == (None if math.isnan(value) else value)


def test_bad_queries_are_invalid_input(workbench: Workbench, client: MlflowClient) -> None:
    experiment_id = seed_varied_runs(client, "varied", runs=3)
    for bad in ["metrics.acc >> 1", "params.model = ", "nonsense", "metrics.acc LIKE 'x'"]:
        with pytest.raises(InvalidInput):
            workbench.tracking.list_runs(experiment_id, filter_string=bad)
    with pytest.raises(InvalidInput):
        workbench.tracking.list_runs(experiment_id, order_by=["metrics.acc SIDEWAYS"])
    with pytest.raises(InvalidInput):
        workbench.tracking.list_runs(experiment_id, page_token="not-a-token")
    first = workbench.tracking.list_runs(experiment_id, page_size=1)
    assert first.next_page_token
    with pytest.raises(InvalidInput, match="another query"):
        workbench.tracking.list_runs(
            experiment_id, order_by=["metrics.acc ASC"], page_token=first.next_page_token
        )
    with pytest.raises(InvalidInput):
        workbench.tracking.list_runs(experiment_id, page_size=0)
    with pytest.raises(NotFound):
        workbench.tracking.list_runs("999999")
    with pytest.raises(NotFound):
        workbench.tracking.get_run("0123456789abcdef0123456789abcdef")


def test_compare_flags_differences_best_and_aligns_histories(
    workbench: Workbench, client: MlflowClient
) -> None:
    experiment_id = client.create_experiment("cmp")
    a = client.create_run(experiment_id, run_name="a").info.run_id
    b = client.create_run(experiment_id, run_name="b").info.run_id
    for run_id, lr, losses in ((a, "0.1", [1.0, 0.5, 0.25]), (b, "0.01", [0.9, 0.6])):
        client.log_param(run_id, "lr", lr)
        client.log_param(run_id, "depth", "4")
        for step, value in enumerate(losses):
            client.log_metric(run_id, "loss", value, step=step * 10)
        client.log_metric(run_id, "accuracy", 1 - losses[-1])
    client.log_param(a, "only_a", "x")

    comparison = workbench.tracking.compare([a, b])
    params = {p.key: p for p in comparison.params}
    assert params["lr"].differs and not params["depth"].differs
    assert params["only_a"].differs and params["only_a"].values[b] is None
    metrics = {m.key: m for m in comparison.metrics}
    assert metrics["loss"].mode == "min" and metrics["loss"].best_run_id == a
    assert metrics["accuracy"].mode == "max" and metrics["accuracy"].best_run_id == a
    loss = next(h for h in comparison.histories if h.key == "loss")
    assert loss.steps == [0, 10, 20]
    assert loss.series[a] == [1.0, 0.5, 0.25]
    assert loss.series[b] == [0.9, 0.6, None]

    flipped = workbench.tracking.compare([a, b], {"accuracy": "min"})
    assert next(m for m in flipped.metrics if m.key == "accuracy").best_run_id == b
    with pytest.raises(InvalidInput):
        workbench.tracking.compare([a])
    with pytest.raises(NotFound, match="nope"):
        workbench.tracking.compare([a, "nope"])


def test_best_run_skips_nan_and_missing(workbench: Workbench, client: MlflowClient) -> None:
    experiment_id = client.create_experiment("best")
    for name, value in (("nan", math.nan), ("low", 0.2), ("high", 0.9), ("none", None)):
        run_id = client.create_run(experiment_id, run_name=name).info.run_id
        if value is not None:
            client.log_metric(run_id, "auc", value)
    assert workbench.tracking.best_run(experiment_id, "auc", "max").run.run_name == "high"
    assert workbench.tracking.best_run(experiment_id, "auc", "min").run.run_name == "low"
    with pytest.raises(NotFound):
        workbench.tracking.best_run(experiment_id, "missing", "max")


def test_history_keys_and_experiments(workbench: Workbench, client: MlflowClient) -> None:
    experiment_id = seed_varied_runs(client, "varied", runs=12)
    keys = workbench.tracking.experiment_keys(experiment_id)
    assert keys.metric_keys == ["acc", "loss", "rare"]
    assert keys.param_keys == ["depth", "lr", "model"]
    run_id = workbench.tracking.list_runs(experiment_id, page_size=1).runs[0].run_id
    history = workbench.tracking.metric_history(run_id, "acc")
    assert [p.step for p in history.points] == [0, 1, 2]
    with pytest.raises(NotFound):
        workbench.tracking.metric_history(run_id, "nope")
    experiments = {e.name: e for e in workbench.tracking.list_experiments()}
    active = len(client.search_runs([experiment_id], max_results=1000))
    assert experiments["varied"].run_count == active
    assert workbench.tracking.resolve_experiment("varied").experiment_id == experiment_id


def test_metric_mode_guess() -> None:
    assert metric_mode("val_loss") == "min"
    assert metric_mode("rmse") == "min"
    assert metric_mode("accuracy") == "max"
    assert metric_mode("accuracy", {"accuracy": "min"}) == "min"
