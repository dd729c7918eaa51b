"""Experiment tracking and run comparison: the business rules over MLflow tracking."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from matih_workbench.backends.contracts import ExperimentRecord, RunRecord, TrackingBackend
from matih_workbench.errors import InvalidInput, NotFound, shown
from matih_workbench.models import (
    AlignedMetric,
    ArtifactEntry,
    BestRun,
    Experiment,
    ExperimentKeys,
    MetricHistory,
    MetricMode,
    MetricPoint,
    MetricSummary,
    ParamRow,
    RunComparison,
    RunDetail,
    RunPage,
    RunSummary,
)
from matih_workbench.models.common import MAX_INT64

MAX_PAGE_SIZE = 1000
MAX_COMPARED_RUNS = 50
#: Sort keys of one runs query: each metric, param or tag key joins a table, and databases cap joins
MAX_ORDER_KEYS = 20
_LOWER_IS_BETTER = re.compile(r"loss|err|rmse|mse|mae|mape|latency|perplexity|duration|time", re.IGNORECASE)


def mlflow_run_url(ui_url: str, experiment_id: str, run_id: str) -> str:
    """A run's page in MLflow's own UI at ``ui_url``."""
    return f"{ui_url.rstrip('/')}/#/experiments/{experiment_id}/runs/{run_id}"


def mlflow_compare_url(ui_url: str, experiment_id: str, run_ids: Sequence[str]) -> str:
    """MLflow's own comparison page of ``run_ids`` (of one experiment) at ``ui_url``."""
    query = urlencode({"runs": json.dumps(list(run_ids)), "experiments": json.dumps([experiment_id])})
    return f"{ui_url.rstrip('/')}/#/compare-runs?{query}"


def metric_mode(key: str, overrides: Mapping[str, MetricMode] | None = None) -> MetricMode:
    """Whether higher or lower is better for a metric: explicit override, else guessed from its name."""
    if overrides and key in overrides:
        return overrides[key]
    return "min" if _LOWER_IS_BETTER.search(key) else "max"


def is_experiment_id(text: str) -> bool:
    """True for what names an experiment in a tracking store: ASCII digits, a signed 64-bit integer."""
    return text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= MAX_INT64


def require_experiment_id(experiment_id: str) -> None:
    """NotFound for an id no experiment can have (letters, '²', 23 digits), before any store reads it."""
    if not is_experiment_id(experiment_id):
        raise NotFound(
            f"Experiment '{shown(experiment_id)}' not found",
            hint=f"experiment ids are whole numbers from 0 to {MAX_INT64}; %matih experiments lists them",
        )


def parse_modes(items: Sequence[str]) -> dict[str, MetricMode]:
    """``["loss:min", "auc:max"]`` -> ``{"loss": "min", "auc": "max"}``."""
    modes: dict[str, MetricMode] = {}
    for item in items:
        key, _, mode = item.rpartition(":")
        if not key or mode not in ("min", "max"):
            raise InvalidInput(
                f"Invalid metric mode '{shown(item)}'", hint="use KEY:min or KEY:max, e.g. loss:min"
            )
        modes[key] = "min" if mode == "min" else "max"
    return modes


