"""Batch scoring on Ray Data: a registered MLflow pyfunc model over a DataFrame or Parquet, to Parquet.

The input becomes a Ray Dataset (``from_pandas`` in slices, or ``read_parquet``); ``map_batches`` runs a
callable class in a bounded actor pool, each actor loading the model once; the driver streams the mapped
blocks back in input order and writes them with one ``ParquetWriter``. Writing on the driver is what gives
an exact row order, exact progress (rows written / total) and an output path on the caller's machine even
when Ray is a remote cluster. Local output is written beside its target and renamed at the end: a failed
or interrupted run leaves nothing at the output path.

Called with Ray already connected (``RayBackend.ensure``). Ray and MLflow are imported on first use.
"""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from matih_workbench.errors import BackendUnavailable, Conflict, InvalidInput, NotFound, WorkbenchError

__all__ = [
    "PREDICTION",
    "BatchOutcome",
    "BatchPlan",
    "BatchScorer",
    "InputTable",
    "ModelInputs",
    "prediction_columns",
]

PREDICTION = "prediction"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ModelInputs:
    """What a model's signature asks of its input. ``required is None``: no named columns to check."""

    required: list[str] | None
    optional: list[str] = field(default_factory=list)
    tensor_width: int | None = None  # columns a single 2-D tensor input expects, when the signature says

    @property
    def names(self) -> list[str]:
        return [*(self.required or []), *self.optional]


@dataclass(frozen=True)
class InputTable:
    """The input as the output will carry it: its columns (index included when it means something)."""

    source: str  # "DataFrame" or the path as given
    columns: list[str]
    rows: int


@dataclass(frozen=True)
class BatchPlan:
    model_uri: str  # what the actors load: the version's artifact URI (``locate``) or a models:/ URI
    data: pd.DataFrame | str
    out: str
    features: list[str] | None = None  # the columns given to the model; None: every input column
    batch_size: int = 4096
    max_actors: int = 2
    rows_per_file: int = 1_000_000
    overwrite: bool = False


@dataclass(frozen=True)
class BatchOutcome:
    rows: int
    out: str
    files: list[str]
    columns: list[str]
    prediction_columns: list[str]
    seconds: float


