"""Notebook views of monitoring: drift (features by drift score, drifted marked; reference vs current per
feature), health, baselines, rules and alerts."""

from __future__ import annotations

import itertools
from html import escape
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from matih_workbench.models.monitoring import FeatureDrift
from matih_workbench.models.monitoring_api import (
    AlertList,
    AlertRule,
    BaselineInfo,
    CheckOutcome,
    DriftReport,
    HealthReport,
)
from matih_workbench.widgets.common import STYLE, Table, html_table, plot_text, time_s

DRIFTED, STEADY, REFERENCE, CURRENT = "#d62728", "#1f77b4", "#7f7f7f", "#ff7f0e"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
LAYOUT = {"height": 320, "margin": {"l": 40, "r": 10, "t": 40, "b": 30}, "template": "plotly_white"}


class DriftView:
    """A drift report: a summary table and a chart of the features by drift score (the drifted in red);
    ``feature(name)`` draws that feature's reference and current distributions."""

    def __init__(self, report: DriftReport) -> None:
        self.report = report

    def to_pandas(self) -> pd.DataFrame:
        fdr = self.report.drift.fdr is not None
        rows = [
            {
                "feature": f.feature,
                "kind": f.kind.value,
                "method": f.method.value,
                "score": f.score,
                "threshold": f.threshold,
                "drift score": self.report.severity[f.feature],
                "drifted": f.drifted,
                **({"drifted (FDR)": f.fdr_drifted} if fdr else {}),
                "psi": f.psi,
                "missing": f.missing_rate,
                "out of range": f.out_of_range_rate,
            }
            for f in self.report.drift.features
        ]
        return pd.DataFrame(rows)

    def overview(self) -> go.Figure:
        features = self.report.drift.features
        fig = go.Figure(
            go.Bar(
                x=[plot_text(f.feature) for f in features],
                y=[self.report.severity[f.feature] for f in features],
                marker_color=[DRIFTED if f.drifted else STEADY for f in features],
                hovertext=[f"{f.method.value} {f.score:.4g} (threshold {f.threshold:g})" for f in features],
            )
        )
        fig.add_hline(y=1.0, line_dash="dot", annotation_text="threshold")
        fig.update_layout(title=self.title(), yaxis_title="drift score (1 = threshold)", **LAYOUT)
        return fig

    def feature(self, name: str) -> go.Figure:
        found = self.report.drift.feature(name)
        if found is None:
            known = ", ".join(f.feature for f in self.report.drift.features)
            raise KeyError(f"No feature '{name}' in this report; features: {known}")
        return distribution_figure(found)

    def figures(self) -> list[go.Figure]:
        return [self.overview(), *(distribution_figure(f) for f in self.report.drift.features)]

    def title(self) -> str:
        r = self.report
        drift = r.drift
        where = f"endpoint {r.endpoint} v{r.version}" if r.endpoint else f"{r.model} v{r.version}"
        return f"Drift of {where}: {drift.drifted_features} of {len(drift.features)} features drifted" + (
            " (dataset drift)" if drift.dataset_drift else ""
        )

    def _summary_html(self) -> str:
        r = self.report
        lines = [f"<b>{escape(self.title())}</b>"]
        if r.start is not None and r.end is not None:
            lines.append(f"window {time_s(r.start)} to {time_s(r.end)}: {r.requests} requests")
        lines.append(f"{r.drift.current_rows} rows against a reference of {r.drift.reference_rows}")
        if r.prediction is not None:
            p = r.prediction
            shift = f", mean moved {p.shift_in_std:.2f} std" if p.shift_in_std is not None else ""
            lines.append(
                f"predictions: {'DRIFTED' if p.drifted else 'steady'} ({p.test.method.value}{shift})"
            )
        if r.drift.fdr is not None:
            lines.append(
                f"with FDR control at {r.drift.fdr.level:g}: {r.drift.fdr.drifted_features} features drifted"
            )
        return "<br>".join(lines)

    def _repr_html_(self) -> str:
        return self._summary_html() + html_table(self.to_pandas())

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        return {
            PLOTLY_MIME: self.overview().to_plotly_json(),
            "text/html": self._repr_html_(),
            "text/plain": repr(self),
        }

    def __repr__(self) -> str:
        return f"{self.title()}\n{self.to_pandas().to_string(index=False)}"