class TrackingService:
    """Experiments, runs, histories and comparisons, read through an injected MLflow backend."""

    def __init__(self, tracking: TrackingBackend, mlflow_ui_url: str = "") -> None:
        self.tracking = tracking
        self.mlflow_ui_url = mlflow_ui_url.rstrip("/")

    # -- experiments ------------------------------------------------------------------------------
    def list_experiments(self, view: str = "active") -> list[Experiment]:
        return [_experiment(e) for e in self.tracking.experiments(view)]

    def get_experiment(self, experiment_id: str) -> Experiment:
        require_experiment_id(experiment_id)
        return _experiment(self.tracking.experiment(experiment_id))

    def resolve_experiment(self, id_or_name: str) -> Experiment:
        """An experiment by id, else by name (for magics, where users type names)."""
        if is_experiment_id(id_or_name):
            try:
                return self.get_experiment(id_or_name)
            except NotFound:
                pass
        return _experiment(self.tracking.experiment_by_name(id_or_name))

    def experiment_keys(self, experiment_id: str) -> ExperimentKeys:
        require_experiment_id(experiment_id)
        keys = self.tracking.experiment_keys(experiment_id)
        return ExperimentKeys(
            experiment_id=experiment_id, param_keys=keys.params, metric_keys=keys.metrics, tag_keys=keys.tags
        )

    # -- runs -------------------------------------------------------------------------------------
    def list_runs(
        self,
        experiment_id: str,
        filter_string: str | None = None,
        order_by: Sequence[str] = (),
        page_size: int = 100,
        page_token: str | None = None,
    ) -> RunPage:
        """One page of an experiment's runs, filtered and ordered exactly as MLflow would."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
        if len(order_by) > MAX_ORDER_KEYS:
            raise InvalidInput(
                f"order_by takes at most {MAX_ORDER_KEYS} sort keys, got {len(order_by)}",
                hint="sort by fewer columns, e.g. metrics.loss ASC then params.lr DESC",
            )
        require_experiment_id(experiment_id)
        query_id = _query_id(experiment_id, filter_string, order_by)
        offset = _decode_token(page_token, query_id)
        self.tracking.require_experiment(experiment_id)
        records, total = self.tracking.search_runs(
            [experiment_id], filter_string or None, list(order_by), offset, page_size + 1
        )
        more = len(records) > page_size
        if total is not None:
            total = max(total, 0)
        return RunPage(
            runs=[self._summary(r) for r in records[:page_size]],
            next_page_token=_encode_token(offset + page_size, query_id) if more else None,
            total=total,
        )

    def get_run(self, run_id: str) -> RunDetail:
        record = self.tracking.runs([run_id])[0]
        artifacts = [
            ArtifactEntry(path=a.path, is_dir=a.is_dir, file_size=a.file_size)
            for a in self.tracking.artifacts(run_id)
        ]
        return RunDetail(**self._summary(record).model_dump(), artifacts=artifacts)

    def metric_history(self, run_id: str, key: str) -> MetricHistory:
        self.tracking.runs([run_id])
        points = self.tracking.metric_histories([run_id], [key]).get((run_id, key))
        if not points:
            raise NotFound(f"Run '{shown(run_id)}' has no metric '{shown(key)}'")
        return MetricHistory(
            run_id=run_id, key=key, points=[MetricPoint(step=s, value=v, timestamp=t) for s, v, t in points]
        )

    def best_run(self, experiment_id: str, metric: str, mode: MetricMode = "max") -> BestRun:
        """The run with the best latest value of ``metric`` (NaN and missing values never win)."""
        if mode not in ("max", "min"):
            raise InvalidInput(f"mode must be 'max' or 'min', got '{shown(mode)}'")
        order = f"metrics.`{metric}` {'DESC' if mode == 'max' else 'ASC'}"
        page = self.list_runs(experiment_id, order_by=[order], page_size=1)
        best = page.runs[0] if page.runs else None
        value = best.metrics.get(metric) if best else None
        if best is None or value is None:
            raise NotFound(f"No run in experiment '{experiment_id}' has a value for metric '{shown(metric)}'")
        return BestRun(metric=metric, mode=mode, value=value, run=best)

    def compare(self, run_ids: Sequence[str], modes: Mapping[str, MetricMode] | None = None) -> RunComparison:
        """Params side by side (differences flagged), metric summaries with the best run, histories."""
        ids = list(dict.fromkeys(run_ids))
        if not 2 <= len(ids) <= MAX_COMPARED_RUNS:
            raise InvalidInput(
                f"Compare needs between 2 and {MAX_COMPARED_RUNS} distinct runs, got {len(ids)}",
                hint="pass run ids, e.g. %matih compare RUN_A RUN_B",
            )
        records = self.tracking.runs(ids)
        metric_keys = sorted({k for r in records for k in r.metrics})
        histories = self.tracking.metric_histories(ids, metric_keys)
        return RunComparison(
            runs=[self._summary(r) for r in records],
            params=_param_rows(records),
            metrics=[_metric_summary(k, records, metric_mode(k, modes)) for k in metric_keys],
            histories=[_aligned(k, ids, histories) for k in metric_keys],
        )

    def _summary(self, record: RunRecord) -> RunSummary:
        url = None
        if self.mlflow_ui_url:
            url = mlflow_run_url(self.mlflow_ui_url, record.experiment_id, record.run_id)
        return RunSummary(
            run_id=record.run_id,
            run_name=record.run_name,
            experiment_id=record.experiment_id,
            status=record.status,
            lifecycle_stage=record.lifecycle_stage,
            start_time=record.start_time,
            end_time=record.end_time,
            user=record.user,
            artifact_uri=record.artifact_uri,
            params=record.params,
            metrics=record.metrics,
            tags=record.tags,
            mlflow_url=url,
        )


def _experiment(e: ExperimentRecord) -> Experiment:
    return Experiment(
        experiment_id=e.experiment_id,
        name=e.name,
        lifecycle_stage=e.lifecycle_stage,
        artifact_location=e.artifact_location,
        creation_time=e.creation_time,
        last_update_time=e.last_update_time,
        tags=e.tags,
        run_count=e.run_count,
    )


def _param_rows(records: Sequence[RunRecord]) -> list[ParamRow]:
    keys = sorted({k for r in records for k in r.params})
    rows = []
    for key in keys:
        values = {r.run_id: r.params.get(key) for r in records}
        rows.append(ParamRow(key=key, values=values, differs=len(set(values.values())) > 1))
    return rows


def _metric_summary(key: str, records: Sequence[RunRecord], mode: MetricMode) -> MetricSummary:
    values = {r.run_id: r.metrics.get(key) for r in records}
    present = {run_id: v for run_id, v in values.items() if v is not None}
    best = None
    if present:
        best = (max if mode == "max" else min)(present, key=lambda run_id: present[run_id])
    return MetricSummary(key=key, mode=mode, values=values, best_run_id=best)


def _aligned(
    key: str, run_ids: Sequence[str], histories: Mapping[tuple[str, str], list[tuple[int, float | None, int]]]
) -> AlignedMetric:
    """Align runs on the union of their steps; the last value logged at a step wins."""
    by_run = {run_id: {s: v for s, v, _ in histories.get((run_id, key), [])} for run_id in run_ids}
    steps = sorted({s for points in by_run.values() for s in points})
    return AlignedMetric(
        key=key, steps=steps, series={run_id: [by_run[run_id].get(s) for s in steps] for run_id in run_ids}
    )


def _query_id(experiment_id: str, filter_string: str | None, order_by: Sequence[str]) -> str:
    raw = json.dumps([experiment_id, filter_string or "", list(order_by)])
    return hashlib.sha1(raw.encode()).hexdigest()[:12]


def _encode_token(offset: int, query_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset, "query": query_id}).encode()).decode()


def _decode_token(token: str | None, query_id: str) -> int:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = data["offset"]
        if not isinstance(offset, int) or not 0 <= offset <= MAX_INT64 // 2:
            raise ValueError(offset)
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidInput("Invalid page token", hint="start again without page_token") from exc
    if data.get("query") != query_id:
        raise InvalidInput(
            "The page token belongs to another query", hint="restart paging when the filter or order changes"
        )
    return offset
