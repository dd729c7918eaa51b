"""The drift dashboard, a Panel app: endpoint, window and feature pickers over Plotly panes (features by drift
score, the chosen feature's reference vs current distributions and its score over time, the endpoint's
health). Only the service layer is called; the figures are ``widgets.monitoring``'s where they exist.

Panel takes seconds to import: nothing imported by ``%load_ext matih_workbench`` imports this module."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any, TypeVar

import plotly.graph_objects as go

from matih_workbench.errors import WorkbenchError
from matih_workbench.models.monitoring_api import CheckHistory, DriftReport, HealthReport
from matih_workbench.widgets.common import plot_text, time_s
from matih_workbench.widgets.monitoring import CURRENT, DRIFTED, LAYOUT, STEADY, DriftView

if TYPE_CHECKING:
    import panel as pn

    from matih_workbench.services import Workbench

T = TypeVar("T")
TITLE = "MATIH drift dashboard"
#: the windows offered; the service accepts any "30m", "1h", "1d"... up to a year
WINDOWS = ("1h", "6h", "1d", "7d", "30d")


def drift_dashboard(workbench: Workbench, endpoint: str | None = None, window: str = "1d") -> pn.Column:
    """The dashboard of ``endpoint`` (default: the first monitored one) over the last ``window``."""
    return DriftDashboard(workbench, endpoint, window).layout


def score_history_figure(history: CheckHistory, feature: str) -> go.Figure:
    """A feature's drift score at each past check that judged it (1 = its threshold)."""
    points = [p for p in history.points if feature in p.severity]
    scores = [p.severity[feature] for p in points]
    fig = go.Figure(
        go.Scatter(
            x=[time_s(p.time) for p in points],
            y=scores,
            mode="lines+markers" if len(points) > 1 else "markers",
            marker_color=[DRIFTED if s > 1 else STEADY for s in scores],
            line_color=STEADY,
            hovertext=[f"v{p.version}: {s:.3g} x threshold" for p, s in zip(points, scores, strict=True)],
            name="score",
        )
    )
    fig.add_hline(y=1.0, line_dash="dot", line_color=DRIFTED, annotation_text="threshold")
    fig.update_layout(
        title=f"{plot_text(feature)}: drift score over time ({len(points)} checks)",
        yaxis_title="drift score (1 = threshold)",
        **LAYOUT,
    )
    return fig


def health_figure(report: HealthReport) -> go.Figure:
    """Error rate and p95 latency of the window's buckets that had requests."""
    busy = [p for p in report.timeline if p.requests]
    x = [time_s(p.time) for p in busy]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=[p.error_rate for p in busy], name="error rate", marker_color=DRIFTED))
    fig.add_trace(
        go.Scatter(x=x, y=[p.p95_latency_ms for p in busy], name="p95 ms", yaxis="y2", marker_color=CURRENT)
    )
    fig.update_layout(
        title=f"Health of {plot_text(report.endpoint)}: {report.requests} requests",
        yaxis={"title": "error rate", "tickformat": ".1%", "rangemode": "tozero"},
        yaxis2={"title": "p95 ms", "overlaying": "y", "side": "right", "rangemode": "tozero"},
        **LAYOUT,
    )
    return fig


class DriftDashboard:
    """The pickers and panes, redrawn when a picker changes; ``layout`` is what is shown or served."""

    def __init__(self, workbench: Workbench, endpoint: str | None = None, window: str = "1d") -> None:
        import panel as pn

        pn.extension("plotly")
        self.drift = workbench.monitoring.drift
        names = [e.endpoint for e in self.drift.endpoints().endpoints]
        if endpoint is not None and endpoint not in names:
            self.drift.endpoint_row(endpoint)  # the service's NotFound, with the endpoints it knows
        windows = list(WINDOWS) if window in WINDOWS else [*WINDOWS, window]
        self.endpoint = pn.widgets.Select(
            label="Endpoint", options=names, value=endpoint or next(iter(names), None)
        )
        self.window = pn.widgets.Select(label="Window", options=windows, value=window)
        self.feature = pn.widgets.Select(label="Feature", options={})
        self.message = pn.pane.Alert("", alert_type="warning", visible=False, name="message")
        self.summary = pn.pane.Markdown("", name="summary")
        panes = {"sizing_mode": "stretch_width"}
        self.overview = pn.pane.Plotly(None, name="overview", **panes)
        self.distribution = pn.pane.Plotly(None, name="distribution", **panes)
        self.score = pn.pane.Plotly(None, name="score", **panes)
        self.health = pn.pane.Plotly(None, name="health", **panes)
        self.report: DriftReport | None = None
        self.history: CheckHistory | None = None
        self.layout = pn.Column(
            pn.pane.Markdown(f"## {TITLE}"),
            pn.Row(self.endpoint, self.window, self.feature),
            self.message,
            self.summary,
            self.overview,
            pn.Row(self.distribution, self.score, sizing_mode="stretch_width"),
            self.health,
            sizing_mode="stretch_width",
            name=TITLE,
        )
        self.endpoint.param.watch(self._on_subject, "value")
        self.window.param.watch(self._on_subject, "value")
        self.feature.param.watch(self._on_feature, "value")
        self.refresh()

    def refresh(self) -> None:
        """Ask the services again for the chosen endpoint and window, and redraw every pane."""
        name, window = self.endpoint.value, self.window.value
        problems: list[str] = []
        self.report, self.history, health = None, None, None
        if name is None:
            problems.append("No endpoint to monitor yet: deploy a registered version first.")
        else:
            self.report = self._ask(problems, lambda: self.drift.drift(name, window=window))
            self.history = self._ask(problems, lambda: self.drift.history(name))
            health = self._ask(problems, lambda: self.drift.health(name, window=window))
        self.message.object = "<br>".join(problems)
        self.message.visible = bool(problems)
        view = DriftView(self.report) if self.report is not None else None
        self.summary.object = escape(view.title()) if view else ""
        self._show(self.overview, view.overview() if view else None)
        self._show(self.health, health_figure(health) if health is not None else None)
        features = self.report.drift.features if self.report else []
        options = {f"{f.feature} (drifted)" if f.drifted else f.feature: f.feature for f in features}
        chosen = self.feature.value if self.feature.value in options.values() else None
        self.feature.options = options
        self.feature.value = chosen or next(iter(options.values()), None)  # the most drifted first
        self._draw_feature()

    def _draw_feature(self) -> None:
        name, report, history = self.feature.value, self.report, self.history
        chosen = name is not None and report is not None and report.drift.feature(name) is not None
        self._show(self.distribution, DriftView(report).feature(name) if chosen else None)  # type: ignore[arg-type]
        self._show(self.score, score_history_figure(history, name) if name and history else None)

    def _on_subject(self, _: Any) -> None:
        self.refresh()

    def _on_feature(self, _: Any) -> None:
        self._draw_feature()

    @staticmethod
    def _ask(problems: list[str], call: Callable[[], T]) -> T | None:
        """The service's answer, or None with its message (and hint) kept for the message pane."""
        try:
            return call()
        except WorkbenchError as exc:
            problems.append(escape(exc.message + (f" ({exc.hint})" if exc.hint else "")))
            return None

    @staticmethod
    def _show(pane: Any, figure: go.Figure | None) -> None:
        pane.object = figure
        pane.visible = figure is not None
