"""Tracking views: experiments, runs, a run's detail, the best run, and run comparison (tables + Plotly)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from matih_workbench.models import BestRun, Experiment, RunComparison, RunDetail, RunPage, RunSummary
from matih_workbench.widgets.common import STYLE, Table, fmt, html_table, plot_text, time_ms


class ExperimentTable(Table):
    def __init__(self, experiments: Sequence[Experiment]) -> None:
        self.experiments = list(experiments)
        self.caption = f"{len(self.experiments)} experiments"

    def to_pandas(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "experiment_id": e.experiment_id,
                    "name": e.name,
                    "runs": e.run_count,
                    "created": time_ms(e.creation_time),
                    "stage": e.lifecycle_stage,
                }
                for e in self.experiments
            ],
            columns=["experiment_id", "name", "runs", "created", "stage"],
        )


def runs_frame(runs: Sequence[RunSummary], max_columns: int = 12) -> pd.DataFrame:
    """One row per run: identity columns, then params and metrics (prefixed like MLflow's columns)."""
    rows = []
    for r in runs:
        row: dict[str, Any] = {
            "run_id": r.run_id,
            "run_name": r.run_name,
            "status": r.status,
            "start_time": time_ms(r.start_time),
        }
        row.update({f"params.{k}": v for k, v in sorted(r.params.items())})
        row.update({f"metrics.{k}": v for k, v in sorted(r.metrics.items())})
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.iloc[:, : 4 + max_columns] if max_columns else frame


class RunTable(Table):
    def __init__(self, page: RunPage, experiment: Experiment) -> None:
        self.page = page
        self.runs = page.runs
        total = "?" if page.total is None else page.total
        more = " (more: pass --page-token NEXT)" if page.next_page_token else ""
        self.caption = f"{experiment.name}: {len(page.runs)} of {total} runs{more}"

    def to_pandas(self) -> pd.DataFrame:
        return runs_frame(self.runs, max_columns=0)

    def _repr_html_(self) -> str:
        return html_table(runs_frame(self.runs), self.caption)


class RunDetailView(Table):
    def __init__(self, run: RunDetail) -> None:
        self.run = run
        self.caption = f"Run {run.run_name} ({run.run_id}) {run.status}"

    def to_pandas(self) -> pd.DataFrame:
        r = self.run
        rows = [("param", k, v) for k, v in sorted(r.params.items())]
        rows += [("metric", k, fmt(v)) for k, v in sorted(r.metrics.items())]
        rows += [("tag", k, v) for k, v in sorted(r.tags.items())]
        rows += [("artifact", a.path, "dir" if a.is_dir else fmt(a.file_size)) for a in r.artifacts]
        return pd.DataFrame(rows, columns=["kind", "key", "value"])


class BestRunView(Table):
    def __init__(self, best: BestRun) -> None:
        self.best = best
        self.caption = f"Best run by {best.metric} ({best.mode}): {best.run.run_name} = {best.value:.6g}"

    def to_pandas(self) -> pd.DataFrame:
        return runs_frame([self.best.run], max_columns=0)


class ComparisonView:
    """Displays as tables followed by a Plotly figure; ``.params``, ``.metrics``, ``.figure()`` for code."""

    def __init__(self, comparison: RunComparison) -> None:
        self.comparison = comparison
        self.names = {r.run_id: r.run_name or r.run_id[:8] for r in comparison.runs}

    @property
    def params(self) -> pd.DataFrame:
        rows = [
            {"param": p.key, **{self.names[k]: v for k, v in p.values.items()}, "differs": p.differs}
            for p in self.comparison.params
        ]
        return pd.DataFrame(rows)

    @property
    def metrics(self) -> pd.DataFrame:
        rows = [
            {
                "metric": m.key,
                "mode": m.mode,
                **{self.names[k]: v for k, v in m.values.items()},
                "best": self.names.get(m.best_run_id or "", None),
            }
            for m in self.comparison.metrics
        ]
        return pd.DataFrame(rows)

    def figure(self) -> go.Figure:
        histories = [h for h in self.comparison.histories if len(h.steps) > 0]
        titles = [plot_text(h.key) for h in histories]
        fig = make_subplots(rows=1, cols=max(1, len(histories)), subplot_titles=titles)
        for col, history in enumerate(histories, start=1):
            for run_id, values in history.series.items():
                fig.add_trace(
                    go.Scatter(
                        x=history.steps,
                        y=values,
                        mode="lines+markers",
                        name=plot_text(self.names[run_id]),
                        legendgroup=run_id,
                        showlegend=col == 1,
                        connectgaps=True,
                    ),
                    row=1,
                    col=col,
                )
        fig.update_layout(height=320, margin={"l": 40, "r": 10, "t": 40, "b": 30}, template="plotly_white")
        return fig

    def _tables_html(self) -> str:
        names = list(self.names.values())
        head = "".join(f"<th>{escape(n)}</th>" for n in names)
        param_rows = "".join(
            f"<tr class='{'matih-diff' if p.differs else ''}'><td>{escape(p.key)}</td>"
            + "".join(f"<td>{escape(fmt(p.values.get(r)))}</td>" for r in self.names)
            + "</tr>"
            for p in self.comparison.params
        )
        metric_rows = "".join(
            f"<tr><td>{escape(m.key)} ({m.mode})</td>"
            + "".join(
                f"<td class='{'matih-best' if r == m.best_run_id else ''}'>"
                f"{escape(fmt(m.values.get(r)))}</td>"
                for r in self.names
            )
            + "</tr>"
            for m in self.comparison.metrics
        )
        return (
            f"{STYLE}<table class='matih-table'><caption style='text-align:left'>Params "
            f"(differences highlighted)</caption><thead><tr><th>param</th>{head}</tr></thead>"
            f"<tbody>{param_rows}</tbody></table><br><table class='matih-table'>"
            "<caption style='text-align:left'>"
            f"Metrics (best in bold)</caption><thead><tr><th>metric</th>{head}</tr></thead>"
            f"<tbody>{metric_rows}</tbody></table>"
        )

    def _repr_html_(self) -> str:
        return self._tables_html()

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        display(HTML(self._tables_html()))
        display(self.figure())

    def __repr__(self) -> str:
        return f"{self.params.to_string(index=False)}\n\n{self.metrics.to_string(index=False)}"

    def to_dict(self) -> dict[str, Any]:
        return self.comparison.model_dump()
