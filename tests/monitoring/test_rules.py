"""Baselines, prediction drift and bad input of the drift engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matih_workbench.backends.drift import build_baseline, detect_drift, prediction_drift, read_sample
from matih_workbench.errors import InvalidInput, NotFound
from matih_workbench.models.monitoring import DriftMethod, FeatureKind


def training_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "tenure": rng.uniform(0, 60, rows),
        "spend": rng.gamma(2.0, 30.0, rows),
        "plan": rng.choice(np.array(["free", "pro", "team"], dtype=object), rows),
        "visits": rng.poisson(4, rows),
        "note": [f"free text {i}" for i in range(rows)],
    })  # fmt: skip


def test_baseline_keeps_statistics_of_all_rows_and_a_bounded_sample(tmp_path: Path) -> None:
    data = training_frame(5000)
    data.loc[:99, "spend"] = np.nan
    baseline = build_baseline(data, tmp_path / "baseline" / "sample.parquet", max_rows=1200, seed=3)
    assert [f.name for f in baseline.features] == ["tenure", "spend", "plan", "visits"]  # text is not tested
    spend = baseline.feature("spend")
    assert spend is not None and spend.kind is FeatureKind.NUMERIC
    assert spend.missing_rate == 100 / 5000
    assert spend.mean == pytest.approx(data["spend"].mean()) and spend.std == pytest.approx(
        data["spend"].std(ddof=0)
    )
    assert spend.quantiles is not None and spend.quantiles["p50"] == pytest.approx(data["spend"].median())
    plan = baseline.feature("plan")
    assert plan is not None and plan.top_categories == data["plan"].value_counts().to_dict()
    assert (baseline.rows, baseline.sample_rows) == (5000, 1200)
    sample = read_sample(baseline)
    assert len(sample) == 1200 and list(sample.columns) == list(data.columns)
    again = build_baseline(data, tmp_path / "again.parquet", max_rows=1200, seed=3)
    pd.testing.assert_frame_equal(read_sample(again), sample)
    result = detect_drift(sample, training_frame(800, seed=1), features=["tenure", "spend", "plan"])
    assert {f.method for f in result.features} == {DriftMethod.WASSERSTEIN, DriftMethod.JENSENSHANNON}
    assert not result.dataset_drift


def test_prediction_drift_mean_rule_and_test() -> None:
    rng = np.random.default_rng(11)
    baseline = pd.Series(rng.normal(10, 2, 3000), name="score")
    same = prediction_drift(baseline, pd.Series(rng.normal(10, 2, 2000), name="score"))
    assert (same.mean_drifted, same.test.drifted, same.drifted) == (False, False, False)
    moved = prediction_drift(baseline, pd.Series(rng.normal(15.5, 2, 2000), name="score"))
    assert moved.mean_drifted and moved.test.drifted and moved.drifted
    assert moved.shift_in_std == pytest.approx(
        abs(moved.current_mean - baseline.mean()) / baseline.std(ddof=0)
    )
    assert moved.shift_in_std > 2
    nudged = prediction_drift(baseline, pd.Series(rng.normal(11, 2, 2000), name="score"))
    assert nudged.mean_drifted is False and nudged.test.drifted and nudged.drifted  # the test alone sees it
    labels = prediction_drift(pd.Series(rng.integers(0, 2, 500)), pd.Series(rng.integers(0, 2, 500)))
    assert labels.mean_drifted is None and labels.test.method is DriftMethod.Z


def test_a_window_without_any_value_of_a_feature_is_drifted_and_text_is_skipped() -> None:
    reference = training_frame(300)
    current = training_frame(200, seed=1)
    current["spend"] = np.nan
    result = detect_drift(reference, current)
    spend = result.feature("spend")
    assert spend is not None and spend.method is DriftMethod.NO_VALUES and spend.drifted
    assert spend.missing_rate == 1.0
    assert list(result.skipped) == ["note"] and "text column" in result.skipped["note"]
    assert [f.feature for f in result.features] == ["tenure", "spend", "plan", "visits"]


def test_nullable_columns_are_skipped_as_evidently_skips_them_unless_a_kind_is_given() -> None:
    rng = np.random.default_rng(14)
    reference = pd.DataFrame(
        {"x": pd.array(rng.normal(0, 1, 300), dtype="Float64"), "y": rng.normal(0, 1, 300)}
    )
    current = pd.DataFrame(
        {"x": pd.array(rng.normal(1, 1, 200), dtype="Float64"), "y": rng.normal(0, 1, 200)}
    )
    current.loc[:9, "x"] = pd.NA
    assert list(detect_drift(reference, current).skipped) == ["x"]
    x = detect_drift(reference, current, kinds={"x": FeatureKind.NUMERIC}).feature("x")
    assert x is not None and x.method is DriftMethod.KS and x.drifted and x.missing_rate == 10 / 200


def test_bad_input_is_answered_with_a_clear_error() -> None:
    reference, current = training_frame(300), training_frame(200, seed=1)
    with pytest.raises(NotFound, match="Unknown feature 'age'") as unknown:
        detect_drift(reference, current, features=["tenure", "age"])
    assert unknown.value.hint is not None and "tenure" in unknown.value.hint
    with pytest.raises(InvalidInput, match="The window has no rows"):
        detect_drift(reference, current.iloc[:0])
    with pytest.raises(InvalidInput, match="lacks 1 of the reference's features: plan"):
        detect_drift(reference, current.drop(columns="plan"))
    wrong_type = current.assign(spend=current["spend"].round().astype(int).astype(str).astype(object))
    with pytest.raises(InvalidInput, match="Column 'spend' is numeric but holds object values in the window"):
        detect_drift(reference, wrong_type, kinds={"spend": FeatureKind.NUMERIC})
    with pytest.raises(InvalidInput, match="No numeric or categorical column"):
        detect_drift(reference, current, features=["note"])
    with pytest.raises(InvalidInput, match="The reference data has no rows"):
        build_baseline(reference.iloc[:0], "unused.parquet")
