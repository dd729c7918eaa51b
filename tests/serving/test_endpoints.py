"""Endpoints on a real Ray Serve over HTTP on 127.0.0.1, on the serving head the workbench starts as its own
process under the workspace (one per module): predictions equal the model's own, input validation, the v2
protocol through the real ``tritonclient``, traffic splits and changes under load, sticky callers, shadow,
canary rollback and promotion through the registry's governance, the inference log, outcome feedback, and
refusals that change nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import warnings
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow.pyfunc
import numpy as np
import pandas as pd
import pytest
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LinearRegression

from matih_workbench.backends.ray.serve.head import ServeHead
from matih_workbench.config import WorkbenchConfig
from matih_workbench.errors import Conflict, Forbidden, InvalidInput, NotFound
from matih_workbench.models import CanaryPolicy, Decision, DeployRequest, EventType, ModelStage
from matih_workbench.models.monitoring_api import AlertKind, AlertRuleSettings
from matih_workbench.services import Workbench
from tests.conftest import DemoRepo, free_port
from tests.serving.conftest import FEATURES, features, register_model

S = ModelStage
MODEL = "churn"
FAILING_MODEL = """
import mlflow.pyfunc
from mlflow.models import set_model


class AlwaysFails(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        raise ValueError("the candidate is broken")


set_model(AlwaysFails())
"""


def call(url: str, body: Any = None, headers: dict[str, str] | None = None, raw: bytes | None = None) -> Any:
    """(status, JSON body, headers) of a POST (or a GET without a body)."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, _json(resp.read()), resp.headers
    except urllib.error.HTTPError as exc:
        return exc.code, _json(exc.read()), exc.headers


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")  # e.g. the Serve proxy's own 404 for a removed endpoint


@dataclass
class Stack:
    home: Path
    alice: Workbench  # owner of the model
    bob: Workbench  # neither owner nor lead
    lead: Workbench
    client: MlflowClient
    train: pd.DataFrame
    models: dict[str, Any]  # version -> the fitted model
    url: str

    def records(self, n: int, seed: int = 1) -> list[dict[str, float]]:
        return features(n, seed).to_dict(orient="records")  # type: ignore[return-value]


def _failing_version(wb: Workbench, client: MlflowClient) -> int:
    with warnings.catch_warnings():  # MLflow suggests type hints on predict: beside the point here
        warnings.simplefilter("ignore", UserWarning)
        return _log_failing_version(wb, client)


def _log_failing_version(wb: Workbench, client: MlflowClient) -> int:
    experiment_id = client.get_experiment_by_name("batch-tests").experiment_id  # type: ignore[union-attr]
    run_id = client.create_run(experiment_id).info.run_id
    with tempfile.TemporaryDirectory() as tmp:
        code = Path(tmp) / "failing.py"
        code.write_text(FAILING_MODEL)
        mlflow.pyfunc.save_model(f"{tmp}/model", python_model=str(code), pip_requirements=["mlflow"])
        client.log_artifacts(run_id, f"{tmp}/model", "model")
    client.set_terminated(run_id)
    version = wb.registry.register(run_id, MODEL).version
    wb.registry.transition(MODEL, version, S.STAGING)
    return version


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, demo_repo: DemoRepo) -> Iterator[Stack]:
    """A workspace whose first deploy starts the serving head (embedded defaults but for the session's Feast
    repository), with versions 1 and 2 (healthy, Staging), 3 (raises on every call, Staging) and 4
    (Development) and endpoint ``churn`` on v1."""
    home = tmp_path_factory.mktemp("serving")
    settings = {
        "home": str(home),
        "tracking_uri": f"sqlite:///{home / 'mlflow.db'}",
        "registry_leads": ["lead"],
        "feature_repo": str(demo_repo.path),
    }
    alice, bob, lead = (
        Workbench.from_config(WorkbenchConfig(user=u, **settings)) for u in ("alice", "bob", "lead")
    )
    client = MlflowClient(settings["tracking_uri"], settings["tracking_uri"])
    train = features(300)
    target = train.tenure * 0.5 + train.spend * 0.1 - train.visits
    models = {"1": LinearRegression().fit(train, target), "2": LinearRegression().fit(train, 2 * target)}
    for version, model in models.items():
        assert register_model(alice, client, model, train, MODEL, S.STAGING) == int(version)
    assert _failing_version(alice, client) == 3
    assert register_model(alice, client, models["1"], train, MODEL, S.DEVELOPMENT) == 4
    endpoint = alice.serving.deploy(DeployRequest(model=f"{MODEL}@1"))
    yield Stack(home, alice, bob, lead, client, train, models, endpoint.url)
    ServeHead(home).stop()