class BatchScorer:
    """Reads signatures and inputs on the driver; runs the scoring on Ray Data."""

    def __init__(self, tracking_uri: str, s3_endpoint_url: str = "") -> None:
        self.tracking_uri = tracking_uri
        self.s3_endpoint_url = s3_endpoint_url

    # -- before anything runs -------------------------------------------------------------------
    def locate(self, name: str, version: int) -> str:
        """Where a registered version's files are (its artifact URI), read through an explicit client:
        MLflow resolves ``models:/`` URIs through the process-global registry URI, which is not ours."""
        from mlflow.tracking import MlflowClient

        from matih_workbench.backends.mlflow.client import translate_mlflow_errors

        client = MlflowClient(tracking_uri=self.tracking_uri, registry_uri=self.tracking_uri)
        with translate_mlflow_errors(f"Version {version} of model '{name}'"):
            return str(client.get_model_version_download_uri(name, str(version)))

    def model_inputs(self, location: str) -> ModelInputs:
        """The input schema of a model at ``location`` (see ``locate``), read from its ``MLmodel`` alone."""
        from mlflow.artifacts import download_artifacts
        from mlflow.models import Model

        from matih_workbench.backends.mlflow.client import translate_mlflow_errors

        parsed = urlparse(location)
        folder = unquote(parsed.path) if parsed.scheme in ("", "file") else None
        with tempfile.TemporaryDirectory() as tmp, translate_mlflow_errors(f"The model at '{location}'"):
            if folder is not None and Path(folder, "MLmodel").is_file():
                mlmodel = str(Path(folder, "MLmodel"))  # local artifacts: no download (nor its progress bar)
            else:
                mlmodel = download_artifacts(
                    artifact_uri=f"{location.rstrip('/')}/MLmodel",
                    dst_path=tmp,
                    tracking_uri=self.tracking_uri,
                )
            signature = Model.load(mlmodel).signature
        return _inputs_of(signature.inputs if signature is not None else None)

    def describe(self, data: pd.DataFrame | str) -> InputTable:
        """Columns and row count of the input, without reading its rows (Parquet: footers only)."""
        if isinstance(data, pd.DataFrame):
            frame = _flat(data.iloc[:0])
            return InputTable("DataFrame", [str(c) for c in frame.columns], len(data))
        dataset = self._dataset(data)
        return InputTable(data, list(dataset.schema.names), dataset.count_rows())

    def output_exists(self, out: str) -> bool:
        """A file, or a folder holding anything, is at ``out``."""
        fs, path = self._filesystem(out)
        info = fs.get_file_info(path)
        if info.type == pafs.FileType.Directory:
            return bool(fs.get_file_info(pafs.FileSelector(path, recursive=False)))
        return info.type != pafs.FileType.NotFound

    def same_location(self, a: str, b: str) -> bool:
        """Whether two paths name the same place (output over input is refused)."""
        if a.startswith("s3://") or b.startswith("s3://"):
            return a.rstrip("/") == b.rstrip("/")
        return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()

    # -- the run ----------------------------------------------------------------------------------
    def run(self, plan: BatchPlan, on_progress: Progress | None = None) -> BatchOutcome:
        """Score every row; ``on_progress(rows written, total)`` after each written block."""
        import ray.data
        from ray.exceptions import RayError

        started = time.monotonic()
        if not plan.overwrite and self.output_exists(plan.out):
            raise Conflict(f"'{plan.out}' already exists", hint="choose another output, or overwrite it")
        dataset, table = self._read(plan)
        mapped = dataset.map_batches(
            _Predictor,
            fn_constructor_kwargs={
                "model_uri": plan.model_uri,
                "tracking_uri": self.tracking_uri,
                "features": plan.features,
            },
            batch_format="pandas",
            batch_size=plan.batch_size,
            compute=ray.data.ActorPoolStrategy(min_size=1, max_size=max(1, plan.max_actors)),
            num_cpus=1,
        )
        options = mapped.context  # this dataset's own copy: the process's DataContext is left alone
        options.execution_options.preserve_order = True
        options.enable_progress_bars = False
        options.raise_original_map_exception = True  # the model's own error, not "UDF failed ..."
        if on_progress is not None:
            on_progress(0, table.rows)
        with _quiet_ray_data(), self._sink(plan) as sink:
            # Ray Data hands back blocks of up to ~128 MiB: re-batched so progress moves ~200 times at most.
            size = max(plan.batch_size, math.ceil(table.rows / 200))
            batches = mapped.iter_batches(batch_size=size, batch_format="pyarrow", prefetch_batches=2)
            try:
                for batch in batches:
                    sink.write(batch)
                    if on_progress is not None:
                        on_progress(sink.rows, table.rows)
            except RayError as exc:
                raise _translate(exc) from exc
            except OSError as exc:
                raise BackendUnavailable(f"Cannot write '{plan.out}': {exc}") from exc
            finally:
                close = getattr(batches, "close", None)
                if close is not None:
                    close()
        names = list(sink.schema.names) if sink.schema is not None else []
        return BatchOutcome(
            rows=sink.rows,
            out=sink.target,
            files=sink.final_files,
            columns=names,
            prediction_columns=[n for n in names if n not in set(table.columns)],
            seconds=time.monotonic() - started,
        )

    def _read(self, plan: BatchPlan) -> tuple[Any, InputTable]:
        import ray.data

        if isinstance(plan.data, pd.DataFrame):
            frame = _flat(plan.data)
            if frame.empty:
                raise InvalidInput("The DataFrame has no rows to score")
            # Slices rather than override_num_blocks: pandas warns on the np.array_split that one takes.
            step = _block_rows(len(frame), plan.batch_size)
            parts = [frame.iloc[i : i + step] for i in range(0, len(frame), step)]
            table = InputTable("DataFrame", list(frame.columns), len(frame))
            return ray.data.from_pandas(parts), table
        dataset = self._dataset(plan.data)
        table = InputTable(plan.data, list(dataset.schema.names), dataset.count_rows())
        if table.rows == 0:
            raise InvalidInput(f"The Parquet data at '{plan.data}' has no rows to score")
        fs, path = self._filesystem(plan.data)
        return ray.data.read_parquet(path, filesystem=fs), table

    # -- storage ----------------------------------------------------------------------------------
    def _filesystem(self, location: str) -> tuple[pafs.FileSystem, str]:
        if location.startswith("s3://"):
            s3 = pafs.S3FileSystem(endpoint_override=self.s3_endpoint_url or None)
            return s3, location.removeprefix("s3://").rstrip("/")
        if "://" in location and not location.startswith("file://"):
            raise InvalidInput(
                f"Unsupported location '{location}'", hint="a local path, file:// or s3://BUCKET/PATH"
            )
        return pafs.LocalFileSystem(), str(Path(location.removeprefix("file://")).expanduser().resolve())

    def read_frame(self, location: str) -> pd.DataFrame:
        """Every row of the Parquet file or folder at ``location`` on the driver (Feast's point-in-time join
        takes its entity rows as one DataFrame)."""
        return self._dataset(location).to_table().to_pandas()

    def _dataset(self, location: str) -> pds.Dataset:
        fs, path = self._filesystem(location)
        if fs.get_file_info(path).type == pafs.FileType.NotFound:
            raise NotFound(f"No Parquet data at '{location}'", hint="a .parquet file or a folder of them")
        try:
            dataset = pds.dataset(path, filesystem=fs, format="parquet", partitioning="hive")
        except (pa.ArrowInvalid, OSError) as exc:
            raise InvalidInput(f"Cannot read '{location}' as Parquet: {exc}") from exc
        if not dataset.files:
            raise InvalidInput(
                f"No Parquet files in '{location}'", hint="a .parquet file or a folder of them"
            )
        return dataset

    @contextmanager
    def _sink(self, plan: BatchPlan) -> Iterator[_Sink]:
        fs, target = self._filesystem(plan.out)
        single = target.endswith(".parquet")
        local = isinstance(fs, pafs.LocalFileSystem)
        # Local: written beside the target, renamed at the end. S3 has no rename: written in place.
        name = target.rsplit("/", 1)
        hidden = f"{name[0]}/.{name[1]}" if len(name) == 2 else f".{target}"  # readers skip dot files
        staging = f"{hidden}.matih-{uuid.uuid4().hex[:8]}.tmp" if local else target
        if local:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        elif plan.overwrite:
            _remove(fs, target)  # no rename on S3: the old output goes first
        sink = _Sink(fs, staging, single, plan.rows_per_file)
        try:
            yield sink
            sink.close()
        except BaseException:
            sink.close()
            _remove(fs, staging)
            raise
        if local and sink.schema is not None:
            _remove(fs, target)  # an old output (``overwrite``), or an empty folder
            Path(staging).rename(target)
        elif local:
            _remove(fs, staging)
        sink.target = f"s3://{target}" if not local else target
        prefix = "s3://" if not local else ""
        sink.final_files = [prefix + f.replace(staging, target, 1) for f in sink.files]


