"""WorkbenchConfig: every setting in one traitlets Configurable, with embedded defaults.

Settable from ``jupyter_server_config.py`` (``c.WorkbenchConfig.tracking_uri = ...``), ``%config`` in a
kernel, or the environment (``MATIH_*``; ``MLFLOW_TRACKING_URI`` is honoured).
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from traitlets import Bool, Float, List, Unicode, default
from traitlets.config import Configurable


def _env(name: str, fallback: str = "") -> str:
    return os.environ.get(name, fallback)


class WorkbenchConfig(Configurable):
    """Where the workbench keeps and finds things. Defaults need no server at all."""

    home = Unicode(help="Workspace folder for the embedded stores (env MATIH_HOME, default ~/.matih).").tag(
        config=True
    )
    tracking_uri = Unicode(
        help="MLflow tracking URI (env MATIH_TRACKING_URI or MLFLOW_TRACKING_URI; default SQLite under home)."
    ).tag(config=True)
    tracking_read_uri = Unicode(
        help=(
            "SQL URI used for fast run listing (env MATIH_TRACKING_READ_URI). Defaults to tracking_uri when "
            "that "
            "is a database URI; set it to a read replica of the tracking server's database on shared "
            "deployments. Empty: listing goes through the MLflow client."
        )
    ).tag(config=True)
    state_url = Unicode(
        help="Database URL of the workbench's own shared state (events, promotion requests; model locks "
        "become advisory locks on PostgreSQL), e.g. postgresql://host/matih on a shared deployment "
        "(env MATIH_STATE_URL); empty: SQLite files and file locks under home."
    ).tag(config=True)
    mlflow_ui_url = Unicode(
        help="Base URL of an MLflow UI; when set, runs link to their MLflow page (env MATIH_MLFLOW_UI_URL)."
    ).tag(config=True)
    user = Unicode(
        help="Tenant/user tagged on what the workbench writes (JUPYTERHUB_USER, else the OS user)."
    ).tag(config=True)
    ray_address = Unicode(help="Ray cluster address; empty starts a local Ray (env MATIH_RAY_ADDRESS).").tag(
        config=True
    )
    artifact_root = Unicode(
        help="Where new experiments keep artifacts and checkpoints: file:///... or s3://bucket/prefix "
        "(env MATIH_ARTIFACT_ROOT; default $MATIH_HOME/artifacts)."
    ).tag(config=True)
    s3_endpoint_url = Unicode(
        help="Endpoint of S3-compatible artifact storage such as MinIO (env MATIH_S3_ENDPOINT_URL or "
        "MLFLOW_S3_ENDPOINT_URL); empty: AWS S3."
    ).tag(config=True)
    watch_interval = Float(2.0, help="Seconds between checks for new or changed runs (event stream).").tag(
        config=True
    )

    registry_leads = List(
        Unicode(),
        help="Users who may approve promotions to Production (env MATIH_REGISTRY_LEADS, comma-separated).",
    ).tag(config=True)
    registry_lead_groups = List(
        Unicode(), help="Groups whose members may approve promotions (env MATIH_REGISTRY_LEAD_GROUPS)."
    ).tag(config=True)
    allow_self_approval = Bool(
        help="Let requesters approve their own promotion requests (env MATIH_ALLOW_SELF_APPROVAL=1)."
    ).tag(config=True)
    user_groups = List(
        Unicode(), help="Groups of `user` (env MATIH_USER_GROUPS or JUPYTERHUB_GROUPS, comma-separated)."
    ).tag(config=True)
    card_editor_groups = List(
        Unicode(),
        help="Groups whose members may edit any model card, besides its owners and the leads "
        "(env MATIH_CARD_EDITOR_GROUPS, comma-separated).",
    ).tag(config=True)

    serving_stages = List(
        Unicode(),
        default_value=["Staging", "Production"],
        help="Stages whose versions may be deployed (env MATIH_SERVING_STAGES, comma-separated).",
    ).tag(config=True)
    serving_dashboard_url = Unicode(
        help="Dashboard of an existing Ray cluster to serve on (env MATIH_SERVING_DASHBOARD_URL); empty: the "
        "workbench starts its own serving head under $MATIH_HOME/serving."
    ).tag(config=True)
    serving_url = Unicode(
        help="Where that cluster's Serve proxy answers, e.g. http://head:8000 (env MATIH_SERVING_URL)."
    ).tag(config=True)
    serving_host = Unicode(
        "127.0.0.1",
        help="Interface endpoints listen on when the workbench starts the head (MATIH_SERVING_HOST).",
    ).tag(config=True)
    serving_api_key = Unicode(
        help="If set, new endpoints require it: 'Authorization: Bearer KEY' (env MATIH_SERVING_API_KEY)."
    ).tag(config=True)
    rollout_interval = Float(1.0, help="Seconds between passes of the canary rollouts (server).").tag(
        config=True
    )
    monitoring_interval = Float(
        300.0,
        help="Seconds between the server's monitoring checks of every endpoint; 0 turns the server's "
        "monitoring off: no scheduled checks and no baselines captured at registration "
        "(env MATIH_MONITORING_INTERVAL).",
    ).tag(config=True)
    inference_log_sample = Float(
        1.0, help="Share of requests written to the inference log, 0..1 (env MATIH_INFERENCE_LOG_SAMPLE)."
    ).tag(config=True)

    feature_repo = Unicode(
        help="A Feast repository folder or its feature_store.yaml (env MATIH_FEATURE_REPO); empty: the "
        "bundled demo repository, written to $MATIH_HOME/features on first use (Parquet, SQLite online)."
    ).tag(config=True)
    feature_online_store = Unicode(
        help="Overrides the repository's online store: redis://[:password@]host:port[/db] or sqlite:///path "
        "(env MATIH_FEATURE_ONLINE_STORE)."
    ).tag(config=True)
    feature_registry = Unicode(
        help="Overrides the repository's registry: a SQL URI (postgresql://..., sqlite:///...) for Feast's "
        "SQL registry, or a registry file's path (env MATIH_FEATURE_REGISTRY)."
    ).tag(config=True)

    @default("home")
    def _home_default(self) -> str:
        return _env("MATIH_HOME", str(Path.home() / ".matih"))

    @default("tracking_uri")
    def _tracking_uri_default(self) -> str:
        uri = _env("MATIH_TRACKING_URI") or _env("MLFLOW_TRACKING_URI")
        return uri or f"sqlite:///{Path(self.home).resolve() / 'mlflow.db'}"

    @default("tracking_read_uri")
    def _tracking_read_uri_default(self) -> str:
        explicit = _env("MATIH_TRACKING_READ_URI")
        if explicit:
            return explicit
        return self.tracking_uri if is_database_uri(self.tracking_uri) else ""

    @default("state_url")
    def _state_url_default(self) -> str:
        return _env("MATIH_STATE_URL")

    @default("mlflow_ui_url")
    def _mlflow_ui_url_default(self) -> str:
        if _env("MATIH_MLFLOW_UI_URL"):
            return _env("MATIH_MLFLOW_UI_URL")
        return self.tracking_uri if self.tracking_uri.startswith(("http://", "https://")) else ""

    @default("user")
    def _user_default(self) -> str:
        return _env("JUPYTERHUB_USER") or _env("MATIH_USER") or getpass.getuser()

    @default("ray_address")
    def _ray_address_default(self) -> str:
        return _env("MATIH_RAY_ADDRESS")

    @default("registry_leads")
    def _registry_leads_default(self) -> list[str]:
        return _env_list("MATIH_REGISTRY_LEADS")

    @default("registry_lead_groups")
    def _registry_lead_groups_default(self) -> list[str]:
        return _env_list("MATIH_REGISTRY_LEAD_GROUPS")

    @default("allow_self_approval")
    def _allow_self_approval_default(self) -> bool:
        return _env("MATIH_ALLOW_SELF_APPROVAL").lower() in {"1", "true", "yes"}

    @default("user_groups")
    def _user_groups_default(self) -> list[str]:
        return _env_list("MATIH_USER_GROUPS") or _env_list("JUPYTERHUB_GROUPS")

    @default("card_editor_groups")
    def _card_editor_groups_default(self) -> list[str]:
        return _env_list("MATIH_CARD_EDITOR_GROUPS")

    @default("artifact_root")
    def _artifact_root_default(self) -> str:
        return _env("MATIH_ARTIFACT_ROOT", (Path(self.home).resolve() / "artifacts").as_uri())

    @default("s3_endpoint_url")
    def _s3_endpoint_url_default(self) -> str:
        return _env("MATIH_S3_ENDPOINT_URL") or _env("MLFLOW_S3_ENDPOINT_URL")

    @default("serving_stages")
    def _serving_stages_default(self) -> list[str]:
        return _env_list("MATIH_SERVING_STAGES") or ["Staging", "Production"]

    @default("serving_dashboard_url")
    def _serving_dashboard_url_default(self) -> str:
        return _env("MATIH_SERVING_DASHBOARD_URL")

    @default("serving_url")
    def _serving_url_default(self) -> str:
        return _env("MATIH_SERVING_URL")

    @default("serving_host")
    def _serving_host_default(self) -> str:
        return _env("MATIH_SERVING_HOST", "127.0.0.1")

    @default("serving_api_key")
    def _serving_api_key_default(self) -> str:
        return _env("MATIH_SERVING_API_KEY")

    @default("monitoring_interval")
    def _monitoring_interval_default(self) -> float:
        return float(_env("MATIH_MONITORING_INTERVAL", "300"))

    @default("inference_log_sample")
    def _inference_log_sample_default(self) -> float:
        return float(_env("MATIH_INFERENCE_LOG_SAMPLE", "1.0"))

    @default("feature_repo")
    def _feature_repo_default(self) -> str:
        return _env("MATIH_FEATURE_REPO")

    @default("feature_online_store")
    def _feature_online_store_default(self) -> str:
        return _env("MATIH_FEATURE_ONLINE_STORE")

    @default("feature_registry")
    def _feature_registry_default(self) -> str:
        return _env("MATIH_FEATURE_REGISTRY")

    def ensure_home(self) -> Path:
        path = Path(self.home).expanduser()
        path.mkdir(parents=True, exist_ok=True)
        return path


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in _env(name).split(",") if item.strip()]


def is_database_uri(uri: str) -> bool:
    """True for SQLAlchemy-style URIs such as ``sqlite:///...`` or ``postgresql://...``."""
    scheme = uri.split(":", 1)[0].split("+", 1)[0].lower()
    return scheme in {"sqlite", "postgresql", "mysql", "mssql"}