@pytest.fixture
def churn(stack: Stack) -> Iterator[Stack]:
    """After each test: the ``churn`` endpoint back to v1 taking all traffic, no shadow, no rollout."""
    yield stack
    serving = stack.alice.serving
    endpoint = serving.endpoint(MODEL)
    if endpoint.canary and endpoint.canary.status in ("running", "waiting_approval"):
        serving.stop_canary(MODEL)
    for v in serving.endpoint(MODEL).versions:
        if v.shadow:
            serving.set_shadow(MODEL, v.version, False)
    live = [v.version for v in serving.endpoint(MODEL).versions]
    serving.set_traffic(MODEL, {v: 100 if v == "1" else 0 for v in live})


def _ensure_version(stack: Stack, version: str) -> None:
    if version not in [v.version for v in stack.alice.serving.endpoint(MODEL).versions]:
        stack.alice.serving.deploy(DeployRequest(model=MODEL, version=int(version), endpoint=MODEL))


def test_predictions_equal_the_models_own_in_every_accepted_form(churn: Stack) -> None:
    frame = features(5, seed=3)
    expected = churn.models["1"].predict(frame).tolist()
    records = frame.to_dict(orient="records")
    split = {"dataframe_split": json.loads(frame.to_json(orient="split", index=False))}
    for body in (records, {"dataframe_records": records}, split):
        status, answer, headers = call(churn.url, body)
        assert status == 200, answer
        assert answer["predictions"] == pytest.approx(expected) and answer["version"] == "1"
        assert headers["x-matih-version"] == "1" and answer["request_id"]
    status, one, _ = call(f"{churn.url}/predict", records[0])
    assert status == 200 and one["predictions"] == pytest.approx(expected[:1])


def test_concurrent_requests_each_get_their_own_predictions(churn: Stack) -> None:
    """Requests that arrive together are predicted in one call inside the replica: every answer is still
    exactly its own rows' predictions, and a request refused by validation fails alone."""
    frames = [features(1 + i % 3, seed=100 + i) for i in range(48)]

    def one(i: int) -> Any:
        if i % 16 == 5:
            return call(churn.url, [{"tenure": "soon"}])
        return call(churn.url, frames[i].to_dict(orient="records"))

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(one, range(len(frames))))
    for i, (status, body, _) in enumerate(answers):
        if i % 16 == 5:
            assert status == 422, body
        else:
            assert status == 200, body
            assert body["predictions"] == pytest.approx(churn.models["1"].predict(frames[i]).tolist())


def test_input_is_checked_against_the_signature_field_by_field(churn: Stack) -> None:
    good = churn.records(2)
    missing = [{k: v for k, v in r.items() if k != "spend"} for r in good]
    status, body, _ = call(churn.url, missing)
    assert status == 422 and {e["field"] for e in body["errors"]} == {"spend"}
    assert (
        all(e["message"] == "missing" for e in body["errors"]) and "tenure, spend, visits" in body["message"]
    )
    wrong = [{**good[0], "tenure": "ten"}, {**good[1], "visits": None}]
    status, body, _ = call(churn.url, wrong)
    assert status == 422
    assert {(e["row"], e["field"]) for e in body["errors"]} == {(0, "tenure"), (1, "visits")}
    for raw in (b"{not json", b"", b"[1, 2]", b'"text"'):
        status, body, _ = call(churn.url, raw=raw)
        assert status == 400 and body["message"], raw
    status, body, _ = call(f"{churn.url}/nowhere", good)
    assert status == 404
    status, health, _ = call(f"{churn.url}/health")
    assert status == 200 and health["ready"] is True and health["live"] is True
    status, ready, _ = call(f"{churn.url}/v2/health/ready")
    assert status == 200 and ready["ready"] is True


