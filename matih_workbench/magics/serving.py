"""``%matih deploy``, ``undeploy``, ``deployments``, ``endpoint``, ``traffic``, ``shadow`` and ``canary``."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, magic_arguments

from matih_workbench.magics.commands import MagicContext, subcommand
from matih_workbench.models import CanaryPolicy, DeployRequest, TritonExportRequest
from matih_workbench.widgets.common import HelpText
from matih_workbench.widgets.serving import (
    DeploymentTable,
    EndpointsTable,
    EndpointView,
    StatsView,
    TrafficSliders,
)


@subcommand("deploy")
@magic_arguments()
@argument("model", help="NAME@production, NAME@staging, NAME@VERSION, or NAME with --version.")
@argument("--version", "-v", type=int, default=None, help="The version number (instead of NAME@...).")
@argument("--name", dest="endpoint", default=None, help="Endpoint name (default: the model's name).")
@argument("--shadow", action="store_true", help="Join an existing endpoint as a shadow of its traffic.")
@argument("--sticky-key", default=None, help="A record field that pins each caller to one version.")
@argument("--triton-url", default=None, help="Serve it from an external Triton server (host:port[/path]).")
@argument("--triton-model", default=None, help="The model's name on that Triton server (default: NAME).")
def deploy(ctx: MagicContext, args: Any) -> EndpointView:
    """Deploy a registered version on Ray Serve: a new endpoint takes all traffic; a version joining an
    endpoint starts at 0% (move it with %traffic, or roll it out with %canary)."""
    request = DeployRequest(
        model=args.model,
        version=args.version,
        endpoint=args.endpoint,
        shadow=args.shadow,
        sticky_key=args.sticky_key,
        triton_url=args.triton_url,
        triton_model=args.triton_model,
    )
    endpoint = ctx.workbench.serving.deploy(request)
    return EndpointView(endpoint, f"Deployed behind {endpoint.name}: POST JSON records to {endpoint.url}")


@subcommand("undeploy")
@magic_arguments()
@argument("endpoint", help="The endpoint to remove (or remove one version from, with --version).")
@argument("--version", "-v", default=None, help="Remove only this version (it must carry no traffic).")
def undeploy(ctx: MagicContext, args: Any) -> EndpointsTable:
    """Remove an endpoint, or one version behind it, and stop its replicas."""
    return EndpointsTable(ctx.workbench.serving.undeploy(args.endpoint, args.version))


@subcommand("deployments")
@magic_arguments()
@argument("--versions", action="store_true", help="One row per version instead of one per endpoint.")
def deployments(ctx: MagicContext, args: Any) -> DeploymentTable | EndpointsTable:
    """List the endpoints of the workspace: model, status, traffic split, rollout, URL."""
    if args.versions:
        return DeploymentTable(ctx.workbench.serving.deployments())
    return EndpointsTable(ctx.workbench.serving.endpoints())


@subcommand("endpoint")
@magic_arguments()
@argument("endpoint", help="Endpoint name.")
@argument("--stats", action="store_true", help="Live per-version stats: requests, errors, latency.")
def endpoint(ctx: MagicContext, args: Any) -> EndpointView | StatsView:
    """Show an endpoint: versions, split, rollout; with --stats its live per-version numbers."""
    if args.stats:
        return StatsView(ctx.workbench.serving.stats(args.endpoint))
    return EndpointView(ctx.workbench.serving.endpoint(args.endpoint))


def _weights(text: str) -> dict[str, int]:
    weights: dict[str, int] = {}
    for item in text.split(","):
        version, sep, weight = item.partition("=")
        if not sep or not weight.strip().lstrip("-").isdigit():
            raise UsageError(
                f"--set takes VERSION=PERCENT pairs separated by commas, e.g. 1=90,2=10 (got '{item}')"
            )
        weights[version.strip()] = int(weight)
    return weights


@subcommand("traffic")
@magic_arguments()
@argument("endpoint", help="Endpoint name.")
@argument("--set", dest="weights", default=None, help="VERSION=PERCENT pairs summing to 100, e.g. 1=90,2=10.")
def traffic(ctx: MagicContext, args: Any) -> TrafficSliders | EndpointView:
    """Move an endpoint's traffic: sliders over its live versions, or --set 1=90,2=10 at once."""
    service = ctx.workbench.serving
    if args.weights is not None:
        return EndpointView(service.set_traffic(args.endpoint, _weights(args.weights)), "Traffic changed")
    return TrafficSliders(service.endpoint(args.endpoint), lambda w: service.set_traffic(args.endpoint, w))


