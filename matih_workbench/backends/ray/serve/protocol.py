"""Request bodies an endpoint accepts, turned into model inputs, and predictions turned back into JSON.

Two protocols: plain JSON records (MLflow's ``dataframe_records`` / ``dataframe_split`` / ``inputs`` forms, or
a bare list of records) and the Open Inference Protocol (KServe v2) tensors, with its binary data extension,
which is what ``tritonclient.http`` sends by default.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

BINARY_HEADER = "inference-header-content-length"

V2_TO_NUMPY: dict[str, Any] = {
    "BOOL": np.bool_,
    "UINT8": np.uint8,
    "UINT16": np.uint16,
    "UINT32": np.uint32,
    "UINT64": np.uint64,
    "INT8": np.int8,
    "INT16": np.int16,
    "INT32": np.int32,
    "INT64": np.int64,
    "FP16": np.float16,
    "FP32": np.float32,
    "FP64": np.float64,
    "BYTES": np.object_,
}
NUMPY_TO_V2 = {np.dtype(v).name: k for k, v in V2_TO_NUMPY.items() if k != "BYTES"}


class BadRequest(Exception):
    """A request the endpoint refuses (4xx) with a message and, where it applies, per-field errors."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        self.status = status

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message}
        if self.errors:
            out["errors"] = self.errors
        return out


def parse_json(raw: bytes) -> Any:
    if not raw:
        raise BadRequest("The request body is empty: send JSON")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}") from None


def records_of(body: Any) -> list[dict[str, Any]] | np.ndarray:
    """Records from the accepted JSON forms; a tensor (``inputs`` as nested lists) as an array."""
    if isinstance(body, list):
        records = body
    elif isinstance(body, dict):
        if "dataframe_split" in body:
            split = body["dataframe_split"]
            if not isinstance(split, dict) or "columns" not in split or "data" not in split:
                raise BadRequest("'dataframe_split' needs 'columns' and 'data'")
            cols = split["columns"]
            rows = split["data"]
            if not isinstance(cols, list) or not isinstance(rows, list):
                raise BadRequest("'dataframe_split': 'columns' and 'data' must be lists")
            records = [dict(zip(cols, row, strict=False)) for row in rows if isinstance(row, list)]
            if len(records) != len(rows):
                raise BadRequest("'dataframe_split': every row of 'data' must be a list")
        elif (
            "inputs" in body
            and isinstance(body["inputs"], list)
            and body["inputs"]
            and isinstance(body["inputs"][0], list)
        ):
            try:
                return np.asarray(body["inputs"], dtype=float)
            except (TypeError, ValueError) as exc:
                raise BadRequest(f"'inputs' must be a numeric tensor: {exc}") from None
        else:
            key = next(
                (k for k in ("dataframe_records", "records", "instances", "inputs") if k in body), None
            )
            records = body[key] if key else [body]
            if isinstance(records, dict):
                records = [records]
    else:
        raise BadRequest("Send a JSON object, a list of records, or {'dataframe_records': [...]}")
    if not isinstance(records, list) or not records:
        raise BadRequest("No records to score: send at least one")
    bad = [i for i, r in enumerate(records) if not isinstance(r, dict)]
    if bad:
        raise BadRequest(f"Every record must be a JSON object (row {bad[0]} is not)")
    return records


def to_jsonable(predictions: Any) -> list[Any]:
    """Predictions of any pyfunc (array, Series, DataFrame, list) as JSON values, one per input row."""
    if isinstance(predictions, pd.DataFrame):
        if predictions.shape[1] == 1:
            return to_jsonable(predictions.iloc[:, 0])
        return json.loads(predictions.to_json(orient="records"))
    if isinstance(predictions, pd.Series):
        return json.loads(predictions.to_json(orient="values"))
    if isinstance(predictions, np.ndarray):
        return predictions.tolist()
    return list(predictions)


def split_rows(predictions: Any, sizes: list[int]) -> list[Any] | None:
    """Predictions of a batch cut back into one part per request (``None`` if not one row per input)."""
    if not isinstance(predictions, np.ndarray | pd.Series | pd.DataFrame | list):
        return None
    if len(predictions) != sum(sizes):
        return None
    bounds = np.cumsum([0, *sizes])
    if isinstance(predictions, pd.Series | pd.DataFrame):
        return [predictions.iloc[a:b] for a, b in itertools.pairwise(bounds)]
    return [predictions[a:b] for a, b in itertools.pairwise(bounds)]


# -- Open Inference Protocol (v2) -------------------------------------------------------------------
@dataclass
class V2Request:
    id: str
    tensors: dict[str, np.ndarray]
    binary_output: bool


