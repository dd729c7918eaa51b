"""Our drift engine against real Evidently 0.7 (DataDriftPreset) and SciPy on the same data.

Tolerance: scores (p-values and distances) agree with Evidently's within 1e-9 absolute; both compute the same
formulas in float64, only the order of the sums differs (seen: below 1e-15)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from evidently import Report
from evidently.core.datasets import infer_column_type
from evidently.metrics import ValueDrift
from scipy import stats
from scipy.spatial import distance

from matih_workbench.backends.drift import detect_drift, stattests
from matih_workbench.backends.drift.columns import evidently_type
from matih_workbench.backends.drift.evidently import evidently_drift, evidently_html
from matih_workbench.models.monitoring import DataDrift, DriftMethod, FeatureKind

SCORE_TOLERANCE = 1e-9


def cross_check(reference: pd.DataFrame, current: pd.DataFrame) -> DataDrift:
    """Ours and Evidently's on the same data: same columns, methods, thresholds and decisions, scores within
    the tolerance, same dataset numbers."""
    ours, theirs = detect_drift(reference, current), evidently_drift(reference, current)
    assert sorted(f.feature for f in ours.features) == sorted(f.feature for f in theirs.features)
    for mine in ours.features:
        peer = theirs.feature(mine.feature)
        assert peer is not None
        assert (mine.method, mine.threshold, mine.drifted) == (peer.method, peer.threshold, peer.drifted), (
            mine.feature
        )
        assert mine.score == pytest.approx(peer.score, abs=SCORE_TOLERANCE, rel=1e-9), mine.feature
        assert mine.kind == peer.kind
    assert (ours.drifted_features, ours.drifted_share, ours.dataset_drift) == (
        theirs.drifted_features,
        pytest.approx(theirs.drifted_share),
        theirs.dataset_drift,
    )
    return ours


def methods(result: DataDrift) -> dict[str, DriftMethod]:
    return {f.feature: f.method for f in result.features}


def test_numeric_small_reference_is_ks_like_evidently_and_scipy() -> None:
    rng = np.random.default_rng(1)
    reference = pd.DataFrame({"same": rng.normal(0, 1, 600), "shifted": rng.normal(0, 1, 600),
                              "counts": rng.integers(0, 50, 600)})  # fmt: skip
    current = pd.DataFrame({"same": rng.normal(0, 1, 400), "shifted": rng.normal(0.6, 1, 400),
                            "counts": rng.integers(0, 50, 400)})  # fmt: skip
    ours = cross_check(reference, current)
    assert set(methods(ours).values()) == {DriftMethod.KS}
    for feature in ours.features:
        assert feature.score == stats.ks_2samp(reference[feature.feature], current[feature.feature]).pvalue
    assert ours.feature("shifted").drifted and not ours.feature("same").drifted


def test_numeric_large_reference_is_normed_wasserstein_like_evidently_and_scipy() -> None:
    rng = np.random.default_rng(2)
    reference = pd.DataFrame({"same": rng.normal(5, 2, 3000), "shifted": rng.lognormal(0, 1, 3000)})
    current = pd.DataFrame({"same": rng.normal(5, 2, 2200), "shifted": rng.lognormal(0.3, 1, 2200)})
    reference.loc[::7, "same"] = np.nan  # unequal sizes after dropping missing values
    untouched = reference.copy()
    ours = cross_check(reference, current)
    pd.testing.assert_frame_equal(reference, untouched)  # columns are sorted in copies
    assert set(methods(ours).values()) == {DriftMethod.WASSERSTEIN}
    for feature in ours.features:
        ref, cur = reference[feature.feature].dropna(), current[feature.feature].dropna()
        expected = stats.wasserstein_distance(ref, cur) / np.std(ref)
        assert feature.score == pytest.approx(expected, rel=1e-12)
        counts = np.histogram(ref, feature.distribution.edges)[0]
        assert feature.distribution.reference == counts.tolist()
    assert [f.drifted for f in ours.features] == [False, True]


def test_categorical_small_reference_is_chisquare_or_z_like_evidently_and_scipy() -> None:
    rng = np.random.default_rng(3)
    colors = np.array(["red", "green", "blue", "black"], dtype=object)
    reference = pd.DataFrame({"color": colors[rng.integers(0, 4, 700)], "flag": rng.random(700) < 0.5,
                              "grade": rng.integers(1, 6, 700),
                              "level": rng.integers(0, 3, 700).astype(float)})  # fmt: skip
    current = pd.DataFrame({"color": colors[rng.choice(4, 300, p=[0.1, 0.2, 0.3, 0.4])],
                            "flag": rng.random(300) < 0.5, "grade": rng.integers(1, 6, 300),
                            "level": rng.integers(0, 3, 300).astype(float)})  # fmt: skip
    current["tier"] = np.array(["gold", "silver", "bronze"] * 100, dtype=object)  # "bronze" is new
    reference["tier"] = np.array(["gold", "silver"] * 350, dtype=object)
    ours = cross_check(reference, current)
    assert methods(ours) == {"color": DriftMethod.CHISQUARE, "flag": DriftMethod.Z,
                             "grade": DriftMethod.CHISQUARE, "level": DriftMethod.CHISQUARE,
                             "tier": DriftMethod.CHISQUARE}  # fmt: skip
    tier = ours.feature("tier")
    assert tier is not None and tier.score == 0.0 and tier.out_of_range_rate == pytest.approx(1 / 3)
    assert ours.feature("level").kind is FeatureKind.NUMERIC  # float, 3 values
    ref_counts = reference["color"].value_counts()
    cur_counts = current["color"].value_counts()[ref_counts.index]
    expected = stats.chisquare(cur_counts, ref_counts * len(current) / len(reference)).pvalue
    assert ours.feature("color").score == pytest.approx(expected, rel=1e-9)
    assert ours.feature("color").drifted


def test_categorical_large_reference_is_jensen_shannon_like_evidently_and_scipy() -> None:
    rng = np.random.default_rng(4)
    cities = np.array([f"c{i}" for i in range(12)], dtype=object)
    reference = pd.DataFrame({"city": cities[rng.integers(0, 12, 5000)], "binary": rng.integers(0, 2, 5000),
                              "few": rng.integers(0, 4, 5000).astype(float)})  # fmt: skip
    current = pd.DataFrame({"city": cities[rng.integers(0, 6, 1500)], "binary": rng.integers(0, 2, 1500),
                            "few": rng.integers(0, 4, 1500).astype(float)})  # fmt: skip
    ours = cross_check(reference, current)
    assert set(methods(ours).values()) == {DriftMethod.JENSENSHANNON}
    keys = sorted(set(reference["city"]))
    ref_share = reference["city"].value_counts(normalize=True)[keys]
    cur_share = current["city"].value_counts(normalize=True).reindex(keys, fill_value=0)
    expected = distance.jensenshannon(ref_share, cur_share)
    assert ours.feature("city").score == pytest.approx(expected, rel=1e-12)
    assert [f.feature for f in ours.features if f.drifted] == ["city"]


def test_missing_and_infinite_values_are_dropped_as_evidently_drops_them() -> None:
    rng = np.random.default_rng(5)
    reference = pd.DataFrame(
        {"x": rng.normal(0, 1, 800), "c": rng.choice(np.array(["a", "b", "c"], dtype=object), 800)}
    )
    current = pd.DataFrame(
        {"x": rng.normal(0, 1, 500), "c": rng.choice(np.array(["a", "b", "c"], dtype=object), 500)}
    )
    reference.loc[:40, "x"] = np.nan
    current.loc[:99, "x"] = np.nan
    current.loc[100:109, "x"] = np.inf
    current.loc[:49, "c"] = None
    ours = cross_check(reference, current)
    x, c = ours.feature("x"), ours.feature("c")
    assert x is not None and c is not None
    assert (x.missing_rate, x.current_values, x.reference_values) == (110 / 500, 390, 759)
    assert (c.missing_rate, c.current_values) == (50 / 500, 450)


def test_psi_like_evidentlys_psi_test_and_out_of_range_rates() -> None:
    rng = np.random.default_rng(6)
    reference = pd.DataFrame(
        {"x": rng.uniform(0, 1, 4000), "c": rng.choice(np.array(["a", "b"], dtype=object), 4000)}
    )
    current = pd.DataFrame(
        {"x": rng.uniform(0.5, 1.5, 2000), "c": np.array(["a", "b", "new", "new"] * 500, dtype=object)}
    )
    result = detect_drift(reference, current)
    x, c = result.feature("x"), result.feature("c")
    assert x is not None and c is not None
    assert x.out_of_range_rate == pytest.approx(np.mean(current["x"] > reference["x"].max()))
    assert c.out_of_range_rate == 0.5
    report = Report([ValueDrift(column="x", method="psi"), ValueDrift(column="c", method="psi")]).run(
        current, reference
    )
    evidently_psi = {m["config"]["column"]: m["value"] for m in report.dict()["metrics"]}
    assert (x.psi, c.psi) == pytest.approx((evidently_psi["x"], evidently_psi["c"]), rel=1e-12)
    edges = np.histogram_bin_edges(np.concatenate([reference["x"], current["x"]]), bins="sturges")
    assert x.distribution is not None and x.distribution.edges == pytest.approx(edges.tolist())
    assert c.psi is not None and c.psi > 0.2


def test_same_distribution_false_alarms_stay_near_the_test_level() -> None:
    """40 repeats x 10 unchanged features: p-value tests alarm at about their 5% level, FDR control at most
    as often; distances at large sizes hardly ever."""
    rng = np.random.default_rng(7)
    small = fdr = large = 0
    for _ in range(40):
        reference = pd.DataFrame(rng.normal(0, 1, (300, 10)), columns=[f"f{i}" for i in range(10)])
        current = pd.DataFrame(rng.normal(0, 1, (200, 10)), columns=reference.columns)
        result = detect_drift(reference, current, fdr_level=0.05, workers=1)
        small += result.drifted_features
        fdr += result.fdr.drifted_features
        big_ref = pd.DataFrame(rng.normal(0, 1, (2000, 10)), columns=reference.columns)
        big_cur = pd.DataFrame(rng.normal(0, 1, (1500, 10)), columns=reference.columns)
        large += detect_drift(big_ref, big_cur, workers=1).drifted_features
    assert small / 400 <= 0.09  # a 5% test: 20 expected of 400, 36 is beyond 3.5 sigma
    assert fdr <= small and fdr / 400 <= 0.03
    assert large / 400 <= 0.01


@pytest.mark.parametrize("rows", [400, 3000], ids=["ks", "wasserstein"])
def test_a_planted_shift_is_flagged_on_exactly_the_shifted_features(rows: int) -> None:
    """30 samples: the 3 shifted features of 12 always flagged; the 9 others never at 3000 rows (distances),
    at about the 5% level at 400 (KS p-values: a lone false alarm is the test's nature, so counted)."""
    rng = np.random.default_rng(8)
    columns = [f"f{i}" for i in range(12)]
    false_alarms = 0
    for _ in range(30):
        reference = pd.DataFrame(rng.normal(0, 1, (rows, 12)), columns=columns)
        current = pd.DataFrame(rng.normal(0, 1, (rows, 12)), columns=columns)
        current["f2"] += 0.8
        current["f5"] *= 2.0
        current["f9"] = rng.exponential(1.0, rows)
        result = detect_drift(reference, current, drift_share=0.25)
        flagged = {f.feature for f in result.features if f.drifted}
        assert {"f2", "f5", "f9"} <= flagged
        false_alarms += len(flagged) - 3
        assert result.dataset_drift == (len(flagged) >= 3)
    # KS: at most 13.5 expected of 270 (sd 3.6); 24 is 3 sd beyond
    assert false_alarms == 0 if rows > 1000 else false_alarms / 270 <= 0.09


def test_benjamini_hochberg_adjusts_the_p_values_like_scipy_and_keeps_distances() -> None:
    rng = np.random.default_rng(9)
    plans = np.array(["free", "pro", "team"], dtype=object)
    columns = [f"f{i}" for i in range(8)]
    reference = pd.DataFrame(rng.normal(0, 1, (2000, 8)), columns=columns).assign(
        plan=plans[rng.integers(0, 3, 2000)]
    )
    current = pd.DataFrame(rng.normal(0, 1, (300, 8)), columns=columns).assign(
        plan=plans[rng.integers(0, 3, 300)]
    )
    current["f0"] += 0.6
    current["f1"] += 0.2
    result = detect_drift(reference.iloc[:300], current, fdr_level=0.05)  # 300 reference rows: p-values
    tests = [f for f in result.features if f.adjusted_p_value is not None]
    assert [f.method for f in tests] == [DriftMethod.KS] * 8 + [DriftMethod.CHISQUARE]
    expected = stats.false_discovery_control([f.score for f in tests], method="bh")
    assert [f.adjusted_p_value for f in tests] == pytest.approx(expected.tolist())
    assert all(f.fdr_drifted == (f.drifted and f.adjusted_p_value <= 0.05) for f in tests)
    assert result.feature("f0").fdr_drifted
    assert result.fdr is not None and result.fdr.tested == 9
    assert result.fdr.drifted_features == sum(f.fdr_drifted for f in tests) <= result.drifted_features
    large = detect_drift(reference, current, fdr_level=0.05)  # 2000 reference rows: distances only
    assert large.fdr is not None and large.fdr.tested == 0
    assert all(f.fdr_drifted == f.drifted and f.adjusted_p_value is None for f in large.features)
    assert large.fdr.drifted_features == large.drifted_features


def test_evidently_html_report_of_the_same_window() -> None:
    rng = np.random.default_rng(10)
    reference = pd.DataFrame({"x": rng.normal(0, 1, 200), "c": rng.integers(0, 3, 200)})
    current = pd.DataFrame({"x": rng.normal(1, 1, 200), "c": rng.integers(0, 3, 200)})
    html = evidently_html(reference, current)
    assert html.lstrip().startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "Dataset Drift" in html or "Drifted Columns" in html


def test_column_kinds_are_inferred_as_evidently_infers_them() -> None:
    rng = np.random.default_rng(12)
    columns = {
        "floats": pd.Series([1.0, 2.0, np.nan]),
        "few ints": pd.Series(rng.integers(0, 10, 500)),
        "many ints": pd.Series(rng.integers(0, 11, 500)),
        "strings": pd.Series(rng.choice(np.array(["a", "b", "c"], dtype=object), 100)),
        "strings, missing first": pd.Series([None, "a", "b", None, "a", "a"]),
        "text": pd.Series([f"note {i}" for i in range(50)], dtype=object),
        "string dtype": pd.Series(["a", "b", "a", "a"], dtype="string"),
        "mixed objects": pd.Series([1, "a", 2.0], dtype=object),
        "all missing": pd.Series([None, None], dtype=object),
        "lists": pd.Series([[1], [2], [1]]),
        "category": pd.Series(["x", "y"], dtype="category"),
        "bool": pd.Series([True, False]),
        "dates": pd.Series(pd.date_range("2024-01-01", periods=3)),
        "nullable Int64": pd.Series([1, 2, None], dtype="Int64"),
    }
    for name, column in columns.items():
        assert evidently_type(column) == infer_column_type(column).value, name


@pytest.mark.parametrize("chunk", [1, 64, 1 << 16])
def test_wasserstein_of_unequal_samples_in_slices_equals_scipy(chunk: int) -> None:
    rng = np.random.default_rng(13)
    samples = [
        (rng.normal(0, 1, 5000), rng.normal(0.2, 1.3, 3001)),
        (rng.integers(0, 20, 4000).astype(float), rng.integers(0, 25, 2500).astype(float)),  # many ties
        (rng.normal(0, 1, 7), rng.normal(0, 1, 3000)),
        (np.ones(40), np.ones(30)),
    ]
    for u, v in samples:
        ours = stattests.wasserstein_sorted(np.sort(u), np.sort(v), chunk)
        assert ours == pytest.approx(stats.wasserstein_distance(u, v), rel=1e-12, abs=1e-15)
