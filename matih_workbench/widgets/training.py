"""Training jobs in a notebook: a live trials table and metric curves updated in place, a Cancel button,
and the final result object."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

import pandas as pd

from matih_workbench.models.training import TrainingResult
from matih_workbench.services.tracking.service import mlflow_compare_url, mlflow_run_url
from matih_workbench.widgets.common import html_table, plot_text

#: ``(run ids, {metric: "min" | "max"})`` -> a comparison view (the magic passes the tracking service's)
CompareRuns = Callable[[list[str], Mapping[str, Any]], Any]
_COLORS = {"RUNNING": "#1565c0", "TERMINATED": "#2e7d32", "ERROR": "#c62828", "KILLED": "#6d4c41"}


def trials_frame(result: TrainingResult, max_metrics: int = 6) -> pd.DataFrame:
    params = sorted({k for t in result.trials for k in t.config})
    metrics = sorted({k for t in result.trials for k in t.metrics})
    if result.metric in metrics:
        metrics.remove(result.metric)
        metrics.insert(0, result.metric)
    rows = []
    for t in sorted(result.trials, key=lambda t: t.trial_id):
        row: dict[str, Any] = {"trial": t.trial_id, "status": t.status, "epochs": t.iterations}
        row.update({p: t.config.get(p) for p in params})
        row.update({m: t.metrics.get(m) for m in metrics[:max_metrics]})
        row["error"] = t.error or ""
        row["run_id"] = t.run_id or ""
        rows.append(row)
    return pd.DataFrame(rows)


def curves_figure(metric: str, curves: dict[str, list[tuple[int, float]]]) -> Any:
    """One line per trial of ``metric`` by epoch."""
    import plotly.graph_objects as go

    fig = go.Figure(
        [
            go.Scatter(
                x=[e for e, _ in points],
                y=[v for _, v in points],
                mode="lines+markers",
                name=plot_text(trial),
            )
            for trial, points in sorted(curves.items())
        ]
    )
    fig.update_layout(
        height=260, margin={"l": 40, "r": 10, "t": 30, "b": 30}, title=f"{plot_text(metric)} by epoch",
        xaxis_title="epoch", yaxis_title=plot_text(metric), legend_title="trial",
    )  # fmt: skip
    return fig


#: drawn by the labextension, which redraws it on every update (Plotly's JupyterLab renderer draws once)
CURVES_MIME = "application/vnd.matih.curves+json"


def figure_bundle(fig: Any) -> dict[str, Any]:
    """Live curves as a plain MIME bundle: ours for JupyterLab with the extension, Plotly's for any other
    frontend. Displayed as is, a figure takes Plotly's own display path, which ignores ``display_id``."""
    figure = json.loads(fig.to_json())
    title = fig.layout.title.text
    return {CURVES_MIME: figure, "application/vnd.plotly.v1+json": figure, "text/plain": title}


class TrainingView:
    """What ``%%matih train`` returns: the job, its best trial and every trial; ``cancel()`` while it runs."""

    def __init__(
        self,
        result: TrainingResult,
        mlflow_ui_url: str = "",
        cancel: Callable[[], Any] | None = None,
        compare_runs: CompareRuns | None = None,
        current: Callable[[], TrainingResult] | None = None,
    ) -> None:
        self._result = result
        self._current = current  # a background job's latest state
        self.mlflow_ui_url = mlflow_ui_url.rstrip("/")
        self._cancel = cancel
        self._compare_runs = compare_runs
        self.cancel_button: Any = None  # the live Cancel button of a background job

    def compare(self, top: int = 5) -> Any:
        """The comparison of the ``top`` best trials' runs (params that differ, metrics, curves)."""
        r = self.result
        ids = r.top_run_ids(top)
        if self._compare_runs is None or len(ids) < 2:
            raise RuntimeError(f"comparing needs at least two trial runs; this job has {len(ids)}")
        return self._compare_runs(ids, {r.metric: r.mode} if r.metric and r.mode else {})

    def cancel(self) -> None:
        """Stop the job (trials end KILLED); a no-op once it has ended."""
        if self._cancel is None:
            raise RuntimeError("this job has ended; nothing to cancel")
        self._cancel()

    @property
    def result(self) -> TrainingResult:
        """The job's state: at its end, or the latest one of a background job."""
        return self._current() if self._current else self._result

    @property
    def best_config(self) -> dict[str, Any]:
        return self.result.best_config

    @property
    def best_run_id(self) -> str | None:
        return self.result.best_run_id

    def to_pandas(self) -> pd.DataFrame:
        return trials_frame(self.result)

    def summary(self) -> str:
        r = self.result
        failed = sum(t.status == "ERROR" for t in r.trials)
        best = ""
        if r.best_run_id and r.metric:
            best = f"; best {r.metric} = {r.best_metrics.get(r.metric, float('nan')):.6g}"
            best += f" ({r.best_config})" if r.best_config else ""
        return (
            f"Job {r.job_id} {r.status} in {r.elapsed:.1f} s: {len(r.trials)} trials ({failed} failed), "
            f"experiment '{r.experiment}', parent run {r.parent_run_id}{best}"
        )

    def _repr_html_(self) -> str:
        if self._current is not None:  # shown once, when the cell returns: the live output above moves on
            return f"<div>{escape(self._started_note())}</div>"
        r = self.result
        color = _COLORS.get("TERMINATED" if r.status == "FINISHED" else r.status, "#555")
        link = ""
        if self.mlflow_ui_url:
            url = mlflow_run_url(self.mlflow_ui_url, r.experiment_id, r.parent_run_id)
            link = f" <a href='{escape(url)}' target='_blank'>open in MLflow</a>"
        error = (
            f"<div style='color:#c62828'>{escape(r.error)}</div>" if r.error and r.status != "KILLED" else ""
        )
        head = f"<div style='color:{color};font-weight:bold'>{escape(self.summary())}{link}</div>{error}"
        ids = r.top_run_ids(5)
        if len(ids) >= 2 and r.ended is not None:
            command = "%matih compare " + " ".join(ids)
            compare_link = ""
            if self.mlflow_ui_url:
                url = mlflow_compare_url(self.mlflow_ui_url, r.experiment_id, ids)
                compare_link = f" or <a href='{escape(url)}' target='_blank'>compare in MLflow</a>"
            head += (
                f"<div>Compare the best {len(ids)} trials: <code>.compare()</code> on this result, "
                f"<code>{escape(command)}</code>{compare_link}</div>"
            )
        frame = self.to_pandas()
        return head + (html_table(frame) if not frame.empty else "<i>no trial started yet</i>")

    def _started_note(self) -> str:
        r = self._result
        return (
            f"Job {r.job_id} runs in the background (experiment '{r.experiment}', parent run "
            f"{r.parent_run_id}): live progress above and in the MATIH Jobs tab; .result is its latest state."
        )

    def __repr__(self) -> str:
        if self._current is not None:
            return self._started_note()
        frame = self.to_pandas()
        return self.summary() + ("\n" + frame.to_string(index=False) if not frame.empty else "")