@subcommand("shadow")
@magic_arguments()
@argument("endpoint", help="Endpoint name.")
@argument("version", help="A version behind the endpoint with no live traffic.")
@argument("--off", action="store_true", help="Stop shadowing.")
def shadow(ctx: MagicContext, args: Any) -> EndpointView:
    """Send a copy of live traffic to a version: its answers are recorded and compared, never returned."""
    endpoint = ctx.workbench.serving.set_shadow(args.endpoint, args.version, not args.off)
    return EndpointView(endpoint, f"Shadow of version {args.version} {'stopped' if args.off else 'started'}")


@subcommand("canary")
@magic_arguments()
@argument("endpoint", help="Endpoint name.")
@argument("--version", "-v", default=None, help="The candidate version (deployed behind the endpoint).")
@argument(
    "--steps", default="5,25,50,100", help="Traffic shares in percent, ending at 100 (default 5,25,50,100)."
)
@argument("--min-requests", type=int, default=50, help="Requests per step before moving on (default 50).")
@argument("--min-seconds", type=float, default=30.0, help="Seconds per step before moving on (default 30).")
@argument(
    "--max-error-rate", type=float, default=0.01, help="Roll back above this error rate (default 0.01)."
)
@argument("--p95-slo-ms", type=float, default=50.0, help="Roll back above this p95 latency (default 50 ms).")
@argument("--stop", action="store_true", help="Stop the rollout; the candidate goes back to 0%%.")
def canary(ctx: MagicContext, args: Any) -> EndpointView:
    """Roll a version out in steps; it is rolled back on errors or latency, and promoted to Production at the
    end through the registry (waiting for approval where policy asks)."""
    service = ctx.workbench.serving
    if args.stop:
        return EndpointView(service.stop_canary(args.endpoint), "Canary stopped")
    if args.version is None:
        raise UsageError("Name the candidate with --version (or stop a rollout with --stop)")
    try:
        steps = [int(s) for s in args.steps.split(",")]
    except ValueError:
        raise UsageError(
            f"--steps takes percents separated by commas, e.g. 5,25,50,100 (got '{args.steps}')"
        ) from None
    policy = CanaryPolicy(
        version=args.version,
        steps=steps,
        min_requests=args.min_requests,
        min_seconds=args.min_seconds,
        max_error_rate=args.max_error_rate,
        p95_slo_ms=args.p95_slo_ms,
    )
    return EndpointView(service.start_canary(args.endpoint, policy), "Canary started")


@subcommand("export-triton")
@magic_arguments()
@argument("model", help="NAME@production, NAME@staging, NAME@VERSION, or NAME with --version.")
@argument("--version", "-v", type=int, default=None, help="The version number (instead of NAME@...).")
@argument(
    "--repository", default=None, help="Local folder, file:// or s3:// (default: artifact root/triton)."
)
def export_triton(ctx: MagicContext, args: Any) -> HelpText:
    """Export a registered sklearn, XGBoost or PyTorch version to a Triton model repository (ONNX and
    config.pbtxt, Triton's documented layout)."""
    request = TritonExportRequest(model=args.model, version=args.version, repository=args.repository)
    done = ctx.workbench.serving.export_triton(request)
    inputs = ", ".join(f"{t['name']} {t['data_type']} {t['dims']}" for t in done.inputs)
    return HelpText(
        f"Exported {done.model} v{done.version} to {done.where} ({done.platform}; inputs: {inputs})"
    )
