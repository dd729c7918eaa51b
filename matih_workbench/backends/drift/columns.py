"""One column made ready for the drift tests: its kind as Evidently infers it, its values cleaned as Evidently
cleans them (infinities and missing values dropped), numbers sorted once and categories counted once."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matih_workbench.models.monitoring import FeatureKind

#: Evidently infers an integer column with at most this many distinct values as categorical
INTEGER_CARDINALITY_LIMIT = 10
#: numeric columns with at most this many distinct values keep their value counts (Evidently's PSI / JS bins)
VALUE_COUNT_LIMIT = 20


#: Evidently's column types that its data drift tests with numeric or categorical methods
KINDS = {"num": FeatureKind.NUMERIC, "cat": FeatureKind.CATEGORICAL}


def evidently_type(column: pd.Series) -> str:
    """The column type Evidently 0.7 infers (``evidently.core.datasets.infer_column_type``), by its
    ``ColumnType`` value: num, cat, text, datetime, list or unknown. DataDriftPreset infers it on the current
    data."""
    name = column.dtype.name
    if name.startswith("float"):
        return "num"
    if name.startswith("int"):
        return "cat" if len(present_counts(column)) <= INTEGER_CARDINALITY_LIMIT else "num"
    if name == "object":
        first, last = _end_value(column.to_numpy()), _end_value(column.to_numpy()[::-1])
        if first is None:
            return "unknown"
        if isinstance(first, list | tuple) and isinstance(last, list | tuple):
            return "list"
        if not (isinstance(first, str) and isinstance(last, str)):
            return "unknown"
    if name in ("string", "str", "object"):
        counts = present_counts(column)
        return "text" if len(counts) > counts.sum() * 0.5 else "cat"
    if name in ("bool", "category"):
        return "cat"
    if name.startswith("datetime"):
        return "datetime"
    return "unknown"


def present_counts(column: pd.Series) -> pd.Series:
    """Count of each non-missing value (missing ones are dropped from the few keys, not from the column:
    a hash pass without an ``isna`` pass over the column)."""
    counts = column.value_counts(dropna=False, sort=False)
    return counts[(counts > 0) & ~pd.isna(counts.index)]  # a Categorical lists unobserved categories with 0


def _end_value(values: np.ndarray) -> object:
    """The first non-missing value, scanning in chunks (a column is rarely missing at its start)."""
    for start in range(0, len(values), 4096):
        chunk = values[start : start + 4096]
        present = np.flatnonzero(~pd.isna(chunk))
        if len(present):
            return chunk[present[0]]
    return None


def infer_kind(column: pd.Series) -> FeatureKind | None:
    """Numeric or categorical as Evidently infers it; None for the types we do not test (text, dates...)."""
    return KINDS.get(evidently_type(column))


@dataclass
class NumericColumn:
    """The finite values of a numeric column, sorted; ``rows`` counts the missing and infinite ones too."""

    values: np.ndarray
    rows: int
    integer: bool

    @property
    def missing(self) -> int:
        return self.rows - len(self.values)

    def unique_count(self) -> int:
        v = self.values
        return int(np.count_nonzero(v[1:] != v[:-1])) + 1 if len(v) else 0

    def value_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct values and their counts (use when there are few)."""
        v = self.values
        starts = np.flatnonzero(np.concatenate(([True], v[1:] != v[:-1]))) if len(v) else np.array([], int)
        return v[starts], np.diff(np.append(starts, len(v)))


def numeric_column(column: pd.Series) -> NumericColumn:
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype):  # nullable Int64, Float64...
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        values = np.array(column.to_numpy(), dtype=np.float64)  # a copy: sorted in place, the input intact
    values.sort()  # NaN last, infinities at the ends
    low = int(np.searchsorted(values, -np.inf, side="right"))
    high = int(np.searchsorted(values, np.inf, side="left"))
    return NumericColumn(values[low:high], len(values), pd.api.types.is_integer_dtype(column.dtype))


@dataclass
class CategoricalColumn:
    """Counts of each non-missing category (infinities count as missing, as in Evidently)."""

    counts: pd.Series
    rows: int

    @property
    def present(self) -> int:
        return int(self.counts.sum())

    @property
    def missing(self) -> int:
        return self.rows - self.present


def categorical_column(column: pd.Series) -> CategoricalColumn:
    counts = present_counts(column)
    if column.dtype.name == "category":
        counts.index = pd.Index(np.asarray(counts.index, dtype=object))
    if counts.index.dtype == object or counts.index.dtype.kind == "f":  # infinities count as missing
        counts = counts[[not (isinstance(k, float) and math.isinf(k)) for k in counts.index]]
    return CategoricalColumn(counts.astype(np.int64), len(column))


def aligned_counts(reference: pd.Series, current: pd.Series) -> tuple[list[object], np.ndarray, np.ndarray]:
    """Category keys seen in either (reference order first) and both count vectors on them."""
    table = pd.concat({"r": reference, "c": current}, axis=1, sort=False).fillna(0)
    return list(table.index), table["r"].to_numpy(np.int64), table["c"].to_numpy(np.int64)


def aligned_value_counts(
    reference: NumericColumn, current: NumericColumn
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct values of either numeric column and both count vectors on them (few distinct values)."""
    ref_keys, ref_counts = reference.value_counts()
    cur_keys, cur_counts = current.value_counts()
    keys = np.union1d(ref_keys, cur_keys)
    ref = np.zeros(len(keys), np.int64)
    cur = np.zeros(len(keys), np.int64)
    ref[np.searchsorted(keys, ref_keys)] = ref_counts
    cur[np.searchsorted(keys, cur_keys)] = cur_counts
    return keys, ref, cur


def label(value: object) -> str:
    """A category's label for a chart: integral floats without their '.0'."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)
