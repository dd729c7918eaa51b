"""Feast inside the workbench, against Feast alone on the same data in the same run.

Training set: a generated Feast repository (Parquet files under the file offline store, SQLite online store)
with two entities and four feature views of five features each (20 features), and an entity DataFrame of
1,000,000 rows with event timestamps. Ours is ``FeaturesService.training_set`` (what ``%%matih train
--features`` runs: the point-in-time join plus the order, duplicate and TTL handling and the lineage); the
peer is ``FeatureStore.get_historical_features(...).to_df()`` called directly. The two alternate, repeated;
medians reported.

Online fetch in a served request: a version trained on the feature service, deployed on the Ray Serve head;
the same single-record requests carry the entity keys only (the replica completes them from the SQLite online
store) or every feature inline: p50 / p99 of both and the added latency.

    python -m benchmarks features                       # 1,000,000 entity rows
    MATIH_BENCH_FEATURE_ROWS=100000 python -m benchmarks features
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import mlflow
import mlflow.sklearn
import numpy as np
import pandas as pd
from mlflow.models import infer_signature
from sklearn.linear_model import LinearRegression

from benchmarks.harness import Entry, entry
from matih_workbench.backends.feast.repo import RepoSettings
from matih_workbench.backends.feast.store import FeastStore
from matih_workbench.backends.ray.serve.head import ServeHead
from matih_workbench.config import WorkbenchConfig
from matih_workbench.models import DeployRequest, ModelStage
from matih_workbench.services import Workbench

ROWS = 1_000_000
ENTITIES = 5_000  # per entity type
HOURS = 4  # hourly rows per entity in every view's source; entity rows fall in the last 3 hours
# (Feast's file store joins each entity row with every source row of its entity, then filters: its time
# grows with entity rows x source rows per entity)
REPEAT = 3  # per side, alternating (Feast alone takes 0.5 to 1.5 min at 1,000,000 rows on 2 busy cores)
REQUESTS = 1000  # per side, after a warm-up
SERVICE = "bench_service"
VIEWS = {  # view -> (entity, join key)
    "driver_stats": ("driver", "driver_id"),
    "driver_quality": ("driver", "driver_id"),
    "customer_stats": ("customer", "customer_id"),
    "customer_profile": ("customer", "customer_id"),
}
PER_VIEW = 5

DEFINITIONS = '''"""Benchmark repository: two entities, four views of five features, one service of all 20."""
from datetime import timedelta

from feast import Entity, FeatureService, FeatureView, Field, FileSource, ValueType
from feast.types import Float64

driver = Entity(name="driver", join_keys=["driver_id"], value_type=ValueType.INT64)
customer = Entity(name="customer", join_keys=["customer_id"], value_type=ValueType.INT64)
ENTITIES = {{"driver": driver, "customer": customer}}
VIEWS = {views!r}


def view(name, entity):
    return FeatureView(
        name=name,
        entities=[ENTITIES[entity]],
        ttl=timedelta(days=3),
        schema=[Field(name=f"{{name}}_{{i}}", dtype=Float64) for i in range({per_view})],
        online=True,
        source=FileSource(name=f"{{name}}_source", path=f"data/{{name}}.parquet", timestamp_field="ts"),
    )


{assignments}
bench_service = FeatureService(name="{service}", features=[{names}])
'''

YAML = """project: matih_bench
provider: local
registry: data/registry.db
online_store:
    type: sqlite
    path: data/online_store.db
offline_store:
    type: file
entity_key_serialization_version: 3
auth:
    type: no_auth
