"""Model cards: what a version is for, what it was trained on, how well it does (with intervals), how fair.

Editable text lives on the version (MLflow description and ``matih.card.*`` tags); the model's owners, the
leads and the groups ``WorkbenchConfig.card_editor_groups`` names edit it, and every edit enters the model's
history (MODEL_CARD_EDITED: who, when, each field before and after). Metrics come from the run and, when
holdout predictions exist (the run artifact ``holdout_predictions.csv``, or a table passed in), are
recomputed on them with bootstrap intervals (``services.card_stats``). A card always renders from what is
stored: what cannot be used (an unreadable holdout, a protected attribute that is not one of its columns)
is listed in ``problems``; what a caller asks for, or an edit would store, is refused when invalid.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Collection

import pandas as pd

from matih_workbench.backends.mlflow.registry import MlflowRegistry, VersionRecord, load_list
from matih_workbench.errors import Forbidden, InvalidInput, WorkbenchError, shown
from matih_workbench.models import CardMetric, EventType, ModelCard, ModelCardUpdate
from matih_workbench.models.registry import FieldChange
from matih_workbench.services.events import EventService
from matih_workbench.services.registry import card_stats
from matih_workbench.services.registry.history import VersionHistory
from matih_workbench.services.registry.lineage import LineageService
from matih_workbench.services.registry.stages import OWNERS_TAG, Roles, evidence_of, free_text, stage_of

HOLDOUT_ARTIFACT = "holdout_predictions.csv"
CARD_TAG = "matih.card."
_TEXT_FIELDS = ("intended_use", "limitations", "drift_sensitivity", "primary_metric", "protected_attribute")
_EDITABLE = ("description", *_TEXT_FIELDS)
_MAX_HOLDOUT_BYTES = 200 * 1024 * 1024
_CACHED = 32
Intervals = dict[str, tuple[float, float | None, float | None]]
Text = dict[str, str | None]


class ModelCardService:
    def __init__(
        self,
        registry: MlflowRegistry,
        history: VersionHistory,
        lineage: LineageService,
        events: EventService,
        roles: Roles,
    ) -> None:
        self.registry = registry
        self.history = history
        self.lineage = lineage
        self.events = events
        self.roles = roles
        self._intervals: dict[tuple[str, int, float, int], Intervals] = {}
        self._lock = threading.Lock()

    def card(
        self,
        name: str,
        version: int,
        holdout: pd.DataFrame | None = None,
        protected_attribute: str | None = None,
        samples: int = 1000,
        level: float = 0.95,
        seed: int = 0,
    ) -> ModelCard:
        """The card of a version; ``holdout`` replaces the logged holdout predictions when given."""
        card_stats.check_settings(samples, level, seed)
        record = self.registry.version(name, version)
        return self._build(record, _stored(record), holdout, protected_attribute, samples, level, seed)

    def update(self, name: str, version: int, update: ModelCardUpdate) -> ModelCard:
        """Change the editable fields given (others stay); the card is returned as it now reads."""
        self.edit(name, version, update)
        return self.card(name, version)

    def edit(self, name: str, version: int, update: ModelCardUpdate) -> None:
        """Change the editable fields given (an empty string clears one). Nothing is written unless the
        user may edit this card and the card builds with the new values; the edit enters the history."""
        record = self.registry.version(name, version)
        owners = load_list(self.registry.model(name).tags.get(OWNERS_TAG))
        if not self.roles.may_edit_card(owners):
            raise Forbidden(
                f"{self.roles.user} may not edit the card of '{shown(name)}'",
                hint=f"owners ({', '.join(owners) or 'none'}), leads (WorkbenchConfig.registry_leads, "
                "registry_lead_groups) and WorkbenchConfig.card_editor_groups edit cards",
            )
        before: Text = {"description": record.description, **_stored(record)}
        after = dict(before)
        for field in _EDITABLE:
            value = free_text(getattr(update, field), field.replace("_", " "))
            if value is not None:
                after[field] = value or None
        changed = [f for f in _EDITABLE if before[f] != after[f]]
        if not changed:
            return
        checked = {f for f in ("primary_metric", "protected_attribute") if f in changed and after[f]}
        if checked:  # refused here, before anything is written
            self._build(record, after, None, None, 1000, 0.95, 0, strict=checked)
        if "description" in changed:
            self.registry.set_version_description(name, version, after["description"] or "")
        for field in [f for f in changed if f in _TEXT_FIELDS and not after[f]]:
            self.registry.delete_version_tag(name, version, CARD_TAG + field)
        tags = {CARD_TAG + f: v for f in changed if f in _TEXT_FIELDS and (v := after[f])}
        if tags:
            self.registry.set_version_tags(name, version, tags)
        changes = {f: FieldChange(old=before[f], new=after[f]).model_dump() for f in changed}
        self.events.emit(
            EventType.MODEL_CARD_EDITED,
            name,
            {
                "model": name,
                "version": version,
                "comment": "edited " + ", ".join(changed),
                "changes": changes,
            },
        )

    def _build(
        self,
        record: VersionRecord,
        text: Text,
        holdout: pd.DataFrame | None,
        protected_attribute: str | None,
        samples: int,
        level: float,
        seed: int,
        strict: Collection[str] = (),
    ) -> ModelCard:
        """The card from ``text``; a problem with a stored field is listed, unless ``strict`` names it."""
        problems: list[str] = []
        logged = self.registry.run(record.run_id).metrics if record.run_id else {}
        source = "provided holdout set" if holdout is not None else None
        data = card_stats.holdout(holdout) if holdout is not None else None
        if data is None and record.run_id:
            data, source = self._logged_holdout(record.run_id, problems)
        attribute = protected_attribute or text["protected_attribute"]
        explicit = bool(protected_attribute) or "protected_attribute" in strict
        computed: Intervals = {}
        fairness = None
        if data is not None:
            computed = self._bootstrap(data, samples, level, seed)
            if attribute:
                try:
                    fairness = card_stats.fairness(data, attribute)
                except InvalidInput as exc:
                    if explicit:
                        raise
                    problems.append(f"No fairness report: {exc.message}")
        elif attribute:
            if explicit:
                raise InvalidInput(
                    "Fairness needs holdout predictions",
                    hint=f"log {HOLDOUT_ARTIFACT} on the run (y_true, y_score/y_pred, attributes) "
                    "or pass a holdout",
                )
            problems.append(
                f"No fairness report across '{attribute}': the version has no holdout predictions"
            )
        metrics = _card_metrics(logged, computed)
        default = next(iter(computed), None) or next(iter(sorted(logged)), None)
        wanted = text["primary_metric"]
        primary = next((m for m in metrics if m.name == (wanted or default)), None)
        if wanted and primary is None:
            message = f"The primary metric '{shown(wanted)}' is not a metric of this version"
            if "primary_metric" in strict:
                raise InvalidInput(message, hint="metrics: " + (", ".join(m.name for m in metrics) or "none"))
            problems.append(message)
            primary = next((m for m in metrics if m.name == default), None)
        evidence = evidence_of(record)
        return ModelCard(
            name=record.name,
            version=record.version,
            stage=stage_of(record),
            run_id=record.run_id,
            description=text["description"],
            intended_use=text["intended_use"],
            limitations=text["limitations"],
            drift_sensitivity=text["drift_sensitivity"],
            training_data=self.lineage.datasets_of_run(record.run_id) if record.run_id else [],
            primary_metric=primary,
            secondary_metrics=[m for m in metrics if m is not primary],
            holdout_source=source,
            holdout_rows=data.rows if data is not None else None,
            ci_level=level,
            bootstrap_samples=samples,
            fairness=fairness,
            evidence_metrics=evidence[0] if evidence else {},
            evidence_recorded_at=evidence[1] if evidence else None,
            problems=problems,
            history=self.history.history(record.name, record.version).history,
            lineage=self.lineage.version_lineage(record.name, record.version),
        )

    def _logged_holdout(
        self, run_id: str, problems: list[str]
    ) -> tuple[card_stats.Holdout | None, str | None]:
        raw = self.registry.read_artifact(run_id, HOLDOUT_ARTIFACT)
        if raw is None:
            return None, None
        try:
            return card_stats.holdout(_read_csv(raw)), f"runs:/{run_id}/{HOLDOUT_ARTIFACT}"
        except WorkbenchError as exc:
            problems.append(f"{HOLDOUT_ARTIFACT} cannot be used: {exc.message}")
            return None, None

    def _bootstrap(self, data: card_stats.Holdout, samples: int, level: float, seed: int) -> Intervals:
        """Bootstrap once per holdout content and settings: a card is read far more often than logged."""
        digest = hashlib.sha256(pd.util.hash_pandas_object(data.frame, index=False).to_numpy().tobytes())
        key = (digest.hexdigest(), samples, level, seed)
        with self._lock:
            cached = self._intervals.get(key)
        if cached is None:
            cached = card_stats.bootstrap(data, samples, level, seed)
            with self._lock:
                while len(self._intervals) >= _CACHED:
                    self._intervals.pop(next(iter(self._intervals)))
                self._intervals[key] = cached
        return cached

    def log_holdout(self, run_id: str, frame: pd.DataFrame) -> str:
        """Validate holdout predictions and log them on the run, where cards find them."""
        card_stats.holdout(frame)
        self.registry.log_artifact_text(run_id, frame.to_csv(index=False), HOLDOUT_ARTIFACT)
        return f"runs:/{run_id}/{HOLDOUT_ARTIFACT}"


def _stored(record: VersionRecord) -> Text:
    """The card's text as the version keeps it."""
    return {"description": record.description} | {
        f: record.tags.get(CARD_TAG + f) or None for f in _TEXT_FIELDS
    }


def _read_csv(raw: bytes) -> pd.DataFrame:
    if len(raw) > _MAX_HOLDOUT_BYTES:
        raise InvalidInput(f"{HOLDOUT_ARTIFACT} is larger than {_MAX_HOLDOUT_BYTES >> 20} MiB")
    try:
        return pd.read_csv(io.BytesIO(raw))
    except (ValueError, pd.errors.ParserError) as exc:
        raise InvalidInput(f"{HOLDOUT_ARTIFACT} is not a readable CSV: {exc}") from None


def _card_metrics(
    logged: dict[str, float], computed: dict[str, tuple[float, float | None, float | None]]
) -> list[CardMetric]:
    """Holdout metrics first (with intervals, and the run's value of the same name), then the rest."""
    metrics = [
        CardMetric(name=k, value=logged.get(k), holdout_value=_finite(v), ci_low=lo, ci_high=hi)
        for k, (v, lo, hi) in computed.items()
    ]
    return metrics + [CardMetric(name=k, value=v) for k, v in sorted(logged.items()) if k not in computed]


def _finite(value: float) -> float | None:
    return None if value != value else value
