"""Export a registered MLflow model version to a Triton model repository, as ONNX for the onnxruntime backend.

The layout is the one Triton documents: ``<repository>/<name>/config.pbtxt`` and
``<repository>/<name>/<version>/model.onnx``. The repository is a local folder (or ``file://`` URI) or
``s3://bucket/prefix`` on the artifact storage. sklearn goes through skl2onnx, XGBoost through onnxmltools,
PyTorch through ``torch.onnx.export(dynamo=True)`` (torch.export + onnxscript: MLflow 3 stores PyTorch as
pt2, which the TorchScript exporter cannot take). The input comes from the MLflow signature: a column-based
signature becomes one FP32 tensor ``[batch, n_columns]`` named ``input`` (column order in the config's
``parameters``), a tensor signature becomes that tensor. The first dimension is always the batch.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import numpy as np

from matih_workbench.errors import BackendUnavailable, InvalidInput, NotFound

__all__ = ["COLUMNS_PARAMETER", "PLATFORM", "TritonExport", "TritonTensor", "export_to_triton"]

PLATFORM = "onnxruntime_onnx"
COLUMNS_PARAMETER = "matih.columns"  # JSON list of the DataFrame columns, in the input tensor's order
FLAVORS = ("sklearn", "xgboost", "pytorch")
_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_TRITON_EXTRA = "pip install 'matih-workbench[triton]'"
# ONNX TensorProto element types -> Triton config data types
_ONNX_TO_TRITON = {
    1: "TYPE_FP32",
    2: "TYPE_UINT8",
    3: "TYPE_INT8",
    4: "TYPE_UINT16",
    5: "TYPE_INT16",
    6: "TYPE_INT32",
    7: "TYPE_INT64",
    8: "TYPE_STRING",
    9: "TYPE_BOOL",
    10: "TYPE_FP16",
    11: "TYPE_FP64",
    12: "TYPE_UINT32",
    13: "TYPE_UINT64",
}


@dataclass(frozen=True)
class TritonTensor:
    """One input or output of the config: ``dims`` without the batch dimension (-1: variable)."""

    name: str
    data_type: str
    dims: tuple[int, ...]


@dataclass(frozen=True)
class TritonExport:
    """What was written: ``where`` is the model's folder in the repository (``<repository>/<name>``)."""

    where: str
    name: str
    version: int
    platform: str
    max_batch_size: int
    inputs: tuple[TritonTensor, ...]
    outputs: tuple[TritonTensor, ...]
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Input:
    name: str
    dtype: np.dtype[Any]
    dims: tuple[int, ...]  # without the batch dimension
    columns: tuple[str, ...]


def export_to_triton(
    model_uri: str,
    tracking_uri: str,
    repository: str,
    name: str,
    version: int,
    s3_endpoint_url: str = "",
    max_batch_size: int = 64,
) -> TritonExport:
    """Convert ``model_uri`` (``models:/NAME/VERSION``, ``models:/NAME@alias``...) and write it as version
    ``version`` of Triton model ``name``; an existing config.pbtxt and version folder are replaced."""
    if version < 1:
        raise InvalidInput(f"Triton model versions start at 1, not {version}")
    if not _NAME.fullmatch(name) or name in {".", ".."}:
        raise InvalidInput(f"'{name}' cannot name a Triton model", hint="use letters, digits, '.', '_', '-'")
    if "://" in repository and not repository.startswith(("s3://", "file://")):
        raise InvalidInput(
            f"Unsupported Triton repository '{repository}'",
            hint="give a local folder, a file:// URI or s3://bucket/prefix",
        )
    with tempfile.TemporaryDirectory(prefix="matih-triton-") as tmp:
        flavor, model, signature = _load(model_uri, tracking_uri, Path(tmp) / "mlflow")
        spec = _input_from_signature(signature, flavor)
        onnx_model = _convert(flavor, model, spec)
        inputs, outputs = _tensors(onnx_model)
        staged = Path(tmp) / "repository" / name
        (staged / str(version)).mkdir(parents=True)
        (staged / str(version) / "model.onnx").write_bytes(onnx_model.SerializeToString())
        (staged / "config.pbtxt").write_text(
            config_pbtxt(name, max_batch_size, inputs, outputs, spec.columns)
        )
        where = _publish(staged, repository, s3_endpoint_url)
    return TritonExport(where, name, version, PLATFORM, max_batch_size, inputs, outputs, spec.columns)