class _Sink:
    """Parquet from arrow batches in arrival order: one file, or part files of ``rows_per_file`` rows."""

    def __init__(self, fs: pafs.FileSystem, path: str, single: bool, rows_per_file: int) -> None:
        self.fs, self.path, self.single, self.rows_per_file = fs, path, single, max(1, rows_per_file)
        self.rows = 0
        self.schema: pa.Schema | None = None
        self.files: list[str] = []
        self.final_files: list[str] = []
        self.target = path
        self._writer: pq.ParquetWriter | None = None
        self._in_file = 0

    def write(self, batch: pa.Table) -> None:
        table = batch.replace_schema_metadata(None)
        if self.schema is None:
            self.schema = table.schema
        elif not table.schema.equals(self.schema):
            table = table.cast(self.schema)
        while table.num_rows:
            if self._writer is None or (not self.single and self._in_file >= self.rows_per_file):
                self._open()
            assert self._writer is not None
            part = table if self.single else table.slice(0, self.rows_per_file - self._in_file)
            self._writer.write_table(part)
            self.rows += part.num_rows
            self._in_file += part.num_rows
            table = table.slice(part.num_rows)

    def _open(self) -> None:
        self.close()
        if self.single:
            path = self.path
        else:
            self.fs.create_dir(self.path, recursive=True)
            path = f"{self.path}/part-{len(self.files):05d}.parquet"
        assert self.schema is not None
        self._writer = pq.ParquetWriter(path, self.schema, filesystem=self.fs)
        self.files.append(path)
        self._in_file = 0

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class _Predictor:
    """Runs in a Ray Data actor: loads the model once, then predicts batch after batch."""

    def __init__(self, model_uri: str, tracking_uri: str, features: list[str] | None) -> None:
        import mlflow

        # This actor's process is its own: the fluent URIs are how pyfunc resolves models:/ and
        # mlflow-artifacts:/ URIs.
        mlflow.set_tracking_uri(tracking_uri)
        mlflow.set_registry_uri(tracking_uri)
        self.model = mlflow.pyfunc.load_model(model_uri)
        self.features = features

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        inputs = batch[self.features] if self.features is not None else batch
        for name, values in prediction_columns(self.model.predict(inputs), len(batch)).items():
            if name in batch.columns:
                raise ValueError(f"The model's output column '{name}' is already an input column")
            batch[name] = values
        return batch


