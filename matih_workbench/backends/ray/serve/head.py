"""The Ray head that serving runs on, and Serve applications on it through the dashboard's REST API.

On the embedded defaults the workbench starts its own head (``ray start --head``) as a process of its own
session, state under ``$MATIH_HOME/serving``: it outlives the kernel and JupyterLab that started it, so every
endpoint keeps serving through their restarts. With ``serving_dashboard_url`` set, an existing cluster's head
is used instead and nothing is started. Applications are changed declaratively (``PUT
/api/serve/applications/``, as ``serve deploy`` does) by read-modify-write of the live config under a lock,
so one workspace never removes another's applications. No ``ray.init`` happens in the calling process:
kernels keep their own Ray for training.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from matih_workbench.errors import BackendUnavailable

log = logging.getLogger(__name__)
START_TIMEOUT = 180.0
START_ATTEMPTS = 3


@dataclass(frozen=True)
class HeadInfo:
    dashboard_url: str
    serve_url: str  # where endpoints answer, e.g. http://127.0.0.1:8000
    http_host: str
    http_port: int
    pid: int = 0  # the process group of a head we started (0: an existing cluster)
    temp_dir: str = ""


def _kill_group(pgid: int, alive: Callable[[], bool] | None = None) -> None:
    """TERM a process group, give it up to 15 s (while ``alive`` says so), then KILL what is left."""
    try:
        os.killpg(pgid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while alive is not None and time.monotonic() < deadline and alive():
            time.sleep(0.5)
        time.sleep(0.5)
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@dataclass(frozen=True)
class AppStatus:
    name: str
    status: str  # NOT_STARTED, DEPLOYING, RUNNING, DEPLOY_FAILED, DELETING, UNHEALTHY
    message: str
    route_prefix: str | None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _request(method: str, url: str, body: Any = None, timeout: float = 30.0) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else None


class ServeHead:
    def __init__(
        self, home: Path, dashboard_url: str = "", serve_url: str = "", host: str = "127.0.0.1"
    ) -> None:
        self.dir = home / "serving"
        self.dashboard_url = dashboard_url.rstrip("/")
        self.serve_url = serve_url.rstrip("/")
        self.host = host

    # -- the head ---------------------------------------------------------------------------------
    def info(self, start: bool = True) -> HeadInfo | None:
        """The running head: the configured one, the one this workspace started, or a new one."""
        if self.dashboard_url:
            url = self.serve_url or f"http://{self.host}:8000"
            port = int(url.rsplit(":", 1)[-1].split("/")[0]) if url.count(":") == 2 else 8000
            return HeadInfo(self.dashboard_url, url, self.host, port)
        current = self._read_state()
        if current and self._alive(current.dashboard_url):
            return current
        if not start:
            return None
        with self._lock("head"):
            current = self._read_state()
            if current and self._alive(current.dashboard_url):
                return current
            for attempt in range(1, START_ATTEMPTS + 1):
                try:
                    return self._start()
                except BackendUnavailable:
                    # Ray gives its raylet a fixed 30 s to register: a busy machine can miss it once
                    if attempt == START_ATTEMPTS:
                        raise
                    log.warning("matih: the serving head did not start (attempt %d), retrying", attempt)
            raise AssertionError("unreachable")

    def stop(self) -> None:
        """Stop a head this workspace started (its whole process group); an existing cluster is left alone."""
        with self._lock("head"):
            state = self._read_state()
            if state is None or not state.pid:
                return
            _kill_group(state.pid, lambda: self._alive(state.dashboard_url, timeout=1))
            (self.dir / "head.json").unlink(missing_ok=True)
            shutil.rmtree(state.temp_dir, ignore_errors=True)

    def _start(self) -> HeadInfo:
        self.dir.mkdir(parents=True, exist_ok=True)
        # Ray's socket paths must stay short: its temp folder goes under /tmp, linked from the workspace.
        digest = hashlib.sha1(str(self.dir.resolve()).encode()).hexdigest()[:10]
        temp_dir = Path(tempfile.gettempdir()) / f"matih-ray-{digest}"
        ports = {
            name: free_port()
            for name in (
                "gcs",
                "dashboard",
                "http",
                "agent",
                "agent_grpc",
                "client",
                "metrics",
                "runtime_env",
            )
        }
        ray_cli = Path(sys.executable).with_name("ray")
        launcher = [str(ray_cli)] if ray_cli.exists() else [sys.executable, "-m", "ray.scripts.scripts"]
        cmd = [
            *launcher,
            "start",
            "--head",
            "--disable-usage-stats",
            "--include-dashboard=true",
            *(["--node-ip-address=127.0.0.1"] if self.host == "127.0.0.1" else []),
            f"--port={ports['gcs']}",
            f"--num-cpus={os.cpu_count() or 2}",
            f"--dashboard-host={self.host}",
            f"--dashboard-port={ports['dashboard']}",
            f"--dashboard-agent-listen-port={ports['agent']}",
            f"--dashboard-agent-grpc-port={ports['agent_grpc']}",
            f"--ray-client-server-port={ports['client']}",
            f"--metrics-export-port={ports['metrics']}",
            f"--runtime-env-agent-port={ports['runtime_env']}",
            "--object-store-memory=200000000",
            f"--temp-dir={temp_dir}",
        ]
        env = {**os.environ, "RAY_AUTH_MODE": "disabled"}  # the dashboard listens on this host only
        env.pop("RAY_ADDRESS", None)
        env.setdefault("RAY_DASHBOARD_STARTUP_TIMEOUT_S", str(int(START_TIMEOUT)))  # a busy machine is slow
        out = open(self.dir / "head.log", "ab")  # noqa: SIM115 - the head's own output, kept for diagnosis
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        try:
            code = proc.wait(timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            code = -1
        finally:
            out.close()
        if code != 0:  # what did start (a GCS, a raylet) goes with the failed attempt
            _kill_group(proc.pid)
            shutil.rmtree(temp_dir, ignore_errors=True)
            outcome = "timed out" if code == -1 else f"exited {code}"
            raise BackendUnavailable(
                f"Cannot start the serving Ray head (ray start {outcome})",
                hint=f"see {self.dir / 'head.log'}",
            )
        info = HeadInfo(
            dashboard_url=f"http://{self.host}:{ports['dashboard']}",
            serve_url=f"http://{self.host}:{ports['http']}",
            http_host=self.host,
            http_port=ports["http"],
            pid=proc.pid,
            temp_dir=str(temp_dir),
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not self._alive(info.dashboard_url) or self._serve_api(info) is None:
            if time.monotonic() > deadline:
                raise BackendUnavailable(
                    "The serving Ray head started but its dashboard does not answer",
                    hint=f"see {self.dir / 'head.log'}",
                )
            time.sleep(0.5)
        (self.dir / "head.json").write_text(json.dumps(asdict(info)))
        link = self.dir / "ray"
        if not link.exists():
            link.symlink_to(temp_dir)
        return info

    def _serve_api(self, info: HeadInfo) -> Any:
        try:
            return _request("GET", f"{info.dashboard_url}/api/serve/applications/", timeout=5)
        except (OSError, ValueError):
            return None

    def _read_state(self) -> HeadInfo | None:
        try:
            return HeadInfo(**json.loads((self.dir / "head.json").read_text()))
        except (OSError, ValueError, TypeError):
            return None

    @staticmethod
    def _alive(dashboard_url: str, timeout: float = 3) -> bool:
        try:
            _request("GET", f"{dashboard_url}/api/version", timeout=timeout)
            return True
        except (OSError, ValueError):
            return False

    @contextmanager
    def _lock(self, name: str) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / f"{name}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- applications -----------------------------------------------------------------------------
    def applications(self) -> dict[str, AppStatus]:
        info = self.info(start=False)
        if info is None:
            return {}
        body = self._serve_api(info) or {}
        return {
            name: AppStatus(name, app.get("status", ""), app.get("message", ""), app.get("route_prefix"))
            for name, app in (body.get("applications") or {}).items()
        }

    def apply(self, name: str, app: dict[str, Any] | None) -> HeadInfo | None:
        """Deploy (or with ``None`` delete) one application, leaving every other one as it is."""
        info = self.info(start=app is not None)
        if info is None:  # nothing runs: nothing to delete
            return None
        with self._lock("apps"):
            body = self._serve_api(info)
            if body is None:
                raise BackendUnavailable(f"Ray Serve's REST API at {info.dashboard_url} does not answer")
            apps = [
                a["deployed_app_config"]
                for n, a in (body.get("applications") or {}).items()
                if n != name and a.get("deployed_app_config") and a.get("status") != "DELETING"
            ]
            if app is not None:
                apps.append(app)
            config = {
                "http_options": {"host": info.http_host, "port": info.http_port},
                "applications": apps,
            }
            try:
                _request("PUT", f"{info.dashboard_url}/api/serve/applications/", config, timeout=60)
            except urllib.error.HTTPError as exc:
                detail = exc.read().decode(errors="replace")[:2000]
                raise BackendUnavailable(f"Ray Serve refused the deployment: {detail}") from None
            except OSError as exc:
                raise BackendUnavailable(
                    f"Ray Serve at {info.dashboard_url} does not answer: {exc}"
                ) from None
        return info
