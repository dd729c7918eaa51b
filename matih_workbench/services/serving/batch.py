"""Batch scoring: a registered version over a table on Ray Data, predictions to Parquet, recorded in lineage.

Everything is checked before Ray starts: the reference resolves to one version, the input exists and has the
columns the model's signature requires, the output does not overwrite anything (unless asked) nor the input.
A run is recorded on the scored version as the tag ``matih.batch.<epoch ms>`` (JSON: output, rows, input,
who, when), which the version's lineage shows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from matih_workbench.backends.mlflow.registry import MlflowRegistry
from matih_workbench.backends.ray.batch import PREDICTION, BatchPlan, BatchScorer, InputTable, ModelInputs
from matih_workbench.backends.ray.connection import RayBackend
from matih_workbench.config import WorkbenchConfig
from matih_workbench.errors import Conflict, InvalidInput
from matih_workbench.models.batch import BatchScoringResult
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
    ) -> None:
        self.registry = registry
        self.versions = versions
        self.ray = ray
        self.scorer = scorer
        self.user = user
        self.batch_size = batch_size
        self.max_actors = max_actors
        self.rows_per_file = rows_per_file

    def score(
        self,
        ref: str,
        data: pd.DataFrame | str,
        out: str,
        version: int | None = None,
        on_progress: Progress | None = None,
        *,
        overwrite: bool = False,
    ) -> BatchScoringResult:
        """Predict every row of ``data`` (a DataFrame, or a Parquet file or folder) with the version ``ref``
        names; write input columns plus ``prediction`` (or ``prediction_<output>`` per output) to ``out``
        (a ``.parquet`` file, else a folder of part files). ``on_progress(rows done, total)``."""
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
        self._check_columns(target, table, inputs)
        if self.scorer.output_exists(out) and not overwrite:
            raise Conflict(f"'{out}' already exists", hint="choose another --out, or pass --overwrite")
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
        self.versions.set_version_tags(target.name, target.version, {tag: lineage_value(result)})
        return result

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


def lineage_value(result: BatchScoringResult) -> str:
    """The version tag's value: where the predictions went and what they came from (MLflow caps tag values
    at 5000 characters: paths are shortened)."""
    return json.dumps(
        {
            "out": result.out[:1000],
            "rows": result.rows,
            "source": result.source[:1000],
            "user": result.user,
            "started_at": round(result.started_at, 3),
            "seconds": result.seconds,
            "prediction_columns": result.prediction_columns[:20],
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
    )
