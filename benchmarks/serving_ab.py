"""Our A/B endpoint (two versions, 50/50, signature validation and the inference log on) against a single
plain Ray Serve deployment of the same model, on the same serving head, with the same async client and the
same bounded load at concurrency 1, 4 and 16: p50 / p99 latency and throughput."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

import mlflow
import mlflow.sklearn
import numpy as np
import pandas as pd
from mlflow.models import infer_signature
from sklearn.linear_model import LinearRegression

from benchmarks.harness import Entry, entry
from matih_workbench.backends.ray.serve.head import ServeHead
from matih_workbench.config import WorkbenchConfig
from matih_workbench.models import DeployRequest, ModelStage
from matih_workbench.services import Workbench

REQUESTS = 1200  # per concurrency level and per target, after a warm-up
LEVELS = (1, 4, 16)
ROOT = Path(__file__).resolve().parent.parent


def _frame(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"tenure": rng.uniform(0, 60, n), "spend": rng.gamma(2.0, 30.0, n),
                         "visits": rng.poisson(4, n).astype(float)})  # fmt: skip


def _register(wb: Workbench, coef: float) -> int:
    train = _frame(200)
    model = LinearRegression().fit(train, coef * (train.tenure + train.spend))
    with mlflow.start_run() as run:
        mlflow.sklearn.log_model(model, name="model", signature=infer_signature(train, model.predict(train)),
                                 pip_requirements=["scikit-learn"])  # fmt: skip
    version = wb.registry.register(run.info.run_id, "bench-ab").version
    wb.registry.transition("bench-ab", version, ModelStage.STAGING)
    return version


async def _load(url: str, concurrency: int, total: int) -> tuple[list[float], float, int]:
    import aiohttp

    body = _frame(1, seed=3).to_dict(orient="records")
    latencies: list[float] = []
    failures = 0
    remaining = total

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal remaining, failures
        while remaining > 0:
            remaining -= 1
            start = time.perf_counter()
            async with session.post(url, json=body) as resp:
                await resp.read()
                failures += resp.status != 200
            latencies.append((time.perf_counter() - start) * 1000)

    async with aiohttp.ClientSession() as session:
        for _ in range(50):  # warm-up, untimed
            async with session.post(url, json=body) as resp:
                await resp.read()
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, total / elapsed, failures


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def run() -> list[Entry]:
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    home = Path(tempfile.mkdtemp(prefix="matih-bench-serving-"))
    wb = Workbench.from_config(
        WorkbenchConfig(home=str(home), tracking_uri=f"sqlite:///{home / 'mlflow.db'}")
    )
    mlflow.set_tracking_uri(wb.config.tracking_uri)
    head = ServeHead(home)
    entries: list[Entry] = []
    try:
        v1, v2 = _register(wb, 1.0), _register(wb, 2.0)
        ours = wb.serving.deploy(DeployRequest(model="bench-ab", version=v1, endpoint="ab"))
        wb.serving.deploy(DeployRequest(model="bench-ab", version=v2, endpoint="ab"))
        wb.serving.set_traffic("ab", {str(v1): 50, str(v2): 50})
        info = head.info()
        assert info is not None
        plain = {"name": "plain", "route_prefix": "/plain", "import_path": "benchmarks.plain_serve:build",
                 "args": {"uri": f"models:/bench-ab/{v1}", "tracking_uri": wb.config.tracking_uri},
                 "runtime_env": {"env_vars": {"PYTHONPATH": str(ROOT)}}}  # fmt: skip
        head.apply("plain", plain)
        plain_url = f"{info.serve_url}/plain"
        deadline = time.monotonic() + 300
        while getattr(head.applications().get("plain"), "status", "") != "RUNNING":
            if time.monotonic() > deadline:
                raise RuntimeError("the plain deployment did not start")
            time.sleep(0.5)
        for concurrency in LEVELS:
            # alternate the two targets so a passing load spike hits both alike
            ours_lat, ours_rps, ours_fail = asyncio.run(_load(ours.url, concurrency, REQUESTS))
            peer_lat, peer_rps, peer_fail = asyncio.run(_load(plain_url, concurrency, REQUESTS))
            p50, peer_p50 = _pct(ours_lat, 50), _pct(peer_lat, 50)
            p99, peer_p99 = _pct(ours_lat, 99), _pct(peer_lat, 99)
            note = (f"{REQUESTS} requests; failures ours {ours_fail} / plain {peer_fail}; "
                    f"overhead at p50 {p50 - peer_p50:+.2f} ms")  # fmt: skip
            entries += [
                entry(f"serving A/B p50 latency, concurrency {concurrency}", p50, peer_p50, "ms",
                      "router overhead < 1 ms at p50", p50 - peer_p50 < 1.0, note),
                entry(f"serving A/B p99 latency, concurrency {concurrency}", p99, peer_p99, "ms",
                      "p99 <= 50 ms at concurrency 4" if concurrency == 4 else "-",
                      p99 <= 50 if concurrency == 4 else True),
                entry(f"serving A/B throughput, concurrency {concurrency}", 1000 / ours_rps, 1000 / peer_rps,
                      "ms/request", ">= 90% of the plain deployment's throughput", ours_rps >= 0.9 * peer_rps,
                      f"{ours_rps:.0f} vs {peer_rps:.0f} requests/s"),
            ]  # fmt: skip
        log = wb.serving.stats("ab").log or {}
        entries[-1].notes += f"; inference log on: {log.get('written')} written, {log.get('dropped')} dropped"
    finally:
        head.stop()
    return entries
