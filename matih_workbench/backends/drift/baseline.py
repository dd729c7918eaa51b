"""A baseline from a DataFrame: per-feature statistics of all of it and a bounded random sample stored as
Parquet, the reference a window's drift is later tested against."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from matih_workbench.backends.drift.columns import categorical_column, infer_kind, numeric_column
from matih_workbench.errors import InvalidInput, NotFound
from matih_workbench.models.monitoring import Baseline, FeatureKind, FeatureStats

MAX_SAMPLE_ROWS = 100_000
QUANTILES = (1, 5, 25, 50, 75, 95, 99)
TOP_CATEGORIES = 50


def build_baseline(
    data: pd.DataFrame,
    sample_path: str | Path,
    *,
    max_rows: int = MAX_SAMPLE_ROWS,
    seed: int = 0,
    prediction: str | None = None,
) -> Baseline:
    """Statistics of every numeric and categorical column of ``data`` and a sample of at most ``max_rows``
    rows (all of them when fewer; row order kept) written to ``sample_path`` as Parquet."""
    if len(data) == 0:
        raise InvalidInput(
            "The reference data has no rows", hint="capture the baseline from the training data"
        )
    if max_rows < 1:
        raise InvalidInput("The baseline sample needs at least one row", hint="raise max_rows")
    if prediction is not None and prediction not in data.columns:
        raise NotFound(
            f"Unknown prediction column '{prediction}'", hint=f"columns: {', '.join(map(str, data))}"
        )
    features = [stats for name in data.columns if (stats := feature_stats(str(name), data[name])) is not None]
    if not features:
        raise InvalidInput("The reference data has no numeric or categorical column")
    sample = reference_sample(data, max_rows, seed)
    path = Path(sample_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sample.to_parquet(path, index=False)
    return Baseline(
        features=features,
        rows=len(data),
        sample_rows=len(sample),
        sample_path=str(path),
        seed=seed,
        prediction=prediction,
        created_at=time.time(),
    )


def reference_sample(data: pd.DataFrame, max_rows: int, seed: int = 0) -> pd.DataFrame:
    """At most ``max_rows`` rows drawn uniformly without replacement, in their original order."""
    if len(data) <= max_rows:
        return data.reset_index(drop=True)
    rows = np.sort(np.random.default_rng(seed).choice(len(data), size=max_rows, replace=False))
    return data.iloc[rows].reset_index(drop=True)


def read_sample(baseline: Baseline, columns: list[str] | None = None) -> pd.DataFrame:
    """The baseline's stored reference sample."""
    path = Path(baseline.sample_path)
    if not path.is_file():
        raise NotFound(
            f"The baseline's reference sample is missing: {path}", hint="capture the baseline again"
        )
    return pd.read_parquet(path, columns=columns)


def feature_stats(name: str, column: pd.Series) -> FeatureStats | None:
    """Statistics of one column; None for a column drift does not test (text, dates...)."""
    kind = infer_kind(column)
    if kind is None:
        return None
    common = {"name": name, "kind": kind, "dtype": column.dtype.name, "count": len(column)}
    if kind is FeatureKind.NUMERIC:
        values = numeric_column(column)
        v = values.values
        missing_rate = values.missing / len(column)
        if not len(v):
            return FeatureStats(**common, missing_rate=missing_rate, unique=0)
        quantiles = np.quantile(v, [q / 100 for q in QUANTILES])
        return FeatureStats(
            **common,
            missing_rate=missing_rate,
            unique=values.unique_count(),
            mean=float(v.mean()),
            std=float(v.std()),
            min=float(v[0]),
            max=float(v[-1]),
            quantiles={f"p{q}": float(x) for q, x in zip(QUANTILES, quantiles, strict=True)},
        )
    counts = categorical_column(column)
    top = counts.counts.sort_values(ascending=False, kind="stable").head(TOP_CATEGORIES)
    return FeatureStats(
        **common,
        missing_rate=counts.missing / len(column),
        unique=len(counts.counts),
        top_categories={str(k): int(c) for k, c in top.items()},
    )