def test_tritonclient_speaks_to_the_v2_route(churn: Stack) -> None:
    import tritonclient.http as triton

    client = triton.InferenceServerClient(url=churn.url.removeprefix("http://"))
    assert client.is_server_live() and client.is_server_ready() and client.is_model_ready(MODEL)
    meta = client.get_model_metadata(MODEL)
    assert [i["name"] for i in meta["inputs"]] == FEATURES and meta["name"] == MODEL
    frame = features(7, seed=4)
    expected = churn.models["1"].predict(frame)
    for binary in (True, False):  # the client's default (binary tensors both ways), and JSON tensors
        inputs = []
        for column in FEATURES:
            tensor = triton.InferInput(column, [len(frame)], "FP64")
            tensor.set_data_from_numpy(frame[column].to_numpy(np.float64), binary_data=binary)
            inputs.append(tensor)
        outputs = None if binary else [triton.InferRequestedOutput("predictions", binary_data=False)]
        result = client.infer(MODEL, inputs, outputs=outputs)
        np.testing.assert_allclose(result.as_numpy("predictions"), expected, rtol=1e-9)
    matrix = triton.InferInput("input", [len(frame), 3], "FP64")  # one [rows, columns] tensor
    matrix.set_data_from_numpy(frame.to_numpy(np.float64))
    np.testing.assert_allclose(client.infer(MODEL, [matrix]).as_numpy("predictions"), expected, rtol=1e-9)
    bad = triton.InferInput("input", [len(frame), 2], "FP64")
    bad.set_data_from_numpy(frame.to_numpy(np.float64)[:, :2])
    with pytest.raises(triton.InferenceServerException, match="3 values"):
        client.infer(MODEL, [bad])


def test_a_split_is_observed_within_binomial_tolerance(churn: Stack) -> None:
    _ensure_version(churn, "2")
    churn.alice.serving.set_traffic(MODEL, {"1": 70, "2": 30})
    n = 400
    seen = Counter(call(churn.url, churn.records(1, seed=i))[1]["version"] for i in range(n))
    assert set(seen) == {"1", "2"}
    assert abs(seen["2"] - 0.3 * n) <= 4 * (n * 0.3 * 0.7) ** 0.5  # 4 standard deviations


def test_refused_changes_change_nothing(churn: Stack) -> None:
    _ensure_version(churn, "2")
    serving = churn.alice.serving
    before = serving.store.endpoint(MODEL).spec  # type: ignore[union-attr]
    for weights, words in (
        ({"1": 60, "2": 30}, "sum to 100"),
        ({"1": 100, "7": 0}, "Unknown"),
        ({"1": 110, "2": -10}, "0 to 100"),
        ({}, "each live version"),
    ):
        with pytest.raises(InvalidInput, match=words):
            serving.set_traffic(MODEL, weights)
    with pytest.raises(Forbidden, match="bob may not change the traffic"):
        churn.bob.serving.set_traffic(MODEL, {"1": 50, "2": 50})
    with pytest.raises(Conflict, match="in Development; deployable stages: Staging, Production"):
        serving.deploy(DeployRequest(model=MODEL, version=4, endpoint=MODEL))
    with pytest.raises(Conflict, match="already behind"):
        serving.deploy(DeployRequest(model=MODEL, version=2, endpoint=MODEL))
    with pytest.raises(Conflict, match="still takes 100%"):
        serving.undeploy(MODEL, "1")
    with pytest.raises(NotFound, match="Endpoint 'nope' not found"):
        serving.set_traffic("nope", {"1": 100})
    assert serving.store.endpoint(MODEL).spec == before  # type: ignore[union-attr]
    assert all(call(churn.url, churn.records(1, seed=i))[1]["version"] == "1" for i in range(20))


