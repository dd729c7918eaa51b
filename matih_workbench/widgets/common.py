"""What every capability's views share: HTML tables with the workbench's style, and help text."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

import pandas as pd

STYLE = (
    "<style>.matih-table{border-collapse:collapse;font-size:12px}"
    ".matih-table th,.matih-table td{padding:2px 8px;border-bottom:1px solid var(--jp-border-color2,#ddd);"
    "text-align:left}.matih-table .matih-diff{background:var(--jp-warn-color3,#fff3cd)}"
    ".matih-table .matih-best{font-weight:bold;color:var(--jp-success-color1,#2e7d32)}</style>"
)


def plot_text(text: str) -> str:
    """A user's string (a run name, a metric key) as Plotly shows it literally: Plotly renders an HTML
    subset in legends, titles and hover text (``<a href>``, ``<b>``, styled spans), and decodes entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def time_s(seconds: float | None) -> str:
    """Seconds since the epoch as local time; empty for None."""
    return dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M:%S") if seconds else ""


def time_ms(ms: int | None) -> str:
    return time_s(ms / 1000) if ms else ""


def fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def html_table(frame: pd.DataFrame, caption: str = "") -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(fmt(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    cap = f"<caption style='text-align:left'>{escape(caption)}</caption>" if caption else ""
    return (
        f"{STYLE}<table class='matih-table'>{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


class Table:
    caption = ""

    def to_pandas(self) -> pd.DataFrame:
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return html_table(self.to_pandas(), self.caption)

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.to_pandas().to_string(index=False)}"


class HelpText:
    """Help shown as preformatted text in both notebook and terminal."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_html_(self) -> str:
        return f"<pre>{escape(self.text)}</pre>"

    def __repr__(self) -> str:
        return self.text
