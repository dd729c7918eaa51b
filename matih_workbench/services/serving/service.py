"""Serving: registered versions live behind endpoints; traffic between them moved safely and recorded.

Rules decided here, whoever calls (panel, magics): which stages may be deployed, who may move traffic
(the model's owners and leads), valid splits, canary steps and rollbacks, the registry's governance on a
canary's promotion. Every change is recorded in the events store.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from matih_workbench.backends.contracts import ModelServer
from matih_workbench.backends.stores.deployments import DeploymentStore, EndpointRow
from matih_workbench.backends.stores.promotions import ModelLocks
from matih_workbench.backends.triton.export import export_to_triton
from matih_workbench.errors import Conflict, Forbidden, InvalidInput, NotFound
from matih_workbench.models import (
    CanaryPolicy,
    CanaryState,
    Deployment,
    DeploymentList,
    DeployRequest,
    Endpoint,
    EndpointList,
    EndpointSpec,
    EndpointStats,
    EndpointVersion,
    EventType,
    FeatureSource,
    LatencyStats,
    ModelStage,
    TrafficRoute,
    TritonExportInfo,
    TritonExportRequest,
)
from matih_workbench.services.events import EventService
from matih_workbench.services.registry import RegistryService
from matih_workbench.services.serving.refs import resolve_model_ref
from matih_workbench.services.serving.traffic import canary_decision, check_steps, check_weights, msprt

RUNNING_CANARY = {"running", "waiting_approval"}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class ServingService:
    def __init__(
        self,
        store: DeploymentStore,
        server: ModelServer,
        registry: RegistryService,
        events: EventService,
        *,
        tracking_uri: str,
        stages: list[str],
        log_root: str,
        log_sample: float = 1.0,
        api_key: str = "",
        artifact_root: str = "",
        s3_endpoint_url: str = "",
        locks: ModelLocks,
        features: FeatureSource | None = None,
    ) -> None:
        self.store = store
        self.server = server
        self.registry = registry
        self.events = events
        self.tracking_uri = tracking_uri
        self.stages = stages
        self.log_root = log_root
        self.log_sample = log_sample
        self.api_key = api_key
        self.locks = locks
        self.artifact_root = artifact_root
        self.s3_endpoint_url = s3_endpoint_url
        self.features = features  # where replicas fetch online features for versions trained on them

    @property
    def user(self) -> str:
        return self.registry.user

    # -- reading ----------------------------------------------------------------------------------
    def deployments(self) -> DeploymentList:
        """Every version behind every endpoint of the workspace, most recent first."""
        return DeploymentList(deployments=[Deployment(**vars(row)) for row in self.store.list()])

    def endpoints(self) -> EndpointList:
        statuses = self.server.statuses()
        return EndpointList(endpoints=[self._endpoint(row, statuses) for row in self.store.endpoints()])

    def endpoint(self, name: str) -> Endpoint:
        return self._endpoint(self._row(name), self.server.statuses())

    def stats(self, name: str, since: float = 0.0) -> EndpointStats:
        row = self._row(name)
        raw = self.server.stats(name, row.admin_token, since)
        versions = {v: LatencyStats(**s) for v, s in (raw.get("versions") or {}).items()}
        live = [r for r in row.spec["routes"] if not r["shadow"]]
        baseline = max(live, key=lambda r: r["weight"])["version"] if live else None
        comparisons = [
            msprt(v, baseline, s.outcomes, versions[baseline].outcomes)
            for v, s in versions.items()
            if baseline and v != baseline and baseline in versions and s.outcomes.get("n")
        ]
        return EndpointStats(
            endpoint=name,
            generation=int(raw.get("generation", -1)),
            versions=versions,
            log=raw.get("log"),
            comparisons=comparisons,
        )

    # -- deploying --------------------------------------------------------------------------------
    def deploy(self, request: DeployRequest) -> Endpoint:
        """Deploy a registered version: a new endpoint takes all its traffic; joining an endpoint, 0% (or a
        shadow) until traffic moves."""
        ref = resolve_model_ref(self.registry, request.model, request.version)
        stage = self.registry.get_version(ref.name, ref.version).stage
        if stage.value not in self.stages:
            raise Conflict(
                f"Version {ref.version} of '{ref.name}' is in {stage.value}; deployable stages: "
                + ", ".join(self.stages),
                hint="promote it first (%matih promote), or change WorkbenchConfig.serving_stages",
            )
        name = request.endpoint or _endpoint_name(ref.name)
        version = str(ref.version)
        with self._hold(name):
            row = self.store.endpoint(name)
            if row is None:
                row = self._new_row(name, ref.name, request)
                if request.shadow:
                    raise InvalidInput(
                        "A new endpoint needs a live version first", hint="deploy without --shadow"
                    )
                routes = [TrafficRoute(version=version, weight=100, **_backend(request))]
            else:
                if row.model != ref.name:
                    raise Conflict(
                        f"Endpoint '{name}' serves '{row.model}', not '{ref.name}'",
                        hint="pick another --name for this model's endpoint",
                    )
                self._require_traffic_right(row.model)
                if any(r["version"] == version for r in row.spec["routes"]):
                    raise Conflict(
                        f"Version {version} is already behind '{name}'",
                        hint=f"move traffic with %matih traffic {name}",
                    )
                routes = [TrafficRoute(**r) for r in row.spec["routes"]]
                route = TrafficRoute(version=version, weight=0, shadow=request.shadow, **_backend(request))
                routes.append(route)
            if request.sticky_key is not None:
                row.spec["sticky_key"] = request.sticky_key or None
            if request.log_sample is not None:
                row.spec["log_sample"] = request.log_sample
            row.deployed[version] = {"by": self.user, "at": time.time()}
            self._apply(row, routes, new=self.store.endpoint(name) is None)
        self._emit(
            EventType.SHADOW_STARTED if request.shadow else EventType.MODEL_DEPLOYED,
            row,
            version,
            comment=f"{'shadow of' if request.shadow else 'behind'} endpoint '{name}' at {row.url}",
        )
        return self.endpoint(name)

    def undeploy(self, name: str, version: str | None = None) -> EndpointList:
        """Remove one version (it must have no live traffic left) or the whole endpoint."""
        with self._hold(name):
            row = self._row(name)
            self._require_traffic_right(row.model, allow=row.created_by)
            routes = [TrafficRoute(**r) for r in row.spec["routes"]]
            if version is not None:
                route = next((r for r in routes if r.version == str(version)), None)
                if route is None:
                    raise NotFound(f"Version {version} is not behind '{name}'", hint=self._versions_hint(row))
                if route.weight > 0 and not route.shadow and len([r for r in routes if not r.shadow]) > 1:
                    raise Conflict(
                        f"Version {version} still takes {route.weight}% of '{name}'",
                        hint=f"move its traffic first: %matih traffic {name}",
                    )
                remaining = [r for r in routes if r.version != str(version)]
            else:
                remaining = []
            if any(not r.shadow and r.weight > 0 for r in remaining):
                row.deployed.pop(str(version), None)
                self._apply(row, remaining, new=False)
                removed = [str(version)]
            else:
                self.server.remove(name)
                self.store.delete(name)
                removed = [r.version for r in routes]
        for v in removed:
            self._emit(EventType.MODEL_UNDEPLOYED, row, v, comment=f"removed from endpoint '{name}'")
        return self.endpoints()

    def set_traffic(self, name: str, weights: dict[str, int]) -> Endpoint:
        """Move the live split atomically; refused splits change nothing."""
        with self._hold(name):
            row = self._row(name)
            self._require_traffic_right(row.model)
            if row.canary and row.canary.get("status") in RUNNING_CANARY:
                raise Conflict(
                    f"A canary of version {row.canary['policy']['version']} is rolling out on '{name}'",
                    hint=f"stop it first: %matih canary {name} --stop",
                )
            routes = [TrafficRoute(**r) for r in row.spec["routes"]]
            weights = {str(k): v for k, v in weights.items()}
            check_weights(weights, [r.version for r in routes if not r.shadow])
            before = {r.version: r.weight for r in routes if not r.shadow}
            routes = [r.model_copy(update={"weight": weights.get(r.version, r.weight)}) for r in routes]
            self._apply(row, routes, new=False)
        self.events.emit(
            EventType.TRAFFIC_CHANGED,
            row.model,
            {"model": row.model, "endpoint": name, "from": before, "to": weights},
        )
        return self.endpoint(name)

    def set_shadow(self, name: str, version: str, enabled: bool) -> Endpoint:
        """Make a version a shadow (a copy of live traffic, never answered), or stop it."""
        with self._hold(name):
            row = self._row(name)
            self._require_traffic_right(row.model)
            routes = [TrafficRoute(**r) for r in row.spec["routes"]]
            route = next((r for r in routes if r.version == str(version)), None)
            if route is None:
                raise NotFound(f"Version {version} is not behind '{name}'", hint=self._versions_hint(row))
            if enabled and route.weight > 0:
                raise Conflict(
                    f"Version {version} takes {route.weight}% of live traffic",
                    hint="move its traffic to 0 before making it a shadow",
                )
            routes = [r.model_copy(update={"shadow": enabled}) if r is route else r for r in routes]
            self._apply(row, routes, new=False)
        kind = EventType.SHADOW_STARTED if enabled else EventType.SHADOW_STOPPED
        self._emit(kind, row, str(version), comment=f"endpoint '{name}'")
        return self.endpoint(name)

    def export_triton(self, request: TritonExportRequest) -> TritonExportInfo:
        """A version as ONNX + config.pbtxt in a Triton model repository (default: the artifact root's
        ``triton`` folder), for a Triton server to load."""
        ref = resolve_model_ref(self.registry, request.model, request.version)
        repository = request.repository or f"{self.artifact_root.rstrip('/')}/triton"
        done = export_to_triton(
            ref.uri, self.tracking_uri, repository, ref.name, ref.version, self.s3_endpoint_url
        )
        self.events.emit(EventType.MODEL_EXPORTED, ref.name,
                         {"model": ref.name, "version": ref.version, "where": done.where,
                          "comment": f"exported for Triton to {done.where}"})  # fmt: skip
        return TritonExportInfo(
            model=ref.name,
            version=ref.version,
            where=done.where,
            platform=done.platform,
            max_batch_size=done.max_batch_size,
            inputs=[asdict(t) for t in done.inputs],
            outputs=[asdict(t) for t in done.outputs],
            columns=list(done.columns),
        )

    # -- canary -----------------------------------------------------------------------------------
    def start_canary(self, name: str, policy: CanaryPolicy) -> Endpoint:
        check_steps(policy)
        with self._hold(name):
            row = self._row(name)
            self._require_traffic_right(row.model)
            if row.canary and row.canary.get("status") in RUNNING_CANARY:
                raise Conflict(f"A canary is already rolling out on '{name}'")
            routes = [TrafficRoute(**r) for r in row.spec["routes"]]
            live = [r for r in routes if not r.shadow]
            candidate = next((r for r in routes if r.version == policy.version), None)
            if candidate is None:
                raise NotFound(
                    f"Version {policy.version} is not behind '{name}'",
                    hint=f"deploy it first: %matih deploy {row.model} --version {policy.version}",
                )
            others = [r for r in live if r.version != policy.version and r.weight > 0]
            if len(others) != 1:
                raise Conflict(
                    "A canary needs exactly one other version taking the live traffic",
                    hint=f"set the split first: %matih traffic {name}",
                )
            baseline = others[0].version
            state = CanaryState(
                policy=policy, baseline=baseline, step=0, status="running", step_started_at=time.time()
            )
            row.canary = state.model_dump(mode="json")
            self._apply(row, _split(routes, baseline, policy.version, policy.steps[0]), new=False)
        self._emit(
            EventType.CANARY_STARTED,
            row,
            policy.version,
            comment=f"steps {policy.steps} on '{name}' against version {baseline}",
        )
        return self.endpoint(name)

    def stop_canary(self, name: str) -> Endpoint:
        with self._hold(name):
            row = self._row(name)
            self._require_traffic_right(row.model)
            if not row.canary or row.canary.get("status") not in RUNNING_CANARY:
                raise Conflict(f"No canary is rolling out on '{name}'")
            state = CanaryState.model_validate(row.canary)
            self._finish(row, state, "stopped", f"stopped by {self.user}", 0)
        return self.endpoint(name)

    def tick(self) -> list[str]:
        """One pass of every rollout: advance, promote through the registry, or roll back. Returns what it did
        (run by the server on an interval; safe from any process)."""
        done: list[str] = []
        for row in self.store.endpoints():
            if row.canary and row.canary.get("status") in RUNNING_CANARY:
                with self._hold(row.name):
                    fresh = self.store.endpoint(row.name)
                    if fresh and fresh.canary and fresh.canary.get("status") in RUNNING_CANARY:
                        done += self._step(fresh)
        return done

    def _step(self, row: EndpointRow) -> list[str]:
        state = CanaryState.model_validate(row.canary)
        candidate = state.policy.version
        if state.status == "waiting_approval":
            return self._await_approval(row, state)
        raw = self.server.stats(row.name, row.admin_token, state.step_started_at)
        window = (raw.get("versions") or {}).get(candidate, {})
        decision = canary_decision(state, window, time.time())
        if decision.action == "hold":
            return []
        if decision.action == "rollback":
            self._finish(row, state, "rolled_back", decision.reason, 0)
            return [f"{row.name}: rolled back ({decision.reason})"]
        if decision.action == "advance":
            state = state.model_copy(update={"step": state.step + 1, "step_started_at": time.time()})
            share = state.policy.steps[state.step]
            row.canary = state.model_dump(mode="json")
            self._apply(row, _split(_routes(row), state.baseline, candidate, share), new=False)
            self._emit(EventType.CANARY_STEP, row, candidate, comment=f"{share}% ({decision.reason})")
            return [f"{row.name}: {share}%"]
        return self._promote(row, state, decision.reason)

    def _promote(self, row: EndpointRow, state: CanaryState, reason: str) -> list[str]:
        version = int(state.policy.version)
        if self.registry.get_version(row.model, version).stage is not ModelStage.PRODUCTION:
            result = self.registry.transition(
                row.model, version, ModelStage.PRODUCTION, f"canary on '{row.name}': {reason}"
            )
            if result.status == "pending_approval" and result.request is not None:
                state = state.model_copy(
                    update={
                        "status": "waiting_approval",
                        "request_id": result.request.id,
                        "reason": f"waiting for approval of request {result.request.id}",
                    }
                )
                row.canary = state.model_dump(mode="json")
                self.store.save(row)
                waiting = state.reason or ""
                self._emit(EventType.CANARY_WAITING_APPROVAL, row, state.policy.version, comment=waiting)
                return [f"{row.name}: waiting for approval"]
        self._finish(row, state, "promoted", reason, 100)
        return [f"{row.name}: promoted"]

    def _await_approval(self, row: EndpointRow, state: CanaryState) -> list[str]:
        version = int(state.policy.version)
        if self.registry.get_version(row.model, version).stage is ModelStage.PRODUCTION:
            self._finish(row, state, "promoted", "the Production promotion was approved", 100)
            return [f"{row.name}: promoted"]
        request = self.registry.promotion(state.request_id) if state.request_id else None
        if request is not None and request.status != "pending":
            self._finish(row, state, "rolled_back", f"the promotion request was {request.status}", 0)
            return [f"{row.name}: rolled back (request {request.status})"]
        return []

    def _finish(self, row: EndpointRow, state: CanaryState, status: str, reason: str, share: int) -> None:
        state = state.model_copy(update={"status": status, "reason": reason})
        row.canary = state.model_dump(mode="json")
        self._apply(row, _split(_routes(row), state.baseline, state.policy.version, share), new=False)
        kind = {"promoted": EventType.CANARY_PROMOTED, "rolled_back": EventType.CANARY_ROLLED_BACK}.get(
            status
        )
        if kind is not None:
            self._emit(kind, row, state.policy.version, comment=reason)

    # -- helpers ----------------------------------------------------------------------------------
    def _apply(self, row: EndpointRow, routes: list[TrafficRoute], new: bool) -> None:
        """Run the new spec; on failure a new endpoint is removed and an old one keeps its last spec."""
        previous = dict(row.spec)
        spec = EndpointSpec.model_validate(
            {
                **row.spec,
                "routes": [r.model_dump() for r in routes],
                "generation": row.spec.get("generation", 0) + 1,
                "features": self.features.model_dump() if self.features else None,
            }
        )
        try:
            row.url = self.server.apply(spec)
        except Exception:
            if new:
                self.server.remove(row.name)
            else:
                self.server.apply(EndpointSpec.model_validate(previous))
            raise
        row.spec = spec.model_dump(mode="json")
        row.updated_at = time.time()
        self.store.save(row)

    def _new_row(self, name: str, model: str, request: DeployRequest) -> EndpointRow:
        token = secrets.token_urlsafe(24)
        spec = EndpointSpec(
            name=name,
            model=model,
            routes=[],
            tracking_uri=self.tracking_uri,
            generation=0,
            api_key_sha256=_sha(self.api_key) if self.api_key else None,
            admin_token_sha256=_sha(token),
            log_root=self.log_root,
            log_sample=self.log_sample,
        )
        now = time.time()
        return EndpointRow(
            name=name,
            model=model,
            spec=spec.model_dump(mode="json"),
            deployed={},
            canary=None,
            admin_token=token,
            server=self.server.name,
            url=self.server.endpoint_url(name),
            created_by=self.user,
            created_at=now,
            updated_at=now,
        )

    def _endpoint(self, row: EndpointRow, statuses: dict[str, Any]) -> Endpoint:
        status = statuses.get(row.name)
        try:  # one registry read per endpoint: stages of its versions and the caller's rights
            model = self.registry.get_model(row.model)
            stages = {str(v.version): v.stage.value for v in model.versions}
            can_change = model.can_approve
        except NotFound:
            stages, can_change = {}, False
        versions = [
            EndpointVersion(
                version=r["version"],
                weight=r["weight"],
                shadow=r["shadow"],
                served_by=r.get("triton_url") or "ray-serve",
                stage=stages.get(r["version"]),
                deployed_by=row.deployed.get(r["version"], {}).get("by", row.created_by),
                deployed_at=row.deployed.get(r["version"], {}).get("at", row.created_at),
            )
            for r in row.spec["routes"]
        ]
        return Endpoint(
            name=row.name,
            model=row.model,
            url=row.url,
            status=status.status if status else "UNKNOWN",
            message=(status.message if status else "")[-500:],
            versions=versions,
            sticky_key=row.spec.get("sticky_key"),
            api_key=bool(row.spec.get("api_key_sha256")),
            canary=CanaryState.model_validate(row.canary) if row.canary else None,
            created_by=row.created_by,
            created_at=row.created_at,
            can_change_traffic=can_change,
        )

    def _row(self, name: str) -> EndpointRow:
        row = self.store.endpoint(name)
        if row is None:
            known = ", ".join(r.name for r in self.store.endpoints()) or "none yet"
            raise NotFound(f"Endpoint '{name}' not found", hint=f"endpoints: {known}")
        return row

    def _may_change_traffic(self, model: str) -> bool:
        try:
            return self.registry.get_model(model).can_approve
        except NotFound:
            return False

    def _require_traffic_right(self, model: str, allow: str | None = None) -> None:
        if allow == self.user or self._may_change_traffic(model):
            return
        owners = self.registry.get_model(model).owners
        raise Forbidden(
            f"{self.user} may not change the traffic of '{model}'",
            hint=f"owners ({', '.join(owners) or 'none'}) and leads may",
        )

    @contextmanager
    def _hold(self, endpoint: str) -> Iterator[None]:
        with self.locks.hold(f"endpoint:{endpoint}"):
            yield

    def _emit(self, kind: EventType, row: EndpointRow, version: str, comment: str) -> None:
        self.events.emit(
            kind,
            row.model,
            {
                "model": row.model,
                "version": int(version),
                "endpoint": row.name,
                "url": row.url,
                "server": row.server,
                "comment": comment,
            },
        )

    @staticmethod
    def _versions_hint(row: EndpointRow) -> str:
        return "versions behind it: " + ", ".join(r["version"] for r in row.spec["routes"])


def _backend(request: DeployRequest) -> dict[str, Any]:
    return {"triton_url": request.triton_url, "triton_model": request.triton_model}


def _routes(row: EndpointRow) -> list[TrafficRoute]:
    return [TrafficRoute(**r) for r in row.spec["routes"]]


def _split(routes: list[TrafficRoute], baseline: str, candidate: str, share: int) -> list[TrafficRoute]:
    """The candidate gets ``share`` percent, the baseline the rest, every other live version nothing."""
    out = []
    for r in routes:
        if r.shadow:
            out.append(r)
        elif r.version == candidate:
            out.append(r.model_copy(update={"weight": share}))
        elif r.version == baseline:
            out.append(r.model_copy(update={"weight": 100 - share}))
        else:
            out.append(r.model_copy(update={"weight": 0}))
    return out


def _endpoint_name(model: str) -> str:
    """A model's default endpoint name: lower case, other characters as dashes."""
    cleaned = "".join(c if c.isalnum() or c in "-_" else "-" for c in model.lower()).strip("-_") or "model"
    return cleaned[:63]
