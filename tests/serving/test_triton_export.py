"""Triton export of registered versions (sklearn, XGBoost, PyTorch) into a model repository on local disk
and on S3 (a real moto server process), checked by running the ONNX with onnxruntime against the MLflow
model's own predictions; and ``TritonRemoteModel`` through the real ``tritonclient.http`` client against a
v2 server."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import mlflow
import numpy as np
import onnxruntime as ort
import pandas as pd
import pytest
import torch
import xgboost
from google.protobuf import json_format, text_format
from mlflow.models import infer_signature
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tritonclient.grpc import model_config_pb2

from matih_workbench.backends.triton import TritonRemoteModel, export_to_triton
from matih_workbench.errors import BackendUnavailable, InvalidInput, NotFound

COLUMNS = ["tenure", "spend", "visits", "age"]
ATOL = 1e-4  # ONNX runs in float32; MLflow's models in float64 (sklearn) or float32 (XGBoost, PyTorch)


def features(n: int = 64, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, len(COLUMNS))), columns=COLUMNS)
    return frame, (frame.tenure + 0.5 * frame.spend > 0).to_numpy(int)


def log_models(experiment_id: str) -> None:
    """A tiny registered model per case, version 1 each: ``models:/<name>/1``."""
    frame, y = features()
    x = frame.to_numpy(np.float32)
    common: dict[str, Any] = {"name": "model", "pip_requirements": []}  # no slow requirement inference
    with mlflow.start_run(experiment_id=experiment_id):
        model = make_pipeline(StandardScaler(), LogisticRegression()).fit(frame, y)
        signature = infer_signature(frame, model.predict(frame))
        mlflow.sklearn.log_model(model, registered_model_name="sklearn", signature=signature, **common)
        mlflow.sklearn.log_model(model, registered_model_name="unsigned", **common)

        booster = xgboost.XGBRegressor(n_estimators=8, max_depth=3).fit(frame, frame.spend * 2 + y)
        signature = infer_signature(frame, booster.predict(frame))
        mlflow.xgboost.log_model(booster, registered_model_name="xgboost", signature=signature, **common)

        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
        signature = infer_signature(x, net(torch.from_numpy(x)).detach().numpy())
        for form in ("pt2", "pickle"):  # pt2 (torch.export) is MLflow 3's default
            mlflow.pytorch.log_model(
                net,
                registered_model_name=f"pytorch-{form}",
                signature=signature,
                serialization_format=form,
                input_example=x[:2],
                **common,
            )

        class Constant(mlflow.pyfunc.PythonModel):
            def predict(self, model_input: list[float]) -> list[float]:
                return [0.0 for _ in model_input]

        mlflow.pyfunc.log_model(python_model=Constant(), registered_model_name="constant", **common)


@pytest.fixture(scope="module")
def tracking_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One MLflow SQLite store for the module (creating one takes ~10 s); log_model is fluent, so the
    global tracking URI points there while the module runs."""
    root = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        # mlflow 3.17 warns about its own Any type hints when mlflow.pyfunc is first imported
        warnings.filterwarnings("ignore", ".*Any type hint is inferred as AnyType", UserWarning)
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        mlflow.set_tracking_uri(uri)
        log_models(mlflow.create_experiment("triton", artifact_location=(root / "artifacts").as_uri()))
        yield uri
        mlflow.set_tracking_uri(None)


def parse_config(path: Path) -> Any:
    return text_format.Parse(path.read_text(), model_config_pb2.ModelConfig())


def run_onnx(path: Path, x: np.ndarray) -> dict[str, np.ndarray]:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, {session.get_inputs()[0].name: x}), strict=True))


def test_a_sklearn_version_exports_to_the_documented_layout_and_predicts_the_same(
    tracking_uri: str, tmp_path: Path
) -> None:
    uri = "models:/sklearn/1"
    out = export_to_triton(uri, tracking_uri, str(tmp_path / "repo"), "churn", 1)

    model_dir = tmp_path / "repo" / "churn"
    assert out.where == str(model_dir.resolve())
    assert sorted(p.relative_to(model_dir).as_posix() for p in model_dir.rglob("*") if p.is_file()) == [
        "1/model.onnx",
        "config.pbtxt",
    ]
    config = parse_config(model_dir / "config.pbtxt")
    assert (config.name, config.platform, config.max_batch_size) == ("churn", "onnxruntime_onnx", 64)
    assert [(i.name, i.data_type, list(i.dims)) for i in config.input] == [
        ("input", model_config_pb2.TYPE_FP32, [4])
    ]
    label, probabilities = config.output
    assert (label.name, label.data_type, list(label.dims)) == ("label", model_config_pb2.TYPE_INT64, [1])
    assert label.HasField("reshape") and list(label.reshape.shape) == []
    assert (probabilities.name, list(probabilities.dims)) == ("probabilities", [2])
    assert json.loads(config.parameters["matih.columns"].string_value) == COLUMNS

    frame, _ = features(seed=11)
    got = run_onnx(model_dir / "1" / "model.onnx", frame.to_numpy(np.float32))
    assert np.array_equal(got["label"], mlflow.pyfunc.load_model(uri).predict(frame))
    expected = mlflow.sklearn.load_model(uri).predict_proba(frame)
    assert np.allclose(got["probabilities"], expected, atol=ATOL)


