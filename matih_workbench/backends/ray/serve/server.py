"""Ray Serve as the workbench's model server: one Serve application per endpoint, on the serving head."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from matih_workbench.backends.ray.serve.head import AppStatus, ServeHead
from matih_workbench.errors import BackendUnavailable
from matih_workbench.models.serving import EndpointSpec

IMPORT_PATH = "matih_workbench.backends.ray.serve.endpoint:build"


class RayServeServer:
    name = "ray-serve"

    def __init__(self, head: ServeHead) -> None:
        self.head = head

    def endpoint_url(self, endpoint: str) -> str:
        info = self.head.info(start=False)
        base = info.serve_url if info else (self.head.serve_url or "http://127.0.0.1:8000")
        return f"{base}/{endpoint}"

    def apply(self, spec: EndpointSpec, timeout: float = 300.0) -> str:
        """Run ``spec`` (new app, or a reconfiguration in place) and wait until the replica runs it."""
        app = {
            "name": spec.name,
            "route_prefix": f"/{spec.name}",
            "import_path": IMPORT_PATH,
            "deployments": [{"name": "Endpoint", "user_config": spec.model_dump(mode="json")}],
        }
        self.head.apply(spec.name, app)
        url = self.endpoint_url(spec.name)
        deadline = time.monotonic() + timeout
        while True:
            status = self.status(spec.name)
            if status and status.status == "DEPLOY_FAILED":
                raise BackendUnavailable(f"Endpoint '{spec.name}' failed to deploy: {status.message[-1500:]}")
            health = self._get(f"{url}/health")
            if health is not None and health.get("generation") == spec.generation and health.get("ready"):
                return url
            if time.monotonic() > deadline:
                raise BackendUnavailable(
                    f"Endpoint '{spec.name}' is not ready after {timeout:.0f} s"
                    + (f": {status.status} {status.message[-500:]}" if status else "")
                )
            time.sleep(0.1)

    def remove(self, endpoint: str, timeout: float = 60.0) -> None:
        self.head.apply(endpoint, None)
        deadline = time.monotonic() + timeout
        while endpoint in self.head.applications() and time.monotonic() < deadline:
            time.sleep(0.2)

    def status(self, endpoint: str) -> AppStatus | None:
        return self.head.applications().get(endpoint)

    def statuses(self) -> dict[str, AppStatus]:
        try:
            return self.head.applications()
        except BackendUnavailable:
            return {}

    def stats(self, endpoint: str, token: str, since: float = 0.0) -> dict[str, Any]:
        body = self._get(f"{self.endpoint_url(endpoint)}/-/stats?since={since}", token)
        if body is None:
            raise BackendUnavailable(f"Endpoint '{endpoint}' does not answer", hint="see %matih deployments")
        return body

    @staticmethod
    def _get(url: str, token: str | None = None) -> dict[str, Any] | None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as resp:
                return dict(json.loads(resp.read()))
        except urllib.error.HTTPError as exc:
            try:
                return dict(json.loads(exc.read()))
            except ValueError:
                return None
        except (OSError, ValueError):
            return None
