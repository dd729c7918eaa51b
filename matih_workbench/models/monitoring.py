"""Monitoring: baselines of a version's training data and drift of production inputs against them."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class FeatureKind(StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"


class DriftMethod(StrEnum):
    """Evidently's default per-column methods (same names), and what we report for an all-missing window."""

    KS = "ks"  # Kolmogorov-Smirnov p-value; numeric, reference <= 1000 values
    WASSERSTEIN = "wasserstein"  # Wasserstein distance normed by the reference's std; numeric, > 1000
    CHISQUARE = "chisquare"  # chi-square p-value; more than 2 categories, reference <= 1000 values
    Z = "z"  # two-proportion Z-test p-value; at most 2 categories, reference <= 1000 values
    JENSENSHANNON = "jensenshannon"  # Jensen-Shannon distance; categories, reference > 1000 values
    NO_VALUES = "no_values"  # the window has no value for the feature: drifted, nothing to test


#: methods whose score is a p-value (drift when it is small); the others are distances (drift when large)
P_VALUE_METHODS = frozenset({DriftMethod.KS, DriftMethod.CHISQUARE, DriftMethod.Z})


class FeatureStats(BaseModel):
    """What a baseline keeps of one feature of the training data (all of it, not only the sample)."""

    name: str
    kind: FeatureKind
    dtype: str
    count: int = Field(description="Rows, missing ones included.")
    missing_rate: float = Field(ge=0, le=1, description="Share of missing (or infinite) values.")
    unique: int = Field(description="Distinct non-missing values.")
    mean: float | None = None
    std: float | None = Field(default=None, description="Population standard deviation (ddof 0).")
    min: float | None = None
    max: float | None = None
    quantiles: dict[str, float] | None = Field(default=None, description="'p1', 'p5', 'p25', ... 'p99'.")
    top_categories: dict[str, int] | None = Field(
        default=None, description="Counts of the most frequent categories (categorical features)."
    )


class Baseline(BaseModel):
    """Per-feature statistics of the reference data and where its bounded sample is stored."""

    features: list[FeatureStats]
    rows: int = Field(description="Rows of the reference data the statistics were computed on.")
    sample_rows: int = Field(description="Rows kept in the stored sample (at most the bound).")
    sample_path: str = Field(description="The reference sample (Parquet) the drift of a window is tested on.")
    seed: int = Field(description="Seed of the sampling, so the same data gives the same sample.")
    prediction: str | None = Field(default=None, description="The prediction column, if the data has one.")
    created_at: float = Field(description="Seconds since the epoch.")

    def feature(self, name: str) -> FeatureStats | None:
        return next((f for f in self.features if f.name == name), None)


class Distribution(BaseModel):
    """Reference and current counts on shared bins (numeric) or categories, for a chart."""

    edges: list[float] | None = Field(default=None, description="Bin edges (numeric): one more than counts.")
    categories: list[str] | None = Field(default=None, description="Category labels (few distinct values).")
    reference: list[int]
    current: list[int]


class FeatureDrift(BaseModel):
    """Drift of one feature: Evidently's default decision, plus PSI, missing and out-of-range rates."""

    feature: str
    kind: FeatureKind
    method: DriftMethod
    score: float = Field(description="The method's value: a p-value (ks, chisquare, z) or a distance.")
    threshold: float
    drifted: bool = Field(description="p-value below (ks: at most) or distance at least the threshold.")
    reference_values: int = Field(description="Non-missing reference values tested.")
    current_values: int = Field(description="Non-missing window values tested.")
    # computed by our engine; None from the Evidently adapter (its report carries none of them)
    psi: float | None = Field(default=None, description="Population stability index on Evidently's bins.")
    missing_rate: float | None = Field(
        default=None, ge=0, le=1, description="Share of the window's rows missing (or infinite)."
    )
    out_of_range_rate: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Share of the window's values outside the reference's [min, max], or unseen categories.",
    )
    distribution: Distribution | None = None
    adjusted_p_value: float | None = Field(
        default=None, description="Benjamini-Hochberg adjusted p-value (p-value methods, FDR asked)."
    )
    fdr_drifted: bool | None = Field(
        default=None,
        description="The decision under FDR control; distance methods keep their decision (not a test).",
    )


class FdrDecision(BaseModel):
    """The dataset's decision when the p-value tests are corrected by Benjamini-Hochberg across features."""

    method: str = "benjamini-hochberg"
    level: float = Field(description="The false discovery rate controlled.")
    tested: int = Field(description="Features decided by a p-value, the family corrected together.")
    drifted_features: int
    drifted_share: float
    dataset_drift: bool


class DataDrift(BaseModel):
    """Drift of a window against a reference, per feature and for the dataset."""

    engine: str = Field(description="'matih' (our vectorised engine) or 'evidently'.")
    features: list[FeatureDrift]
    reference_rows: int
    current_rows: int
    drifted_features: int
    drifted_share: float
    drift_share: float = Field(description="Dataset drift when the drifted share reaches it.")
    dataset_drift: bool
    fdr: FdrDecision | None = Field(default=None, description="Beside the default decision, when asked.")
    skipped: dict[str, str] = Field(
        default_factory=dict, description="Columns not tested (text, dates...) and why."
    )

    def feature(self, name: str) -> FeatureDrift | None:
        return next((f for f in self.features if f.feature == name), None)


class PredictionDrift(BaseModel):
    """Drift of the model's output: the mean beyond k standard deviations of the baseline's, and the test."""

    column: str
    baseline_mean: float | None = Field(default=None, description="Numeric predictions only.")
    baseline_std: float | None = None
    current_mean: float | None = None
    shift_in_std: float | None = Field(default=None, description="|current mean - baseline mean| / std.")
    std_limit: float = Field(
        default=2.0, description="The mean rule's bound, in baseline standard deviations."
    )
    mean_drifted: bool | None = Field(default=None, description="The mean moved beyond the bound.")
    test: FeatureDrift = Field(description="Evidently's default test on the prediction column.")
    drifted: bool = Field(description="Either the mean rule or the test.")
