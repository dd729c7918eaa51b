"""The MLflow model registry, reached through an injected ``MlflowClient`` with explicit names and ids.

Lifecycle stages are ours (MLflow's stage API is deprecated): a version tag ``matih.stage`` plus the
aliases ``production`` / ``staging``, so ``models:/NAME@production`` works for any plain MLflow client.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import ALREADY_EXISTS, RESOURCE_ALREADY_EXISTS, ErrorCode
from mlflow.tracking import MlflowClient
from mlflow.utils.mlflow_tags import (
    MLFLOW_GIT_BRANCH,
    MLFLOW_GIT_COMMIT,
    MLFLOW_PARENT_RUN_ID,
    MLFLOW_SOURCE_NAME,
)

from matih_workbench.backends.mlflow.client import translate_mlflow_errors
from matih_workbench.errors import InvalidInput, NotFound, shown
from matih_workbench.models.common import MAX_INT64

__all__ = ["DatasetInputRecord", "MlflowRegistry", "ModelRecord", "RunFacts", "VersionRecord"]

_PAGE = 1000


@dataclass
class VersionRecord:
    name: str
    version: int
    run_id: str | None
    source: str
    tags: dict[str, str]
    aliases: list[str]
    description: str | None
    created_at: int | None
    user_id: str | None


@dataclass
class ModelRecord:
    name: str
    description: str | None
    tags: dict[str, str]
    aliases: dict[str, int]
    created_at: int | None
    updated_at: int | None


@dataclass
class DatasetInputRecord:
    name: str
    digest: str | None
    source_type: str | None
    source: str | None
    tags: dict[str, str]


@dataclass(frozen=True)
class ModelSource:
    """Where a logged model is: its run (if any), artifact location, and logged-model id (MLflow 3)."""

    run_id: str | None
    source: str
    model_id: str | None


@dataclass
class RunFacts:
    """What the registry needs to know about a run: metrics, tags, dataset inputs, code."""

    run_id: str
    metrics: dict[str, float]
    tags: dict[str, str]
    datasets: list[DatasetInputRecord] = field(default_factory=list)

    @property
    def parent_run_id(self) -> str | None:
        return self.tags.get(MLFLOW_PARENT_RUN_ID)

    @property
    def code(self) -> dict[str, str | None]:
        return {
            "git_commit": self.tags.get(MLFLOW_GIT_COMMIT),
            "git_branch": self.tags.get(MLFLOW_GIT_BRANCH),
            "source_name": self.tags.get(MLFLOW_SOURCE_NAME),
        }


def _version(v: Any) -> VersionRecord:
    return VersionRecord(
        name=v.name,
        version=int(v.version),
        run_id=v.run_id or None,
        source=v.source or "",
        tags=dict(v.tags or {}),
        aliases=list(v.aliases or []),
        description=v.description or None,
        created_at=v.creation_timestamp,
        user_id=v.user_id or None,
    )


def _model(m: Any) -> ModelRecord:
    return ModelRecord(
        name=m.name,
        description=m.description or None,
        tags=dict(m.tags or {}),
        aliases={k: int(v) for k, v in (m.aliases or {}).items()},
        created_at=m.creation_timestamp,
        updated_at=m.last_updated_timestamp,
    )


class MlflowRegistry:
    """Registered models, versions, tags and aliases; runs read for governance and lineage."""

    def __init__(self, client: MlflowClient) -> None:
        self.client = client

    @classmethod
    def from_uri(cls, tracking_uri: str) -> MlflowRegistry:
        return cls(MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri))

    # -- models -----------------------------------------------------------------------------------
    def ensure_model(self, name: str, tags: dict[str, str], description: str | None = None) -> bool:
        """Create the registered model when missing (with ``tags``); True when it was created."""
        try:
            self.client.create_registered_model(name, tags=tags, description=description)
            return True
        except MlflowException as exc:
            if exc.error_code in (ErrorCode.Name(RESOURCE_ALREADY_EXISTS), ErrorCode.Name(ALREADY_EXISTS)):
                return False
            with translate_mlflow_errors(f"Model '{name}'"):
                raise

    def model(self, name: str) -> ModelRecord:
        with translate_mlflow_errors(f"Model '{shown(name)}'"):
            return _model(self.client.get_registered_model(name))

    def models(self) -> list[ModelRecord]:
        """Every registered model, by name."""
        found: list[ModelRecord] = []
        token = None
        with translate_mlflow_errors("Models"):
            while True:
                page = self.client.search_registered_models(max_results=_PAGE, page_token=token)
                found += [_model(m) for m in page]
                if not (token := page.token):
                    return sorted(found, key=lambda m: m.name)

    def set_model_tag(self, name: str, key: str, value: str) -> None:
        with translate_mlflow_errors(f"Model '{name}'"):
            self.client.set_registered_model_tag(name, key, value)

    def set_alias(self, name: str, alias: str, version: int) -> None:
        with translate_mlflow_errors(f"Model '{name}'"):
            self.client.set_registered_model_alias(name, alias, str(version))

    def delete_alias(self, name: str, alias: str) -> None:
        with translate_mlflow_errors(f"Model '{name}'"):
            self.client.delete_registered_model_alias(name, alias)

    # -- versions ---------------------------------------------------------------------------------
    def create_version(
        self, name: str, source: str, run_id: str | None, model_id: str | None, tags: dict[str, str]
    ) -> VersionRecord:
        with translate_mlflow_errors(f"Model '{name}'"):
            created = self.client.create_model_version(
                name, source, run_id=run_id, tags=tags, model_id=model_id
            )
        return _version(created)

    def version(self, name: str, version: int) -> VersionRecord:
        if not 1 <= version <= MAX_INT64:  # no store holds it (SQLite would overflow): not a version
            raise NotFound(
                f"Version {shown(version, 30)} of model '{shown(name)}' not found",
                hint="versions are whole numbers from 1; %matih models NAME lists them",
            )
        with translate_mlflow_errors(f"Version {version} of model '{shown(name)}'"):
            return _version(self.client.get_model_version(name, str(version)))

    def versions(self, name: str | None = None) -> list[VersionRecord]:
        """Versions of one model (oldest first), or of every model when ``name`` is None.

        Aliases come from the models: ``search_model_versions`` leaves them empty.
        """
        found: list[VersionRecord] = []
        token = None
        query = _name_filter(name) if name else None
        with translate_mlflow_errors(f"Versions of '{name}'" if name else "Model versions"):
            while True:
                page = self.client.search_model_versions(query, max_results=_PAGE, page_token=token)
                found += [_version(v) for v in page]
                if not (token := page.token):
                    break
        models = [self.model(name)] if name else self.models()
        aliases = {
            (m.name, v): [a for a, av in m.aliases.items() if av == v]
            for m in models
            for v in m.aliases.values()
        }
        found = [r for r in found if name is None or r.name == name]
        for record in found:
            record.aliases = aliases.get((record.name, record.version), [])
        return sorted(found, key=lambda v: (v.name, v.version))

    def set_version_tags(self, name: str, version: int, tags: dict[str, str]) -> None:
        with translate_mlflow_errors(f"Version {version} of model '{name}'"):
            for key, value in tags.items():
                self.client.set_model_version_tag(name, str(version), key, value)

    def delete_version_tag(self, name: str, version: int, key: str) -> None:
        with translate_mlflow_errors(f"Version {version} of model '{name}'"):
            if key in self.client.get_model_version(name, str(version)).tags:
                self.client.delete_model_version_tag(name, str(version), key)

    def set_version_description(self, name: str, version: int, description: str) -> None:
        with translate_mlflow_errors(f"Version {version} of model '{name}'"):
            self.client.update_model_version(name, str(version), description=description)

    # -- runs and their models --------------------------------------------------------------------
    def resolve_source(self, ref: str, artifact_path: str) -> ModelSource:
        """Where the model is named by a run id, ``runs:/`` or ``models:/`` URI.

        The source is the logged model's artifact location: the SQL registry store resolves ``models:/ID``
        through the process-global tracking URI, which is not ours.
        """
        if ref.startswith("models:/"):
            model_id = ref.removeprefix("models:/").split("/")[0]
            with translate_mlflow_errors(f"Logged model '{model_id}'"):
                logged = self.client.get_logged_model(model_id)
            return ModelSource(logged.source_run_id, logged.artifact_location, model_id)
        if ref.startswith("runs:/"):
            run_id, _, path = ref.removeprefix("runs:/").partition("/")
            artifact_path = path.strip("/") or artifact_path
        else:
            run_id = ref
        if "'" in artifact_path or "\\" in artifact_path:
            raise InvalidInput(f"Invalid artifact path '{artifact_path}'")
        with translate_mlflow_errors(f"Run '{run_id}'"):
            run = self.client.get_run(run_id)
            found = self.client.search_logged_models(
                experiment_ids=[run.info.experiment_id],
                filter_string=f"source_run_id = '{run.info.run_id}' AND name = '{artifact_path}'",
                order_by=[{"field_name": "creation_timestamp", "ascending": False}],
                max_results=1,
            )
            if found:
                return ModelSource(run_id, found[0].artifact_location, found[0].model_id)
            names = {a.path for a in self.client.list_artifacts(run_id, artifact_path)}
        if f"{artifact_path}/MLmodel" in names:
            return ModelSource(run_id, f"{run.info.artifact_uri.rstrip('/')}/{artifact_path}", None)
        raise NotFound(
            f"Run '{run_id}' has no logged model named '{artifact_path}'",
            hint="log one with mlflow.<flavor>.log_model(model, name='model'), or pass --artifact-path",
        )

    def run(self, run_id: str) -> RunFacts:
        with translate_mlflow_errors(f"Run '{run_id}'"):
            run = self.client.get_run(run_id)
        datasets = [
            DatasetInputRecord(
                name=d.dataset.name,
                digest=d.dataset.digest or None,
                source_type=d.dataset.source_type or None,
                source=d.dataset.source or None,
                tags={t.key: t.value for t in d.tags},
            )
            for d in (run.inputs.dataset_inputs if run.inputs else [])
        ]
        metrics = {k: float(v) for k, v in run.data.metrics.items() if v == v}
        return RunFacts(run_id=run_id, metrics=metrics, tags=dict(run.data.tags), datasets=datasets)

    def read_artifact(self, run_id: str, path: str) -> bytes | None:
        """The bytes of one run artifact, or None when the run has no such file."""
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        with translate_mlflow_errors(f"Artifacts of run '{run_id}'"):
            if path not in {a.path for a in self.client.list_artifacts(run_id, parent or None)}:
                return None
            with tempfile.TemporaryDirectory() as tmp:
                local = self.client.download_artifacts(run_id, path, tmp)
                return Path(local).read_bytes()

    def log_artifact_text(self, run_id: str, text: str, path: str) -> None:
        with translate_mlflow_errors(f"Run '{run_id}'"):
            self.client.log_text(run_id, text, path)


def _name_filter(name: str) -> str | None:
    """``name = '...'`` quoted so MLflow's parser accepts it (it has no escapes); None: filter ourselves."""
    if "'" not in name:
        return f"name = '{name}'"
    return f'name = "{name}"' if '"' not in name else None


def dump_list(values: list[str]) -> str:
    return json.dumps(values)


def load_list(raw: str | None) -> list[str]:
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return [str(v) for v in value] if isinstance(value, list) else []