def test_traffic_moves_under_load_without_a_failed_request(churn: Stack) -> None:
    _ensure_version(churn, "2")
    failures: list[Any] = []
    versions: list[tuple[float, str]] = []
    stop = threading.Event()

    def load(seed: int) -> None:
        i = 0
        while not stop.is_set():
            status, body, _ = call(churn.url, churn.records(1, seed=seed * 10_000 + i))
            i += 1
            if status != 200:
                failures.append((status, body))
            else:
                versions.append((time.monotonic(), body["version"]))

    workers = [threading.Thread(target=load, args=(s,)) for s in range(4)]
    for w in workers:
        w.start()
    try:
        for split in ({"1": 0, "2": 100}, {"1": 50, "2": 50}, {"1": 100, "2": 0}, {"1": 0, "2": 100}):
            churn.alice.serving.set_traffic(MODEL, split)
            applied = time.monotonic()
            time.sleep(1.0)
            only = [v for v, w in split.items() if w == 100]
            if only:  # effective within a second: after it, every answer comes from the new version
                late = [v for t, v in versions if t > applied + 0.05]
                assert late and set(late) == set(only), (split, Counter(late))
    finally:
        stop.set()
        for w in workers:
            w.join()
    assert not failures and len(versions) > 40


def test_sticky_callers_keep_their_version(churn: Stack) -> None:
    _ensure_version(churn, "2")
    churn.alice.serving.set_traffic(MODEL, {"1": 50, "2": 50})
    for key in ("customer-1", "customer-2", "customer-3", "customer-4"):
        got = {
            call(churn.url, churn.records(1, seed=i), {"x-matih-sticky": key})[1]["version"] for i in range(8)
        }
        assert len(got) == 1, key


def test_shadow_gets_a_copy_and_is_never_returned(churn: Stack) -> None:
    _ensure_version(churn, "2")
    serving = churn.alice.serving
    endpoint = serving.set_shadow(MODEL, "2", True)
    assert [(v.version, v.shadow) for v in endpoint.versions if v.version in ("1", "2")] == [
        ("1", False),
        ("2", True),
    ]
    before = serving.stats(MODEL).versions.get("2")
    answers = [call(churn.url, churn.records(1, seed=i))[1] for i in range(30)]
    assert {a["version"] for a in answers} == {"1"}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        shadow = serving.stats(MODEL).versions["2"]
        if shadow.shadow_compared - (before.shadow_compared if before else 0) >= 30:
            break
        time.sleep(0.2)
    assert shadow.shadow_compared - (before.shadow_compared if before else 0) >= 30
    assert shadow.shadow_agreed == (
        before.shadow_agreed if before else 0
    )  # v2 answers twice v1: never agrees
    assert shadow.p50_ms is not None
    with pytest.raises(Conflict, match="takes 100% of live traffic"):
        serving.set_shadow(MODEL, "1", True)
    kinds = [e.type for e in serving.events.list(limit=1000).events]
    assert EventType.SHADOW_STARTED in kinds


def test_inference_log_holds_every_request(churn: Stack) -> None:
    marker = f"log-{time.time_ns()}"
    n = 57
    for i in range(n):
        call(churn.url, churn.records(1, seed=i), {"x-request-id": f"{marker}-{i}"})
    root = churn.home / "inference" / MODEL
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        frame = pd.concat([pd.read_parquet(p) for p in root.rglob("*.parquet")], ignore_index=True)
        mine = frame[frame.request_id.str.startswith(marker) & (frame.role == "live")]
        if len(mine) == n:
            break
        time.sleep(0.3)
    assert sorted(mine.request_id) == sorted(f"{marker}-{i}" for i in range(n))
    assert set(mine.version) == {"1"} and (mine.status == 200).all() and (mine.latency_ms > 0).all()
    first = mine[mine.request_id == f"{marker}-0"].iloc[0]
    assert json.loads(first.inputs) == churn.records(1, seed=0)
    assert json.loads(first.outputs) == pytest.approx(churn.models["1"].predict(features(1, 0)).tolist())
    log = churn.alice.serving.stats(MODEL).log
    assert log is not None and log["dropped"] == 0 and log["failed"] == 0