class LiveTraining:
    """Shows a job's trials table and metric curves in the cell output, updated in place until it ends.

    With ``cancel`` (background jobs, where the kernel is free to take the click) a Cancel button stops
    the job; a job in the foreground is cancelled by interrupting the kernel.
    """

    def __init__(
        self,
        get: Callable[[], TrainingResult],
        curves: Callable[[], dict[str, list[tuple[int, float]]]],
        mlflow_ui_url: str = "",
        interval: float = 0.5,
        cancel: Callable[[], Any] | None = None,
    ):
        from IPython.display import HTML, display

        self.get, self.curves, self.mlflow_ui_url, self.interval = get, curves, mlflow_ui_url, interval
        self._html = HTML
        self._drawn: dict[str, list[tuple[int, float]]] = {}
        self.cancel_button = self._cancel_button(cancel) if cancel is not None else None
        result = get()
        if self.cancel_button is not None:
            display(self.cancel_button)
        self.handle = display(HTML(self._render(result)), display_id=True)
        self.curves_handle = (
            display(figure_bundle(curves_figure(result.metric, {})), raw=True, display_id=True)
            if result.metric
            else None
        )

    def _cancel_button(self, cancel: Callable[[], Any]) -> Any:
        import ipywidgets

        button = ipywidgets.Button(description="Cancel", icon="stop", button_style="danger")

        def clicked(_: Any) -> None:
            button.disabled, button.description = True, "Cancelling…"
            threading.Thread(target=cancel, name="matih-train-cancel", daemon=True).start()

        button.on_click(clicked)
        return button

    def _render(self, result: TrainingResult) -> str:
        running = "running, " if result.status == "RUNNING" else ""
        how = "" if self.cancel_button is not None else " (interrupt the kernel to cancel)"
        note = (
            f"<div style='font-size:11px;color:#666'>{running}elapsed {result.elapsed:.1f} s"
            f"{how if running else ''}</div>"
        )
        return TrainingView(result, self.mlflow_ui_url)._repr_html_() + note

    def update(self) -> TrainingResult:
        result = self.get()
        if self.handle is not None:
            self.handle.update(self._html(self._render(result)))
        if self.curves_handle is not None and result.metric and (curves := self.curves()) != self._drawn:
            self.curves_handle.update(figure_bundle(curves_figure(result.metric, curves)), raw=True)
            self._drawn = curves
        if self.cancel_button is not None and result.status != "RUNNING":
            self.cancel_button.disabled, self.cancel_button.description = True, result.status.capitalize()
        return result

    def follow(self, done: Callable[[], bool]) -> TrainingResult:
        """Refresh until ``done()``; returns the last state."""
        while not done():
            self.update()
            time.sleep(self.interval)
        return self.update()

    def follow_in_background(self, done: Callable[[], bool]) -> threading.Thread:
        thread = threading.Thread(target=self.follow, args=(done,), name="matih-train-view", daemon=True)
        thread.start()
        return thread
