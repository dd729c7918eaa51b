"""Pydantic models: the wire contract of the REST API. TypeScript types are generated from them."""

from matih_workbench.models.common import ErrorBody, ServerInfo
from matih_workbench.models.events import EventList, EventType, WorkbenchEvent
from matih_workbench.models.tracking import (
    AlignedMetric,
    ArtifactEntry,
    BestRun,
    Experiment,
    ExperimentKeys,
    ExperimentList,
    MetricHistory,
    MetricMode,
    MetricPoint,
    MetricSummary,
    ParamRow,
    RunComparison,
    RunDetail,
    RunPage,
    RunSummary,
)

#: Every model the REST API sends; exported to JSON Schema for the TypeScript client.
API_MODELS = (
    ErrorBody,
    ServerInfo,
    EventList,
    WorkbenchEvent,
    Experiment,
    ExperimentList,
    ExperimentKeys,
    RunPage,
    RunSummary,
    RunDetail,
    ArtifactEntry,
    MetricHistory,
    MetricPoint,
    AlignedMetric,
    ParamRow,
    MetricSummary,
    RunComparison,
    BestRun,
)

__all__ = [
    "API_MODELS",
    "AlignedMetric",
    "ArtifactEntry",
    "BestRun",
    "ErrorBody",
    "EventList",
    "EventType",
    "Experiment",
    "ExperimentKeys",
    "ExperimentList",
    "MetricHistory",
    "MetricMode",
    "MetricPoint",
    "MetricSummary",
    "ParamRow",
    "RunComparison",
    "RunDetail",
    "RunPage",
    "RunSummary",
    "ServerInfo",
    "WorkbenchEvent",
]
