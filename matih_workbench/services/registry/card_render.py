"""A model card as Markdown (export, notebooks) and as a standalone HTML page (export).

Every user-supplied string (names, card texts, dataset fields, history comments) is escaped for the format:
HTML entities in HTML; in Markdown, HTML entities too (no raw ``<script>`` or ``<img onerror>``) and a
backslash before each character Markdown would read as markup (no ``[x](javascript:...)`` link, heading or
emphasis a user did not write as text).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from html import escape

from matih_workbench.models import CardMetric, ModelCard

_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60em;margin:1em auto;padding:0 1em}"
    "table{border-collapse:collapse}th,td{border-bottom:1px solid #ccc;padding:2px 8px;text-align:left}"
    ".matih-card-empty{color:#777}"
)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4g}"


def _when(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _ci(m: CardMetric) -> str:
    return f"[{_num(m.ci_low)}, {_num(m.ci_high)}]" if m.ci_low is not None else ""


def _metric_name(m: CardMetric, card: ModelCard, user: Callable[[str], str]) -> str:
    return user(m.name) + (" (primary)" if m is card.primary_metric else "")


_INLINE = re.compile(r"([\\`*_\[\]|~$])")  # emphasis, code, links and images, tables, strikethrough, math
_LINE_START = re.compile(r"^(\s*)([#+=-])", re.MULTILINE)  # headings, lists, rules
_ORDERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)  # "1. " lists


def markdown_text(text: str) -> str:
    """User text as Markdown shows it literally: HTML entities (no tag, no autolink), and a backslash before
    each character that would start markup (with ``[`` and ``]`` escaped, no ``(...)`` becomes a link)."""
    text = _INLINE.sub(r"\\\1", escape(text, quote=False))
    text = _LINE_START.sub(r"\1\\\2", text)
    return _ORDERED.sub(r"\1\\\2", text)


def _as_is(text: str) -> str:
    return text


def sections(card: ModelCard, user: Callable[[str], str] = _as_is) -> list[tuple[str, list[list[str]] | str]]:
    """(title, text or table rows with a header row) in card order; both renderers walk this. ``user``
    escapes what users wrote (the Markdown renderer's); the rest is the workbench's own text."""
    level = f"{card.ci_level:.0%} CI"
    metrics = ([card.primary_metric] if card.primary_metric else []) + card.secondary_metrics
    out: list[tuple[str, list[list[str]] | str]] = []
    if card.problems:
        out.append(("Problems", user(" ".join(f"{p}." for p in card.problems))))
    out += [
        ("Description", user(card.description or "")),
        ("Intended use", user(card.intended_use or "")),
        (
            "Training data",
            [["dataset", "digest", "context", "date range", "run"]]
            + [
                [user(v or "") for v in (d.name, d.digest, d.context, d.date_range)] + [(d.run_id or "")[:8]]
                for d in card.training_data
            ],
        ),
        (
            "Metrics",
            [["metric", "run value", "holdout value", level]]
            + [[_metric_name(m, card, user), _num(m.value), _num(m.holdout_value), _ci(m)] for m in metrics],
        ),
    ]
    if card.evidence_metrics:
        recorded = _when(card.evidence_recorded_at) if card.evidence_recorded_at else "registration"
        out.append(
            (
                f"Governance evidence (recorded {recorded})",
                [["metric", "value"]]
                + [[user(k), _num(v)] for k, v in sorted(card.evidence_metrics.items())],
            )
        )
    if card.holdout_source:
        out.append(
            (
                "Evaluation",
                f"{card.holdout_rows} holdout rows from {user(card.holdout_source)}; "
                f"{card.bootstrap_samples} bootstrap resamples, {card.ci_method}.",
            )
        )
    if card.fairness:
        f = card.fairness
        out.append(
            (
                f"Fairness across {user(f.protected_attribute)}",
                [["group", "n", "positive rate", "TPR", "FPR", "accuracy", "AUC"]]
                + [
                    [
                        user(g.group),
                        str(g.n),
                        *(_num(v) for v in (g.positive_rate, g.true_positive_rate)),
                        *(_num(v) for v in (g.false_positive_rate, g.accuracy, g.auc)),
                    ]
                    for g in f.groups
                ]
                + [["demographic parity difference", _num(f.demographic_parity_difference)]]
                + [["equalized odds difference", _num(f.equalized_odds_difference)]],
            )
        )
    out += [
        ("Limitations", user(card.limitations or "")),
        ("Drift sensitivity", user(card.drift_sensitivity or "")),
        (
            "Promotion and deployment history",
            [["time", "event", "user", "from", "to", "comment"]]
            + [
                [
                    _when(r.time),
                    r.type,
                    user(r.user),
                    r.from_stage or "",
                    r.to_stage or "",
                    user(r.comment or ""),
                ]
                for r in card.history
            ],
        ),
    ]
    if card.lineage:
        code = card.lineage.code
        parts = [f"run {card.run_id}" if card.run_id else ""]
        parts += [f"{k.replace('_', ' ')} {user(v)}" for k, v in code.model_dump().items() if v]
        out.append(("Lineage", "; ".join(p for p in parts if p)))
    return out


def _title(card: ModelCard, user: Callable[[str], str] = _as_is) -> str:
    return f"Model card: {user(card.name)} version {card.version} ({card.stage.value})"


def markdown(card: ModelCard) -> str:
    lines = [f"# {_title(card, markdown_text)}", ""]
    for title, body in sections(card, markdown_text):
        lines += [f"## {title}", ""]
        if isinstance(body, str):
            lines += [body or "_Not written yet._", ""]
        elif len(body) == 1:
            lines += ["_None recorded._", ""]
        else:
            width = len(body[0])
            rows = [row + [""] * (width - len(row)) for row in body]
            lines.append("| " + " | ".join(rows[0]) + " |")
            lines.append("|" + "---|" * width)
            lines += ["| " + " | ".join(" ".join(c.split()) for c in r) + " |" for r in rows[1:]]
            lines.append("")
    return "\n".join(lines)


def html_fragment(card: ModelCard) -> str:
    """The card as HTML without a page around it (notebook output)."""
    parts = [f"<div class='matih-card'><h3>{escape(_title(card))}</h3>"]
    for title, body in sections(card):
        parts.append(f"<h4>{escape(title)}</h4>")
        if isinstance(body, str):
            text = (
                escape(body).replace("\n", "<br>")
                if body
                else "<span class='matih-card-empty'>Not written yet.</span>"
            )
            parts.append(f"<p>{text}</p>")
        elif len(body) == 1:
            parts.append("<p class='matih-card-empty'>None recorded.</p>")
        else:
            head = "".join(f"<th>{escape(c)}</th>" for c in body[0])
            rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in body[1:])
            parts.append(
                f"<table class='matih-table'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            )
    parts.append("</div>")
    return "".join(parts)


def html(card: ModelCard) -> str:
    """A standalone HTML page (export)."""
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(_title(card))}</title>"
        f"<style>{_CSS}</style></head><body>{html_fragment(card)}</body></html>"
    )
