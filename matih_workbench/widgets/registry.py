"""Notebook views of the model registry: models, versions, checks, requests, history, lineage, cards."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from matih_workbench.models import (
    CheckResult,
    DatasetLineage,
    DatasetRef,
    DecisionResult,
    ModelCard,
    ModelDetail,
    ModelHistory,
    ModelList,
    ModelThresholds,
    ModelVersionInfo,
    PromotionRequest,
    TransitionResult,
    VersionLineage,
)
from matih_workbench.services.registry import card_render
from matih_workbench.widgets.common import Table, time_s


def checks_frame(checks: Sequence[CheckResult]) -> pd.DataFrame:
    rows = [
        {
            "check": f"{c.metric} {c.op} {c.threshold:g}",
            "value": c.value,
            "production": c.baseline,
            "result": ("pass" if c.passed else "FAIL") + ("" if c.blocking else " (informative)"),
            "detail": c.message,
        }
        for c in checks
    ]
    return pd.DataFrame(rows, columns=["check", "value", "production", "result", "detail"])


class ModelsTable(Table):
    def __init__(self, models: ModelList) -> None:
        self.models = models.models
        self.caption = f"{len(self.models)} registered models"

    def to_pandas(self) -> pd.DataFrame:
        rows = [
            {
                "name": m.name,
                "production": m.production_version,
                "staging": m.staging_version,
                "latest": m.latest_version,
                "owners": ", ".join(m.owners),
            }
            for m in self.models
        ]
        return pd.DataFrame(rows, columns=["name", "production", "staging", "latest", "owners"])


class ModelView(Table):
    """One model: its versions with stages, and its thresholds in the caption."""

    def __init__(self, model: ModelDetail) -> None:
        self.model = model
        rules = ", ".join(t.expression for t in model.thresholds) or "none"
        self.caption = f"{model.name} (owners: {', '.join(model.owners) or 'none'}; thresholds: {rules})"

    def to_pandas(self) -> pd.DataFrame:
        return versions_frame(self.model.versions)


def versions_frame(versions: Sequence[ModelVersionInfo]) -> pd.DataFrame:
    rows = [
        {
            "version": v.version,
            "stage": v.stage.value,
            "aliases": ", ".join(v.aliases),
            "run_id": v.run_id,
            "registered_by": v.registered_by,
            "stage_changed": time_s(v.stage_changed_at),
            "pending_request": v.pending_request_id or "",
        }
        for v in versions
    ]
    columns = ["version", "stage", "aliases", "run_id", "registered_by", "stage_changed", "pending_request"]
    return pd.DataFrame(rows, columns=columns)


class VersionView(Table):
    def __init__(self, version: ModelVersionInfo, caption: str = "") -> None:
        self.version = version
        self.caption = caption or f"{version.name} version {version.version}: {version.stage.value}"

    def to_pandas(self) -> pd.DataFrame:
        return versions_frame([self.version])


class TransitionView(Table):
    """What a promotion did: the new stage, or the request filed; the checks it passed."""

    def __init__(self, result: TransitionResult) -> None:
        self.result = result
        v = result.version
        if result.status == "pending_approval" and result.request is not None:
            self.caption = (
                f"{v.name} version {v.version}: promotion to Production requested "
                f"(request {result.request.id}); an owner or lead approves it with "
                f"%matih approve {result.request.id}"
            )
        else:
            gone = ", ".join(map(str, result.archived))
            archived = f"; archived version(s) {gone}" if gone else ""
            self.caption = f"{v.name} version {v.version} is now {v.stage.value}{archived}"

    def to_pandas(self) -> pd.DataFrame:
        return checks_frame(self.result.checks)


class ChecksView(Table):
    def __init__(self, checks: Sequence[CheckResult], caption: str) -> None:
        self.checks = list(checks)
        self.caption = caption

    def to_pandas(self) -> pd.DataFrame:
        return checks_frame(self.checks)


class ThresholdsView(Table):
    def __init__(self, thresholds: ModelThresholds) -> None:
        self.thresholds = thresholds
        self.caption = f"Baseline thresholds of {thresholds.model} (checked for Staging and Production)"

    def to_pandas(self) -> pd.DataFrame:
        rows = [(t.metric, t.op, t.value, t.expression) for t in self.thresholds.thresholds]
        return pd.DataFrame(rows, columns=["metric", "op", "value", "rule"])


class RequestsView(Table):
    def __init__(self, requests: Sequence[PromotionRequest], caption: str = "") -> None:
        self.requests = list(requests)
        self.caption = caption or f"{len(self.requests)} promotion requests"

    def to_pandas(self) -> pd.DataFrame:
        rows = [
            {
                "id": r.id,
                "model": r.model,
                "version": r.version,
                "from": r.from_stage.value,
                "requested_by": r.requested_by,
                "requested_at": time_s(r.requested_at),
                "reason": r.reason or "",
                "status": r.status,
                "decided_by": r.decided_by or "",
                "you_may_decide": r.can_decide,
            }
            for r in self.requests
        ]
        columns = ["id", "model", "version", "from", "requested_by", "requested_at", "reason", "status"]
        return pd.DataFrame(rows, columns=[*columns, "decided_by", "you_may_decide"])


class DecisionView(RequestsView):
    def __init__(self, result: DecisionResult) -> None:
        r = result.request
        done = f"; {r.model} version {r.version} is now Production" if r.status == "approved" else ""
        super().__init__([r], f"Request {r.id} {r.status} by {r.decided_by}{done}")
        self.result = result


class HistoryView(Table):
    def __init__(self, history: ModelHistory) -> None:
        self.history = history
        self.caption = f"History of {history.model}"

    def to_pandas(self) -> pd.DataFrame:
        rows = [
            (time_s(r.time), r.type, r.version, r.user, r.from_stage or "", r.to_stage or "", r.comment or "")
            for r in self.history.history
        ]
        return pd.DataFrame(rows, columns=["time", "event", "version", "user", "from", "to", "comment"])


class LineageView(Table):
    """What made a version: datasets, run, code; and where it went."""

    def __init__(self, lineage: VersionLineage) -> None:
        self.lineage = lineage
        code = lineage.code
        where = code.notebook_path or code.source_name or "unknown source"
        commit = f" at git {code.git_commit[:10]}" if code.git_commit else ""
        self.caption = f"{lineage.model} v{lineage.version} <- run {lineage.run_id} ({where}{commit})"

    def to_pandas(self) -> pd.DataFrame:
        rows: list[tuple[str, str | None, str | None, str | None, str | None]] = [
            (d.name, d.digest, d.context, _source(d), d.run_id) for d in self.lineage.datasets
        ]
        rows += [
            (f"feature view {v.name}", v.definition_hash, "features", v.feature_service, v.run_id)
            for v in self.lineage.feature_views
        ]
        return pd.DataFrame(rows, columns=["dataset", "digest", "context", "source", "logged_on_run"])


def _source(d: DatasetRef) -> str:
    """Where the data came from; MLflow's code-logged sources are JSON blobs, shown by their type."""
    return d.source_type or "" if not d.source or d.source.startswith("{") else d.source


