"""Serving views: deployments and endpoints, live per-version stats, traffic sliders (ipywidgets), and
batch scoring progress and results."""

from __future__ import annotations

import threading
from collections.abc import Callable
from html import escape
from typing import Any

import pandas as pd

from matih_workbench.models import DeploymentList, Endpoint, EndpointList, EndpointStats
from matih_workbench.models.batch import BatchScoringResult
from matih_workbench.widgets.common import Table, html_table, time_s

_COLUMNS = ["endpoint", "model", "version", "traffic %", "server", "url", "deployed by", "deployed at"]


class DeploymentTable(Table):
    caption = "Deployments"

    def __init__(self, deployments: DeploymentList) -> None:
        self.deployments = deployments.deployments

    def to_pandas(self) -> pd.DataFrame:
        rows = [
            [d.endpoint, d.model, d.version, d.traffic, d.server, d.url, d.deployed_by, time_s(d.deployed_at)]
            for d in self.deployments
        ]
        return pd.DataFrame(rows, columns=_COLUMNS)


def _versions_frame(endpoint: Endpoint) -> pd.DataFrame:
    rows = [
        [
            v.version,
            v.stage or "",
            "shadow" if v.shadow else f"{v.weight}%",
            v.deployed_by,
            time_s(v.deployed_at),
        ]
        for v in endpoint.versions
    ]
    return pd.DataFrame(rows, columns=["version", "stage", "traffic", "deployed by", "deployed at"])


def _canary_line(endpoint: Endpoint) -> str:
    c = endpoint.canary
    if c is None:
        return ""
    share = c.policy.steps[c.step]
    return (
        f"Canary of version {c.policy.version} against {c.baseline}: {c.status}, step {c.step + 1}/"
        f"{len(c.policy.steps)} ({share}%)" + (f" — {c.reason}" if c.reason else "")
    )


class EndpointView:
    """One endpoint: where it answers, its versions and split, its rollout."""

    def __init__(self, endpoint: Endpoint, note: str = "") -> None:
        self.endpoint = endpoint
        self.note = note

    def to_pandas(self) -> pd.DataFrame:
        return _versions_frame(self.endpoint)

    def _repr_html_(self) -> str:
        e = self.endpoint
        head = f"<b>{escape(self.note)}</b><br>" if self.note else ""
        key = " (API key required)" if e.api_key else ""
        canary = f"<br>{escape(_canary_line(e))}" if e.canary else ""
        return (
            f"{head}Endpoint <b>{escape(e.name)}</b> ({escape(e.model)}) at <code>{escape(e.url)}</code>"
            f"{key} — {escape(e.status)}{canary}" + html_table(self.to_pandas())
        )

    def __repr__(self) -> str:
        e = self.endpoint
        lines = [self.note] if self.note else []
        lines += [f"Endpoint {e.name} ({e.model}) at {e.url} — {e.status}", _canary_line(e)]
        return "\n".join(x for x in lines if x) + "\n" + self.to_pandas().to_string(index=False)


class EndpointsTable(Table):
    caption = "Endpoints"

    def __init__(self, endpoints: EndpointList) -> None:
        self.endpoints = endpoints.endpoints

    def to_pandas(self) -> pd.DataFrame:
        rows = [
            [
                e.name,
                e.model,
                e.status,
                ", ".join(f"v{v.version}:{'shadow' if v.shadow else v.weight}" for v in e.versions),
                e.canary.status if e.canary else "",
                e.url,
            ]
            for e in self.endpoints
        ]
        return pd.DataFrame(rows, columns=["endpoint", "model", "status", "split", "canary", "url"])


def stats_frame(stats: EndpointStats) -> pd.DataFrame:
    rows = [
        [
            v,
            s.requests,
            s.errors,
            s.rejected,
            s.p50_ms,
            s.p95_ms,
            s.p99_ms,
            s.prediction_mean,
            f"{s.shadow_agreed}/{s.shadow_compared}" if s.shadow_compared else "",
        ]
        for v, s in sorted(stats.versions.items())
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "version",
            "requests",
            "errors",
            "rejected",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "mean prediction",
            "shadow agreed",
        ],
    )


class StatsView(Table):
    def __init__(self, stats: EndpointStats) -> None:
        self.stats = stats
        self.caption = f"Live stats of {stats.endpoint}"

    def to_pandas(self) -> pd.DataFrame:
        return stats_frame(self.stats)

    def _repr_html_(self) -> str:
        out = html_table(self.to_pandas(), self.caption)
        log = self.stats.log or {}
        if log:
            out += (
                f"<div>inference log: {log.get('written')} written, {log.get('dropped')} dropped, "
                f"{log.get('failed')} failed</div>"
            )
        for c in self.stats.comparisons:
            verdict = "significant" if c.significant else "not significant yet"
            out += (
                f"<div>v{escape(c.version)} vs v{escape(c.baseline)}: difference "
                f"{c.difference if c.difference is None else round(c.difference, 4)}, always-valid p = "
                f"{c.p_value if c.p_value is None else round(c.p_value, 4)} ({verdict})</div>"
            )
        return out


