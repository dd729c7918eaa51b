"""Inputs checked against a model's signature before it predicts: every problem named, nothing defaulted."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from matih_workbench.backends.ray.serve.protocol import BadRequest

MAX_REPORTED = 20


@dataclass(frozen=True)
class Column:
    name: str
    type: (
        str  # MLflow DataType name: double, float, long, integer, boolean, string, binary, datetime; or "any"
    )
    required: bool = True


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return (_is_int(v) or isinstance(v, float)) and not (isinstance(v, float) and math.isnan(v))


def _is_datetime(v: Any) -> bool:
    if not isinstance(v, str):
        return False
    try:
        datetime.fromisoformat(v)
    except ValueError:
        return False
    return True


CHECKS = {
    "double": _is_number,
    "float": _is_number,
    "long": _is_int,
    "integer": _is_int,
    "boolean": lambda v: isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "binary": lambda v: isinstance(v, str),
    "datetime": _is_datetime,
}
DTYPES = {"double": "float64", "float": "float32", "long": "int64", "integer": "int32", "boolean": "bool"}
JSON_NAMES = {
    "double": "a number",
    "float": "a number",
    "long": "an integer",
    "integer": "an integer",
    "boolean": "true or false",
    "string": "a string",
    "binary": "a base64 string",
    "datetime": "an ISO 8601 date-time string",
}


class Signature:
    """The input columns a model declares; ``None`` columns (no signature) accept any records."""

    def __init__(self, columns: list[Column] | None, tensor_shape: tuple[int, ...] | None = None) -> None:
        self.columns = columns
        self.tensor_shape = tensor_shape

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns or []]

    def frame(self, records: list[dict[str, Any]]) -> pd.DataFrame:
        """The records as a DataFrame in signature order, or ``BadRequest`` listing every field error."""
        self.check(records)
        return self.build(records)

    def check(self, records: list[dict[str, Any]]) -> None:
        """``BadRequest`` (422) listing every field error of the records, if any."""
        errors: list[dict[str, Any]] = []
        for col in self.columns or []:
            check = CHECKS.get(col.type)
            for row, record in enumerate(records):
                if col.name not in record or record[col.name] is None:
                    if col.required:
                        errors.append({"row": row, "field": col.name, "message": "missing"})
                    continue
                value = record[col.name]
                if check is not None and not check(value):
                    got = "NaN" if isinstance(value, float) and math.isnan(value) else type(value).__name__
                    errors.append(
                        {
                            "row": row,
                            "field": col.name,
                            "message": f"expected {JSON_NAMES[col.type]}, got {got}",
                        }
                    )
        if errors:
            fields = sorted({e["field"] for e in errors})
            raise BadRequest(
                f"{len(errors)} field error(s) in {', '.join(fields)}; "
                f"expected columns: {', '.join(self.names)}",
                errors[:MAX_REPORTED],
                status=422,
            )

    def build(self, records: list[dict[str, Any]]) -> pd.DataFrame:
        """Checked records as a DataFrame in the signature's order and types."""
        if not self.columns:
            return pd.DataFrame.from_records(records)
        data: dict[str, Any] = {}
        for col in self.columns:  # one column at a time, in the signature's own types (JSON has two)
            values = [record.get(col.name) for record in records]
            dtype = DTYPES.get(col.type)
            if dtype is not None and None not in values:
                data[col.name] = np.asarray(values, dtype=dtype)
            elif col.type == "datetime":
                data[col.name] = pd.to_datetime(pd.Series(values))
            else:
                data[col.name] = values
        return pd.DataFrame(data, copy=False)

    def tensor(self, array: np.ndarray) -> np.ndarray:
        if self.tensor_shape is not None:
            expected = self.tensor_shape[1:]
            if tuple(array.shape[1:]) != tuple(
                d if d != -1 else array.shape[i + 1] for i, d in enumerate(expected)
            ):
                raise BadRequest(
                    f"Input shape {list(array.shape)} does not match the signature {list(self.tensor_shape)}",
                    [{"field": "inputs", "message": "shape"}],
                    status=422,
                )
        elif self.columns and array.ndim == 2 and array.shape[1] != len(self.columns):
            raise BadRequest(
                f"Each row must have {len(self.columns)} values ({', '.join(self.names)}), "
                f"got {array.shape[1]}",
                [{"field": "inputs", "message": "shape"}],
                status=422,
            )
        return array

    def from_v2(self, tensors: dict[str, np.ndarray]) -> pd.DataFrame | np.ndarray:
        """v2 tensors as model input: one tensor per column, or one [rows, columns] tensor."""
        if self.columns and all(c.name in tensors for c in self.columns if c.required):
            data = {}
            for c in self.columns:
                if c.name in tensors:
                    values = tensors[c.name]
                    if values.dtype == np.object_:
                        values = np.array([v.decode() if isinstance(v, bytes) else v for v in values.ravel()])
                    data[c.name] = values.reshape(len(values), -1)[:, 0] if values.ndim > 1 else values
            lengths = {len(v) for v in data.values()}
            if len(lengths) > 1:
                raise BadRequest("Column tensors have different lengths", status=422)
            return pd.DataFrame(data)
        if len(tensors) == 1:
            array = next(iter(tensors.values()))
            if self.columns:
                array = self.tensor(array.reshape(array.shape[0], -1))
                return pd.DataFrame(array, columns=self.names)
            return self.tensor(array)
        missing = [c.name for c in self.columns or [] if c.required and c.name not in tensors]
        raise BadRequest(
            f"Missing input tensor(s): {', '.join(missing)}",
            [{"field": n, "message": "missing"} for n in missing],
            status=422,
        )
