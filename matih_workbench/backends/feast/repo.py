"""Which Feast repository the workbench uses, its ``RepoConfig`` with the workbench's overrides, and its
definitions loaded from the repository's Python files (without ``feast apply``'s chdir and exits)."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml
from feast import Entity, FeatureService, FeatureView, OnDemandFeatureView
from feast.data_source import DataSource
from feast.repo_config import RepoConfig
from feast.repo_operations import get_repo_files

from matih_workbench.backends.feast.demo import write_repo
from matih_workbench.errors import InvalidInput

_SQL_SCHEMES = {"sqlite", "postgresql", "mysql", "mssql"}


@dataclass(frozen=True)
class RepoSettings:
    """``repo``: a Feast repository folder, or its ``feature_store.yaml``; empty: the bundled demo, written
    to ``demo_folder`` on first use. ``online_store`` (``redis://``, ``sqlite:///``) and ``registry``
    (a SQL URI or a file path) override the repository's own when set."""

    repo: str
    demo_folder: Path
    online_store: str = ""
    registry: str = ""

    def yaml_file(self) -> Path:
        if not self.repo:
            return self.demo_folder / "feature_store.yaml"
        path = Path(self.repo).expanduser()
        return path if path.suffix in {".yaml", ".yml"} else path / "feature_store.yaml"


def ensure_demo(settings: RepoSettings) -> bool:
    """Write the bundled demo repository when it is the one configured and missing; True if written."""
    if settings.repo or (settings.demo_folder / "feature_store.yaml").exists():
        return False
    write_repo(settings.demo_folder)
    return True


def online_store_config(uri: str) -> dict[str, Any]:
    """``redis://[:password@]host:port[/db]`` or ``sqlite:///path`` as Feast's ``online_store`` section."""
    parsed = urlparse(uri)
    if parsed.scheme in {"redis", "rediss"}:
        options = [f"{parsed.hostname or 'localhost'}:{parsed.port or 6379}"]
        if parsed.path.strip("/"):
            options.append(f"db={parsed.path.strip('/')}")
        if parsed.password:
            options.append(f"password={parsed.password}")
        if parsed.scheme == "rediss":
            options.append("ssl=true")
        return {"type": "redis", "connection_string": ",".join(options)}
    if parsed.scheme == "sqlite":
        return {"type": "sqlite", "path": uri.removeprefix("sqlite:///")}
    raise InvalidInput(
        f"Unsupported feature online store '{uri}'",
        hint="set WorkbenchConfig.feature_online_store to redis://host:port[/db] or sqlite:///path",
    )


def registry_config(uri: str) -> dict[str, Any]:
    """A SQLAlchemy URI as Feast's SQL registry; anything else is a registry file's path."""
    scheme = urlparse(uri).scheme.split("+", 1)[0]
    if scheme in _SQL_SCHEMES:
        return {"registry_type": "sql", "path": uri, "cache_ttl_seconds": 60}
    return {"registry_type": "file", "path": uri}


def load_config(settings: RepoSettings) -> RepoConfig:
    """The repository's ``feature_store.yaml`` (environment variables expanded, as Feast does), with the
    workbench's overrides applied."""
    path = settings.yaml_file()
    if not path.is_file():
        raise InvalidInput(
            f"No feature_store.yaml at {path}",
            hint="set WorkbenchConfig.feature_repo to a Feast repository folder (or leave it empty)",
        )
    raw = yaml.safe_load(os.path.expandvars(path.read_text())) or {}
    if settings.online_store:
        raw["online_store"] = online_store_config(settings.online_store)
    if settings.registry:
        raw["registry"] = registry_config(settings.registry)
    try:
        config = RepoConfig(**raw)
    except Exception as exc:  # pydantic's ValidationError or Feast's own config errors
        raise InvalidInput(f"Invalid {path}: {exc}") from None
    config.repo_path = path.parent.resolve()
    return config


Definition = Entity | FeatureView | OnDemandFeatureView | FeatureService | DataSource


def load_definitions(repo: Path) -> list[Definition]:
    """The Feast objects defined in the repository's Python files (as ``feast apply`` collects them)."""
    found: list[Definition] = []
    for file in get_repo_files(repo):
        name = "matih_feature_repo_" + hashlib.sha1(str(file).encode()).hexdigest()[:12]
        spec = importlib.util.spec_from_file_location(name, file)
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        finally:
            sys.modules.pop(name, None)
        for value in vars(module).values():
            kept = isinstance(value, (Entity, FeatureView, OnDemandFeatureView, FeatureService, DataSource))
            if kept and not any(value is f for f in found):
                found.append(value)
    return found
