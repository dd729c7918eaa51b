"""Feature store views: views with freshness and per-feature statistics, a live materialization,
the online/offline check, sample rows."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from html import escape
from typing import Any

import pandas as pd

from matih_workbench.models.features import (
    ConsistencyReport,
    FeatureSample,
    FeatureStoreOverview,
    MaterializationJob,
)
from matih_workbench.widgets.common import Table, html_table, time_s


def duration(seconds: float | None) -> str:
    """``3d 4h``, ``2h 5m``, ``25m``, ``12s``; empty for None."""
    if seconds is None:
        return ""
    s = int(abs(seconds))
    days, hours, minutes = s // 86400, s % 86400 // 3600, s % 3600 // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m" if minutes else f"{s}s"


class FeatureViewsTable(Table):
    """``%matih features``: one row per feature view with its freshness; ``stats()`` per feature."""

    def __init__(self, overview: FeatureStoreOverview) -> None:
        self.overview = overview
        o = overview
        self.caption = f"Feature views of {o.project} ({o.online_store} online store, {o.registry} registry)"

    def to_pandas(self) -> pd.DataFrame:
        rows = []
        for v in self.overview.views:
            status = (
                "never materialized" if v.last_materialized is None else ("stale" if v.stale else "fresh")
            )
            rows.append(
                {
                    "view": v.name,
                    "entities": ", ".join(v.entities),
                    "features": len(v.features),
                    "rows": v.row_count,
                    "entity keys": v.entity_count,
                    "ttl": duration(v.ttl_seconds) if v.ttl_seconds else "none",
                    "newest event": time_s(v.last_event),
                    "materialized to": time_s(v.last_materialized),
                    "staleness": duration(v.staleness_seconds),
                    "status": status if v.online else "offline only",
                    "services": ", ".join(v.services),
                }
            )
        return pd.DataFrame(rows)

    def stats(self) -> pd.DataFrame:
        """One row per feature: dtype, null rate, min, max."""
        return pd.DataFrame(
            [
                {
                    "view": v.name,
                    "feature": f.name,
                    "dtype": f.dtype,
                    "null rate": f.null_rate,
                    "min": f.min,
                    "max": f.max,
                }
                for v in self.overview.views
                for f in v.features
            ]
        )

    def _repr_html_(self) -> str:
        services = "; ".join(
            f"{s.name}: " + ", ".join(f"{sv.view}[{', '.join(sv.features)}]" for sv in s.views)
            for s in self.overview.services
        )
        return (
            html_table(self.to_pandas(), self.caption)
            + html_table(self.stats(), "Per feature (offline source)")
            + f"<div style='font-size:11px'>Feature services — {escape(services or 'none')}</div>"
        )


def _job_line(job: MaterializationJob) -> str:
    done = ", ".join(d.view for d in job.done) or "none yet"
    now = f", now {job.current}" if job.current else ""
    error = f" — {job.error}" if job.error else ""
    return (
        f"Materialization {job.id} up to {time_s(job.end)}: {job.status}, {len(job.done)}/{len(job.views)} "
        f"views ({job.progress:.0%}; done: {done}{now}){error}"
    )


class MaterializationView:
    """A materialization job; with ``follow`` (its latest state), redrawn in place until it ends."""

    def __init__(self, job: MaterializationJob, follow: Callable[[], MaterializationJob] | None = None):
        self._job = job
        self._follow = follow

    @property
    def job(self) -> MaterializationJob:
        return self._follow() if self._follow else self._job

    def _bundle(self, job: MaterializationJob) -> dict[str, str]:
        bar = f"<progress value='{job.progress:.3f}' max='1' style='width:200px'></progress> "
        return {"text/html": bar + escape(_job_line(job)), "text/plain": _job_line(job)}

    def _ipython_display_(self) -> None:
        from IPython.display import display

        job = self.job
        handle = display(self._bundle(job), raw=True, display_id=True)
        if self._follow is not None and job.status == "RUNNING":
            threading.Thread(
                target=self._redraw, args=(handle,), name=f"matih-mat-{job.id}", daemon=True
            ).start()

    def _redraw(self, handle: Any) -> None:
        while True:
            time.sleep(0.25)
            job = self.job
            handle.update(self._bundle(job), raw=True)
            if job.status != "RUNNING":
                return

    def __repr__(self) -> str:
        return _job_line(self.job)


class ConsistencyView(Table):
    """``%matih features check``: per view, the sampled entities and the values that differ."""

    def __init__(self, report: ConsistencyReport) -> None:
        self.report = report
        verdict = "consistent" if report.consistent else "INCONSISTENT"
        self.caption = f"Online/offline consistency: {verdict}"

    def to_pandas(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "view": v.view,
                    "as of": time_s(v.as_of),
                    "entities": v.entities,
                    "values": v.compared,
                    "mismatches": len(v.mismatches),
                    "note": v.skipped or "",
                }
                for v in self.report.views
            ]
        )

    def mismatches(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "view": v.view,
                    "entity": m.entity,
                    "feature": m.feature,
                    "online": m.online,
                    "offline": m.offline,
                }
                for v in self.report.views
                for m in v.mismatches
            ]
        )

    def _repr_html_(self) -> str:
        wrong = self.mismatches()
        return html_table(self.to_pandas(), self.caption) + (
            html_table(wrong, "Mismatches") if len(wrong) else ""
        )


class SampleTable(Table):
    def __init__(self, sample: FeatureSample) -> None:
        self.sample = sample
        self.caption = f"Newest rows of {sample.view} ({sample.row_count} rows in its source)"

    def to_pandas(self) -> pd.DataFrame:
        return pd.DataFrame(self.sample.rows, columns=self.sample.columns)
