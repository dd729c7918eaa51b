"""A version's baseline as artifacts of its run, the training data of a logged MLflow dataset, and the
version's own predictions on it (the reference of prediction drift)."""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
from mlflow.tracking import MlflowClient

from matih_workbench.backends.mlflow.client import translate_mlflow_errors
from matih_workbench.errors import InvalidInput

READERS = {".parquet": pd.read_parquet, ".csv": pd.read_csv, ".json": pd.read_json}


class BaselineArtifacts:
    def __init__(self, tracking_uri: str) -> None:
        self.tracking_uri = tracking_uri
        self.client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)

    def upload(self, run_id: str, folder: Path, artifact_path: str) -> str:
        """Every file of ``folder`` under the run's ``artifact_path``; returns where they are."""
        with translate_mlflow_errors(f"Run '{run_id}'"):
            self.client.log_artifacts(run_id, str(folder), artifact_path)
            return f"{self.client.get_run(run_id).info.artifact_uri.rstrip('/')}/{artifact_path}"

    def download(self, run_id: str, artifact_path: str, dest: Path) -> Path | None:
        """The run's ``artifact_path`` folder copied into ``dest``; None when the run has none."""
        with translate_mlflow_errors(f"Artifacts of run '{run_id}'"):
            if not self.client.list_artifacts(run_id, artifact_path):
                return None
            dest.mkdir(parents=True, exist_ok=True)
            return Path(self.client.download_artifacts(run_id, artifact_path, str(dest)))


def dataset_frame(source: str | None) -> pd.DataFrame | None:
    """The data of a logged dataset whose source is a local Parquet, CSV or JSON file; None otherwise."""
    if not source:
        return None
    try:
        parsed = json.loads(source)
    except ValueError:
        parsed = {"uri": source}
    uri = parsed.get("uri") or parsed.get("path") if isinstance(parsed, dict) else None
    if not isinstance(uri, str):
        return None
    url = urlparse(uri)
    path = Path(unquote(url.path)) if url.scheme in ("", "file") else None
    reader = READERS.get(path.suffix.lower()) if path is not None else None
    if path is None or reader is None or not path.is_file():
        return None
    return reader(path)


def model_view(
    model_source: str, tracking_uri: str, data: pd.DataFrame, *, predict: bool = True
) -> tuple[list[str] | None, pd.Series | None]:
    """The input columns of the model at ``model_source`` (a version's source; None without a signature)
    and, with ``predict``, its predictions on those columns of ``data``: one per row."""
    import mlflow.artifacts
    import mlflow.pyfunc
    from mlflow.models import Model

    with tempfile.TemporaryDirectory() as tmp, translate_mlflow_errors(f"The model at '{model_source}'"):
        local = mlflow.artifacts.download_artifacts(
            artifact_uri=model_source, dst_path=tmp, tracking_uri=tracking_uri
        )
        signature = Model.load(local).signature
        names = signature.inputs.input_names() if signature is not None and signature.inputs else None
        inputs = [str(n) for n in names] if names and all(isinstance(n, str) for n in names) else None
        if inputs and (missing := [c for c in inputs if c not in data.columns]):
            raise InvalidInput(
                f"The data lacks {len(missing)} of the model's inputs: {', '.join(missing[:10])}",
                hint="pass the data the version was trained on",
            )
        if not predict:
            return inputs, None
        with warnings.catch_warnings():  # the model's own environment checks are not ours to raise
            warnings.simplefilter("ignore")
            raw = mlflow.pyfunc.load_model(local).predict(data[inputs] if inputs else data)
    frame = raw.to_frame() if isinstance(raw, pd.Series) else pd.DataFrame(raw)
    if frame.shape[1] != 1 or len(frame) != len(data):
        return inputs, None
    return inputs, frame.iloc[:, 0].rename("prediction").reset_index(drop=True)