def test_monitoring_reads_the_live_endpoints_log_and_alerts_on_drifted_inputs(churn: Stack) -> None:
    """#11 end to end: requests to the live Serve endpoint land in its inference log; the drift check of a
    window of that log against v1's baseline finds the moved feature and raises the alert."""
    monitoring = churn.alice.monitoring
    monitoring.baselines.capture(MODEL, 1, churn.train)
    monitoring.alerts.set_rules(MODEL, AlertRuleSettings(features=["spend"], min_rows=20))
    started = time.time()
    for i in range(30):  # 600 records whose spend moved far above training's
        moved = features(20, seed=1000 + i).assign(spend=lambda f: f.spend + 150)
        status, body, _ = call(churn.url, moved.to_dict(orient="records"))
        assert status == 200, body
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the replica's log writer flushes in the background
        report = monitoring.drift.drift(MODEL, start=started - 1, end=time.time() + 1, version=1)
        if report.drift.current_rows >= 600:
            break
        time.sleep(0.5)
    assert report.drift.current_rows == 600 and report.requests == 30
    spend = report.drift.feature("spend")
    assert spend is not None and spend.drifted and report.drift.features[0].feature == "spend"
    assert [f.feature for f in report.drift.features if f.drifted] == ["spend"]
    outcome = monitoring.alerts.check(MODEL, now=time.time() + 1)
    assert AlertKind.DRIFT in outcome.breaches
    alert = next(a for a in outcome.alerts if a.kind is AlertKind.DRIFT)
    assert alert.evidence["watched_features"] == ["spend"] and alert.version == 1
    monitoring.alerts.set_rules(MODEL, AlertRuleSettings(enabled=False))


def test_canary_of_a_failing_candidate_is_rolled_back(churn: Stack) -> None:
    _ensure_version(churn, "3")
    serving = churn.alice.serving
    policy = CanaryPolicy(
        version="3", steps=[50, 100], min_requests=5, min_seconds=0, rollback_min_requests=5
    )
    endpoint = serving.start_canary(MODEL, policy)
    assert {v.version: v.weight for v in endpoint.versions}["3"] == 50
    statuses = Counter(call(churn.url, churn.records(1, seed=i))[0] for i in range(40))
    assert statuses[500] > 0 and statuses[200] > 0  # the candidate's failures reach callers until rollback
    assert serving.tick() == [f"{MODEL}: rolled back (" + serving.endpoint(MODEL).canary.reason + ")"]  # type: ignore[union-attr]
    endpoint = serving.endpoint(MODEL)
    assert (
        endpoint.canary
        and endpoint.canary.status == "rolled_back"
        and "error rate" in (endpoint.canary.reason or "")
    )
    assert {v.version: v.weight for v in endpoint.versions}["3"] == 0
    assert all(call(churn.url, churn.records(1, seed=i))[0] == 200 for i in range(20))
    assert EventType.CANARY_ROLLED_BACK in [e.type for e in serving.events.list(limit=1000).events]


