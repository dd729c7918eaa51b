"""Runs listing and comparison: our REST handlers (a real jupyter-server) against MlflowClient, one store.

Store: 10,000 runs x (10 params, 10 metrics with 5 steps each) in one experiment, filled by the plain MLflow
client and cached under benchmarks/.cache. The listing is then repeated on a PostgreSQL tracking store (a
throwaway server from Debian's binaries, its MLflow schema made by MLflow) holding a copy of the same rows.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from mlflow.entities import Metric, Param
from mlflow.store.tracking.dbmodels.models import (
    SqlExperiment,
    SqlLatestMetric,
    SqlMetric,
    SqlParam,
    SqlRun,
    SqlTag,
)
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
from mlflow.tracking import MlflowClient

from benchmarks.harness import Entry, entry, median_ms
from tests.deploy.postgres import PostgresServer

CACHE = Path(__file__).resolve().parent / ".cache"
RUNS, PARAMS, METRICS, STEPS = 10_000, 10, 10, 5
TOKEN = "matih-bench"


def build_store(home: Path, runs: int = RUNS) -> str:
    """Fill (once) a tracking store; returns the experiment id."""
    home.mkdir(parents=True, exist_ok=True)
    client = MlflowClient(tracking_uri=f"sqlite:///{home / 'mlflow.db'}")
    found = client.get_experiment_by_name("bench")
    if found is not None and (home / "complete").exists():
        return str(found.experiment_id)
    experiment_id = (
        found.experiment_id
        if found
        else client.create_experiment("bench", artifact_location=(home / "artifacts").as_uri())
    )
    done = len(client.search_runs([experiment_id], max_results=50_000))
    rng = random.Random(42)
    start = time.time()
    for i in range(done, runs):
        run = client.create_run(experiment_id, run_name=f"run-{i:05d}")
        now = int(time.time() * 1000)
        metrics = [Metric(f"m{k}", rng.random(), now + s, s) for k in range(METRICS) for s in range(STEPS)]
        params = [Param(f"p{k}", str(rng.randint(0, 1000))) for k in range(PARAMS)]
        client.log_batch(run.info.run_id, metrics=metrics, params=params)
        client.set_terminated(run.info.run_id)
        if i % 1000 == 999:
            print(f"  seeded {i + 1} runs ({time.time() - start:.0f} s)", flush=True)
    (home / "complete").touch()
    return str(experiment_id)


def copy_to_postgres(home: Path, url: str, experiment_id: str) -> None:
    """Copies the experiment's runs, params, metrics and tags from the SQLite store into a PostgreSQL
    database whose schema MLflow made; the same rows, so both stores answer the same queries alike."""
    SqlAlchemyStore(url, (home / "artifacts").as_uri()).engine.dispose()  # MLflow's schema and migrations
    source = sa.create_engine(f"sqlite:///{home / 'mlflow.db'}")
    target = sa.create_engine(url)
    start = time.time()
    with source.connect() as read, target.begin() as write:
        for model in (SqlExperiment, SqlRun, SqlParam, SqlMetric, SqlLatestMetric, SqlTag):
            table = model.__table__
            query = sa.select(table)
            if model is SqlExperiment:
                query = query.where(table.c.experiment_id == int(experiment_id))
            rows = read.execution_options(yield_per=20_000).execute(query)
            for batch in rows.mappings().partitions():
                write.execute(table.insert(), [dict(r) for r in batch])
    with target.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE"))
    source.dispose()
    target.dispose()
    print(f"  copied the store to PostgreSQL ({time.time() - start:.0f} s)", flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class JupyterServer:
    """A real ``jupyter server`` with the workbench extension, pointed at ``home``."""

    def __init__(self, home: Path, tracking_uri: str = "") -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}/matih/api/v1"
        env = {**os.environ, "MATIH_HOME": str(home)}
        env.pop("MLFLOW_TRACKING_URI", None)
        env.pop("MATIH_TRACKING_READ_URI", None)
        if tracking_uri:
            env["MATIH_TRACKING_URI"] = tracking_uri
        else:
            env.pop("MATIH_TRACKING_URI", None)
        self.log = open(home / "jupyter.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter",
                "server",
                "--no-browser",
                f"--port={self.port}",
                "--ServerApp.ip=127.0.0.1",
                f"--IdentityProvider.token={TOKEN}",
                "--allow-root",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                self.get("info")
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("jupyter server did not start")

    def get(self, path: str, params: list[tuple[str, str]] | None = None) -> Any:
        query = urllib.parse.urlencode(params or [])
        request = urllib.request.Request(
            f"{self.base}/{path}?{query}", headers={"Authorization": f"token {TOKEN}"}
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


QUERIES: list[tuple[str, str | None, list[str]]] = [
    ("first page, default order", None, []),
    ("first page, sorted by a metric", None, ["metrics.m0 DESC"]),
    ("first page, sorted by a param", None, ["params.p1 ASC"]),
    ("first page, metric filter", "metrics.m1 > 0.5", []),
]


def listing_entries(
    server: JupyterServer, client: MlflowClient, experiment_id: str, store: str, repeat: int, peer_repeat: int
) -> list[Entry]:
    """The first page of each query through our REST handlers and through ``client``, on one store."""
    entries: list[Entry] = []
    for name, filter_string, order_by in QUERIES:
        params = [("page_size", "100")] + [("order_by", o) for o in order_by]
        if filter_string:
            params.append(("filter", filter_string))
        path = f"experiments/{experiment_id}/runs"
        ours_ids = [r["run_id"] for r in server.get(path, params)["runs"]]
        peer_ids = [
            r.info.run_id
            for r in client.search_runs(
                [experiment_id], filter_string or "", order_by=order_by, max_results=100
            )
        ]
        ours = median_ms(lambda p=params, q=path: server.get(q, p), repeat)
        peer = median_ms(
            lambda f=filter_string, o=order_by: client.search_runs(
                [experiment_id], f or "", order_by=o, max_results=100
            ),
            peer_repeat,
        )
        same = ours_ids == peer_ids
        entries.append(
            entry(
                f"runs listing{store}: {name} (100 of {RUNS:,})",
                ours,
                peer,
                "ms median",
                "< 100 ms and same runs as MLflow",
                ours < 100 and same,
                f"identical run ids and order to MLflow: {same}",
            )
        )
        print(f"  {entries[-1].name}: ours {ours:.1f} ms, MLflow {peer:.1f} ms", flush=True)
    return entries


def postgres_entries(home: Path, experiment_id: str, repeat: int, peer_repeat: int) -> list[Entry]:
    """The same listing on a PostgreSQL copy of the store."""
    postgres = PostgresServer().start()
    try:
        url = postgres.create_database("bench")
        copy_to_postgres(home, url, experiment_id)
        pg_home = CACHE / "tracking-postgres"
        pg_home.mkdir(parents=True, exist_ok=True)
        server = JupyterServer(pg_home, tracking_uri=url)
        try:
            client = MlflowClient(tracking_uri=url)
            return listing_entries(server, client, experiment_id, " on PostgreSQL", repeat, peer_repeat)
        finally:
            server.stop()
    finally:
        postgres.stop()


def run(repeat: int = 15, peer_repeat: int = 5) -> list[Entry]:
    home = CACHE / f"tracking-{RUNS}"
    print(f"tracking store: {home}", flush=True)
    experiment_id = build_store(home)
    client = MlflowClient(tracking_uri=f"sqlite:///{home / 'mlflow.db'}")
    server = JupyterServer(home)
    entries: list[Entry] = []
    try:
        entries += listing_entries(server, client, experiment_id, "", repeat, peer_repeat)

        run_ids = [r.info.run_id for r in client.search_runs([experiment_id], max_results=20)]
        params = [("run_id", r) for r in run_ids]
        keys = [f"m{k}" for k in range(METRICS)]

        def peer_compare() -> None:
            for run_id in run_ids:
                client.get_run(run_id)
                for key in keys:
                    client.get_metric_history(run_id, key)

        ours = median_ms(lambda: server.get("comparisons", params), repeat)
        peer = median_ms(peer_compare, peer_repeat)
        entries.append(
            entry(
                "comparison of 20 runs with metric histories",
                ours,
                peer,
                "ms median",
                "< 300 ms",
                ours < 300,
                "peer: MlflowClient.get_run + get_metric_history per run and metric",
            )
        )
        print(f"  {entries[-1].name}: ours {ours:.1f} ms, MLflow {peer:.1f} ms", flush=True)
    finally:
        server.stop()
    return entries + postgres_entries(home, experiment_id, repeat, peer_repeat)
