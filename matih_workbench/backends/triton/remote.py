"""A model served by an external Triton server (or any Open Inference Protocol / KServe v2 server), reached
with the real ``tritonclient.http`` client, so a deployment can route requests to it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from matih_workbench.backends.triton.export import COLUMNS_PARAMETER
from matih_workbench.errors import BackendUnavailable, InvalidInput, NotFound

__all__ = ["TritonRemoteModel"]


class TritonRemoteModel:
    """``url`` is ``host:port`` with an optional base path (``127.0.0.1:8000/myendpoint``) and an optional
    ``http://`` / ``https://`` scheme. ``columns`` orders a DataFrame's columns into a single input tensor;
    when empty, the model's config is asked for the order ``export_to_triton`` recorded (else: frame order).
    """

    def __init__(
        self,
        url: str,
        model_name: str,
        model_version: str = "",
        columns: Sequence[str] = (),
        timeout: float = 60.0,
    ) -> None:
        self.ssl = url.startswith("https://")
        self.address = url.removeprefix("https://").removeprefix("http://").rstrip("/")
        self.model_name = model_name
        self.model_version = model_version
        self.timeout = timeout
        self._columns: tuple[str, ...] | None = tuple(columns) or None
        self._metadata: dict[str, Any] | None = None
        self._local = threading.local()  # tritonclient.http runs on gevent: one client per thread

    def ready(self) -> bool:
        """The server and this model are ready; never raises (a probe)."""
        from tritonclient.utils import InferenceServerException

        try:
            client = self._client()
            return bool(
                client.is_server_ready() and client.is_model_ready(self.model_name, self.model_version)
            )
        except (OSError, InferenceServerException):
            return False

    def metadata(self) -> dict[str, Any]:
        """The model's v2 metadata: ``name``, ``versions``, ``platform``, ``inputs``, ``outputs``."""
        with self._translated("the model metadata request"):
            self._metadata = dict(self._client().get_model_metadata(self.model_name, self.model_version))
        return self._metadata

    def predict(self, frame: pd.DataFrame, output: str = "") -> np.ndarray:
        """Send ``frame`` as the model's input tensors; return ``output`` (default: the first one)."""
        from tritonclient.http import InferInput

        meta = self._metadata or self.metadata()
        outputs = [o["name"] for o in meta.get("outputs", [])]
        if output and outputs and output not in outputs:
            raise InvalidInput(
                f"Model '{self.model_name}' has no output '{output}'", hint=f"one of {outputs}"
            )
        inputs = []
        for spec, array in self._arrays(frame, meta["inputs"]):
            tensor = InferInput(spec["name"], list(array.shape), spec["datatype"])
            with self._translated("the input"):
                tensor.set_data_from_numpy(array)
            inputs.append(tensor)
        with self._translated("the inference request"):
            result = self._client().infer(self.model_name, inputs, model_version=self.model_version)
        name = output or (outputs[0] if outputs else result.get_response()["outputs"][0]["name"])
        values = result.as_numpy(name)
        if values is None:
            raise BackendUnavailable(f"Triton answered without the output '{name}'")
        return np.asarray(values)

    def close(self) -> None:
        """Close this thread's connection (other threads' clients close when collected)."""
        client = getattr(self._local, "client", None)
        if client is not None:
            client.close()
            self._local.client = None

    def _arrays(
        self, frame: pd.DataFrame, specs: list[dict[str, Any]]
    ) -> Iterator[tuple[dict[str, Any], Any]]:
        """One tensor per input named like a column, else the whole frame as the single input."""
        from tritonclient.utils import triton_to_np_dtype

        if all(spec["name"] in frame.columns for spec in specs):
            for spec in specs:
                values = frame[spec["name"]].to_numpy()
                yield spec, self._cast(values.reshape(len(frame), *[1] * (len(spec["shape"]) - 1)), spec)
            return
        if len(specs) != 1:
            names = [spec["name"] for spec in specs]
            raise InvalidInput(f"Model '{self.model_name}' takes the inputs {names}: give them as columns")
        spec = specs[0]
        columns = self._columns if self._columns is not None else self._recorded_columns()
        if columns:
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise InvalidInput(f"Missing columns for model '{self.model_name}': {missing}")
            frame = frame[list(columns)]
        width = spec["shape"][1] if len(spec["shape"]) == 2 else -1
        if width not in (-1, frame.shape[1]):
            raise InvalidInput(f"Model '{self.model_name}' takes {width} columns, got {frame.shape[1]}")
        if triton_to_np_dtype(spec["datatype"]) is None:
            raise InvalidInput(f"Unsupported input type {spec['datatype']} for a DataFrame")
        yield spec, self._cast(frame.to_numpy(), spec)

    @staticmethod
    def _cast(values: np.ndarray, spec: dict[str, Any]) -> np.ndarray:
        from tritonclient.utils import triton_to_np_dtype

        try:
            return values.astype(triton_to_np_dtype(spec["datatype"]))
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"Input '{spec['name']}' must be {spec['datatype']}: {exc}") from None

    def _recorded_columns(self) -> tuple[str, ...]:
        """The column order in the model's config parameters, when the server has a config route."""
        from tritonclient.utils import InferenceServerException

        try:
            config = self._client().get_model_config(self.model_name, self.model_version)
        except InferenceServerException:  # e.g. a v2 server without Triton's config extension
            config = {}
        except OSError as exc:
            raise BackendUnavailable(f"Cannot reach Triton at {self.address}: {exc}") from None
        raw = config.get("parameters", {}).get(COLUMNS_PARAMETER, {}).get("string_value")
        self._columns = tuple(json.loads(raw)) if raw else ()
        return self._columns

    def _client(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            from tritonclient.http import InferenceServerClient

            client = InferenceServerClient(
                self.address, ssl=self.ssl, connection_timeout=self.timeout, network_timeout=self.timeout
            )
            self._local.client = client
        return client

    @contextmanager
    def _translated(self, what: str) -> Iterator[None]:
        """tritonclient's errors as the workbench's: 404 NotFound, other 4xx or client-side InvalidInput."""
        from tritonclient.utils import InferenceServerException

        where = f"Triton model '{self.model_name}' at {self.address}"
        try:
            yield
        except InferenceServerException as exc:
            status = exc.status()
            code = int(status) if status and str(status).isdigit() else None
            message = f"{where} refused {what}: {exc.message()}"
            if code == 404:
                raise NotFound(message, hint="check the model name and version on the server") from None
            if code is None or 400 <= code < 500:
                raise InvalidInput(message) from None
            raise BackendUnavailable(message) from None
        except OSError as exc:
            raise BackendUnavailable(
                f"Cannot reach {where}: {exc}", hint="check the URL and that the server is up"
            ) from None
