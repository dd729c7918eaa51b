"""Displayable views returned by the magics: one module per capability, shared pieces in ``common``."""

from matih_workbench.widgets.common import HelpText
from matih_workbench.widgets.tracking import (
    BestRunView,
    ComparisonView,
    ExperimentTable,
    RunDetailView,
    RunTable,
)

__all__ = ["BestRunView", "ComparisonView", "ExperimentTable", "HelpText", "RunDetailView", "RunTable"]