class TrafficSliders:
    """Sliders (with a number beside each) over the live versions; two stay complementary; Apply sends one
    change through the service, which decides whether it is allowed."""

    def __init__(self, endpoint: Endpoint, apply: Callable[[dict[str, int]], Endpoint]) -> None:
        import ipywidgets as w

        self.apply_change = apply
        self.live = [v for v in endpoint.versions if not v.shadow]
        self.sliders: dict[str, Any] = {}
        rows = []
        for v in self.live:
            slider = w.IntSlider(
                value=v.weight,
                min=0,
                max=100,
                description=f"v{v.version}",
                continuous_update=True,
                layout=w.Layout(width="360px"),
            )
            box = w.BoundedIntText(value=v.weight, min=0, max=100, layout=w.Layout(width="70px"))
            w.jslink((slider, "value"), (box, "value"))
            slider.observe(self._balance(v.version), names="value")
            self.sliders[v.version] = slider
            rows.append(w.HBox([slider, box, w.Label(v.stage or "")]))
        self.button = w.Button(
            description="Apply", button_style="primary", disabled=not endpoint.can_change_traffic
        )
        self.message = w.HTML(
            "" if endpoint.can_change_traffic else "Only the model's owners and leads may change its traffic."
        )
        self.button.on_click(lambda _: self.submit())
        self.widget = w.VBox(
            [w.HTML(f"<b>Traffic of {escape(endpoint.name)}</b>"), *rows, self.button, self.message]
        )
        self._balancing = False

    def _balance(self, version: str) -> Callable[[dict[str, Any]], None]:
        def changed(change: dict[str, Any]) -> None:
            if len(self.sliders) != 2 or self._balancing:
                return
            other = next(v for v in self.sliders if v != version)
            self._balancing = True
            try:
                self.sliders[other].value = 100 - int(change["new"])
            finally:
                self._balancing = False

        return changed

    def weights(self) -> dict[str, int]:
        return {v: int(s.value) for v, s in self.sliders.items()}

    def submit(self) -> None:
        weights = self.weights()
        self.button.disabled = True
        self.message.value = "Applying…"

        def run() -> None:
            try:
                endpoint = self.apply_change(weights)
                split = ", ".join(f"v{v.version} {v.weight}%" for v in endpoint.versions if not v.shadow)
                self.message.value = f"Applied: {escape(split)}"
            except Exception as exc:  # shown to the user as the service worded it
                self.message.value = f"<span style='color:var(--jp-error-color1)'>{escape(str(exc))}</span>"
            finally:
                self.button.disabled = False

        threading.Thread(target=run, name="matih-traffic", daemon=True).start()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


class BatchProgress:
    """A progress bar (rows scored / total), shown once the input is checked and scoring is about to start."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.label: Any = None
        self.rows = self.total = 0

    def _show(self) -> None:
        import ipywidgets
        from IPython.display import display

        self.bar = ipywidgets.IntProgress(
            value=0, min=0, max=1, description="Scoring", bar_style="info", layout={"width": "320px"}
        )
        self.label = ipywidgets.Label("")
        display(ipywidgets.HBox([self.bar, self.label]))

    def update(self, rows: int, total: int) -> None:
        if self.bar is None:
            self._show()
        self.rows, self.total = rows, total
        self.bar.max = max(total, 1)
        self.bar.value = min(rows, self.bar.max)
        self.label.value = f"{rows:,} / {total:,} rows" + ("" if rows else " (starting the model on Ray…)")

    def done(self, result: BatchScoringResult) -> None:
        self.update(result.rows, result.rows)
        self.bar.bar_style = "success"
        self.label.value = f"{result.rows:,} rows in {result.seconds:.1f} s"

    def fail(self) -> None:
        if self.bar is not None:
            self.bar.bar_style = "danger"
            self.label.value = f"stopped at {self.rows:,} / {self.total:,} rows; no output written"


class BatchScoringView:
    """What ``%matih predict`` returns: the summary; ``.result`` is the model, ``.to_pandas()`` the output."""

    def __init__(self, result: BatchScoringResult) -> None:
        self.result = result

    def to_pandas(self) -> pd.DataFrame:
        return pd.read_parquet(self.result.out)

    def headline(self) -> str:
        r = self.result
        model = f"{r.model} version {r.version} ({r.stage.value})"
        return f"Scored {r.rows:,} rows with {model} in {r.seconds:.1f} s"

    def summary(self) -> str:
        r = self.result
        return (
            f"{self.headline()}: {r.out} ({', '.join(r.prediction_columns)}); "
            f"recorded on the version as {r.lineage_tag}"
        )

    def _repr_html_(self) -> str:
        r = self.result
        facts = pd.DataFrame(
            [
                ("model", f"{r.model} version {r.version} ({r.stage.value})"),
                ("input", r.source),
                ("output", r.out + (f" ({len(r.files)} files)" if len(r.files) > 1 else "")),
                ("rows", f"{r.rows:,}"),
                ("prediction columns", ", ".join(r.prediction_columns)),
                ("time", f"{r.seconds:.1f} s"),
                ("lineage", r.lineage_tag),
            ],
            columns=["", "value"],
        )
        head = f"<div style='color:#2e7d32;font-weight:bold'>{escape(self.headline())}</div>"
        return head + html_table(facts)

    def __repr__(self) -> str:
        return self.summary()
