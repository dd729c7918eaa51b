"""Baselines of registered versions: a bounded sample and per-feature statistics of the training data (the
version's logged MLflow dataset, or any DataFrame), with the version's own predictions on it, stored as
artifacts of the version's run and cached under the workspace."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pandas as pd

from matih_workbench.backends.drift.baseline import MAX_SAMPLE_ROWS, build_baseline
from matih_workbench.backends.mlflow.baselines import BaselineArtifacts, dataset_frame, model_view
from matih_workbench.backends.mlflow.registry import MlflowRegistry, VersionRecord
from matih_workbench.errors import InvalidInput, NotFound, WorkbenchError
from matih_workbench.models import EventType
from matih_workbench.models.monitoring import Baseline
from matih_workbench.models.monitoring_api import BaselineInfo
from matih_workbench.services.events import EventService

log = logging.getLogger(__name__)
BASELINE_TAG = "matih.baseline"
PREDICTION = "prediction"


def artifact_path(model: str, version: int) -> str:
    return f"matih/baselines/{model}-v{version}"


class BaselineService:
    """Capture, store and read the baselines drift is tested against."""

    def __init__(
        self,
        cache: Path,
        registry: MlflowRegistry,
        artifacts: BaselineArtifacts,
        events: EventService,
        tracking_uri: str,
    ) -> None:
        self.cache = cache
        self.registry = registry
        self.artifacts = artifacts
        self.events = events
        self.tracking_uri = tracking_uri
        self._seen_event = events.last_id()

    def capture(
        self,
        model: str,
        version: int,
        data: pd.DataFrame | None = None,
        *,
        prediction: str | None = None,
        max_rows: int = MAX_SAMPLE_ROWS,
    ) -> BaselineInfo:
        """The baseline of ``data`` (default: the version's logged training dataset). Without a
        ``prediction`` column, the version predicts on the data so prediction drift has a reference; the
        model's signature, when it has one, decides which columns are its features."""
        record = self.registry.version(model, version)
        source = "dataframe"
        if data is None:
            data, source = self._training_data(record)
        inputs, predictions = self._model_view(record, data, prediction)
        frame = data[inputs] if inputs else data.copy()
        if prediction is not None:
            if prediction not in data.columns:
                raise NotFound(f"Unknown prediction column '{prediction}'", hint="name a column of the data")
            frame = frame.assign(**{prediction: data[prediction].to_numpy()})
        elif predictions is not None:
            prediction = PREDICTION
            frame = frame.assign(**{PREDICTION: predictions.to_numpy()})
        folder = self._folder(model, version)
        shutil.rmtree(folder, ignore_errors=True)
        baseline = build_baseline(frame, folder / "sample.parquet", max_rows=max_rows, prediction=prediction)
        (folder / "baseline.json").write_text(baseline.model_dump_json())
        uri = (
            self.artifacts.upload(record.run_id, folder, artifact_path(model, version))
            if record.run_id
            else None
        )
        info = _info(model, version, source, uri, baseline)
        (folder / "info.json").write_text(info.model_dump_json())
        self.registry.set_version_tags(model, version, {BASELINE_TAG: uri or str(folder)})
        return info

    def get(self, model: str, version: int) -> Baseline:
        """The version's baseline: from the cache, its run's artifacts, or captured now from its logged
        training data."""
        folder = self._folder(model, version)
        if not (folder / "info.json").is_file():
            self._fetch(model, version)
        baseline = Baseline.model_validate_json((folder / "baseline.json").read_text())
        return baseline.model_copy(update={"sample_path": str(folder / "sample.parquet")})

    def info(self, model: str, version: int) -> BaselineInfo:
        self.get(model, version)
        return BaselineInfo.model_validate_json((self._folder(model, version) / "info.json").read_text())

    def capture_registered(self) -> list[str]:
        """Baselines of the versions registered since the last call (MODEL_REGISTERED events), when their
        training data is readable; one line per version handled."""
        lines = []
        while events := self.events.list(after=self._seen_event, limit=500).events:
            self._seen_event = events[-1].id
            for event in events:
                if event.type is EventType.MODEL_REGISTERED:
                    name, version = event.payload.get("model"), event.payload.get("version")
                    lines.append(self._try_capture(str(name), int(version or 0)))
        return lines

    # -- helpers ----------------------------------------------------------------------------------
    def _try_capture(self, model: str, version: int) -> str:
        try:
            self.capture(model, version)
            return f"baseline of {model} v{version} captured"
        except WorkbenchError as exc:
            return f"no baseline for {model} v{version}: {exc.message}"

    def _fetch(self, model: str, version: int) -> None:
        record = self.registry.version(model, version)
        folder = self._folder(model, version)
        fetched = None
        if record.run_id:
            download = folder.parent / f"_download-v{version}"
            fetched = self.artifacts.download(record.run_id, artifact_path(model, version), download)
        if fetched is not None:
            shutil.rmtree(folder, ignore_errors=True)
            shutil.move(str(fetched), folder)
            shutil.rmtree(download, ignore_errors=True)
            baseline = Baseline.model_validate_json((folder / "baseline.json").read_text())
            uri = record.tags.get(BASELINE_TAG)
            (folder / "info.json").write_text(
                _info(model, version, "artifacts", uri, baseline).model_dump_json()
            )
            return
        try:
            self.capture(model, version)
        except (NotFound, InvalidInput) as exc:
            raise NotFound(
                f"Version {version} of '{model}' has no baseline ({exc.message})",
                hint=f"capture one: %matih baseline {model} {version} --data TRAINING_DF",
            ) from None

    def _training_data(self, record: VersionRecord) -> tuple[pd.DataFrame, str]:
        run_id = record.run_id
        for _ in range(2):  # the run, then its parent (tuning logs its data on the parent)
            if not run_id:
                break
            facts = self.registry.run(run_id)
            ranked = sorted(facts.datasets, key=lambda d: d.tags.get("mlflow.data.context") != "training")
            for dataset in ranked:
                frame = dataset_frame(dataset.source)
                if frame is not None:
                    return frame, f"dataset {dataset.name}@{dataset.digest or '?'}"
            run_id = facts.parent_run_id
        raise NotFound(
            f"Version {record.version} of '{record.name}' has no readable training dataset",
            hint="log it with mlflow.log_input(mlflow.data.from_pandas(df, source=PARQUET_OR_CSV_PATH)), "
            "or pass the training DataFrame",
        )

    def _model_view(
        self, record: VersionRecord, data: pd.DataFrame, prediction: str | None
    ) -> tuple[list[str] | None, pd.Series | None]:
        """The model's input columns (from its signature) and its predictions on ``data``; best effort."""
        try:
            return model_view(record.source, self.tracking_uri, data, predict=prediction is None)
        except InvalidInput:
            raise
        except Exception as exc:  # a model that cannot load or predict here still gets an input baseline
            log.info("matih: no predictions of %s v%s for its baseline: %s", record.name, record.version, exc)
            return None, None

    def _folder(self, model: str, version: int) -> Path:
        return self.cache / model / f"v{version}"


def _info(model: str, version: int, source: str, uri: str | None, baseline: Baseline) -> BaselineInfo:
    return BaselineInfo(
        model=model,
        version=version,
        source=source,
        artifact_uri=uri,
        rows=baseline.rows,
        sample_rows=baseline.sample_rows,
        features={f.name: f.kind.value for f in baseline.features if f.name != baseline.prediction},
        prediction=baseline.prediction,
        created_at=baseline.created_at,
    )
