"""What batch scoring needs to complete an entity table with a feature service's features: the feature
lineage of the scored version (as serving reads it) and the input table's rows on the driver."""

from __future__ import annotations

import pandas as pd

from matih_workbench.backends.ray.batch import BatchScorer
from matih_workbench.backends.ray.serve.features import trained_features

__all__ = ["read_frame", "trained_features"]


def read_frame(scorer: BatchScorer, location: str) -> pd.DataFrame:
    """Every row of the Parquet file or folder at ``location`` (local or s3://), as the scorer reads it:
    Feast's point-in-time join takes its entity rows as one DataFrame."""
    return scorer._dataset(location).to_table().to_pandas()  # the scorer's own reader