"""


def write_repo(path: Path, end: dt.datetime) -> None:
    """The repository's definitions and each view's Parquet source (``HOURS`` hourly rows per entity)."""
    (path / "data").mkdir(parents=True, exist_ok=True)
    (path / "feature_store.yaml").write_text(YAML)
    views = {name: list(spec) for name, spec in VIEWS.items()}
    (path / "definitions.py").write_text(
        DEFINITIONS.format(
            views=views,
            per_view=PER_VIEW,
            service=SERVICE,
            # module-level names: the repository loader (like ``feast apply``) collects those
            assignments="\n".join(f"{n} = view({n!r}, {e!r})" for n, (e, _) in VIEWS.items()),
            names=", ".join(VIEWS),
        )
    )
    hours = pd.date_range(end=end, periods=HOURS, freq="h", tz="UTC")
    for n, (name, (_, key)) in enumerate(VIEWS.items()):
        rng = np.random.default_rng(n)
        rows = ENTITIES * HOURS
        frame = pd.DataFrame(
            {key: np.repeat(np.arange(ENTITIES, dtype="int64"), HOURS), "ts": np.tile(hours, ENTITIES)}
        )
        for i in range(PER_VIEW):
            frame[f"{name}_{i}"] = rng.normal(i, 1.0, rows)
        frame.to_parquet(path / "data" / f"{name}.parquet", index=False)


def entity_rows(rows: int, end: dt.datetime, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    seconds = rng.integers(0, (HOURS - 1) * 3600, rows)
    return pd.DataFrame(
        {
            "driver_id": rng.integers(0, ENTITIES, rows),
            "customer_id": rng.integers(0, ENTITIES, rows),
            "event_timestamp": pd.Timestamp(end) - pd.to_timedelta(seconds, unit="s"),
        }
    )


def _timed(fn: Any) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def training_set(wb: Workbench, repo: Path, end: dt.datetime, rows: int) -> list[Entry]:
    entities = entity_rows(rows, end)
    ours_store = wb.features.store
    peer = FeastStore(RepoSettings(repo=str(repo), demo_folder=repo)).store  # Feast's own FeatureStore
    service = peer.get_feature_service(SERVICE)

    def feast_alone() -> pd.DataFrame:
        return peer.get_historical_features(entity_df=entities, features=service).to_df()

    def workbench() -> Any:
        return wb.features.training_set(SERVICE, entities)

    assert ours_store.describe().project == "matih_bench"
    small = entities.head(10_000)  # warm-up, untimed: imports, registry caches, dask's first graph
    wb.features.training_set(SERVICE, small)
    peer.get_historical_features(entity_df=small, features=service).to_df()
    ours_s: list[float] = []
    peer_s: list[float] = []
    for i in range(REPEAT):  # alternated, ours first on even rounds
        order = [(ours_s, workbench), (peer_s, feast_alone)]
        for samples, fn in order if i % 2 == 0 else order[::-1]:
            seconds, result = _timed(fn)
            samples.append(seconds)
            del result
    ours, theirs = statistics.median(ours_s), statistics.median(peer_s)
    built = wb.features.training_set(SERVICE, entities.head(1000))
    width = len(built.lineage.feature_columns)
    overhead = ours / theirs - 1
    notes = (
        f"{rows:,} entity rows x {width} features (4 views, 2 entities, {ENTITIES:,} entities each, "
        f"{HOURS} hourly rows per entity); medians of {REPEAT} alternated runs, ours "
        f"{[round(s, 2) for s in ours_s]} s, Feast {[round(s, 2) for s in peer_s]} s; "
        f"overhead {overhead:+.1%}"
    )
    return [
        entry(
            f"features: training set {rows:,} x {width} vs get_historical_features().to_df()",
            ours,
            theirs,
            "s",
            "overhead < 5% over Feast's historical retrieval",
            overhead < 0.05,
            notes,
        )
    ]


def _deploy_feature_model(wb: Workbench, end: dt.datetime) -> tuple[str, list[str]]:
    job = wb.features.wait(wb.features.materialize().id)
    if job.status != "SUCCEEDED":
        raise RuntimeError(f"materialization failed: {job.error}")
    built = wb.features.training_set(SERVICE, entity_rows(2000, end, seed=3))
    columns = built.lineage.feature_columns
    train = built.features
    model = LinearRegression().fit(train, train.sum(axis=1))
    client = mlflow.MlflowClient(wb.config.tracking_uri, wb.config.tracking_uri)
    experiment = client.create_experiment("bench-features")
    run_id = client.create_run(experiment).info.run_id
    wb.features.log_training_set(run_id, built)
    with tempfile.TemporaryDirectory() as tmp:
        signature = infer_signature(train, model.predict(train))
        mlflow.sklearn.save_model(
            model, f"{tmp}/model", signature=signature, pip_requirements=["scikit-learn"]
        )
        client.log_artifacts(run_id, f"{tmp}/model", "model")
    client.set_terminated(run_id)
    version = wb.registry.register(run_id, "bench-features").version
    wb.registry.transition("bench-features", version, ModelStage.STAGING)
    url = wb.serving.deploy(DeployRequest(model="bench-features@staging", endpoint="bench-features")).url
    return url, columns


async def _latencies(url: str, bodies: list[list[dict[str, Any]]]) -> list[float]:
    import aiohttp

    samples: list[float] = []
    async with aiohttp.ClientSession() as session:
        for body in bodies:
            start = time.perf_counter()
            async with session.post(url, json=body) as resp:
                await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"{resp.status}: {await resp.text()}")
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def online_fetch(wb: Workbench, end: dt.datetime) -> list[Entry]:
    url, columns = _deploy_feature_model(wb, end)
    keys = entity_rows(REQUESTS, end, seed=11)[["driver_id", "customer_id"]].astype(int)
    key_bodies = [[{"driver_id": int(d), "customer_id": int(c)}] for d, c in keys.itertuples(index=False)]
    values = wb.features.online_features(SERVICE, [b[0] for b in key_bodies], columns)
    inline_bodies = [
        [{**key[0], **{c: float(v) for c, v in zip(columns, row, strict=True)}}]
        for key, row in zip(key_bodies, values.itertuples(index=False), strict=True)
    ]
    asyncio.run(_latencies(url, (key_bodies + inline_bodies)[:: max(1, REQUESTS // 100)]))  # warm-up
    keyed: list[float] = []
    inline: list[float] = []
    block = 100
    for start in range(0, REQUESTS, block):  # alternated blocks: a passing load spike hits both alike
        keyed += asyncio.run(_latencies(url, key_bodies[start : start + block]))
        inline += asyncio.run(_latencies(url, inline_bodies[start : start + block]))
    p50, p50_inline = float(np.percentile(keyed, 50)), float(np.percentile(inline, 50))
    p99, p99_inline = float(np.percentile(keyed, 99)), float(np.percentile(inline, 99))
    added = p50 - p50_inline
    notes = (
        f"{REQUESTS} single-record requests each way, concurrency 1, {len(columns)} features from "
        f"4 views on the SQLite online store; added at p50 {added:+.2f} ms, at p99 {p99 - p99_inline:+.2f} ms"
    )
    return [
        entry("features: served request p50, entity keys only vs features inline", p50, p50_inline, "ms",
              "online fetch adds < 5 ms at p50", added < 5.0, notes),
        entry("features: served request p99, entity keys only vs features inline", p99, p99_inline, "ms",
              "-", True),
    ]  # fmt: skip


def run(rows: int | None = None) -> list[Entry]:
    rows = rows or int(os.environ.get("MATIH_BENCH_FEATURE_ROWS", ROWS))
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    home = Path(tempfile.mkdtemp(prefix="matih-bench-features-"))
    repo = home / "repo"
    end = pd.Timestamp.now("UTC").floor("h").to_pydatetime()
    write_repo(repo, end)
    config = WorkbenchConfig(
        home=str(home), tracking_uri=f"sqlite:///{home / 'mlflow.db'}", feature_repo=str(repo)
    )
    wb = Workbench.from_config(config)
    wb.features.apply()
    head = ServeHead(home)
    try:
        entries = online_fetch(wb, end)  # first: the serving head is the part a busy machine may refuse
    finally:
        head.stop()
    for e in entries:
        print(f"  {e.name}: ours {e.ours} {e.unit}, peer {e.peer}; {e.notes}", flush=True)
    return entries + training_set(wb, repo, end, rows)


if __name__ == "__main__":
    for e in run():
        print(f"{e.name}: ours {e.ours} {e.unit}, peer {e.peer} (x{e.ratio}); met {e.met}\n  {e.notes}")