class DatasetVersionsView(Table):
    def __init__(self, lineage: DatasetLineage) -> None:
        self.lineage = lineage
        what = lineage.dataset + (f" @ {lineage.digest}" if lineage.digest else "")
        feature_view = lineage.kind == "feature_view"
        self.caption = f"Model versions trained on {'feature view ' if feature_view else ''}{what}"
        self.digest_column = "definition_hash" if feature_view else "digest"

    def to_pandas(self) -> pd.DataFrame:
        rows = [(v.name, v.version, v.stage.value, v.run_id, v.dataset_digest) for v in self.lineage.versions]
        return pd.DataFrame(rows, columns=["model", "version", "stage", "run_id", self.digest_column])


class ModelCardView:
    """A model card: HTML in notebooks, Markdown for export, plain text in terminals."""

    def __init__(self, card: ModelCard) -> None:
        self.card = card

    def markdown(self) -> str:
        return card_render.markdown(self.card)

    def html(self) -> str:
        return card_render.html(self.card)

    def save(self, path: str | Path) -> Path:
        """Export to ``.md`` or ``.html`` (by the suffix)."""
        target = Path(path)
        text = self.html() if target.suffix.lower() in (".html", ".htm") else self.markdown()
        target.write_text(text, encoding="utf-8")
        return target

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {
            "text/html": card_render.html_fragment(self.card),
            "text/markdown": self.markdown(),
            "text/plain": self.__repr__(),
        }

    def __repr__(self) -> str:
        return self.markdown()


__all__ = [
    "ChecksView",
    "DatasetVersionsView",
    "DecisionView",
    "HistoryView",
    "LineageView",
    "ModelCardView",
    "ModelView",
    "ModelsTable",
    "RequestsView",
    "ThresholdsView",
    "TransitionView",
    "VersionView",
]
