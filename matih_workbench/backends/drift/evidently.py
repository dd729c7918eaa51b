"""Evidently's own data drift (``Report([DataDriftPreset()])``) as our models, and its HTML report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset

from matih_workbench.backends.drift.columns import infer_kind
from matih_workbench.errors import InvalidInput
from matih_workbench.models.monitoring import DataDrift, DriftMethod, FeatureDrift, FeatureKind

#: Evidently's display names of its default methods (``StatTest.display_name``)
METHODS = {
    "K-S p_value": DriftMethod.KS,
    "Wasserstein distance (normed)": DriftMethod.WASSERSTEIN,
    "chi-square p_value": DriftMethod.CHISQUARE,
    "Z-test p_value": DriftMethod.Z,
    "Jensen-Shannon distance": DriftMethod.JENSENSHANNON,
}


def evidently_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    features: Sequence[str] | None = None,
    drift_share: float = 0.5,
) -> Any:
    """Evidently's snapshot of ``DataDriftPreset`` (with its per-column tests) for the window."""
    if len(current) == 0 or len(reference) == 0:
        raise InvalidInput("The window and the reference need rows for Evidently's report")
    preset = DataDriftPreset(
        columns=list(features) if features is not None else None, drift_share=drift_share
    )
    try:  # infinities (which it drops for the tests) make its summary statistics warn of NaN arithmetic
        with np.errstate(invalid="ignore", divide="ignore"):
            return Report([preset], include_tests=True).run(current, reference)
    except ValueError as err:  # Evidently's message names the column (empty, wrong type, missing)
        raise InvalidInput(f"Evidently refused the data: {err}") from err


def evidently_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    features: Sequence[str] | None = None,
    drift_share: float = 0.5,
) -> DataDrift:
    """Evidently's per-column methods, scores, thresholds and decisions, and its dataset-level numbers."""
    snapshot = evidently_report(reference, current, features=features, drift_share=drift_share)
    return to_data_drift(snapshot.dict(), reference, current, drift_share)


def evidently_html(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    features: Sequence[str] | None = None,
    drift_share: float = 0.5,
) -> str:
    """Evidently's full HTML report of the window, a page of its own."""
    snapshot = evidently_report(reference, current, features=features, drift_share=drift_share)
    return str(snapshot.get_html_str(as_iframe=False))


def to_data_drift(
    report: dict[str, Any], reference: pd.DataFrame, current: pd.DataFrame, drift_share: float
) -> DataDrift:
    """Our model of a ``Snapshot.dict()``: one ``ValueDrift`` per column and its ``drift`` test (FAIL when
    drifted), and ``DriftedColumnsCount`` for the dataset."""
    drifted_by_metric = {
        test["metric_config"]["metric_id"]: test["status"] == "FAIL"
        for test in report.get("tests", [])
        if test.get("id") == "drift"
    }
    features: list[FeatureDrift] = []
    skipped: dict[str, str] = {}
    count, share = 0, 0.0
    for metric in report["metrics"]:
        config = metric["config"]
        if config["type"].endswith(":DriftedColumnsCount"):
            count, share = int(metric["value"]["count"]), float(metric["value"]["share"])
            continue
        if not config["type"].endswith(":ValueDrift"):
            continue
        name, method = config["column"], METHODS.get(config["method"])
        if method is None:  # text columns: Evidently's text-content drift, not one of ours
            skipped[name] = f"Evidently tests it with {config['method']}"
            continue
        features.append(
            FeatureDrift(
                feature=name,
                kind=infer_kind(current[name]) or FeatureKind.CATEGORICAL,
                method=method,
                score=float(metric["value"]),
                threshold=float(config["threshold"]),
                drifted=drifted_by_metric[metric["id"]],
                reference_values=int(reference[name].notna().sum()),
                current_values=int(current[name].notna().sum()),
            )
        )
    return DataDrift(
        engine="evidently",
        features=features,
        reference_rows=len(reference),
        current_rows=len(current),
        drifted_features=count,
        drifted_share=share,
        drift_share=drift_share,
        dataset_drift=share >= drift_share,
        skipped=skipped,
    )