def test_an_xgboost_version_with_named_columns_predicts_the_same(tracking_uri: str, tmp_path: Path) -> None:
    uri = "models:/xgboost/1"
    out = export_to_triton(uri, tracking_uri, (tmp_path / "repo").as_uri(), "spend", 3)

    assert (tmp_path / "repo" / "spend" / "3" / "model.onnx").is_file()
    assert [(t.name, t.data_type, t.dims) for t in out.outputs] == [("variable", "TYPE_FP32", (1,))]
    frame, _ = features(seed=12)
    got = run_onnx(tmp_path / "repo" / "spend" / "3" / "model.onnx", frame.to_numpy(np.float32))
    expected = mlflow.pyfunc.load_model(uri).predict(frame)
    assert np.allclose(got["variable"].ravel(), expected, atol=ATOL)


@pytest.mark.parametrize("torch_format", ["pt2", "pickle"])
def test_a_pytorch_version_with_a_tensor_signature_predicts_the_same(
    tracking_uri: str, tmp_path: Path, torch_format: str
) -> None:
    uri = f"models:/pytorch-{torch_format}/1"
    out = export_to_triton(uri, tracking_uri, str(tmp_path / "repo"), "net", 1, max_batch_size=8)

    config = parse_config(tmp_path / "repo" / "net" / "config.pbtxt")
    assert config.max_batch_size == 8 and not config.parameters
    assert [(t.name, t.data_type, t.dims) for t in out.inputs] == [("input", "TYPE_FP32", (4,))]
    assert [(t.name, t.dims) for t in out.outputs] == [("output", (2,))]
    x = features(n=5, seed=13)[0].to_numpy(np.float32)  # another batch size than the export's example
    got = run_onnx(tmp_path / "repo" / "net" / "1" / "model.onnx", x)
    assert np.allclose(got["output"], mlflow.pyfunc.load_model(uri).predict(x), atol=ATOL)


def test_unsupported_flavors_missing_signatures_and_unknown_versions_are_refused(
    tracking_uri: str, tmp_path: Path
) -> None:
    repo = str(tmp_path / "repo")
    with pytest.raises(InvalidInput, match=r"flavor .* not supported") as refused:
        export_to_triton("models:/constant/1", tracking_uri, repo, "constant", 1)
    assert "sklearn, xgboost, pytorch" in (refused.value.hint or "")
    with pytest.raises(InvalidInput, match="no MLflow signature"):
        export_to_triton("models:/unsigned/1", tracking_uri, repo, "unsigned", 1)
    with pytest.raises(NotFound):
        export_to_triton("models:/sklearn/7", tracking_uri, repo, "churn", 1)
    with pytest.raises(InvalidInput, match="repository"):
        export_to_triton("models:/sklearn/1", tracking_uri, "gs://bucket/triton", "churn", 1)
    with pytest.raises(InvalidInput, match="cannot name a Triton model"):
        export_to_triton("models:/sklearn/1", tracking_uri, repo, "../churn", 1)
    assert not (tmp_path / "repo").exists()


def test_a_missing_converter_names_the_extra(
    tracking_uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # as if not installed: importing it fails
    with pytest.raises(InvalidInput, match="needs the skl2onnx package") as refused:
        export_to_triton("models:/sklearn/1", tracking_uri, str(tmp_path / "repo"), "churn", 1)
    assert refused.value.hint == "pip install 'matih-workbench[triton]'"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A moto S3 server process on a free port, with a bucket ``triton``."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        for key, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "MLFLOW_S3_ENDPOINT_URL": endpoint,  # restored after the test (the storage backend sets it)
        }.items():
            monkeypatch.setenv(key, value)
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="triton")
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_repository_on_s3_gets_the_same_layout(tracking_uri: str, s3_endpoint: str, tmp_path: Path) -> None:
    uri = "models:/sklearn/1"
    out = export_to_triton(uri, tracking_uri, "s3://triton/models/", "churn", 2, s3_endpoint_url=s3_endpoint)

    assert out.where == "s3://triton/models/churn"
    s3 = boto3.client("s3", endpoint_url=s3_endpoint)
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="triton")["Contents"])
    assert keys == ["models/churn/2/model.onnx", "models/churn/config.pbtxt"]
    s3.download_file("triton", "models/churn/2/model.onnx", str(tmp_path / "model.onnx"))
    frame, _ = features(seed=14)
    got = run_onnx(tmp_path / "model.onnx", frame.to_numpy(np.float32))
    assert np.array_equal(got["label"], mlflow.pyfunc.load_model(uri).predict(frame))


