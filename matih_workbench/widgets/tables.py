"""Tables for experiments and runs, displayable in a notebook (HTML) and a terminal (text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape
from typing import Any

import pandas as pd

from matih_workbench.models import BestRun, Experiment, RunDetail, RunPage, RunSummary

_STYLE = (
    "<style>.matih-table{border-collapse:collapse;font-size:12px}"
    ".matih-table th,.matih-table td{padding:2px 8px;border-bottom:1px solid var(--jp-border-color2,#ddd);"
    "text-align:left}.matih-table .matih-diff{background:var(--jp-warn-color3,#fff3cd)}"
    ".matih-table .matih-best{font-weight:bold;color:var(--jp-success-color1,#2e7d32)}</style>"
)


def _time(ms: int | None) -> str:
    return dt.datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M:%S") if ms else ""


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def html_table(frame: pd.DataFrame, caption: str = "") -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(_fmt(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    cap = f"<caption style='text-align:left'>{escape(caption)}</caption>" if caption else ""
    return (
        f"{_STYLE}<table class='matih-table'>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


class _Table:
    caption = ""

    def to_pandas(self) -> pd.DataFrame:
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return html_table(self.to_pandas(), self.caption)

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.to_pandas().to_string(index=False)}"


class ExperimentTable(_Table):
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
                    "created": _time(e.creation_time),
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
            "start_time": _time(r.start_time),
        }
        row.update({f"params.{k}": v for k, v in sorted(r.params.items())})
        row.update({f"metrics.{k}": v for k, v in sorted(r.metrics.items())})
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.iloc[:, : 4 + max_columns] if max_columns else frame


class RunTable(_Table):
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


class RunDetailView(_Table):
    def __init__(self, run: RunDetail) -> None:
        self.run = run
        self.caption = f"Run {run.run_name} ({run.run_id}) {run.status}"

    def to_pandas(self) -> pd.DataFrame:
        r = self.run
        rows = [("param", k, v) for k, v in sorted(r.params.items())]
        rows += [("metric", k, _fmt(v)) for k, v in sorted(r.metrics.items())]
        rows += [("tag", k, v) for k, v in sorted(r.tags.items())]
        rows += [("artifact", a.path, "dir" if a.is_dir else _fmt(a.file_size)) for a in r.artifacts]
        return pd.DataFrame(rows, columns=["kind", "key", "value"])


class BestRunView(_Table):
    def __init__(self, best: BestRun) -> None:
        self.best = best
        self.caption = f"Best run by {best.metric} ({best.mode}): {best.run.run_name} = {best.value:.6g}"

    def to_pandas(self) -> pd.DataFrame:
        return runs_frame([self.best.run], max_columns=0)


class HelpText:
    """Help shown as preformatted text in both notebook and terminal."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_html_(self) -> str:
        return f"<pre>{escape(self.text)}</pre>"

    def __repr__(self) -> str:
        return self.text
