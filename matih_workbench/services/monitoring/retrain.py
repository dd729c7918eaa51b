"""Retraining on alerts, the loop's closing step: a model's rules name a training cell; an alert of the
kinds they list runs that cell as a background training job on fresh data (its ``load_data()``), the best
trial's model becomes a new version, and the version moves to Staging through the registry's governance
(thresholds checked; Production still needs its approval). Each step is an event; the version and the job's
runs carry the alert that started them, so lineage reads alert -> job -> version -> Staging."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from matih_workbench.backends.mlflow.registry import MlflowRegistry
from matih_workbench.errors import InvalidInput, WorkbenchError
from matih_workbench.models import EventType
from matih_workbench.models.monitoring_api import Alert, RetrainSpec
from matih_workbench.models.registry import ModelStage
from matih_workbench.services.events import EventService
from matih_workbench.services.registry import RegistryService
from matih_workbench.services.registry.lineage import RETRAIN_TAG
from matih_workbench.services.training import TrainingService
from matih_workbench.services.training.cell import require_defined

ALERT_ID_TAG = "matih.retrain.alert_id"  # on the job's runs


class RetrainService:
    """Starts a model's retraining cell for an alert (one job per model at a time) and follows the job to a
    registered, staged version in a background thread of the process that raised the alert."""

    def __init__(
        self,
        training: TrainingService,
        governance: RegistryService,
        registry: MlflowRegistry,
        events: EventService,
    ) -> None:
        self.training = training
        self.governance = governance
        self.registry = registry
        self.events = events
        self._running: dict[str, str] = {}  # model -> job id
        self._followers: list[threading.Thread] = []
        self._lock = threading.Lock()

    def validate(self, spec: RetrainSpec) -> None:
        """InvalidInput unless the source compiles and defines ``train_fn`` (nothing of it runs here)."""
        try:
            compile(spec.source, "<retrain cell>", "exec")
        except SyntaxError as exc:
            raise InvalidInput(
                f"The retraining cell does not compile: {exc.msg} (line {exc.lineno})",
                hint="run the cell once with %%matih train to try it",
            ) from None
        require_defined(spec.source)

    def start(self, alert: Alert, spec: RetrainSpec) -> str | None:
        """The job started for the alert, or None: one already runs for the model, or the cell failed
        before the job could start (then MODEL_RETRAINING_FAILED says why)."""
        with self._lock:
            running = self._running.get(alert.model)
            if running is not None and not self.training.is_done(running):
                return None
            trigger = _trigger(alert)
            try:
                job_id = self._start_job(alert, spec)
            except Exception as exc:  # the user's cell: whatever it raises is reported, never re-raised
                message = exc.message if isinstance(exc, WorkbenchError) else f"{type(exc).__name__}: {exc}"
                self.events.emit(
                    EventType.MODEL_RETRAINING_FAILED, alert.model, {**trigger, "error": message}
                )
                return None
            self._running[alert.model] = job_id
        job = self.training.get(job_id)
        trigger.update(job_id=job_id, parent_run_id=job.parent_run_id, experiment=job.experiment)
        self.events.emit(EventType.MODEL_RETRAINING_STARTED, alert.model, trigger)
        follower = threading.Thread(
            target=self._follow, args=(alert, spec, trigger), name=f"matih-retrain-{job_id}", daemon=True
        )
        self._followers.append(follower)
        follower.start()
        return job_id

    def join(self, timeout: float | None = None) -> None:
        """Wait for the jobs being followed to end in a version (or a failure)."""
        for follower in list(self._followers):
            follower.join(timeout)

    def _start_job(self, alert: Alert, spec: RetrainSpec) -> str:
        namespace: dict[str, Any] = {"__name__": "__matih_retrain__"}
        exec(compile(spec.source, f"<retrain {alert.model}>", "exec"), namespace)
        load = namespace.get("load_data")
        data = load() if callable(load) else None
        tags = {**spec.training.tags, ALERT_ID_TAG: str(alert.id)}
        run_name = spec.training.run_name or f"retrain-{alert.model}-{alert.id}"
        data_name = spec.training.data or ("load_data()" if data is not None else None)
        training = spec.training.model_copy(update={"tags": tags, "run_name": run_name, "data": data_name})
        train_fn: Any = namespace.get("train_fn")  # validated when the rule was set; the service checks it
        job = self.training.start(training, train_fn, data=data, cell_source=spec.source)
        return job.job_id

    def _follow(self, alert: Alert, spec: RetrainSpec, trigger: dict[str, Any]) -> None:
        result = self.training.wait(trigger["job_id"])
        if result.status != "FINISHED" or not result.best_run_id:
            error = result.error or f"the job ended {result.status} with no successful trial"
            self.events.emit(EventType.MODEL_RETRAINING_FAILED, alert.model, {**trigger, "error": error})
            return
        outcome: dict[str, Any] = {**trigger, "run_id": result.best_run_id}
        try:
            version = self.governance.register(
                result.best_run_id,
                alert.model,
                spec.artifact_path,
                description=f"Retrained after alert #{alert.id}: {alert.message}"[:1000],
            ).version
            outcome["version"] = version
            self.registry.set_version_tags(alert.model, version, {RETRAIN_TAG: json.dumps(trigger)})
            self.governance.transition(
                alert.model, version, ModelStage.STAGING, reason=f"retrained after alert #{alert.id}"
            )
        except WorkbenchError as exc:  # e.g. Staging's thresholds not met: the version stays in Development
            outcome.update(staged=False, reason=exc.message)
            registered = "version" in outcome
            kind = EventType.MODEL_RETRAINING_COMPLETED if registered else EventType.MODEL_RETRAINING_FAILED
            self.events.emit(kind, alert.model, {**outcome, "error": exc.message})
            return
        outcome.update(staged=True, reason=None)
        self.events.emit(EventType.MODEL_RETRAINING_COMPLETED, alert.model, outcome)


def _trigger(alert: Alert) -> dict[str, Any]:
    return {
        "alert_id": alert.id,
        "kind": alert.kind.value,
        "endpoint": alert.endpoint,
        "from_version": alert.version,
        "message": alert.message,
        "time": round(time.time(), 3),
    }