def _bytes_elements(blob: bytes) -> np.ndarray:
    items: list[bytes] = []
    pos = 0
    while pos < len(blob):
        size = int.from_bytes(blob[pos : pos + 4], "little")
        items.append(blob[pos + 4 : pos + 4 + size])
        pos += 4 + size
    return np.array(items, dtype=np.object_)


def parse_v2(raw: bytes, header_length: str | None) -> V2Request:
    """A v2 infer request: JSON tensors, or JSON followed by binary tensors (the binary data extension)."""
    if header_length is not None:
        try:
            split = int(header_length)
        except ValueError:
            raise BadRequest("Inference-Header-Content-Length must be an integer") from None
        if not 0 < split <= len(raw):
            raise BadRequest("Inference-Header-Content-Length is beyond the request body")
        head, blob = parse_json(raw[:split]), raw[split:]
    else:
        head, blob = parse_json(raw), b""
    if not isinstance(head, dict) or not isinstance(head.get("inputs"), list) or not head["inputs"]:
        raise BadRequest("A v2 infer request needs a non-empty 'inputs' list")
    tensors: dict[str, np.ndarray] = {}
    pos = 0
    for i, spec in enumerate(head["inputs"]):
        if not isinstance(spec, dict):
            raise BadRequest(f"inputs[{i}] must be an object")
        name, shape, dtype = spec.get("name"), spec.get("shape"), spec.get("datatype")
        where = f"inputs[{i}]" + (f" ('{name}')" if isinstance(name, str) else "")
        if not isinstance(name, str) or not name:
            raise BadRequest(f"{where}: 'name' is required")
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise BadRequest(f"{where}: 'shape' must be a list of non-negative integers")
        if dtype not in V2_TO_NUMPY:
            raise BadRequest(f"{where}: unknown datatype {dtype!r}", [{"field": name, "message": "datatype"}])
        size = (spec.get("parameters") or {}).get("binary_data_size")
        try:
            if size is not None:
                chunk = blob[pos : pos + int(size)]
                if len(chunk) != int(size):
                    raise BadRequest(f"{where}: binary data is shorter than binary_data_size")
                pos += int(size)
                array = (
                    _bytes_elements(chunk) if dtype == "BYTES" else np.frombuffer(chunk, V2_TO_NUMPY[dtype])
                )
            else:
                array = np.asarray(spec.get("data"), dtype=V2_TO_NUMPY[dtype])
            tensors[name] = array.reshape(shape)
        except (TypeError, ValueError) as exc:
            raise BadRequest(f"{where}: data does not match shape {shape} and {dtype}: {exc}") from None
    params = head.get("parameters") or {}
    wants_binary = bool(params.get("binary_data_output")) or any(
        bool((o.get("parameters") or {}).get("binary_data"))
        for o in head.get("outputs") or []
        if isinstance(o, dict)
    )
    return V2Request(id=str(head.get("id", "")), tensors=tensors, binary_output=wants_binary)


def v2_datatype(array: np.ndarray) -> str:
    return NUMPY_TO_V2.get(array.dtype.name, "BYTES")


def v2_response(
    model: str, version: str, request_id: str, outputs: dict[str, np.ndarray], binary: bool
) -> tuple[bytes, dict[str, str]]:
    """The v2 infer response body and its headers (binary tensors after the JSON when asked for)."""
    tensors: list[dict[str, Any]] = []
    blobs: list[bytes] = []
    for name, array in outputs.items():
        array = np.ascontiguousarray(array)
        datatype = v2_datatype(array)
        tensor: dict[str, Any] = {"name": name, "datatype": datatype, "shape": list(array.shape)}
        if binary and datatype != "BYTES":
            data = array.tobytes()
            tensor["parameters"] = {"binary_data_size": len(data)}
            blobs.append(data)
        else:
            tensor["data"] = (
                [str(x) for x in array.ravel()] if datatype == "BYTES" else array.ravel().tolist()
            )
        tensors.append(tensor)
    head = json.dumps({"model_name": model, "model_version": version, "id": request_id, "outputs": tensors})
    body = head.encode()
    headers = {"content-type": "application/json"}
    if blobs:
        headers = {
            "content-type": "application/octet-stream",
            "Inference-Header-Content-Length": str(len(body)),
        }
        body += b"".join(blobs)
    return body, headers


def predictions_array(predictions: Any) -> np.ndarray:
    if isinstance(predictions, pd.DataFrame | pd.Series):
        predictions = predictions.to_numpy()
    array = np.asarray(predictions)
    if array.dtype == np.object_:
        with contextlib.suppress(TypeError, ValueError):
            array = array.astype(np.float64)
    return array
