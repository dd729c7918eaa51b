"""A training set's feature lineage on an MLflow run: params, tags (one per feature view, with its
definition hash), the lineage as a JSON artifact, and the training set as a dataset input."""

from __future__ import annotations

from typing import Any

from mlflow.data.pandas_dataset import from_pandas
from mlflow.entities import DatasetInput, InputTag, Param, RunTag
from mlflow.tracking import MlflowClient

from matih_workbench.backends.mlflow.client import translate_mlflow_errors
from matih_workbench.models.features import TrainingSetLineage

LINEAGE_ARTIFACT = "features/lineage.json"


def log_feature_lineage(tracking_uri: str, run_id: str, lineage: TrainingSetLineage, frame: Any) -> str:
    """Log ``lineage`` and ``frame`` (a pandas DataFrame) on ``run_id``; returns the dataset's digest."""
    client = MlflowClient(tracking_uri=tracking_uri)
    dataset = from_pandas(frame, name=f"{lineage.feature_service}@{lineage.entity_digest[:12]}")
    inputs = [
        DatasetInput(
            dataset._to_mlflow_entity(),
            tags=[
                InputTag("mlflow.data.context", "training"),
                InputTag("matih.feature_service", lineage.feature_service),
            ],
        )
    ]
    params = [Param(k, v) for k, v in lineage.params().items()]
    tags = [RunTag(k, v) for k, v in lineage.tags().items()]
    with translate_mlflow_errors("Run"):
        client.log_batch(run_id, params=params, tags=tags)
        client.log_inputs(run_id, datasets=inputs)
        client.log_text(run_id, lineage.model_dump_json(indent=1), LINEAGE_ARTIFACT)
    return str(dataset.digest)