def test_healthy_canary_waits_for_approval_then_is_promoted(churn: Stack) -> None:
    _ensure_version(churn, "2")
    serving = churn.alice.serving
    policy = CanaryPolicy(version="2", steps=[10, 50, 100], min_requests=10, min_seconds=0)
    serving.start_canary(MODEL, policy)
    for _ in range(2):  # 10% -> 50%, then 50% -> the registry: Production needs a lead's approval
        deadline = time.monotonic() + 60
        n = 0
        while not serving.tick() and time.monotonic() < deadline:
            for i in range(20):
                call(churn.url, churn.records(1, seed=n + i))
            n += 20
    endpoint = serving.endpoint(MODEL)
    assert endpoint.canary and endpoint.canary.status == "waiting_approval" and endpoint.canary.request_id
    weights = {v.version: v.weight for v in endpoint.versions}
    assert (weights["1"], weights["2"]) == (50, 50)
    assert serving.tick() == []  # still waiting
    churn.lead.registry.decide(endpoint.canary.request_id, Decision(decision="approve", comment="canary ok"))
    assert serving.tick() == [f"{MODEL}: promoted"]
    endpoint = serving.endpoint(MODEL)
    assert endpoint.canary and endpoint.canary.status == "promoted"
    assert {v.version: (v.weight, v.stage) for v in endpoint.versions}["2"] == (100, "Production")
    kinds = [e.type for e in serving.events.list(limit=1000).events]
    assert EventType.CANARY_WAITING_APPROVAL in kinds and EventType.CANARY_PROMOTED in kinds
    lineage = churn.alice.lineage.version_lineage(MODEL, 2)
    assert any(d.type == "MODEL_DEPLOYED" for d in lineage.deployments)
    assert any(n.kind == "deployment" and "endpoint 'churn'" in n.label for n in lineage.nodes)


def test_outcome_feedback_is_joined_to_versions_with_an_always_valid_test(churn: Stack) -> None:
    _ensure_version(churn, "2")
    serving = churn.alice.serving
    serving.set_traffic(MODEL, {"1": 50, "2": 50})
    rng = np.random.default_rng(0)
    feedback = []
    for i in range(300):
        _, body, _ = call(churn.url, churn.records(1, seed=i), {"x-request-id": f"fb-{time.time_ns()}-{i}"})
        mean = 0.2 if body["version"] == "1" else 0.7  # a 0.5 gap: the always-valid test decides in 300
        feedback.append({"request_id": body["request_id"], "outcome": float(rng.random() < mean)})
    status, accepted, _ = call(f"{churn.url}/feedback", feedback)
    assert status == 200 and accepted["accepted"] == 300
    status, unknown, _ = call(f"{churn.url}/feedback", {"request_id": "never-sent", "outcome": 1})
    assert status == 404 and "never-sent" in unknown["message"]
    comparisons = serving.stats(MODEL).comparisons
    assert len(comparisons) == 1
    result = comparisons[0]
    assert result.difference is not None and result.difference > 0.15 and result.significant
    assert result.p_value is not None and result.p_value < 0.05 and result.ci95 is not None


def test_a_version_trained_on_a_feature_service_is_sent_entity_keys_only(stack: Stack) -> None:
    wb, client = stack.alice, stack.client
    job = wb.features.wait(wb.features.materialize().id)
    assert job.status == "SUCCEEDED", job.error
    now = pd.Timestamp.now("UTC").floor("h")
    entities = pd.DataFrame(
        {
            "driver_id": [1001, 1002, 1003, 1004] * 10,
            "event_timestamp": [now - pd.Timedelta(hours=h) for h in range(40)],
        }
    )
    training = wb.features.training_set("driver_activity", entities)
    columns = ["conv_rate", "avg_daily_trips", "rating"]
    train = training.frame[columns]
    model = LinearRegression().fit(train, train.conv_rate * 2 + train.rating)
    run_id = client.create_run(client.get_experiment_by_name("batch-tests").experiment_id).info.run_id  # type: ignore[union-attr]
    wb.features.log_training_set(run_id, training)  # the lineage the replica reads back
    with tempfile.TemporaryDirectory() as tmp:
        signature = infer_signature(train, model.predict(train))
        mlflow.sklearn.save_model(
            model, f"{tmp}/model", signature=signature, pip_requirements=["scikit-learn"]
        )
        client.log_artifacts(run_id, f"{tmp}/model", "model")
    client.set_terminated(run_id)
    version = wb.registry.register(run_id, "driver-model").version
    wb.registry.transition("driver-model", version, S.STAGING)
    url = wb.serving.deploy(DeployRequest(model="driver-model@staging", endpoint="drivers")).url
    try:
        keys = [{"driver_id": 1001}, {"driver_id": 1003}]
        status, body, _ = call(url, keys)
        assert status == 200, body
        online = wb.features.online_features("driver_activity", keys, columns)
        assert body["predictions"] == pytest.approx(model.predict(online).tolist())
        inline = {"driver_id": 1001, "rating": 1.0}  # a feature sent inline wins over the store's
        expected = model.predict(online.iloc[:1].assign(rating=1.0))
        assert call(url, [inline])[1]["predictions"] == pytest.approx(expected.tolist())
        status, body, _ = call(url, [{"driver_id": 424242}])
        assert status == 404 and "driver_id=424242" in body["message"], body
        status, body, _ = call(url, [{"rating": 4.0}])
        assert status == 422 and "driver_id" in body["message"], body
    finally:
        wb.serving.undeploy("drivers")


