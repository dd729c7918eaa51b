"""Batch scoring: a registered version over a table on Ray Data, predictions to Parquet, recorded in lineage.

Everything is checked before Ray starts: the reference resolves to one version, the input exists and has the
columns the model's signature requires, the output does not overwrite anything (unless asked) nor the input.
A run is recorded on the scored version as the tag ``matih.batch.<epoch ms>`` (JSON: output, rows, input,
who, when), which the version's lineage shows.

A version trained on a feature service (its run's feature lineage) may be given entity keys only: the rows are
completed with the service's features by Feast's point-in-time retrieval as of each row's timestamp (or now),
as a training row would have seen them; columns the input already has win, as at serving.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pandas as pd

from matih_workbench.backends import feature_store
from matih_workbench.backends.contracts import FeatureStore
from matih_workbench.backends.mlflow.registry import MlflowRegistry
from matih_workbench.backends.ray.batch import PREDICTION, BatchPlan, BatchScorer, InputTable, ModelInputs
from matih_workbench.backends.ray.connection import RayBackend
from matih_workbench.backends.ray.serve.features import trained_features
from matih_workbench.config import WorkbenchConfig
from matih_workbench.errors import Conflict, InvalidInput
from matih_workbench.models.batch import BatchScoringResult
from matih_workbench.models.features import ServingFeatures
from matih_workbench.services.features.training import build_training_set
from matih_workbench.services.registry import RegistryService
from matih_workbench.services.serving.refs import ModelVersionRef, resolve_model_ref

__all__ = ["BATCH_TAG_PREFIX", "BatchScoring", "build_batch_scoring", "event_payload"]

BATCH_TAG_PREFIX = "matih.batch."
Progress = Callable[[int, int], None]
_MAX_LISTED = 20


class BatchScoring:
    """``score``: resolve, validate, run on Ray, record."""

    def __init__(
        self,
        registry: RegistryService,
        versions: MlflowRegistry,
        ray: RayBackend,
        scorer: BatchScorer,
        user: str,
        *,
        batch_size: int = 4096,
        max_actors: int = 2,
        rows_per_file: int = 1_000_000,
        open_store: Callable[[], FeatureStore] | None = None,
    ) -> None:
        self.registry = registry
        self.versions = versions
        self.ray = ray
        self.scorer = scorer
        self.user = user
        self.batch_size = batch_size
        self.max_actors = max_actors
        self.rows_per_file = rows_per_file
        self._open_store = open_store
        self._store: FeatureStore | None = None
        self._opening = threading.Lock()

    @property
    def store(self) -> FeatureStore:
        """The feature store, opened on first use (importing Feast takes seconds)."""
        with self._opening:
            if self._store is None:
                if self._open_store is None:
                    raise InvalidInput("This workbench has no feature repository configured")
                self._store = self._open_store()
            return self._store

    def score(
        self,
        ref: str,
        data: pd.DataFrame | str,
        out: str,
        version: int | None = None,
        on_progress: Progress | None = None,
        *,
        overwrite: bool = False,
        timestamp: str | None = None,
    ) -> BatchScoringResult:
        """Predict every row of ``data`` (a DataFrame, or a Parquet file or folder) with the version ``ref``
        names; write input columns plus ``prediction`` (or ``prediction_<output>`` per output) to ``out``
        (a ``.parquet`` file, else a folder of part files). ``on_progress(rows done, total)``. A version
        trained on a feature service: missing feature columns are fetched as of the ``timestamp`` column
        (default: now)."""
        target = resolve_model_ref(self.registry, ref, version)
        out = out.strip()
        if not out:
            raise InvalidInput(
                "No output path", hint="--out scores.parquet (a file) or --out scores/ (a folder)"
            )
        if isinstance(data, str):
            data = data.strip()
            if self.scorer.same_location(data, out):
                raise InvalidInput("The output would overwrite the input", hint="choose another --out")
        table = self.scorer.describe(data)
        location = self.scorer.locate(target.name, target.version)
        inputs = self.scorer.model_inputs(location)
        data, table, fetched = self._complete(target, data, table, inputs, timestamp, out, overwrite)
        self._check_columns(target, table, inputs)
        self._refuse_overwrite(out, overwrite)
        features = [c for c in inputs.names if c in table.columns] if inputs.required is not None else None
        plan = BatchPlan(
            model_uri=location,
            data=data,
            out=out,
            features=features,
            batch_size=self.batch_size,
            max_actors=self.max_actors,
            rows_per_file=self.rows_per_file,
            overwrite=overwrite,
        )
        if on_progress is not None:
            on_progress(0, table.rows)  # checked: the caller may show its progress while Ray starts
        self.ray.ensure()
        started = time.time()
        outcome = self.scorer.run(plan, on_progress)
        tag = f"{BATCH_TAG_PREFIX}{int(started * 1000)}"
        result = BatchScoringResult(
            model=target.name,
            version=target.version,
            stage=target.stage,
            model_uri=target.uri,
            source=table.source,
            out=outcome.out,
            files=outcome.files,
            rows=outcome.rows,
            columns=outcome.columns,
            prediction_columns=outcome.prediction_columns,
            seconds=round(outcome.seconds, 3),
            started_at=started,
            user=self.user,
            lineage_tag=tag,
        )
        self.versions.set_version_tags(target.name, target.version, {tag: lineage_value(result, fetched)})
        return result

    def _complete(
        self,
        target: ModelVersionRef,
        data: pd.DataFrame | str,
        table: InputTable,
        inputs: ModelInputs,
        timestamp: str | None,
        out: str,
        overwrite: bool,
    ) -> tuple[pd.DataFrame | str, InputTable, dict[str, Any] | None]:
        """A version trained on a feature service: the input with the features it lacks, and what was
        fetched (for the lineage); any other version: the input as it is."""
        trained = trained_features(self.scorer.tracking_uri, target.name, target.version)
        if trained is None:
            if timestamp is not None:
                raise InvalidInput(
                    f"{target} was not trained on a feature service: --timestamp has nothing to fetch"
                )
            return data, table, None
        # the service's features the model reads (all of them when its signature names no columns)
        wanted = [c for c in trained.columns if inputs.required is None or c in inputs.names]
        missing = [c for c in wanted if c not in table.columns]
        if not missing and timestamp is None:
            return data, table, None
        self._check_keys(target, trained, table, missing, timestamp)
        self._refuse_overwrite(out, overwrite)  # before the (possibly long) retrieval
        frame = data if isinstance(data, pd.DataFrame) else self.scorer.read_frame(data)
        completed, fetched = self._with_features(trained, frame, missing, timestamp)
        return (
            completed,
            InputTable(table.source, self.scorer.describe(completed).columns, table.rows),
            fetched,
        )

    def _refuse_overwrite(self, out: str, overwrite: bool) -> None:
        if self.scorer.output_exists(out) and not overwrite:
            raise Conflict(f"'{out}' already exists", hint="choose another --out, or pass --overwrite")

    def _check_keys(
        self,
        target: ModelVersionRef,
        trained: ServingFeatures,
        table: InputTable,
        missing: list[str],
        timestamp: str | None,
    ) -> None:
        keys = trained.join_keys or self._join_keys(trained.feature_service)
        absent = [k for k in keys if k not in table.columns]
        if absent:
            listed = ", ".join(missing[:_MAX_LISTED]) + (" ..." if len(missing) > _MAX_LISTED else "")
            raise InvalidInput(
                f"The input has neither the entity key(s) {', '.join(absent)} nor the feature(s) {listed} "
                f"that {target} was trained on",
                hint=f"add {', '.join(keys)} (the features come from '{trained.feature_service}'), "
                "or the feature columns themselves",
                details={"missing_keys": absent, "missing_features": missing},
            )
        if timestamp is not None and timestamp not in table.columns:
            raise InvalidInput(
                f"The input has no column '{timestamp}'", hint="--timestamp names the rows' event-time column"
            )

    def _join_keys(self, service: str) -> list[str]:
        repo = self.store.describe()
        views = {v.name: v for v in repo.views}
        chosen = next((s for s in repo.services if s.name == service), None)
        if chosen is None:
            return []
        return sorted({k for view, _ in chosen.views for k in views[view].join_keys})

    def _with_features(
        self, trained: ServingFeatures, frame: pd.DataFrame, missing: list[str], timestamp: str | None
    ) -> tuple[pd.DataFrame, dict[str, Any]]:
        """``frame`` with its ``missing`` feature columns from Feast as of each row's ``timestamp`` (or now),
        in the training dtypes; and what was fetched, for the lineage."""
        keys = trained.join_keys or self._join_keys(trained.feature_service)
        as_of = pd.Timestamp.now("UTC")
        entities = frame[keys].reset_index(drop=True)
        column = "event_timestamp"
        if timestamp is not None:
            column = timestamp
            entities[column] = frame[timestamp].to_numpy()
        else:
            entities[column] = as_of
        built = build_training_set(self.store, trained.feature_service, entities, column)
        completed = frame.copy()
        for name in missing:
            values = built.frame[name]
            dtype = trained.dtypes.get(name)
            if dtype and pd.api.types.pandas_dtype(dtype).kind in "iub" and values.isna().any():
                raise InvalidInput(
                    f"Feature '{name}' has no value for {int(values.isna().sum())} row(s) (unknown entity or "
                    f"past the view's TTL), and the model was trained on {dtype} values",
                    hint="score rows whose entities have features at their timestamps, or send the column",
                )
            completed[name] = (values.astype(dtype) if dtype else values).to_numpy()
        lineage = built.lineage
        fetched = {
            "feature_service": trained.feature_service,
            "project": lineage.project,
            "service_hash": lineage.service_hash,
            "views": {v.name: v.definition_hash for v in lineage.views},
            "fetched": missing,
            "inline": [c for c in trained.columns if c in frame.columns],
            "as_of": timestamp or as_of.isoformat(),
            "null_counts": {c: lineage.null_counts[c] for c in missing},
        }
        return completed, fetched

    def _check_columns(self, target: ModelVersionRef, table: InputTable, inputs: ModelInputs) -> None:
        if table.rows == 0:
            raise InvalidInput(f"The input ({table.source}) has no rows to score")
        if PREDICTION in table.columns:
            raise InvalidInput(
                f"The input already has a column '{PREDICTION}'", hint="rename or drop it before scoring"
            )
        if inputs.required is not None:
            missing = [c for c in inputs.required if c not in table.columns]
            if missing:
                listed = ", ".join(missing[:_MAX_LISTED]) + (" ..." if len(missing) > _MAX_LISTED else "")
                raise InvalidInput(
                    f"The input lacks {len(missing)} column(s) that {target} requires: {listed}",
                    hint="the model's signature asks for: " + ", ".join(inputs.names[:50]),
                    details={"missing": missing, "required": inputs.required, "optional": inputs.optional},
                )
        elif inputs.tensor_width is not None and inputs.tensor_width != len(table.columns):
            raise InvalidInput(
                f"{target} takes {inputs.tensor_width} input columns; the input has {len(table.columns)}",
                hint="keep exactly the model's feature columns, in training order",
            )


def lineage_value(result: BatchScoringResult, features: dict[str, Any] | None = None) -> str:
    """The version tag's value: where the predictions went and what they came from, and the features
    fetched for it (MLflow caps tag values at 5000 characters: paths and lists are shortened)."""
    shortened = None
    if features is not None:
        shortened = {k: v[:50] if isinstance(v, list) else v for k, v in features.items()}
        shortened["null_counts"] = dict(list(features["null_counts"].items())[:50])
    return json.dumps(
        {
            "out": result.out[:1000],
            "rows": result.rows,
            "source": result.source[:1000],
            "user": result.user,
            "started_at": round(result.started_at, 3),
            "seconds": result.seconds,
            "prediction_columns": result.prediction_columns[:20],
            **({"features": shortened} if shortened is not None else {}),
        }
    )


def event_payload(result: BatchScoringResult) -> dict[str, Any]:
    """The payload of a ``BATCH_SCORED`` event (subject: the model name), in the registry's payload style."""
    return {
        "model": result.model,
        "version": result.version,
        "stage": result.stage.value,
        "model_uri": result.model_uri,
        "source": result.source,
        "out": result.out,
        "rows": result.rows,
        "prediction_columns": result.prediction_columns,
        "seconds": result.seconds,
        "lineage_tag": result.lineage_tag,
    }


def build_batch_scoring(config: WorkbenchConfig, registry: RegistryService) -> BatchScoring:
    """Batch scoring over the workbench's registry, tracking store and Ray."""
    return BatchScoring(
        registry,
        registry.registry,
        RayBackend(config.ray_address),
        BatchScorer(config.tracking_uri, config.s3_endpoint_url),
        config.user,
        open_store=partial(feature_store, config, config.ensure_home()),
    )
