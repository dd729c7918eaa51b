"""A model card as Markdown (export, notebooks) and as a standalone HTML page (export)."""

from __future__ import annotations

import datetime as dt
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


def _metric_name(m: CardMetric, card: ModelCard) -> str:
    return m.name + (" (primary)" if m is card.primary_metric else "")


def sections(card: ModelCard) -> list[tuple[str, list[list[str]] | str]]:
    """(title, text or table rows with a header row) in card order; both renderers walk this."""
    level = f"{card.ci_level:.0%} CI"
    metrics = ([card.primary_metric] if card.primary_metric else []) + card.secondary_metrics
    out: list[tuple[str, list[list[str]] | str]] = [
        ("Description", card.description or ""),
        ("Intended use", card.intended_use or ""),
        (
            "Training data",
            [["dataset", "digest", "context", "date range", "run"]]
            + [
                [d.name, d.digest or "", d.context or "", d.date_range or "", (d.run_id or "")[:8]]
                for d in card.training_data
            ],
        ),
        (
            "Metrics",
            [["metric", "run value", "holdout value", level]]
            + [[_metric_name(m, card), _num(m.value), _num(m.holdout_value), _ci(m)] for m in metrics],
        ),
    ]
    if card.holdout_source:
        out.append(
            (
                "Evaluation",
                f"{card.holdout_rows} holdout rows from {card.holdout_source}; {card.bootstrap_samples} "
                f"bootstrap resamples, {card.ci_method}.",
            )
        )
    if card.fairness:
        f = card.fairness
        out.append(
            (
                f"Fairness across {f.protected_attribute}",
                [["group", "n", "positive rate", "TPR", "FPR", "accuracy", "AUC"]]
                + [
                    [
                        g.group,
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
        ("Limitations", card.limitations or ""),
        ("Drift sensitivity", card.drift_sensitivity or ""),
        (
            "Promotion and deployment history",
            [["time", "event", "user", "from", "to", "comment"]]
            + [
                [_when(r.time), r.type, r.user, r.from_stage or "", r.to_stage or "", r.comment or ""]
                for r in card.history
            ],
        ),
    ]
    if card.lineage:
        code = card.lineage.code
        parts = [f"run {card.run_id}" if card.run_id else ""]
        parts += [f"{k.replace('_', ' ')} {v}" for k, v in code.model_dump().items() if v]
        out.append(("Lineage", "; ".join(p for p in parts if p)))
    return out


def _title(card: ModelCard) -> str:
    return f"Model card: {card.name} version {card.version} ({card.stage.value})"


def markdown(card: ModelCard) -> str:
    lines = [f"# {_title(card)}", ""]
    for title, body in sections(card):
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
            lines += [
                "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in r) + " |"
                for r in rows[1:]
            ]
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
