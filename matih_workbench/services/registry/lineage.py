"""Lineage both ways: what data and code made a version; which versions came from a dataset.

The facts are MLflow's own: a version's run, the run's dataset inputs (``mlflow.log_input``) and those of
its parent run (a tuning trial's data is logged on the parent), the run's git and source tags. Nothing is
copied, so versions registered by any MLflow client are covered.
"""

from __future__ import annotations

from collections.abc import Callable

from matih_workbench.backends.mlflow.registry import MlflowRegistry, RunFacts
from matih_workbench.errors import InvalidInput, NotFound
from matih_workbench.models import (
    CodeRef,
    DatasetLineage,
    DatasetRef,
    FeatureViewRef,
    LineageEdge,
    LineageNode,
    ModelHistory,
    TransitionRecord,
    VersionLineage,
    VersionRef,
)
from matih_workbench.models.registry import RetrainTrigger
from matih_workbench.services.registry.stages import DEPLOYMENT_EVENTS, stage_of

NOTEBOOK_TAG = "matih.notebook_path"
FEATURE_VIEW_TAG = "matih.feature_view."  # + view name = its definition hash (TrainingSetLineage.tags)
FEATURE_SERVICE_TAG = "matih.features.service"
RETRAIN_TAG = "matih.retrain.trigger"  # on a version retrained for an alert: RetrainTrigger as JSON


class LineageService:
    def __init__(self, registry: MlflowRegistry, history: Callable[[str, int], ModelHistory]) -> None:
        self.registry = registry
        self.history = history

    def datasets_of_run(self, run_id: str, cache: dict[str, RunFacts] | None = None) -> list[DatasetRef]:
        """The run's dataset inputs, then its parent's (tuning data is logged on the parent run)."""
        return [
            DatasetRef(
                name=d.name,
                digest=d.digest,
                source_type=d.source_type,
                source=d.source,
                context=d.tags.get("mlflow.data.context"),
                date_range=d.tags.get("matih.date_range"),
                run_id=facts.run_id,
            )
            for facts in self._chain(run_id, cache)
            for d in facts.datasets
        ]

    def feature_views_of_run(
        self, run_id: str, cache: dict[str, RunFacts] | None = None
    ) -> list[FeatureViewRef]:
        """The feature views (with their definition hashes) of the training set recorded on the run or its
        parent (``%%matih train --features`` records it on the parent run)."""
        return [
            FeatureViewRef(
                name=key.removeprefix(FEATURE_VIEW_TAG),
                definition_hash=value,
                feature_service=facts.tags.get(FEATURE_SERVICE_TAG),
                run_id=facts.run_id,
            )
            for facts in self._chain(run_id, cache)
            for key, value in sorted(facts.tags.items())
            if key.startswith(FEATURE_VIEW_TAG)
        ]

    def version_lineage(self, name: str, version: int) -> VersionLineage:
        record = self.registry.version(name, version)
        run_id = record.run_id
        cache: dict[str, RunFacts] = {}
        facts = self._run(run_id, cache) if run_id else None
        datasets = self.datasets_of_run(run_id, cache) if run_id else []
        views = self.feature_views_of_run(run_id, cache) if run_id else []
        code = CodeRef()
        if facts is not None:
            code = CodeRef(
                **facts.code, notebook_path=facts.tags.get(NOTEBOOK_TAG), parent_run_id=facts.parent_run_id
            )
        trigger = _trigger(record.tags.get(RETRAIN_TAG))
        shown = {"Production", "Staging"} if trigger else {"Production"}  # a retrain's loop ends in Staging
        deployments = [
            r
            for r in self.history(name, version).history
            if r.to_stage in shown or r.type in {e.value for e in DEPLOYMENT_EVENTS}
        ]
        nodes, edges = _graph(name, version, run_id, datasets, views, code, deployments)
        if trigger is not None:
            _add_trigger(nodes, edges, trigger, code.parent_run_id or run_id)
        return VersionLineage(
            model=name,
            version=version,
            run_id=run_id,
            datasets=datasets,
            feature_views=views,
            code=code,
            trigger=trigger,
            deployments=deployments,
            nodes=nodes,
            edges=edges,
        )

    def dataset_versions(self, dataset: str | None = None, digest: str | None = None) -> DatasetLineage:
        """Every version whose run (or parent run) used the dataset, by name and/or digest."""
        dataset, digest = (dataset or "").strip() or None, (digest or "").strip() or None
        if dataset is None and digest is None:
            raise InvalidInput(
                "Name a dataset or a digest", hint="e.g. ?name=churn-train or ?digest=3f2a9c1e"
            )

        def used(run_id: str, cache: dict[str, RunFacts]) -> list[str | None]:
            refs = self.datasets_of_run(run_id, cache)
            return [r.digest for r in refs if dataset in (None, r.name) and digest in (None, r.digest)]

        return DatasetLineage(dataset=dataset or "", digest=digest, versions=self._versions_where(used))

    def feature_view_versions(self, view: str) -> DatasetLineage:
        """Every version whose run (or parent run) was trained on the Feast feature view ``view``; each
        with the view's definition hash at training (a changed definition since shows as another hash)."""
        view = (view or "").strip()
        if not view:
            raise InvalidInput(
                "Name a feature view", hint="e.g. %matih lineage --feature-view driver_hourly_stats"
            )

        def used(run_id: str, cache: dict[str, RunFacts]) -> list[str | None]:
            return [r.definition_hash for r in self.feature_views_of_run(run_id, cache) if r.name == view]

        return DatasetLineage(kind="feature_view", dataset=view, versions=self._versions_where(used))

    def _versions_where(
        self, used: Callable[[str, dict[str, RunFacts]], list[str | None]]
    ) -> list[VersionRef]:
        """Versions whose run chain used the data: ``used`` lists the digests (or hashes) it saw, the first
        is shown."""
        cache: dict[str, RunFacts] = {}
        found: list[VersionRef] = []
        for record in self.registry.versions():
            seen = used(record.run_id, cache) if record.run_id else []
            if seen:
                found.append(
                    VersionRef(
                        name=record.name,
                        version=record.version,
                        stage=stage_of(record),
                        run_id=record.run_id,
                        dataset_digest=seen[0],
                    )
                )
        return found

    def _chain(self, run_id: str, cache: dict[str, RunFacts] | None) -> list[RunFacts]:
        """The run, then its parent, and so on (a deleted run ends the chain)."""
        cache = {} if cache is None else cache
        chain: list[RunFacts] = []
        current: str | None = run_id
        while current and all(f.run_id != current for f in chain):
            facts = self._run(current, cache)
            if facts is None:
                break
            chain.append(facts)
            current = facts.parent_run_id
        return chain

    def _run(self, run_id: str, cache: dict[str, RunFacts]) -> RunFacts | None:
        if run_id not in cache:
            try:
                cache[run_id] = self.registry.run(run_id)
            except NotFound:  # a deleted run leaves the version without lineage, not an error
                return None
        return cache[run_id]


