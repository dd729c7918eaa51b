"""One endpoint as one Ray Serve deployment: every version behind it is loaded in the same replica, and the
traffic split is decided there (no extra Ray hop per request). The split, the shadow and the versions come
from the deployment's ``user_config`` (an ``EndpointSpec``): changing them reconfigures the running replica
in place, atomically, without dropping a request.

Routes under ``/<endpoint>``: ``POST /`` (also ``/predict``, ``/invocations``) with JSON records;
``GET /health``; ``POST /feedback``; the Open Inference Protocol under ``/v2``; ``GET /-/stats`` (admin).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import random
import time
import uuid
import zlib
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from ray import serve
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from matih_workbench.backends.contracts import FeatureStore
from matih_workbench.backends.feast.online import OnlineLookup
from matih_workbench.backends.ray.serve.features import online_features, with_features
from matih_workbench.backends.ray.serve.inference_log import InferenceLog
from matih_workbench.backends.ray.serve.protocol import (
    BINARY_HEADER,
    BadRequest,
    parse_json,
    parse_v2,
    predictions_array,
    records_of,
    split_rows,
    to_jsonable,
    v2_datatype,
    v2_response,
)
from matih_workbench.backends.ray.serve.stats import EndpointStats, first_number
from matih_workbench.backends.ray.serve.validation import Column, Signature
from matih_workbench.models.serving import EndpointSpec, TrafficRoute

log = logging.getLogger(__name__)
RECENT_REQUESTS = 100_000  # request ids remembered for feedback


@dataclass
class Loaded:
    version: str
    model: Any
    signature: Signature
    features: OnlineLookup | None = None  # fills request records with the online features it was trained on


@dataclass(frozen=True)
class Table:
    """The routing decision of one generation: live versions with cumulative weights, and shadows."""

    generation: int
    live: list[tuple[str, float]]
    shadows: list[str]
    loaded: dict[str, Loaded]

    def pick(self, key: str | None) -> str:
        point = (zlib.crc32(key.encode()) % 10_000) / 100 if key else random.random() * 100
        for version, upper in self.live:
            if point < upper:
                return version
        return self.live[-1][0]


def _signature(metadata: Any) -> Signature:
    schema = metadata.get_input_schema()
    if schema is None:
        return Signature(None)
    if schema.is_tensor_spec():
        return Signature(None, tuple(schema.inputs[0].shape))
    columns = []
    for spec in schema.inputs:
        if spec.name is None:
            return Signature(None)
        kind = getattr(spec.type, "name", "any")
        columns.append(Column(spec.name, kind if isinstance(kind, str) else "any", bool(spec.required)))
    return Signature(columns)


class RemoteTriton:
    """A version served by an external Triton (KServe v2) server: predictions through ``tritonclient``."""

    def __init__(self, url: str, name: str, columns: list[str]) -> None:
        from matih_workbench.backends.triton.remote import TritonRemoteModel

        self.remote = TritonRemoteModel(url, name, columns=columns)

    def predict(self, frame: Any) -> Any:
        return self.remote.predict(frame)


def _load(spec: EndpointSpec, route: TrafficRoute, stores: dict[str, FeatureStore]) -> Loaded:
    import mlflow

    mlflow.set_tracking_uri(spec.tracking_uri)
    mlflow.set_registry_uri(spec.tracking_uri)
    uri = f"models:/{spec.model}/{route.version}"
    features = online_features(spec, route.version, stores)
    if route.triton_url:
        signature = _signature(mlflow.models.Model.load(uri))
        remote = RemoteTriton(route.triton_url, route.triton_model or spec.model, signature.names)
        return Loaded(route.version, remote, signature, features)
    pyfunc = mlflow.pyfunc.load_model(uri)
    return Loaded(route.version, pyfunc, _signature(pyfunc.metadata), features)


def _response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


@serve.deployment(name="Endpoint", num_replicas=1, max_ongoing_requests=64, ray_actor_options={"num_cpus": 0})
class Endpoint:
    def __init__(self) -> None:
        self.spec: EndpointSpec | None = None
        self.table = Table(-1, [], [], {})
        self.stats = EndpointStats()
        self.log: InferenceLog | None = None
        self.recent: OrderedDict[str, str] = OrderedDict()
        self.shadow_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="matih-shadow")
        self.shadow_pending = 0
        self.shadow_skipped = 0
        self.batches: dict[str, list[tuple[Any, str, asyncio.Future[tuple[int, dict[str, Any]]]]]] = {}
        self.feature_stores: dict[str, FeatureStore] = {}

    async def reconfigure(self, config: dict[str, Any]) -> None:
        spec = EndpointSpec.model_validate(config)
        loaded = dict(self.table.loaded)
        for route in spec.routes:
            if route.version not in loaded:
                loaded[route.version] = await asyncio.to_thread(_load, spec, route, self.feature_stores)
        live, upper = [], 0.0
        for route in spec.routes:
            if not route.shadow and route.weight > 0:
                upper += route.weight
                live.append((route.version, upper))
        keep = {r.version for r in spec.routes}
        if self.log is None or (
            self.spec and (self.spec.log_root, self.spec.log_sample) != (spec.log_root, spec.log_sample)
        ):
            old, self.log = self.log, InferenceLog(spec.log_root, spec.name, spec.log_sample)
            if old is not None:
                old.close()
        self.spec = spec
        self.table = Table(
            spec.generation,
            live,
            [r.version for r in spec.routes if r.shadow],
            {v: m for v, m in loaded.items() if v in keep},
        )

    async def __call__(self, request: Request) -> Response:
        spec = self.spec
        assert spec is not None
        path = request.url.path
        prefix = f"/{spec.name}"
        path = path[len(prefix) :] if path.startswith(prefix) else path
        path = path.rstrip("/")
        try:
            if path in ("/health", "/v2/health/live", "/v2/health/ready"):
                return self._health(path)
            self._authorize(request, admin=path.startswith("/-/"))
            if path in ("", "/predict", "/invocations") and request.method == "POST":
                return await self._predict_records(parse_json(await request.body()), request)
            if path == "/-/stats":
                return _response(200, self._stats(float(request.query_params.get("since", 0) or 0)))
            if path == "/feedback" and request.method == "POST":
                return self._feedback(parse_json(await request.body()))
            if path.startswith("/v2"):
                return await self._v2(path[3:], request)
            raise BadRequest(f"No route {request.method} {request.url.path}", status=404)
        except BadRequest as exc:
            return _response(exc.status, exc.body())

    # -- requests ---------------------------------------------------------------------------------
    def _authorize(self, request: Request, admin: bool) -> None:
        assert self.spec is not None
        wanted = self.spec.admin_token_sha256 if admin else self.spec.api_key_sha256
        if not wanted:
            return
        given = request.headers.get("x-api-key") or request.headers.get("authorization", "").removeprefix(
            "Bearer "
        )
        digest = hashlib.sha256(given.encode()).hexdigest()
        if not hmac.compare_digest(digest, wanted):
            raise BadRequest("Missing or wrong API key (send 'Authorization: Bearer KEY')", status=401)

    def _route(self, request: Request, records: Any) -> tuple[Table, str]:
        table = self.table
        if not table.live:
            raise BadRequest("No version of this endpoint takes traffic", status=503)
        key = request.headers.get("x-matih-sticky")
        if key is None and self.spec and self.spec.sticky_key and isinstance(records, list):
            value = records[0].get(self.spec.sticky_key)
            key = None if value is None else str(value)
        return table, table.pick(key)

    async def _predict_records(self, body: Any, request: Request) -> Response:
        records = records_of(body)
        table, version = self._route(request, records)
        loaded = table.loaded[version]
        try:
            if loaded.features is not None and not isinstance(records, np.ndarray):
                records = await asyncio.to_thread(with_features, loaded.features, records)
            if isinstance(records, np.ndarray):
                inputs = loaded.signature.tensor(records)
            else:
                loaded.signature.check(records)
        except BadRequest:
            self.stats.rejected(version)
            raise
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        if isinstance(records, np.ndarray):
            status, predictions = self._run(loaded, inputs, request_id, records, "live")
        else:
            status, predictions = await self._batched(loaded, records, request_id)
        if status != 200:
            return _response(status, predictions, {"x-matih-version": version})
        if table.shadows:
            shadow_inputs = inputs if isinstance(records, np.ndarray) else loaded.signature.build(records)
            self._shadow(table, shadow_inputs, request_id, predictions["predictions"])
        return _response(
            200,
            {**predictions, "request_id": request_id},
            {"x-matih-version": version, "x-request-id": request_id},
        )

    async def _batched(
        self, loaded: Loaded, records: list[dict[str, Any]], request_id: str
    ) -> tuple[int, dict[str, Any]]:
        """Requests for one version that arrive together are predicted in one call (the model's fixed
        per-call cost is paid once); with no other request waiting this is a plain call."""
        future: asyncio.Future[tuple[int, dict[str, Any]]] = asyncio.get_running_loop().create_future()
        batch = self.batches.get(loaded.version)
        if batch is None:
            batch = self.batches[loaded.version] = []
            asyncio.get_running_loop().call_soon(self._flush, loaded)
        batch.append((records, request_id, future))
        return await future

    def _flush(self, loaded: Loaded) -> None:
        batch = self.batches.pop(loaded.version, [])
        parts: list[Any] | None = None
        started = time.perf_counter()
        if len(batch) > 1:
            try:
                raw = loaded.model.predict(
                    loaded.signature.build([r for records, _, _ in batch for r in records])
                )
                parts = split_rows(raw, [len(records) for records, _, _ in batch])
            except Exception:  # one bad request must not fail the others: each is run on its own below
                parts = None
        latency = (time.perf_counter() - started) * 1000
        for i, (records, request_id, future) in enumerate(batch):
            if parts is None:
                result = self._run(loaded, loaded.signature.build(records), request_id, records, "live")
            else:
                body = {"predictions": to_jsonable(parts[i]), "model": self._model, "version": loaded.version}
                self._record(
                    loaded, 200, body, predictions_array(parts[i]), latency, request_id, records, "live"
                )
                result = (200, body)
            if not future.done():
                future.set_result(result)

    @property
    def _model(self) -> str:
        assert self.spec is not None
        return self.spec.model

    def _run(
        self, loaded: Loaded, inputs: Any, request_id: str, logged: Any, role: str
    ) -> tuple[int, dict[str, Any]]:
        started = time.perf_counter()
        status = 200
        try:
            raw = loaded.model.predict(inputs)
            array = predictions_array(raw)
            body: dict[str, Any] = {
                "predictions": to_jsonable(raw),
                "model": self._model,
                "version": loaded.version,
            }
        except Exception as exc:  # the model's own failure: reported, counted, never a traceback
            status, array = _status_of(exc), np.empty(0)
            body = {
                "message": f"The model failed: {type(exc).__name__}: {str(exc)[:500]}",
                "version": loaded.version,
            }
        latency = (time.perf_counter() - started) * 1000
        self._record(loaded, status, body, array, latency, request_id, logged, role)
        return status, body

    def _record(
        self,
        loaded: Loaded,
        status: int,
        body: dict[str, Any],
        array: np.ndarray,
        latency: float,
        request_id: str,
        logged: Any,
        role: str,
    ) -> None:
        """Stats and the inference log for one answered request."""
        assert self.spec is not None
        if role == "live":
            if status >= 500:
                self.stats.served(loaded.version, latency, True, None)
            elif status >= 400:
                self.stats.rejected(loaded.version)
            else:
                self.stats.served(loaded.version, latency, False, first_number(array))
            self._remember(request_id, loaded.version)
        if self.log is not None:
            self.log.append(
                {
                    "request_id": request_id,
                    "time": time.time(),
                    "endpoint": self.spec.name,
                    "model": self.spec.model,
                    "version": loaded.version,
                    "role": role,
                    "status": status,
                    "latency_ms": latency,
                    "inputs": logged.tolist() if isinstance(logged, np.ndarray) else logged,
                    "outputs": body.get("predictions", body.get("message")),
                }
            )

    def _shadow(self, table: Table, inputs: Any, request_id: str, answer: list[Any]) -> None:
        """A copy of the request to each shadow version, after the answer; never waited for."""
        for version in table.shadows:
            if self.shadow_pending > 100:
                self.shadow_skipped += 1
                continue
            self.shadow_pending += 1
            self.shadow_pool.submit(self._run_shadow, table.loaded[version], inputs, request_id, answer)

    def _run_shadow(self, loaded: Loaded, inputs: Any, request_id: str, answer: list[Any]) -> None:
        try:
            started = time.perf_counter()
            status, body = self._run(loaded, inputs, request_id, None, "shadow")
            latency = (time.perf_counter() - started) * 1000
            stats = self.stats.of(loaded.version)
            stats.latency.add(latency, status != 200, time.time())
            stats.requests += 1
            stats.errors += int(status >= 500)
            if status == 200:
                stats.shadow_compared += 1
                stats.shadow_agreed += int(_agree(body["predictions"], answer))
                stats.predictions.add(
                    first_number(predictions_array(body["predictions"])) or 0.0, False, time.time()
                )
        finally:
            self.shadow_pending -= 1

    def _remember(self, request_id: str, version: str) -> None:
        self.recent[request_id] = version
        if len(self.recent) > RECENT_REQUESTS:
            self.recent.popitem(last=False)

    def _feedback(self, body: Any) -> Response:
        items = body if isinstance(body, list) else [body]
        accepted, unknown = 0, []
        for item in items:
            if (
                not isinstance(item, dict)
                or "request_id" not in item
                or not isinstance(item.get("outcome"), int | float)
            ):
                raise BadRequest("Feedback is {'request_id': ..., 'outcome': number} (or a list of them)")
            version = self.recent.get(str(item["request_id"]))
            if version is None:
                unknown.append(str(item["request_id"]))
                continue
            self.stats.outcome(version, float(item["outcome"]))
            accepted += 1
        if unknown and not accepted:
            raise BadRequest(f"Unknown request id(s): {', '.join(unknown[:5])}", status=404)
        return _response(200, {"accepted": accepted, "unknown": unknown})

    # -- reads ------------------------------------------------------------------------------------
    def _health(self, path: str) -> Response:
        table = self.table
        ready = bool(table.live) and all(v in table.loaded for v, _ in table.live)
        if path == "/v2/health/live":
            return _response(200, {"live": True})
        if path == "/v2/health/ready":
            return _response(200 if ready else 503, {"ready": ready})
        return _response(
            200 if ready else 503,
            {"live": True, "ready": ready, "generation": table.generation, "versions": sorted(table.loaded)},
        )

    def _stats(self, since: float) -> dict[str, Any]:
        return {
            "generation": self.table.generation,
            "started": self.stats.started,
            "versions": self.stats.summary(since),
            "log": self.log.counters() if self.log else None,
            "shadow_skipped": self.shadow_skipped,
        }

    async def _v2(self, path: str, request: Request) -> Response:
        assert self.spec is not None
        table = self.table
        if path == "":
            return _response(
                200, {"name": "matih-workbench", "version": "2", "extensions": ["binary_tensor_data"]}
            )
        parts = path.strip("/").split("/")
        if len(parts) < 2 or parts[0] != "models" or parts[1] not in (self.spec.name, self.spec.model):
            raise BadRequest(
                f"Unknown model; this endpoint serves '{self.spec.model}' (or '{self.spec.name}')", status=404
            )
        rest = parts[2:]
        version: str | None = None
        if len(rest) >= 2 and rest[0] == "versions":
            version = rest[1]
            if version not in table.loaded:
                raise BadRequest(
                    f"Version {version} is not deployed here ({', '.join(table.loaded)})", status=404
                )
            rest = rest[2:]
        if rest == [] and request.method == "GET":
            return _response(200, self._v2_metadata(table, version))
        if rest == ["ready"]:
            return _response(200, {"name": self.spec.model, "ready": bool(table.live)})
        if rest == ["infer"] and request.method == "POST":
            parsed = parse_v2(await request.body(), request.headers.get(BINARY_HEADER))
            if version is None:
                table, version = self._route(request, None)
            loaded = table.loaded[version]
            try:
                inputs = loaded.signature.from_v2(parsed.tensors)
            except BadRequest:
                self.stats.rejected(version)
                raise
            request_id = parsed.id or uuid.uuid4().hex
            status, body = self._run(
                loaded, inputs, request_id, {k: v.tolist() for k, v in parsed.tensors.items()}, "live"
            )
            if status != 200:
                return _response(status, {"error": body["message"]})
            self._shadow(table, inputs, request_id, body["predictions"])
            array = predictions_array(body["predictions"])
            content, headers = v2_response(
                self.spec.model, version, request_id, {"predictions": array}, parsed.binary_output
            )
            return Response(content, headers={**headers, "x-matih-version": version})
        raise BadRequest(f"No route {request.method} {request.url.path}", status=404)

    def _v2_metadata(self, table: Table, version: str | None) -> dict[str, Any]:
        assert self.spec is not None
        loaded = table.loaded.get(version or (table.live[0][0] if table.live else ""), None)
        inputs: list[dict[str, Any]] = []
        if loaded and loaded.signature.columns:
            inputs = [
                {"name": c.name, "datatype": _V2_TYPES.get(c.type, "BYTES"), "shape": [-1]}
                for c in loaded.signature.columns
            ]
        elif loaded and loaded.signature.tensor_shape:
            inputs = [{"name": "inputs", "datatype": "FP64", "shape": list(loaded.signature.tensor_shape)}]
        return {
            "name": self.spec.model,
            "versions": sorted(table.loaded),
            "platform": "mlflow_pyfunc",
            "inputs": inputs,
            "outputs": [{"name": "predictions", "datatype": v2_datatype(np.zeros(1)), "shape": [-1]}],
        }


_V2_TYPES = {
    "double": "FP64",
    "float": "FP32",
    "long": "INT64",
    "integer": "INT32",
    "boolean": "BOOL",
    "string": "BYTES",
    "binary": "BYTES",
    "datetime": "BYTES",
}


def _status_of(exc: Exception) -> int:
    """MLflow's own schema enforcement refuses bad input (4xx); anything else is the model failing (500)."""
    code = getattr(exc, "error_code", "")
    return 422 if code in ("INVALID_PARAMETER_VALUE", "BAD_REQUEST") else 500


def _agree(a: list[Any], b: list[Any]) -> bool:
    try:
        return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-6, atol=1e-9))
    except (TypeError, ValueError):
        return a == b


def build(args: dict[str, Any] | None = None) -> Any:
    """The application builder named by the Serve config's ``import_path``."""
    return Endpoint.bind()  # type: ignore[attr-defined]