def prediction_columns(raw: Any, rows: int, base: str = PREDICTION) -> dict[str, Any]:
    """A model's output as columns: ``prediction``, or ``prediction_<name>`` per output of a multi-output
    model (DataFrame columns, dict keys, or the columns of a 2-D array)."""
    if isinstance(raw, list) and raw and isinstance(raw[0], Mapping):
        raw = pd.DataFrame(raw)
    if isinstance(raw, pd.DataFrame):
        if raw.shape[1] == 1:
            columns = {base: raw.iloc[:, 0].to_numpy()}
        else:
            columns = {f"{base}_{c}": raw[c].to_numpy() for c in raw.columns}
    elif isinstance(raw, pd.Series):
        columns = {base: raw.to_numpy()}
    elif isinstance(raw, Mapping):
        columns = {f"{base}_{k}": _column(v) for k, v in raw.items()}
    else:
        array = np.asarray(raw)
        if array.ndim == 2 and array.shape[1] > 1:
            columns = {f"{base}_{i}": array[:, i] for i in range(array.shape[1])}
        elif array.ndim == 2:
            columns = {base: array[:, 0]}
        else:
            columns = {base: _column(array)}
    for name, values in columns.items():
        if len(values) != rows:
            raise ValueError(f"The model returned {len(values)} values for '{name}' on {rows} rows")
    return columns


def _column(values: Any) -> Any:
    array = np.asarray(values)
    return list(array) if array.ndim > 1 else array


def _inputs_of(schema: Any) -> ModelInputs:
    if schema is None:
        return ModelInputs(required=None)
    if schema.is_tensor_spec():
        specs = schema.inputs
        shape: tuple[int, ...] = tuple(specs[0].shape) if len(specs) == 1 else ()
        width = shape[1] if len(shape) == 2 and shape[1] > 0 else None
        return ModelInputs(required=None, tensor_width=width)
    if not schema.has_input_names():
        return ModelInputs(required=None, tensor_width=len(schema.inputs))
    return ModelInputs(
        required=[str(n) for n in schema.required_input_names()],
        optional=[str(n) for n in schema.optional_input_names()],
    )


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """String column names; a meaningful index (named, or not 0..n-1) kept as columns, as Parquet will."""
    index = frame.index
    plain = isinstance(index, pd.RangeIndex) and index.name is None
    try:
        flat = frame.reset_index(drop=plain) if not plain or index.start != 0 or index.step != 1 else frame
    except ValueError as exc:  # an index named like a column
        raise InvalidInput(f"Cannot keep the DataFrame's index as a column: {exc}") from exc
    if any(not isinstance(c, str) for c in flat.columns):
        flat = flat.rename(columns=str)
    return flat


def _block_rows(rows: int, batch_size: int, max_blocks: int = 200) -> int:
    """Rows per input block: batch-sized, but no more than ``max_blocks`` blocks for large tables."""
    return max(batch_size, math.ceil(rows / max_blocks))


def _remove(fs: pafs.FileSystem, path: str) -> None:
    info = fs.get_file_info(path)
    if info.type == pafs.FileType.Directory:
        if isinstance(fs, pafs.LocalFileSystem):
            shutil.rmtree(path, ignore_errors=True)
        else:
            fs.delete_dir(path)
    elif info.type == pafs.FileType.File:
        fs.delete_file(path)


@contextmanager
def _quiet_ray_data() -> Iterator[None]:
    """Ray Data logs each execution to the notebook's output: our progress and errors say enough."""
    logger = logging.getLogger("ray.data")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # a failure is raised to the caller, not logged at it
    try:
        yield
    finally:
        logger.setLevel(level)


def _translate(exc: Exception) -> WorkbenchError:
    """The model failing on a batch -> ``InvalidInput`` naming the cause; Ray failing -> unavailable."""
    from ray.exceptions import RayTaskError, UserCodeException

    root = _root_cause(exc)
    if isinstance(exc, UserCodeException | RayTaskError) and not isinstance(root, RayTaskError):
        text = str(root).split("\nFailed to ")[0].split("\nTo change retry attempts")[0].strip()
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        message = " ".join(lines[:2]) or type(root).__name__
        return InvalidInput(
            f"The model failed on a batch: {type(root).__name__}: {message[:500]}",
            hint="check the input's columns and types against the model's signature",
        )
    return BackendUnavailable(
        f"Ray failed while scoring: {str(exc)[:500]}", hint="retry; check the Ray cluster"
    )


def _root_cause(exc: BaseException) -> BaseException:
    """The exception the model raised, under Ray's wrappers (``__cause__`` and ``RayTaskError.cause``)."""
    from ray.exceptions import RayTaskError

    seen: set[int] = set()
    current = exc
    while id(current) not in seen:
        seen.add(id(current))
        inner = current.cause if isinstance(current, RayTaskError) else None
        following = inner if isinstance(inner, BaseException) else current.__cause__
        if following is None:
            break
        current = following
    return current