def _graph(
    name: str,
    version: int,
    run_id: str | None,
    datasets: list[DatasetRef],
    views: list[FeatureViewRef],
    code: CodeRef,
    deployments: list[TransitionRecord],
) -> tuple[list[LineageNode], list[LineageEdge]]:
    """Nodes and edges: datasets, feature views and code -> run -> version -> Production promotions."""
    version_id = f"model_version:{name}/{version}"
    nodes = [LineageNode(id=version_id, kind="model_version", label=f"{name} v{version}")]
    edges: list[LineageEdge] = []
    if run_id:
        run_node = f"run:{run_id}"
        nodes.append(LineageNode(id=run_node, kind="run", label=run_id[:8]))
        edges.append(LineageEdge(source=run_node, target=version_id, relation="registered as"))
        for d in datasets:
            node = f"dataset:{d.name}@{d.digest or '?'}"
            if all(n.id != node for n in nodes):
                nodes.append(
                    LineageNode(id=node, kind="dataset", label=f"{d.name} ({d.digest or 'no digest'})")
                )
                edges.append(
                    LineageEdge(source=node, target=f"run:{d.run_id}", relation=d.context or "input")
                )
        for v in views:
            node = f"feature_view:{v.name}@{v.definition_hash}"
            nodes.append(
                LineageNode(id=node, kind="feature_view", label=f"{v.name} ({v.definition_hash[:12]})")
            )
            edges.append(LineageEdge(source=node, target=f"run:{v.run_id}", relation="features"))
        if d_parent := code.parent_run_id:
            nodes.append(LineageNode(id=f"run:{d_parent}", kind="run", label=f"{d_parent[:8]} (parent)"))
            edges.append(LineageEdge(source=f"run:{d_parent}", target=run_node, relation="parent of"))
        if code.git_commit or code.source_name or code.notebook_path:
            label = code.notebook_path or code.source_name or ""
            commit = f"@{code.git_commit[:8]}" if code.git_commit else ""
            nodes.append(LineageNode(id="code", kind="code", label=f"{label}{commit}"))
            edges.append(LineageEdge(source="code", target=run_node, relation="ran"))
    for record in deployments:
        node = f"deployment:{record.event_id}"
        if record.to_stage in ("Production", "Staging"):
            label, relation = f"{record.to_stage} by {record.user}", "promoted"
        else:
            label, relation = f"{record.comment or record.type} by {record.user}", record.type.lower()
        nodes.append(LineageNode(id=node, kind="deployment", label=label))
        edges.append(LineageEdge(source=version_id, target=node, relation=relation))
    return nodes, edges


def _trigger(tag: str | None) -> RetrainTrigger | None:
    if not tag:
        return None
    try:
        return RetrainTrigger.model_validate_json(tag)
    except ValueError:  # a tag set by hand through a plain MLflow client: no trigger, not an error
        return None


def _add_trigger(
    nodes: list[LineageNode], edges: list[LineageEdge], trigger: RetrainTrigger, job_run: str | None
) -> None:
    """The alert -> the retraining job's run (the job's parent run, else the version's run)."""
    node = f"alert:{trigger.alert_id}"
    label = f"alert #{trigger.alert_id}: {trigger.kind} on {trigger.endpoint} v{trigger.from_version}"
    nodes.insert(0, LineageNode(id=node, kind="alert", label=label))
    if job_run:
        edges.append(LineageEdge(source=node, target=f"run:{job_run}", relation="retrained by"))