def config_pbtxt(
    name: str,
    max_batch_size: int,
    inputs: tuple[TritonTensor, ...],
    outputs: tuple[TritonTensor, ...],
    columns: tuple[str, ...] = (),
) -> str:
    """Triton's model configuration in protobuf text format."""
    lines = [f"name: {_quote(name)}", f'platform: "{PLATFORM}"', f"max_batch_size: {max_batch_size}"]
    for field, tensors in (("input", inputs), ("output", outputs)):
        lines.append(f"{field} [")
        lines.append(",\n".join(_tensor_block(tensor) for tensor in tensors))
        lines.append("]")
    if columns:
        value = _quote(json.dumps(list(columns)))
        lines.append(f'parameters {{\n  key: "{COLUMNS_PARAMETER}"\n  value {{ string_value: {value} }}\n}}')
    return "\n".join(lines) + "\n"


def _tensor_block(tensor: TritonTensor) -> str:
    # A per-item scalar ([batch] in ONNX) is declared as dims [1] and reshaped, as Triton documents.
    dims, reshape = (tensor.dims, "") if tensor.dims else ((1,), "\n    reshape { shape: [ ] }")
    body = f"    name: {_quote(tensor.name)}\n    data_type: {tensor.data_type}"
    return f"  {{\n{body}\n    dims: [ {', '.join(map(str, dims))} ]{reshape}\n  }}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _source(model_uri: str, tracking_uri: str) -> str:
    """A registered version's own source: MLflow resolves ``models:/NAME/...`` against the process-global
    registry, whatever registry URI is passed, so the version is looked up with an explicit client."""
    from mlflow.tracking import MlflowClient

    if not model_uri.startswith("models:/") or model_uri.startswith("models:/m-"):
        return model_uri
    name, _, rest = model_uri.removeprefix("models:/").partition("/")
    client = MlflowClient(tracking_uri, tracking_uri)
    if "@" in name:
        name, alias = name.split("@", 1)
        return str(
            client.get_model_version_download_uri(
                name, client.get_model_version_by_alias(name, alias).version
            )
        )
    return str(client.get_model_version_download_uri(name, rest))


def _load(model_uri: str, tracking_uri: str, folder: Path) -> tuple[str, Any, Any]:
    """Download the model once; return (flavor, the flavor's native model, its MLflow signature)."""
    import mlflow
    from mlflow.exceptions import MlflowException
    from mlflow.models import Model

    try:
        local = mlflow.artifacts.download_artifacts(
            artifact_uri=_source(model_uri, tracking_uri), dst_path=str(folder), tracking_uri=tracking_uri
        )
        meta = Model.load(local)
    except MlflowException as exc:
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
            raise NotFound(f"No model at '{model_uri}'", hint="check the model name and version") from None
        raise BackendUnavailable(f"Could not load '{model_uri}' from MLflow: {exc.message}") from None
    flavor = next((f for f in FLAVORS if f in meta.flavors), None)
    if flavor is None:
        known = ", ".join(sorted(set(meta.flavors) - {"python_function"})) or "python_function only"
        raise InvalidInput(
            f"Cannot export '{model_uri}' to Triton: its MLflow flavor ({known}) is not supported",
            hint=f"export models logged with one of the flavors {', '.join(FLAVORS)}",
        )
    if flavor == "pytorch":
        _require("torch", "pip install 'matih-workbench[torch]'")
    loader = importlib.import_module(f"mlflow.{flavor}")
    return flavor, loader.load_model(local), meta.signature


def _input_from_signature(signature: Any, flavor: str) -> _Input:
    if signature is None or signature.inputs is None:
        raise InvalidInput(
            "The model has no MLflow signature: the Triton input shape cannot be known",
            hint="log the model with signature=mlflow.models.infer_signature(X, model.predict(X))",
        )
    schema = signature.inputs
    if not schema.is_tensor_spec():
        columns = tuple(schema.input_names())
        kinds = {getattr(spec.type, "name", str(spec.type)) for spec in schema.inputs}
        if kinds - {"double", "float", "integer", "long", "boolean"}:
            raise InvalidInput(
                f"Only numeric columns can become a Triton tensor; the signature has {sorted(kinds)}",
                hint="encode categorical and text columns inside the model (e.g. a sklearn Pipeline)",
            )
        return _Input("input", np.dtype(np.float32), (len(columns),), columns)
    if len(schema.inputs) != 1:
        raise InvalidInput("Only models with one input tensor can be exported to Triton")
    spec = schema.inputs[0]
    dims = tuple(int(d) for d in spec.shape[1:])
    dtype = np.dtype(spec.type) if flavor == "pytorch" else np.dtype(np.float32)
    return _Input(spec.name or "input", dtype, dims, ())


