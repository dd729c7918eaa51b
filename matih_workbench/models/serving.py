"""Serving: deployments of registered model versions behind endpoints."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Deployment(BaseModel):
    """One registered version live behind an endpoint, with its share of the endpoint's traffic."""

    endpoint: str = Field(description="The endpoint's name; several versions may stand behind one.")
    model: str
    version: str
    server: str = Field(description="The model server running it, e.g. 'ray-serve'.")
    url: str = Field(description="Where the endpoint answers requests.")
    traffic: int = Field(ge=0, le=100, description="Percent of the endpoint's requests this version gets.")
    deployed_by: str
    deployed_at: float = Field(description="Seconds since the epoch.")


class DeploymentList(BaseModel):
    """Every deployment of the workspace, most recent first."""

    deployments: list[Deployment]


ENDPOINT_NAME = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class TrafficRoute(BaseModel):
    """One version behind an endpoint: its share of live traffic, or a shadow copy of it."""

    version: str
    weight: int = Field(ge=0, le=100)
    shadow: bool = False
    triton_url: str | None = Field(
        default=None, description="Served by this external Triton (v2) server instead of in the replica."
    )
    triton_model: str | None = None


class FeatureSource(BaseModel):
    """The Feast repository (and store overrides) a replica reads online features from, for versions
    trained on a feature service (``%%matih train --features``)."""

    repo: str
    online_store: str = ""
    registry: str = ""


class EndpointSpec(BaseModel):
    """What an endpoint's replica runs (Ray Serve ``user_config``): changing it reconfigures in place."""

    name: str = Field(pattern=ENDPOINT_NAME)
    model: str
    routes: list[TrafficRoute]
    tracking_uri: str
    generation: int = 0
    sticky_key: str | None = None
    api_key_sha256: str | None = None
    admin_token_sha256: str | None = None
    log_root: str = ""
    log_sample: float = Field(default=1.0, ge=0.0, le=1.0)
    features: FeatureSource | None = None


class DeployRequest(BaseModel):
    """Deploy a registered version behind an endpoint (new, or an existing one of the same model)."""

    model: str = Field(description="NAME, NAME@production, NAME@staging or NAME@VERSION.", max_length=300)
    version: int | None = Field(default=None, ge=1, le=2**31)
    endpoint: str | None = Field(
        default=None, pattern=ENDPOINT_NAME, description="Defaults to the model's name."
    )
    shadow: bool = Field(
        default=False, description="Join as a shadow: a copy of live traffic, never answered."
    )
    sticky_key: str | None = Field(
        default=None, max_length=200, description="A record field that pins a caller."
    )
    log_sample: float | None = Field(default=None, ge=0.0, le=1.0)
    triton_url: str | None = Field(
        default=None,
        max_length=500,
        pattern=r"^(https?://)?[A-Za-z0-9.\-]+(:[0-9]+)?(/[A-Za-z0-9._~\-/]*)?$",
        description="Route this version to an external Triton server (host:port[/path]) via tritonclient.",
    )
    triton_model: str | None = Field(default=None, max_length=300, description="Its name there.")


class TrafficChange(BaseModel):
    """New weights for the live versions of an endpoint (percent, summing to 100)."""

    weights: dict[str, int]


class ShadowChange(BaseModel):
    version: str
    enabled: bool = True


class CanaryPolicy(BaseModel):
    """A staged rollout of a candidate version; rolled back on errors or latency, promoted at the end."""

    version: str
    steps: list[int] = Field(default_factory=lambda: [5, 25, 50, 100], min_length=1, max_length=20)
    min_requests: int = Field(default=50, ge=1, le=10_000_000)
    min_seconds: float = Field(default=30.0, ge=0, le=7 * 86400)
    max_error_rate: float = Field(default=0.01, ge=0, le=1)
    p95_slo_ms: float = Field(default=50.0, gt=0, le=600_000)
    rollback_min_requests: int = Field(default=10, ge=1, le=1_000_000)


class CanaryState(BaseModel):
    policy: CanaryPolicy
    baseline: str = Field(description="The version that keeps the rest of the traffic.")
    step: int = Field(description="Index into policy.steps of the current share.")
    status: str = Field(description="running, waiting_approval, promoted, rolled_back or stopped.")
    reason: str | None = None
    step_started_at: float
    request_id: str | None = Field(default=None, description="The Production promotion request it waits for.")


class EndpointVersion(BaseModel):
    version: str
    weight: int
    shadow: bool
    stage: str | None = None
    served_by: str = Field(default="ray-serve", description="'ray-serve', or the Triton server it routes to.")
    deployed_by: str
    deployed_at: float


class Endpoint(BaseModel):
    """An endpoint of the workspace: its versions and split, where it answers, its rollout."""

    name: str
    model: str
    url: str
    status: str = Field(description="Ray Serve's application status (RUNNING, DEPLOYING, ...), or UNKNOWN.")
    message: str = ""
    versions: list[EndpointVersion]
    sticky_key: str | None = None
    api_key: bool = Field(description="Whether requests need an API key.")
    canary: CanaryState | None = None
    created_by: str
    created_at: float
    can_change_traffic: bool = False


class EndpointList(BaseModel):
    endpoints: list[Endpoint]


class LatencyStats(BaseModel):
    requests: int
    errors: int
    rejected: int
    window_requests: int
    window_errors: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    prediction_mean: float | None
    prediction_histogram: dict[str, list[float]]
    shadow_compared: int
    shadow_agreed: int
    outcomes: dict[str, float]


class OutcomeComparison(BaseModel):
    """Observed outcomes of a version against the baseline's: an always-valid (mSPRT) test."""

    version: str
    baseline: str
    n: int
    mean: float | None
    ci95: tuple[float, float] | None
    baseline_mean: float | None
    difference: float | None
    p_value: float | None = Field(description="Always valid: may be read after every observation.")
    significant: bool


class EndpointStats(BaseModel):
    endpoint: str
    generation: int
    versions: dict[str, LatencyStats]
    log: dict[str, object] | None = None
    comparisons: list[OutcomeComparison] = Field(default_factory=list)


class TritonExportRequest(BaseModel):
    """Export a registered version to a Triton model repository (ONNX + config.pbtxt)."""

    model: str = Field(description="NAME@production, NAME@staging, NAME@VERSION, or NAME with version.")
    version: int | None = Field(default=None, ge=1, le=2**31)
    repository: str | None = Field(
        default=None, max_length=1000, description="Local folder, file:// or s3:// (default: artifact root)."
    )


class TritonExportInfo(BaseModel):
    model: str
    version: int
    where: str = Field(description="The model's folder in the repository.")
    platform: str
    max_batch_size: int
    inputs: list[dict[str, object]]
    outputs: list[dict[str, object]]
    columns: list[str]