class StandInV2Server(BaseHTTPRequestHandler):
    """Stand-in until the workbench's own v2 endpoint route exists: a small real KServe v2 server serving
    the exported repository with onnxruntime (health, metadata, Triton's config extension, infer with JSON
    or binary tensors), under the base path ``/myendpoint``."""

    protocol_version = "HTTP/1.1"
    repository: Path
    types = {"TYPE_FP32": "FP32", "TYPE_INT64": "INT64"}

    def do_GET(self) -> None:
        parts = self.path.removeprefix("/myendpoint/v2/").split("/")
        if parts == ["health", "ready"]:
            return self.reply({})
        config = self.config(parts[1]) if parts[0] == "models" and len(parts) > 1 else None
        if config is None:
            return self.reply({"error": f"unknown model in {self.path}"}, 404)
        if parts[2:] == ["ready"]:
            return self.reply({})
        if parts[2:] == ["config"]:
            return self.reply(json_format.MessageToDict(config, preserving_proto_field_name=True))

        def tensors(field: str) -> list[dict[str, Any]]:
            return [
                {
                    "name": t.name,
                    "datatype": self.types[model_config_pb2.DataType.Name(t.data_type)],
                    "shape": [-1] if t.HasField("reshape") else [-1, *t.dims],
                }
                for t in getattr(config, field)
            ]

        meta = {"name": config.name, "versions": ["1"], "platform": config.platform}
        self.reply({**meta, "inputs": tensors("input"), "outputs": tensors("output")})

    def do_POST(self) -> None:
        name = self.path.removeprefix("/myendpoint/v2/models/").split("/")[0]
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.config(name) is None:
            return self.reply({"error": f"unknown model {name}"}, 404)
        header = int(self.headers.get("Inference-Header-Content-Length", len(body)))
        request, raw = json.loads(body[:header]), body[header:]
        feeds = {}
        for tensor in request["inputs"]:
            size = tensor.get("parameters", {}).get("binary_data_size")
            data = np.frombuffer(raw[:size], np.float32) if size is not None else np.array(tensor["data"])
            raw = raw[size or 0 :]
            feeds[tensor["name"]] = data.astype(np.float32).reshape(tensor["shape"])
        session = ort.InferenceSession(str(self.repository / name / "1" / "model.onnx"))
        results = zip(session.get_outputs(), session.run(None, feeds), strict=True)
        binary = request.get("parameters", {}).get("binary_data_output", False)
        outputs, blobs = [], []
        for spec, value in results:
            out = {
                "name": spec.name,
                "datatype": "INT64" if value.dtype == np.int64 else "FP32",
                "shape": list(value.shape),
            }
            if binary:
                blobs.append(value.tobytes())
                out["parameters"] = {"binary_data_size": len(blobs[-1])}
            else:
                out["data"] = value.ravel().tolist()
            outputs.append(out)
        self.reply({"model_name": name, "outputs": outputs}, 200, b"".join(blobs))

    def config(self, name: str) -> Any:
        path = self.repository / name / "config.pbtxt"
        return parse_config(path) if path.is_file() else None

    def reply(self, payload: dict[str, Any], status: int = 200, blob: bytes = b"") -> None:
        head = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream" if blob else "application/json")
        if blob:
            self.send_header("Inference-Header-Content-Length", str(len(head)))
        self.send_header("Content-Length", str(len(head) + len(blob)))
        self.end_headers()
        self.wfile.write(head + blob)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def v2_server(tmp_path: Path) -> Iterator[str]:
    handler = type("Handler", (StandInV2Server,), {"repository": tmp_path / "repo"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}/myendpoint"
    server.shutdown()
    server.server_close()


def test_tritonclient_predicts_what_the_registered_model_predicts(
    tracking_uri: str, tmp_path: Path, v2_server: str
) -> None:
    uri = "models:/sklearn/1"
    export_to_triton(uri, tracking_uri, str(tmp_path / "repo"), "churn", 1)
    remote = TritonRemoteModel(v2_server, "churn")
    try:
        assert remote.ready()
        assert [i["name"] for i in remote.metadata()["inputs"]] == ["input"]
        frame, _ = features(seed=15)
        shuffled = frame[list(reversed(COLUMNS))]  # put back in order from the config's recorded columns
        assert np.array_equal(remote.predict(shuffled), mlflow.pyfunc.load_model(uri).predict(frame))
        expected = mlflow.sklearn.load_model(uri).predict_proba(frame)
        assert np.allclose(remote.predict(shuffled, output="probabilities"), expected, atol=ATOL)
        with pytest.raises(InvalidInput, match="Missing columns"):
            remote.predict(frame.drop(columns=["age"]))
        with pytest.raises(InvalidInput, match="no output"):
            remote.predict(frame, output="scores")
    finally:
        remote.close()


def test_unknown_models_and_unreachable_servers_are_reported(tmp_path: Path, v2_server: str) -> None:
    unknown = TritonRemoteModel(v2_server, "absent")
    down = TritonRemoteModel(f"http://127.0.0.1:{free_port()}", "churn")
    try:
        assert not unknown.ready() and not down.ready()
        with pytest.raises(NotFound, match="absent"):
            unknown.metadata()
        with pytest.raises(BackendUnavailable, match="Cannot reach"):
            down.predict(features()[0])
    finally:
        unknown.close()
        down.close()