def _convert(flavor: str, model: Any, spec: _Input) -> Any:
    if flavor == "pytorch":
        return _from_torch(model, spec)
    shape = [None, *(None if d < 0 else d for d in spec.dims)]
    if flavor == "sklearn":
        skl2onnx = _require("skl2onnx", _TRITON_EXTRA)
        from skl2onnx.common.data_types import FloatTensorType

        options = {id(model): {"zipmap": False}} if hasattr(model, "predict_proba") else None
        try:
            return skl2onnx.convert_sklearn(
                model, initial_types=[(spec.name, FloatTensorType(shape))], options=options
            )
        except (RuntimeError, NameError, ValueError) as exc:
            raise InvalidInput(f"skl2onnx cannot convert {type(model).__name__}: {exc}") from None
    onnxmltools = _require("onnxmltools", _TRITON_EXTRA)
    from onnxmltools.convert.common.data_types import FloatTensorType as XgbFloatTensorType

    booster = model.get_booster() if hasattr(model, "get_booster") else model
    booster.feature_names = None  # the converter only reads features named f0, f1, ...
    return onnxmltools.convert_xgboost(model, initial_types=[(spec.name, XgbFloatTensorType(shape))])


def _from_torch(model: Any, spec: _Input) -> Any:
    """Through torch.export and the ONNX exporter built on it (needs onnxscript): MLflow 3 saves PyTorch
    models as pt2 (a torch.export program), which the older TorchScript exporter cannot take."""
    import torch
    from torch.export import Dim

    _require("onnxscript", _TRITON_EXTRA)
    with contextlib.suppress(NotImplementedError):  # a torch.export module (pt2) has no train/eval modes
        model.eval()
    example = torch.zeros((2, *(max(d, 1) for d in spec.dims)), dtype=getattr(torch, spec.dtype.name))
    with torch.no_grad():
        result = model(example)
    count = len(result) if isinstance(result, (tuple, list)) else 1
    names = ["output"] if count == 1 else [f"output_{i}" for i in range(count)]
    dynamic = {axis: Dim.AUTO for axis, dim in enumerate((-1, *spec.dims)) if dim < 0}
    with warnings.catch_warnings():
        # torch 2.13 warns from its own exporter internals; neither changes the exported graph
        warnings.filterwarnings("ignore", "Exporting a model while it is in training mode", UserWarning)
        warnings.filterwarnings("ignore", r"`isinstance\(treespec, LeafSpec\)` is deprecated", FutureWarning)
        program = torch.onnx.export(
            model,
            (example,),
            input_names=[spec.name],
            output_names=names,
            dynamic_shapes=(dynamic,),
            dynamo=True,
            verbose=False,
        )
    if program is None:  # only without dynamo=True
        raise InvalidInput("torch.onnx.export returned no ONNX program")
    return program.model_proto


def _tensors(onnx_model: Any) -> tuple[tuple[TritonTensor, ...], tuple[TritonTensor, ...]]:
    """Inputs and outputs as the ONNX graph declares them (the batch dimension dropped)."""

    def tensor(value: Any) -> TritonTensor:
        kind = value.type.tensor_type
        dims = tuple(d.dim_value if d.HasField("dim_value") else -1 for d in kind.shape.dim)[1:]
        data_type = _ONNX_TO_TRITON.get(kind.elem_type)
        if data_type is None:
            raise InvalidInput(
                f"ONNX tensor '{value.name}' has a type Triton cannot serve ({kind.elem_type})"
            )
        return TritonTensor(value.name, data_type, dims)

    graph = onnx_model.graph
    initializers = {i.name for i in graph.initializer}
    inputs = tuple(tensor(v) for v in graph.input if v.name not in initializers)
    return inputs, tuple(tensor(v) for v in graph.output)


def _publish(staged: Path, repository: str, s3_endpoint_url: str) -> str:
    """Copy the staged ``<name>/`` folder into the repository; return its location there."""
    name = staged.name
    if repository.startswith("s3://"):
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        from matih_workbench.backends.storage import S3Artifacts

        where = f"{repository.rstrip('/')}/{name}"
        try:
            S3Artifacts(repository, s3_endpoint_url).upload_folder(str(staged), where)
        except (Boto3Error, BotoCoreError, ClientError) as exc:
            raise BackendUnavailable(f"Could not write the Triton model to {where}: {exc}") from None
        return where
    folder = unquote(urlparse(repository).path) if repository.startswith("file://") else repository
    target = Path(folder).expanduser().resolve() / name
    version_dir = next(p for p in staged.iterdir() if p.is_dir())
    shutil.rmtree(target / version_dir.name, ignore_errors=True)
    shutil.copytree(staged, target, dirs_exist_ok=True)
    return str(target)


def _require(module: str, hint: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise InvalidInput(f"Exporting this model to Triton needs the {module} package", hint=hint) from None
