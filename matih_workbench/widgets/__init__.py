"""Rich notebook views of service models: they render, they hold no business rules."""

from matih_workbench.widgets.comparison import ComparisonView
from matih_workbench.widgets.tables import BestRunView, ExperimentTable, HelpText, RunDetailView, RunTable

__all__ = ["BestRunView", "ComparisonView", "ExperimentTable", "HelpText", "RunDetailView", "RunTable"]
