"""Drift of production inputs against a reference: our vectorised engine (``engine``: Evidently's
semantics, NumPy/SciPy), baselines (``baseline``), and Evidently itself (``evidently``: its report, imported
only when used)."""

from matih_workbench.backends.drift.baseline import build_baseline, read_sample, reference_sample
from matih_workbench.backends.drift.engine import detect_drift, feature_drift, prediction_drift, summarize

__all__ = [
    "build_baseline",
    "detect_drift",
    "feature_drift",
    "prediction_drift",
    "read_sample",
    "reference_sample",
    "summarize",
]