def test_a_version_served_by_an_external_triton_server_then_undeployed(stack: Stack) -> None:
    """``churn-temp`` routes version 1 through ``tritonclient`` to a v2 server: here our own ``churn``
    endpoint (a real v2 server; no Triton server installs on this machine)."""
    serving = stack.alice.serving
    triton_url = serving.endpoint(MODEL).url.removeprefix("http://")
    request = DeployRequest(model=MODEL, version=1, endpoint="churn-temp", triton_url=triton_url)
    endpoint = serving.deploy(request)
    assert endpoint.versions[0].served_by == triton_url
    url = endpoint.url
    frame = features(4, seed=8)
    status, body, _ = call(url, frame.to_dict(orient="records"))
    assert status == 200, body
    assert body["predictions"] == pytest.approx(stack.models["1"].predict(frame).tolist())
    assert serving.stats(MODEL).versions["1"].requests > 0
    with pytest.raises(Forbidden):
        stack.bob.serving.undeploy("churn-temp")
    remaining = serving.undeploy("churn-temp")
    assert "churn-temp" not in [e.name for e in remaining.endpoints]
    assert "churn-temp" not in serving.server.statuses()
    assert call(url, stack.records(1))[0] == 404
    assert call(stack.url, stack.records(1))[0] == 200  # the other endpoint is untouched
    kinds = [(e.type, e.payload.get("endpoint")) for e in serving.events.list(limit=1000).events]
    assert (EventType.MODEL_UNDEPLOYED, "churn-temp") in kinds


def test_xgboost_and_pytorch_versions_serve_what_they_predict(stack: Stack) -> None:
    import mlflow.pytorch
    import mlflow.xgboost
    import torch
    import xgboost

    from tests.serving.conftest import promote

    train = stack.train.astype("float32")
    target = (train.tenure * 0.5 - train.visits).to_numpy()
    booster = xgboost.XGBRegressor(n_estimators=8, max_depth=3).fit(train, target)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1)).eval()
    with torch.no_grad():
        net_out = net(torch.from_numpy(train.to_numpy())).numpy()
    experiment_id = stack.client.get_experiment_by_name("batch-tests").experiment_id  # type: ignore[union-attr]
    logged = {
        "churn-xgb": lambda: mlflow.xgboost.log_model(
            booster, name="model", signature=infer_signature(train, booster.predict(train)),
            pip_requirements=["xgboost"],
        ),
        "churn-torch": lambda: mlflow.pytorch.log_model(
            net, name="model", signature=infer_signature(train, net_out), pip_requirements=["torch"],
            serialization_format="pickle",
        ),
    }  # fmt: skip
    mlflow.set_tracking_uri(stack.alice.config.tracking_uri)
    for name, log in logged.items():
        with mlflow.start_run(experiment_id=experiment_id) as run:
            log()
        version = stack.alice.registry.register(run.info.run_id, name).version
        promote(stack.alice, name, version, S.STAGING)
        endpoint = stack.alice.serving.deploy(DeployRequest(model=f"{name}@staging"))
        frame = features(6, seed=9).astype("float32")
        status, answer, _ = call(endpoint.url, frame.to_dict(orient="records"))
        assert status == 200, answer
        if name == "churn-xgb":
            expected = booster.predict(frame)
        else:
            with torch.no_grad():
                expected = net(torch.from_numpy(frame.to_numpy())).numpy()[:, 0]
        np.testing.assert_allclose(
            np.asarray(answer["predictions"], dtype=float).ravel(), expected, rtol=1e-5
        )
        stack.alice.serving.undeploy(name)


