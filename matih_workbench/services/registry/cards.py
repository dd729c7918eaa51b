"""Model cards: what a version is for, what it was trained on, how well it does (with intervals), how fair.

Editable text lives on the version (MLflow description and ``matih.card.*`` tags). Metrics come from the run
and, when holdout predictions exist (the run artifact ``holdout_predictions.csv``, or a table passed in), are
recomputed on them with bootstrap intervals (``services.card_stats``).
"""

from __future__ import annotations

import hashlib
import io
import threading

import pandas as pd

from matih_workbench.backends.mlflow.registry import MlflowRegistry
from matih_workbench.errors import InvalidInput
from matih_workbench.models import CardMetric, ModelCard, ModelCardUpdate
from matih_workbench.services.registry import card_stats
from matih_workbench.services.registry.history import VersionHistory
from matih_workbench.services.registry.lineage import LineageService
from matih_workbench.services.registry.stages import stage_of

HOLDOUT_ARTIFACT = "holdout_predictions.csv"
CARD_TAG = "matih.card."
_TEXT_FIELDS = ("intended_use", "limitations", "drift_sensitivity", "primary_metric", "protected_attribute")
_MAX_HOLDOUT_BYTES = 200 * 1024 * 1024
_CACHED = 32
Intervals = dict[str, tuple[float, float | None, float | None]]


class ModelCardService:
    def __init__(self, registry: MlflowRegistry, history: VersionHistory, lineage: LineageService) -> None:
        self.registry = registry
        self.history = history
        self._intervals: dict[tuple[str, int, float, int], Intervals] = {}
        self._lock = threading.Lock()
        self.lineage = lineage

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
        record = self.registry.version(name, version)
        text = {f: record.tags.get(CARD_TAG + f) or None for f in _TEXT_FIELDS}
        logged = self.registry.run(record.run_id).metrics if record.run_id else {}
        source = "provided holdout set" if holdout is not None else None
        if holdout is None and record.run_id:
            raw = self.registry.read_artifact(record.run_id, HOLDOUT_ARTIFACT)
            if raw is not None:
                holdout = _read_csv(raw)
                source = f"runs:/{record.run_id}/{HOLDOUT_ARTIFACT}"
        computed: Intervals = {}
        fairness = None
        rows = None
        if holdout is not None:
            data = card_stats.holdout(holdout)
            rows = data.rows
            computed = self._bootstrap(data, samples, level, seed)
            attribute = protected_attribute or text["protected_attribute"]
            if attribute:
                fairness = card_stats.fairness(data, attribute)
        elif protected_attribute:
            raise InvalidInput(
                "Fairness needs holdout predictions",
                hint=f"log {HOLDOUT_ARTIFACT} on the run (y_true, y_score/y_pred, attributes) "
                "or pass a holdout",
            )
        metrics = _card_metrics(logged, computed)
        primary_name = (
            text["primary_metric"] or next(iter(computed), None) or next(iter(sorted(logged)), None)
        )
        primary = next((m for m in metrics if m.name == primary_name), None)
        return ModelCard(
            name=name,
            version=version,
            stage=stage_of(record),
            run_id=record.run_id,
            description=record.description,
            intended_use=text["intended_use"],
            limitations=text["limitations"],
            drift_sensitivity=text["drift_sensitivity"],
            training_data=self.lineage.datasets_of_run(record.run_id) if record.run_id else [],
            primary_metric=primary,
            secondary_metrics=[m for m in metrics if m is not primary],
            holdout_source=source,
            holdout_rows=rows,
            ci_level=level,
            bootstrap_samples=samples,
            fairness=fairness,
            history=self.history.history(name, version).history,
            lineage=self.lineage.version_lineage(name, version),
        )

    def update(self, name: str, version: int, update: ModelCardUpdate) -> ModelCard:
        """Change the editable fields given (others stay); the card is returned as it now reads."""
        self.edit(name, version, update)
        return self.card(name, version)

    def edit(self, name: str, version: int, update: ModelCardUpdate) -> None:
        """Change the editable fields given; an empty string clears one."""
        record = self.registry.version(name, version)
        if update.description is not None:
            self.registry.set_version_description(name, version, update.description)
        tags = {CARD_TAG + f: v for f in _TEXT_FIELDS if (v := getattr(update, f)) is not None}
        for key in [k for k, v in tags.items() if v == ""]:
            self.registry.delete_version_tag(name, version, key)
            tags.pop(key)
        if tags:
            self.registry.set_version_tags(name, record.version, tags)

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