def distribution_figure(feature: FeatureDrift) -> go.Figure:
    """Reference vs current shares: histograms on shared bins (numeric), bars per category."""
    fig = go.Figure()
    dist = feature.distribution
    title = f"{plot_text(feature.feature)}: {'drifted' if feature.drifted else 'steady'}"
    if dist is not None:
        ref_total, cur_total = max(sum(dist.reference), 1), max(sum(dist.current), 1)
        if dist.categories is not None:
            x: list[Any] = [plot_text(c) for c in dist.categories]
            width = None
        else:
            edges = dist.edges or []
            x = [(a + b) / 2 for a, b in itertools.pairwise(edges)]
            width = [b - a for a, b in itertools.pairwise(edges)]
        for name, counts, total, color in (
            ("reference", dist.reference, ref_total, REFERENCE),
            ("current", dist.current, cur_total, CURRENT),
        ):
            fig.add_trace(
                go.Bar(
                    x=x,
                    y=[c / total for c in counts],
                    width=width,
                    name=name,
                    marker_color=color,
                    opacity=0.7,
                )
            )
    fig.update_layout(title=title, barmode="overlay", yaxis_title="share", **LAYOUT)
    return fig


class HealthView(Table):
    def __init__(self, report: HealthReport) -> None:
        self.report = report
        r = report
        self.caption = (
            f"Health of {r.endpoint}: {r.requests} requests, error rate {r.error_rate:.2%}, "
            f"p95 {r.p95_latency_ms or 0:.1f} ms (SLO {r.p95_slo_ms:g}); "
            + (f"BREACHED: {', '.join(r.breaches)}" if r.breaches else "healthy")
        )

    def to_pandas(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "from": time_s(p.time),
                    "requests": p.requests,
                    "errors": p.errors,
                    "error rate": p.error_rate,
                    "p95 ms": p.p95_latency_ms,
                }
                for p in self.report.timeline
            ],
            columns=["from", "requests", "errors", "error rate", "p95 ms"],
        )


class BaselineView(Table):
    def __init__(self, info: BaselineInfo) -> None:
        self.info = info
        self.caption = (
            f"Baseline of {info.model} v{info.version} from {info.source}: {info.rows} rows "
            f"({info.sample_rows} kept), prediction column: {info.prediction or 'none'}"
        )

    def to_pandas(self) -> pd.DataFrame:
        return pd.DataFrame({"feature": list(self.info.features), "kind": list(self.info.features.values())})


class RulesView(Table):
    def __init__(self, rule: AlertRule) -> None:
        self.rule = rule
        self.caption = f"Alert rules of {rule.model}" + (
            f" (set by {rule.updated_by})" if rule.updated_by else ""
        )

    def to_pandas(self) -> pd.DataFrame:
        values: dict[str, Any] = self.rule.model_dump(
            exclude={"model", "updated_by", "updated_at", "retrain"}
        )
        spec = self.rule.retrain
        values["retrain"] = (
            f"on {', '.join(spec.on)}: experiment {spec.training.experiment}, "
            f"{spec.source.count(chr(10)) + 1} lines of training cell"
            if spec
            else None
        )
        return pd.DataFrame({"rule": list(values), "value": [str(v) for v in values.values()]})


class AlertsTable(Table):
    caption = "Alerts, most recent first"

    def __init__(self, alerts: AlertList) -> None:
        self.alerts = alerts

    def to_pandas(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "time": time_s(a.time),
                    "endpoint": a.endpoint,
                    "version": a.version,
                    "kind": a.kind.value,
                    "message": a.message,
                    "webhook": a.webhook or "",
                }
                for a in self.alerts.alerts
            ],
            columns=["time", "endpoint", "version", "kind", "message", "webhook"],
        )


class CheckView:
    def __init__(self, outcome: CheckOutcome) -> None:
        self.outcome = outcome

    def text(self) -> str:
        o = self.outcome
        if o.skipped:
            return f"Check of {o.endpoint}: skipped ({o.skipped})"
        breaches = ", ".join(b.value for b in o.breaches) or "none"
        raised = "; ".join(a.message for a in o.alerts) or "no new alert"
        return f"Check of {o.endpoint} v{o.version}: {o.rows} rows; breaches: {breaches}; {raised}"

    def _repr_html_(self) -> str:
        return f"{STYLE}<div>{escape(self.text())}</div>"

    def __repr__(self) -> str:
        return self.text()