def _jupyter_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "jupyter", "server", "--no-browser", f"--port={port}"]
    cmd += ["--ServerApp.token=tok", "--ServerApp.allow_root=True", f"--ServerApp.root_dir={log.parent}"]
    with open(log, "ab") as out:
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)


def _endpoints_via_server(port: int, timeout: float = 120) -> dict[str, str]:
    """{endpoint: status} as the restarted Jupyter server's REST API lists them."""
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/matih/api/v1/endpoints"
    while True:
        try:
            req = urllib.request.Request(url, headers={"Authorization": "token tok"})
            with urllib.request.urlopen(req, timeout=10) as resp:
                return {e["name"]: e["status"] for e in json.loads(resp.read())["endpoints"]}
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_endpoints_outlive_kernel_and_server_restarts_and_undeploy_cleans_up(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kernel deploys (with an API key), is restarted; a Jupyter server is restarted; the endpoint answers
    throughout and both find it again; ``%matih undeploy`` from the new kernel removes it."""
    from jupyter_client.manager import start_new_kernel

    env = {"MATIH_HOME": str(stack.home), "MATIH_TRACKING_URI": stack.alice.config.tracking_uri,
           "MATIH_USER": "alice", "MATIH_SERVING_API_KEY": "s3cret", "RAY_AUTH_MODE": "disabled"}  # fmt: skip
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    km, kc = start_new_kernel(kernel_name="python3")
    key = {"Authorization": "Bearer s3cret"}
    try:
        reply = kc.execute_interactive(
            "%load_ext matih_workbench\n_ = %matih deploy churn --version 1 --name churn-kernel", timeout=300
        )
        assert reply["content"]["status"] == "ok", reply["content"]
        url = stack.alice.serving.endpoint("churn-kernel").url
        assert call(url, stack.records(1))[0] == 401  # the API key is required
        assert call(url, stack.records(1), {"Authorization": "Bearer wrong"})[0] == 401
        assert call(url, stack.records(1), key)[0] == 200
        km.restart_kernel(now=True)
        kc.wait_for_ready(timeout=60)
        assert call(url, stack.records(1), key)[0] == 200  # the kernel that deployed it is gone
        port = free_port()
        server = _jupyter_server(dict(os.environ), port, stack.home / "jupyter.log")
        try:
            assert _endpoints_via_server(port)["churn-kernel"] == "RUNNING"
        finally:
            server.terminate()
            server.wait(timeout=30)
        assert call(url, stack.records(1), key)[0] == 200  # and so is the server
        server = _jupyter_server(dict(os.environ), port, stack.home / "jupyter.log")
        try:
            assert _endpoints_via_server(port)["churn-kernel"] == "RUNNING"
        finally:
            server.terminate()
            server.wait(timeout=30)
        outputs: list[str] = []
        for line in ("%load_ext matih_workbench", "%matih deployments", "%matih undeploy churn-kernel"):
            reply = kc.execute_interactive(
                line,
                timeout=120,
                output_hook=lambda msg: outputs.append(
                    str(msg["content"].get("data", {}).get("text/plain", ""))
                ),
            )
            assert reply["content"]["status"] == "ok", reply["content"]
        assert any(
            "churn-kernel" in text and "RUNNING" in text for text in outputs
        )  # the new kernel lists it
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert "churn-kernel" not in stack.alice.serving.server.statuses()
    assert call(url, stack.records(1), key)[0] == 404
    assert "churn-kernel" not in [e.name for e in stack.alice.serving.endpoints().endpoints]
