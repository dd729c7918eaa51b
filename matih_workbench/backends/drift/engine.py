"""Our vectorised drift engine: Evidently 0.7's DataDriftPreset decisions per feature (same methods,
thresholds, cleaning and dataset rule), plus PSI, missing and out-of-range rates, chart bins and an optional
Benjamini-Hochberg decision. Columns are tested one by one (threads: the sorts release the GIL), so the extra
memory is a few copies of one column, not of the table.

Evidently's rules (``evidently/legacy/calculations/stattests/registry.py``, ``_get_default_stattest``): with
``n`` the non-missing reference values of a column and ``k`` the distinct values of reference and window:

- numeric, ``k > 5``: KS p-value (drift at p <= 0.05) when ``n <= 1000``, else Wasserstein distance normed by
  the reference's std (drift at >= 0.1);
- categorical, or numeric with ``k <= 5``: when ``n <= 1000``, chi-square (``k > 2``) or Z-test (``k <= 2``)
  p-value (drift at p < 0.05); else Jensen-Shannon distance (drift at >= 0.1);
- dataset drift when the share of drifted columns reaches ``drift_share`` (0.5).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from matih_workbench.backends.drift import stattests
from matih_workbench.backends.drift.columns import (
    KINDS,
    VALUE_COUNT_LIMIT,
    CategoricalColumn,
    NumericColumn,
    aligned_counts,
    aligned_value_counts,
    categorical_column,
    evidently_type,
    label,
    numeric_column,
)
from matih_workbench.errors import InvalidInput, NotFound
from matih_workbench.models.monitoring import (
    P_VALUE_METHODS,
    DataDrift,
    Distribution,
    DriftMethod,
    FdrDecision,
    FeatureDrift,
    FeatureKind,
    PredictionDrift,
)

DRIFT_SHARE = 0.5  # DataDriftPreset.drift_share
SMALL_REFERENCE = 1000  # at most this many reference values: p-value tests; above: distances
FEW_VALUES = 5  # a numeric column with at most this many distinct values is tested as categories
P_VALUE_THRESHOLD = 0.05  # StatTest.default_threshold (ks, chisquare, z)
DISTANCE_THRESHOLD = 0.1  # wasserstein, jensenshannon
CHART_CATEGORIES = 50  # categories drawn; the rest are summed into one bar
SKIPPED = {
    "text": "a text column: Evidently tests text by its content (a classifier), not tested here",
    "unknown": "a column of unknown type (nullable or mixed dtype): Evidently does not test it either",
}


def detect_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    features: Sequence[str] | None = None,
    kinds: Mapping[str, FeatureKind] | None = None,
    drift_share: float = DRIFT_SHARE,
    fdr_level: float | None = None,
    workers: int | None = None,
) -> DataDrift:
    """Drift of ``current`` against ``reference`` for ``features`` (default: every reference column).

    Kinds are inferred as Evidently infers them, on the current data, unless ``kinds`` names them (a
    baseline's, say). Text, date and other columns are reported in ``skipped``. ``fdr_level`` adds the
    Benjamini-Hochberg decision beside the default one."""
    columns = _checked_columns(reference, current, features)
    kinds = kinds or {}
    tested: dict[str, FeatureKind] = {}
    skipped: dict[str, str] = {}
    for name in columns:
        kind = kinds.get(name) or _kind(current[name])
        if isinstance(kind, FeatureKind):
            tested[name] = kind
        else:
            skipped[name] = SKIPPED.get(kind, f"a {kind} column: not tested for drift")
    if not tested:
        raise InvalidInput("No numeric or categorical column to test", details=skipped)

    def one(name: str) -> FeatureDrift:
        return feature_drift(name, reference[name], current[name], tested[name])

    pool_size = workers or min(4, os.cpu_count() or 1)
    if pool_size > 1 and len(tested) > 1:
        with ThreadPoolExecutor(pool_size) as pool:
            results = list(pool.map(one, tested))
    else:
        results = [one(name) for name in tested]
    return summarize(results, len(reference), len(current), drift_share, fdr_level, skipped)


def feature_drift(name: str, reference: pd.Series, current: pd.Series, kind: FeatureKind) -> FeatureDrift:
    """Drift of one column, tested as ``kind``."""
    if kind is FeatureKind.NUMERIC:
        for side, column in (("reference", reference), ("window", current)):
            if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
                raise InvalidInput(
                    f"Column '{name}' is numeric but holds {column.dtype} values in the {side}",
                    hint="the window's columns must have the reference's types",
                )
        return _numeric_drift(name, numeric_column(reference), numeric_column(current))
    return _categorical_drift(name, categorical_column(reference), categorical_column(current))


def summarize(
    features: list[FeatureDrift],
    reference_rows: int,
    current_rows: int,
    drift_share: float = DRIFT_SHARE,
    fdr_level: float | None = None,
    skipped: dict[str, str] | None = None,
) -> DataDrift:
    """The dataset's decision from its features' (and, with ``fdr_level``, the Benjamini-Hochberg one)."""
    drifted = sum(f.drifted for f in features)
    fdr = _fdr(features, fdr_level, drift_share) if fdr_level is not None else None
    return DataDrift(
        engine="matih",
        features=features,
        reference_rows=reference_rows,
        current_rows=current_rows,
        drifted_features=drifted,
        drifted_share=drifted / len(features),
        drift_share=drift_share,
        dataset_drift=drifted / len(features) >= drift_share,
        fdr=fdr,
        skipped=skipped or {},
    )


def prediction_drift(
    reference: pd.Series, current: pd.Series, *, std_limit: float = 2.0, kind: FeatureKind | None = None
) -> PredictionDrift:
    """The seeds' rule (the window's mean prediction beyond ``std_limit`` standard deviations of the
    baseline's mean; numeric predictions) and Evidently's default test on the prediction column."""
    name = str(current.name or reference.name or "prediction")
    _check_rows(reference, current)
    found = kind or _kind(current)
    if not isinstance(found, FeatureKind):
        raise InvalidInput(
            f"The prediction column '{name}' holds {current.dtype} values, not scores or labels"
        )
    test = feature_drift(name, reference, current, found)
    if found is FeatureKind.CATEGORICAL:
        return PredictionDrift(column=name, std_limit=std_limit, test=test, drifted=test.drifted)
    ref, cur = numeric_column(reference).values, numeric_column(current).values
    mean, std = float(ref.mean()), float(ref.std())
    current_mean = float(cur.mean()) if len(cur) else float("nan")
    gap = abs(current_mean - mean)
    shift = gap / std if std > 0 else (0.0 if gap == 0 else float("inf"))
    mean_drifted = bool(shift > std_limit) if len(cur) else True
    return PredictionDrift(
        column=name,
        baseline_mean=mean,
        baseline_std=std,
        current_mean=current_mean if len(cur) else None,
        shift_in_std=shift if len(cur) else None,
        std_limit=std_limit,
        mean_drifted=mean_drifted,
        test=test,
        drifted=mean_drifted or test.drifted,
    )


def _kind(column: pd.Series) -> FeatureKind | str:
    found = evidently_type(column)
    return KINDS.get(found, found)


def _check_rows(reference: pd.DataFrame | pd.Series, current: pd.DataFrame | pd.Series) -> None:
    if len(current) == 0:
        raise InvalidInput("The window has no rows", hint="pick a longer window or wait for traffic")
    if len(reference) == 0:
        raise InvalidInput("The reference has no rows", hint="capture the baseline from the training data")


def _checked_columns(
    reference: pd.DataFrame, current: pd.DataFrame, features: Sequence[str] | None
) -> list[str]:
    _check_rows(reference, current)
    known = [str(c) for c in reference.columns]
    columns = list(features) if features is not None else known
    unknown = [c for c in columns if c not in reference.columns]
    if unknown:
        raise NotFound(
            f"Unknown feature '{unknown[0]}'"
            + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""),
            hint=f"the reference has: {', '.join(known[:20])}" + (" ..." if len(known) > 20 else ""),
        )
    missing = [c for c in columns if c not in current.columns]
    if missing:
        raise InvalidInput(
            f"The window lacks {len(missing)} of the reference's features: {', '.join(missing[:10])}",
            hint="the window must carry the columns the model was trained on",
            details={"missing": missing},
        )
    if not columns:
        raise InvalidInput("No feature to test")
    return columns


def _numeric_drift(name: str, ref: NumericColumn, cur: NumericColumn) -> FeatureDrift:
    if len(ref.values) == 0:
        raise InvalidInput(
            f"Feature '{name}' has no value in the reference", hint="drop it from the features"
        )
    if len(cur.values) == 0:
        return _no_values(name, FeatureKind.NUMERIC, ref, cur)
    ref_unique = ref.unique_count()
    few = ref_unique <= VALUE_COUNT_LIMIT and cur.unique_count() <= VALUE_COUNT_LIMIT
    counts = aligned_value_counts(ref, cur) if few else None  # values of either, and both counts
    small = len(ref.values) <= SMALL_REFERENCE
    if counts is not None and len(counts[0]) <= FEW_VALUES:
        method, score = _categorical_method(counts[1], counts[2], small)
    elif small:
        method, score = DriftMethod.KS, stattests.ks_p_value(ref.values, cur.values)
    else:
        method, score = DriftMethod.WASSERSTEIN, stattests.wasserstein_normed(ref.values, cur.values)
    if ref_unique > VALUE_COUNT_LIMIT:  # Evidently's PSI bins: Sturges on both samples together
        low, high = min(ref.values[0], cur.values[0]), max(ref.values[-1], cur.values[-1])
        size, integer = len(ref.values) + len(cur.values), ref.integer and cur.integer
        edges = stattests.sturges_edges(low, high, size, integer)
        ref_bins = stattests.sorted_histogram(ref.values, edges)
        cur_bins = stattests.sorted_histogram(cur.values, edges)
        distribution = Distribution(
            edges=edges.tolist(), reference=ref_bins.tolist(), current=cur_bins.tolist()
        )
    else:  # on the values themselves
        keys, ref_bins, cur_bins = counts if counts is not None else aligned_value_counts(ref, cur)
        distribution = _category_distribution(list(keys), ref_bins, cur_bins)
    outside = int(np.searchsorted(cur.values, ref.values[0], "left"))
    outside += len(cur.values) - int(np.searchsorted(cur.values, ref.values[-1], "right"))
    return _result(
        name, FeatureKind.NUMERIC, method, score, ref_bins, cur_bins, ref, cur, outside, distribution
    )


def _categorical_drift(name: str, ref: CategoricalColumn, cur: CategoricalColumn) -> FeatureDrift:
    if ref.present == 0:
        raise InvalidInput(
            f"Feature '{name}' has no value in the reference", hint="drop it from the features"
        )
    if cur.present == 0:
        return _no_values(name, FeatureKind.CATEGORICAL, ref, cur)
    keys, ref_counts, cur_counts = aligned_counts(ref.counts, cur.counts)
    method, score = _categorical_method(ref_counts, cur_counts, ref.present <= SMALL_REFERENCE)
    unseen = int(cur_counts[ref_counts == 0].sum())
    distribution = _category_distribution(keys, ref_counts, cur_counts)
    return _result(
        name, FeatureKind.CATEGORICAL, method, score, ref_counts, cur_counts, ref, cur, unseen, distribution
    )


def _categorical_method(ref: np.ndarray, cur: np.ndarray, small: bool) -> tuple[DriftMethod, float]:
    if not small:
        return DriftMethod.JENSENSHANNON, stattests.jensenshannon(ref, cur)
    if len(ref) > 2:
        return DriftMethod.CHISQUARE, stattests.chisquare_p_value(ref, cur)
    return DriftMethod.Z, stattests.z_p_value(ref, cur)


def _result(
    name: str,
    kind: FeatureKind,
    method: DriftMethod,
    score: float,
    ref_bins: np.ndarray,
    cur_bins: np.ndarray,
    ref: NumericColumn | CategoricalColumn,
    cur: NumericColumn | CategoricalColumn,
    outside: int,
    distribution: Distribution,
) -> FeatureDrift:
    if method in P_VALUE_METHODS:
        threshold = P_VALUE_THRESHOLD
        drifted = score <= threshold if method is DriftMethod.KS else score < threshold
    else:
        threshold = DISTANCE_THRESHOLD
        drifted = score >= threshold
    present = cur.rows - cur.missing
    return FeatureDrift(
        feature=name,
        kind=kind,
        method=method,
        score=score,
        threshold=threshold,
        drifted=bool(drifted),
        psi=stattests.psi(ref_bins, cur_bins),
        missing_rate=cur.missing / cur.rows,
        out_of_range_rate=outside / present,
        reference_values=ref.rows - ref.missing,
        current_values=present,
        distribution=distribution,
    )


def _no_values(
    name: str,
    kind: FeatureKind,
    ref: NumericColumn | CategoricalColumn,
    cur: NumericColumn | CategoricalColumn,
) -> FeatureDrift:
    """A window where the feature is always missing: drifted, with nothing to test (Evidently refuses it)."""
    return FeatureDrift(
        feature=name,
        kind=kind,
        method=DriftMethod.NO_VALUES,
        score=1.0,
        threshold=1.0,
        drifted=True,
        reference_values=ref.rows - ref.missing,
        current_values=0,
        missing_rate=1.0,
        out_of_range_rate=0.0,
    )


def _category_distribution(keys: list[object], ref: np.ndarray, cur: np.ndarray) -> Distribution:
    order = np.argsort(-(ref + cur), kind="stable")
    shown, rest = order[:CHART_CATEGORIES], order[CHART_CATEGORIES:]
    labels = [label(keys[i]) for i in shown]
    ref_counts, cur_counts = ref[shown].tolist(), cur[shown].tolist()
    if len(rest):
        labels.append(f"({len(rest)} others)")
        ref_counts.append(int(ref[rest].sum()))
        cur_counts.append(int(cur[rest].sum()))
    return Distribution(categories=labels, reference=ref_counts, current=cur_counts)


def _fdr(features: list[FeatureDrift], level: float, drift_share: float) -> FdrDecision:
    """Benjamini-Hochberg across the features decided by a p-value; distances keep their decision."""
    tests = [f for f in features if f.method in P_VALUE_METHODS]
    adjusted = stattests.benjamini_hochberg(np.array([f.score for f in tests]))
    for feature, p in zip(tests, adjusted, strict=True):
        feature.adjusted_p_value = float(p)
        feature.fdr_drifted = feature.drifted and bool(p <= level)
    for feature in features:
        if feature.fdr_drifted is None:
            feature.fdr_drifted = feature.drifted
    drifted = sum(bool(f.fdr_drifted) for f in features)
    return FdrDecision(
        level=level,
        tested=len(tests),
        drifted_features=drifted,
        drifted_share=drifted / len(features),
        dataset_drift=drifted / len(features) >= drift_share,
    )
