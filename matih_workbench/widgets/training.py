"""Training jobs in a notebook: a live trials table updated in place, and the final result object."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from html import escape
from typing import Any

import pandas as pd

from matih_workbench.models.training import TrainingResult
from matih_workbench.widgets.tables import html_table

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


class TrainingView:
    """What ``%%matih train`` returns: the job, its best trial and every trial."""

    def __init__(self, result: TrainingResult, mlflow_ui_url: str = "") -> None:
        self.result = result
        self.mlflow_ui_url = mlflow_ui_url.rstrip("/")

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
            best = f"; best {r.metric} = {r.best_metrics.get(r.metric, float('nan')):.6g} ({r.best_config})"
        return (
            f"Job {r.job_id} {r.status} in {r.elapsed:.1f} s: {len(r.trials)} trials ({failed} failed), "
            f"experiment '{r.experiment}', parent run {r.parent_run_id}{best}"
        )

    def _repr_html_(self) -> str:
        r = self.result
        color = _COLORS.get("TERMINATED" if r.status == "FINISHED" else r.status, "#555")
        link = ""
        if self.mlflow_ui_url:
            url = f"{self.mlflow_ui_url}/#/experiments/{r.experiment_id}/runs/{r.parent_run_id}"
            link = f" <a href='{escape(url)}' target='_blank'>open in MLflow</a>"
        error = (
            f"<div style='color:#c62828'>{escape(r.error)}</div>" if r.error and r.status != "KILLED" else ""
        )
        head = f"<div style='color:{color};font-weight:bold'>{escape(self.summary())}{link}</div>{error}"
        frame = self.to_pandas()
        return head + (html_table(frame) if not frame.empty else "<i>no trial started yet</i>")

    def __repr__(self) -> str:
        frame = self.to_pandas()
        return self.summary() + ("\n" + frame.to_string(index=False) if not frame.empty else "")


class LiveTraining:
    """Shows a job's trials table in the cell output and updates it in place until the job ends."""

    def __init__(self, get: Callable[[], TrainingResult], mlflow_ui_url: str = "", interval: float = 0.5):
        from IPython.display import HTML, display

        self.get, self.mlflow_ui_url, self.interval = get, mlflow_ui_url, interval
        self._html = HTML
        self.handle = display(HTML(self._render(get())), display_id=True)

    def _render(self, result: TrainingResult) -> str:
        running = "running, " if result.status == "RUNNING" else ""
        note = f"<div style='font-size:11px;color:#666'>{running}elapsed {result.elapsed:.1f} s</div>"
        return TrainingView(result, self.mlflow_ui_url)._repr_html_() + note

    def update(self) -> TrainingResult:
        result = self.get()
        if self.handle is not None:
            self.handle.update(self._html(self._render(result)))
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
