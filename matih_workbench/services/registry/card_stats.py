"""Model card statistics on holdout predictions: metrics, bootstrap confidence intervals, fairness.

Holdout predictions are a table with ``y_true`` and ``y_score`` (probability of the positive class) and/or
``y_pred``; any other column may be named as a protected attribute. Binary labels (0/1) get classification
metrics, integer labels of up to 50 classes (with integer ``y_pred``) accuracy, anything else regression
metrics.

Confidence intervals: percentile bootstrap. ``numpy.random.default_rng(seed)`` draws, for each of
``samples`` resamples, ``n`` row indices with replacement (``rng.integers(0, n, n)``); every metric is
computed on the same resample; resamples where a metric is undefined (AUC on one class) are dropped;
the interval is ``numpy.quantile`` at ``(1 - level) / 2`` and ``(1 + level) / 2``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matih_workbench.errors import InvalidInput, shown
from matih_workbench.models import FairnessReport, GroupMetrics

Array = np.ndarray
MetricFn = Callable[[Array, Array], float]
MAX_CLASSES = 50
MAX_SEED = 2**32 - 1
HOLDOUT_HINT = "a table with a y_true column and y_score (probability) and/or y_pred columns"


def auc(y_true: Array, score: Array) -> float:
    """ROC AUC by the rank-sum (Mann-Whitney) formula, ties averaged; NaN with a single class."""
    positive = y_true == 1
    n_pos = int(positive.sum())
    n_neg = len(y_true) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    _, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    ranks = (ends - (counts - 1) / 2.0)[inverse]
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def accuracy(y_true: Array, y_pred: Array) -> float:
    return float(np.mean(y_true == y_pred))


def precision(y_true: Array, y_pred: Array) -> float:
    predicted = y_pred == 1
    return float(np.sum(predicted & (y_true == 1)) / predicted.sum()) if predicted.any() else float("nan")


def recall(y_true: Array, y_pred: Array) -> float:
    actual = y_true == 1
    return float(np.sum(actual & (y_pred == 1)) / actual.sum()) if actual.any() else float("nan")


def f1(y_true: Array, y_pred: Array) -> float:
    p, r = precision(y_true, y_pred), recall(y_true, y_pred)
    return float(2 * p * r / (p + r)) if p + r > 0 else float("nan")


def rmse(y_true: Array, y_pred: Array) -> float:
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def mae(y_true: Array, y_pred: Array) -> float:
    return float(np.mean(np.abs(y_true - y_pred)))


@dataclass
class Holdout:
    """Validated holdout predictions."""

    frame: pd.DataFrame
    y_true: Array
    y_score: Array | None
    y_pred: Array
    binary: bool
    multiclass: bool = False

    @property
    def rows(self) -> int:
        return len(self.y_true)

    def metrics(self) -> dict[str, tuple[MetricFn, Array]]:
        """Name -> (function of (y_true, y_hat), y_hat), in display order."""
        if self.multiclass:
            return {"accuracy": (accuracy, self.y_pred)}
        if not self.binary:
            return {"rmse": (rmse, self.y_pred), "mae": (mae, self.y_pred)}
        found: dict[str, tuple[MetricFn, Array]] = {}
        if self.y_score is not None:
            found["auc"] = (auc, self.y_score)
        for name, fn in (("accuracy", accuracy), ("precision", precision), ("recall", recall), ("f1", f1)):
            found[name] = (fn, self.y_pred)
        return found


def check_settings(samples: int, level: float, seed: int) -> None:
    """The bootstrap settings a card may ask for."""
    if not 10 <= samples <= 100_000 or not 0.5 <= level < 1:
        raise InvalidInput("Bootstrap needs 10..100000 samples and a level in [0.5, 1)")
    if not 0 <= seed <= MAX_SEED:
        raise InvalidInput(f"The bootstrap seed must be a whole number from 0 to {MAX_SEED}, got {seed}")


def holdout(frame: pd.DataFrame) -> Holdout:
    """Check the columns and types of holdout predictions; InvalidInput otherwise."""
    if "y_true" not in frame.columns or not ({"y_score", "y_pred"} & set(frame.columns)):
        raise InvalidInput("Holdout predictions lack y_true, or both y_score and y_pred", hint=HOLDOUT_HINT)
    if len(frame) < 2:
        raise InvalidInput("Holdout predictions need at least two rows", hint=HOLDOUT_HINT)
    try:
        y_true = frame["y_true"].to_numpy(dtype=float)
        y_score = frame["y_score"].to_numpy(dtype=float) if "y_score" in frame else None
        y_pred = frame["y_pred"].to_numpy(dtype=float) if "y_pred" in frame else None
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"Holdout columns must be numeric: {exc}", hint=HOLDOUT_HINT) from None
    arrays = [a for a in (y_true, y_score, y_pred) if a is not None]
    if any(not np.isfinite(a).all() for a in arrays):
        raise InvalidInput("Holdout predictions contain missing or infinite values", hint=HOLDOUT_HINT)
    binary = bool(np.isin(y_true, (0.0, 1.0)).all())
    if y_pred is None:
        if not binary or y_score is None:
            raise InvalidInput("Regression holdout predictions need a y_pred column", hint=HOLDOUT_HINT)
        y_pred = (y_score >= 0.5).astype(float)
    labels = all(np.array_equal(a, np.round(a)) for a in (y_true, y_pred))
    multiclass = not binary and labels and len(np.unique(y_true)) <= MAX_CLASSES
    return Holdout(frame, y_true, y_score, y_pred, binary, multiclass)


def bootstrap(
    data: Holdout, samples: int = 1000, level: float = 0.95, seed: int = 0
) -> dict[str, tuple[float, float | None, float | None]]:
    """Metric -> (value on the full holdout, CI low, CI high); see the module docstring for the method."""
    check_settings(samples, level, seed)
    metrics = data.metrics()
    rng = np.random.default_rng(seed)
    n = data.rows
    stats = {name: np.empty(samples) for name in metrics}
    for b in range(samples):
        idx = rng.integers(0, n, n)
        truth = data.y_true[idx]
        for name, (fn, y_hat) in metrics.items():
            stats[name][b] = fn(truth, y_hat[idx])
    alpha = (1 - level) / 2
    result: dict[str, tuple[float, float | None, float | None]] = {}
    for name, (fn, y_hat) in metrics.items():
        values = stats[name][~np.isnan(stats[name])]
        low, high = (
            (float(q) for q in np.quantile(values, [alpha, 1 - alpha])) if len(values) else (None, None)
        )
        result[name] = (fn(data.y_true, y_hat), low, high)
    return result


def fairness(data: Holdout, attribute: str) -> FairnessReport:
    """Per-group rates and the largest gaps (demographic parity, equalized odds) across ``attribute``."""
    if attribute not in data.frame.columns:
        columns = [c for c in data.frame.columns if c not in ("y_true", "y_score", "y_pred")]
        raise InvalidInput(
            f"Protected attribute '{shown(attribute)}' is not a column of the holdout predictions",
            hint=f"columns available: {', '.join(map(str, columns)) or 'none'}",
        )
    if not data.binary:
        raise InvalidInput("Fairness metrics need binary labels (0/1) in y_true")
    values = data.frame[attribute].astype(str).to_numpy()
    groups: list[GroupMetrics] = []
    for group in sorted(set(values)):
        mask = values == group
        y, p = data.y_true[mask], data.y_pred[mask]
        negatives = y == 0
        groups.append(
            GroupMetrics(
                group=group,
                n=int(mask.sum()),
                positive_rate=float(np.mean(p == 1)),
                true_positive_rate=_nan_to_none(recall(y, p)),
                false_positive_rate=float(np.mean(p[negatives] == 1)) if negatives.any() else None,
                accuracy=accuracy(y, p),
                auc=_nan_to_none(auc(y, data.y_score[mask])) if data.y_score is not None else None,
            )
        )
    return FairnessReport(
        protected_attribute=attribute,
        groups=groups,
        demographic_parity_difference=_spread([g.positive_rate for g in groups]),
        equalized_odds_difference=_max_or_none(
            _spread([g.true_positive_rate for g in groups]), _spread([g.false_positive_rate for g in groups])
        ),
    )


def _nan_to_none(value: float) -> float | None:
    return None if value != value else value


def _spread(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return max(known) - min(known) if len(known) >= 2 else None


def _max_or_none(*values: float | None) -> float | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None
