"""``FeaturesService``: the feature repository's views with freshness, sample rows, background
materialization, online/offline consistency, training sets and online lookups."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from matih_workbench.backends.contracts import FeatureStore, FeatureViewRecord
from matih_workbench.backends.feast.online import OnlineLookup
from matih_workbench.errors import InvalidInput, NotFound
from matih_workbench.models import EventType
from matih_workbench.models.features import (
    ConsistencyReport,
    EntityInfo,
    FeatureSample,
    FeatureServiceInfo,
    FeatureStoreOverview,
    MaterializationJob,
    MaterializedInterval,
    ServiceView,
    TrainingSetLineage,
    ViewConsistency,
)
from matih_workbench.services.events import EventService
from matih_workbench.services.features.freshness import mismatches, sample_rows, view_info
from matih_workbench.services.features.training import TrainingSet, build_training_set

MAX_SAMPLE = 1000
KEPT_JOBS = 100  # ended materialization jobs remembered per process
#: ``(run id, lineage, training frame)``: records a training set on a tracking run, returns its digest
LineageLogger = Callable[[str, TrainingSetLineage, pd.DataFrame], str]


def _utc(moment: dt.datetime | None) -> dt.datetime:
    if moment is None:
        return dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class FeaturesService:
    """Built once per workbench; the feature store itself is opened on first use (importing Feast takes
    seconds, and most sessions never touch features)."""

    def __init__(
        self,
        open_store: Callable[[], FeatureStore],
        events: EventService,
        log_lineage: LineageLogger,
        user: str,
    ) -> None:
        self._open_store = open_store
        self._store: FeatureStore | None = None
        self._opening = threading.Lock()
        self.events = events
        self._log_lineage = log_lineage
        self.user = user
        self._jobs: dict[str, MaterializationJob] = {}
        self._jobs_lock = threading.Lock()
        self._one_at_a_time = threading.Lock()

    @property
    def store(self) -> FeatureStore:
        with self._opening:
            if self._store is None:
                self._store = self._open_store()
            return self._store

    def apply(self) -> list[str]:
        """Register the repository's definitions (as ``feast apply`` does); returns their names."""
        return self.store.apply()

    def overview(self) -> FeatureStoreOverview:
        """Views with statistics and freshness, entities, feature services."""
        repo = self.store.describe()
        now = time.time()
        users: dict[str, list[str]] = {}
        for s in repo.services:
            for view, _ in s.views:
                users.setdefault(view, []).append(s.name)
        return FeatureStoreOverview(
            project=repo.project,
            repo_path=repo.repo_path,
            online_store=repo.online_store,
            registry=repo.registry,
            views=[
                view_info(v, self.store.source_frame(v.name), users.get(v.name, []), now) for v in repo.views
            ],
            entities=[EntityInfo(**vars(e)) for e in repo.entities],
            services=[
                FeatureServiceInfo(
                    name=s.name,
                    description=s.description,
                    definition_hash=s.definition_hash,
                    views=[ServiceView(view=v, features=f) for v, f in s.views],
                )
                for s in repo.services
            ],
            checked_at=now,
        )

    def _view(self, name: str) -> FeatureViewRecord:
        repo = self.store.describe()
        found = next((v for v in repo.views if v.name == name), None)
        if found is None:
            known = ", ".join(v.name for v in repo.views) or "(none)"
            raise NotFound(f"Unknown feature view '{name}'", hint=f"known feature views: {known}")
        return found

    def sample(self, view: str, limit: int = 20) -> FeatureSample:
        """The newest ``limit`` rows of a view's offline source."""
        if not 1 <= limit <= MAX_SAMPLE:
            raise InvalidInput(f"limit must be between 1 and {MAX_SAMPLE}")
        record = self._view(view)
        return sample_rows(record, self.store.source_frame(view), limit)

    # -- materialization ---------------------------------------------------------------------------

    def materialize(
        self, views: Sequence[str] | None = None, end: dt.datetime | None = None
    ) -> MaterializationJob:
        """Start an incremental materialization up to ``end`` (default now) in the background."""
        repo = self.store.describe()
        online = [v.name for v in repo.views if v.online]
        chosen = list(views) if views else online
        unknown = [v for v in chosen if v not in online]
        if unknown:
            raise NotFound(
                f"No online feature view {', '.join(unknown)}", hint=f"online views: {', '.join(online)}"
            )
        until = _utc(end)
        if until > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5):
            raise InvalidInput(f"The end {until.isoformat()} is in the future")
        job = MaterializationJob(
            id=uuid.uuid4().hex[:12],
            status="RUNNING",
            views=chosen,
            end=until.timestamp(),
            user=self.user,
            started_at=time.time(),
        )
        with self._jobs_lock:
            ended = [k for k, j in self._jobs.items() if j.status != "RUNNING"]
            for old in ended[: max(0, len(ended) - KEPT_JOBS)]:  # the oldest first (insertion order)
                del self._jobs[old]
            self._jobs[job.id] = job
        threading.Thread(
            target=self._run,
            args=(job.id, repo.project, until),
            name=f"matih-materialize-{job.id}",
            daemon=True,
        ).start()
        return job.model_copy()

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._jobs_lock:
            self._jobs[job_id] = self._jobs[job_id].model_copy(update=changes)

    def _run(self, job_id: str, project: str, end: dt.datetime) -> None:
        done: list[MaterializedInterval] = []
        with self._one_at_a_time:
            try:
                for view in self._jobs[job_id].views:
                    self._update(job_id, current=view)
                    start, stop = self.store.materialize(view, end)
                    done.append(
                        MaterializedInterval(view=view, start=start.timestamp(), end=stop.timestamp())
                    )
                    self._update(job_id, done=list(done))
            except Exception as exc:  # reported on the job, never lost in a thread
                message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
                self._update(job_id, status="FAILED", error=message, current=None, finished_at=time.time())
                return
        self._update(job_id, status="SUCCEEDED", current=None, finished_at=time.time())
        payload = {"job": job_id, "end": end.timestamp(), "views": [d.model_dump() for d in done]}
        self.events.emit(EventType.FEATURES_MATERIALIZED, project, payload)

    def materialization(self, job_id: str) -> MaterializationJob:
        with self._jobs_lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"No materialization job '{job_id}' in this process")
        return job.model_copy()

    def wait(self, job_id: str, timeout: float = 600.0) -> MaterializationJob:
        """Block until the job ends (or ``timeout`` seconds pass) and return it."""
        deadline = time.monotonic() + timeout
        job = self.materialization(job_id)
        while job.status == "RUNNING" and time.monotonic() < deadline:
            time.sleep(0.05)
            job = self.materialization(job_id)
        return job

    # -- consistency -------------------------------------------------------------------------------

    def check(self, sample: int = 10, views: Sequence[str] | None = None) -> ConsistencyReport:
        """For ``sample`` entities of each online view: the online values against the offline values as
        of the view's last materialization."""
        if not 1 <= sample <= MAX_SAMPLE:
            raise InvalidInput(f"sample must be between 1 and {MAX_SAMPLE}")
        repo = self.store.describe()
        chosen = [v for v in repo.views if v.online and (not views or v.name in views)]
        if views and len(chosen) != len(set(views)):
            raise NotFound(f"Unknown online feature view among {', '.join(views)}")
        return ConsistencyReport(checked_at=time.time(), views=[self._check_view(v, sample) for v in chosen])

    def _check_view(self, view: FeatureViewRecord, sample: int) -> ViewConsistency:
        if not view.materialized:
            return ViewConsistency(
                view=view.name, as_of=None, entities=0, compared=0, skipped="never materialized"
            )
        as_of = max(end for _, end in view.materialized)
        keys = self.store.source_frame(view.name)[view.join_keys].drop_duplicates()
        keys = keys.sample(min(sample, len(keys)), random_state=0).reset_index(drop=True)
        refs = [f"{view.name}:{f.name}" for f in view.features]
        moment = pd.Timestamp(as_of, unit="s", tz="UTC").floor("us")
        request = keys.assign(event_timestamp=moment, __row__=range(len(keys)))
        offline = self.store.historical(refs, request).set_index("__row__").reindex(pd.RangeIndex(len(keys)))
        online, _ = self.store.online(refs, keys.to_dict("records"))
        found = mismatches(view, keys, offline, online)
        return ViewConsistency(
            view=view.name,
            as_of=as_of,
            entities=len(keys),
            compared=len(keys) * len(view.features),
            mismatches=found,
        )

    # -- training and serving ----------------------------------------------------------------------

    def training_set(self, service: str, entity_df: Any, timestamp: str | None = None) -> TrainingSet:
        """The point-in-time training set of ``service`` for ``entity_df`` and its lineage."""
        return build_training_set(self.store, service, entity_df, timestamp)

    def log_training_set(self, run_id: str, training_set: TrainingSet) -> str:
        """Record the lineage (params, tags, per-view definition hashes) and the training set as an
        MLflow dataset input of ``run_id``; returns the dataset's digest."""
        return self._log_lineage(run_id, training_set.lineage, training_set.frame)

    def online_lookup(
        self, service: str, columns: Sequence[str] | None = None, dtypes: dict[str, str] | None = None
    ) -> OnlineLookup:
        """What a deployment keeps to fill requests with ``service``'s online features."""
        return OnlineLookup(self.store, service, columns, dtypes)

    def online_features(
        self,
        service: str,
        records: Sequence[dict[str, Any]],
        columns: Sequence[str] | None = None,
        dtypes: dict[str, str] | None = None,
    ) -> pd.DataFrame:
        """The features of ``service`` for records carrying entity keys (and maybe some features)."""
        return self.online_lookup(service, columns, dtypes).frame(records)
