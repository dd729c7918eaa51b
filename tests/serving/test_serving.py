"""Serving at each seam without a model server: the service over its store, the routes' refusals (4xx JSON,
nothing changed), the magics' usage errors. Endpoints on a real Ray Serve are in test_endpoints.py."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LinearRegression
from tornado.httpclient import HTTPClientError

from matih_workbench.backends.stores.deployments import DeploymentStore, EndpointRow
from matih_workbench.errors import Conflict, InvalidInput
from matih_workbench.models import DeployRequest, ModelStage, TritonExportRequest
from matih_workbench.services import Workbench
from matih_workbench.widgets.serving import DeploymentTable, EndpointsTable, TrafficSliders
from tests.serving.conftest import features, register_model


def _record_endpoint(home: Path, name: str, versions: dict[str, int], at: float, by: str = "ana") -> None:
    """An endpoint row as the serving service writes it after Ray Serve ran its spec."""
    routes = [{"version": v, "weight": w, "shadow": False} for v, w in versions.items()]
    spec = {"name": name, "model": "churn", "routes": routes, "tracking_uri": "sqlite://", "generation": 1}
    DeploymentStore(home / "deployments.db").save(
        EndpointRow(
            name=name,
            model="churn",
            spec=spec,
            deployed={v: {"by": by, "at": at} for v in versions},
            canary=None,
            admin_token="t",
            server="ray-serve",
            url=f"http://127.0.0.1:8000/{name}",
            created_by=by,
            created_at=at,
            updated_at=at,
        )
    )


def test_no_deployments_is_an_empty_list(workbench: Workbench) -> None:
    assert workbench.serving.deployments().deployments == []
    assert workbench.serving.endpoints().endpoints == []


def test_deployments_are_read_from_the_workspace_store_most_recent_first(
    workbench: Workbench, matih_home: Path
) -> None:
    _record_endpoint(matih_home, "churn-a", {"1": 100}, at=1000.0)
    _record_endpoint(matih_home, "churn-b", {"2": 80, "3": 20}, at=2000.0)
    listed = workbench.serving.deployments().deployments
    assert [(d.endpoint, d.version, d.traffic) for d in listed] == [
        ("churn-b", "2", 80),
        ("churn-b", "3", 20),
        ("churn-a", "1", 100),
    ]
    assert listed[0].url == "http://127.0.0.1:8000/churn-b" and listed[0].deployed_by == "ana"
    endpoints = workbench.serving.endpoints().endpoints
    assert [e.name for e in endpoints] == ["churn-b", "churn-a"]
    assert endpoints[0].status == "UNKNOWN"  # no serving head runs: the store still answers


def test_traffic_refusals_change_nothing(
    workbench: Workbench, matih_home: Path, client: MlflowClient
) -> None:
    train = features(50)
    register_model(workbench, client, LinearRegression().fit(train, train.tenure), train)
    _record_endpoint(matih_home, "churn", {"1": 100, "2": 0}, at=time.time(), by=workbench.config.user)
    before = workbench.serving.store.endpoint("churn")
    for weights in ({"1": 90}, {"1": 50, "2": 40}, {"1": 100, "9": 0}, {"1": 101, "2": -1}):
        with pytest.raises(InvalidInput, match=r"sum to 100|Unknown|0 to 100"):
            workbench.serving.set_traffic("churn", weights)
    assert workbench.serving.store.endpoint("churn") == before


async def test_routes_answer_4xx_json_and_change_nothing(jp_fetch: Any, matih_home: Path) -> None:
    async def refused(method: str, *path: str, body: Any = None, **params: str) -> tuple[int, dict[str, Any]]:
        kwargs: dict[str, Any] = {"method": method, "params": params}
        if body is not None:
            kwargs["body"] = body if isinstance(body, str) else json.dumps(body)
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch("matih", "api", "v1", *path, **kwargs)
        assert info.value.response is not None
        return info.value.code, json.loads(info.value.response.body)

    code, body = await refused("PUT", "endpoints", "nope", "traffic", body={"weights": {"1": 100}})
    assert code == 404 and "Endpoint 'nope' not found" in body["message"]
    code, body = await refused("PUT", "endpoints", "nope", "traffic", body="{not json")
    assert code == 400 and "not valid JSON" in body["message"]
    code, body = await refused("PUT", "endpoints", "nope", "traffic", body={"weights": {"1": "lots"}})
    assert code == 400 and "weights" in body["message"]
    code, body = await refused("POST", "endpoints", body={"model": "churn", "endpoint": "Bad Name!"})
    assert code == 400 and "endpoint" in body["message"]
    code, body = await refused("POST", "endpoints", body={"model": "no-such-model@production"})
    assert code == 404 and "no-such-model" in body["message"]
    code, body = await refused("POST", "endpoints", "x", "canary", body={"version": "2", "steps": [5, 200]})
    assert code == 400
    code, body = await refused("GET", "endpoints", "x", "stats", since="yesterday")
    assert code == 400 and "since" in body["message"]
    response = await jp_fetch("matih", "api", "v1", "endpoints", method="GET")
    assert json.loads(response.body) == {"endpoints": []}


def test_development_versions_are_not_deployed(workbench: Workbench, client: MlflowClient) -> None:
    train = features(50)
    register_model(
        workbench, client, LinearRegression().fit(train, train.tenure), train, stage=ModelStage.DEVELOPMENT
    )
    with pytest.raises(Conflict, match="in Development; deployable stages: Staging, Production"):
        workbench.serving.deploy(DeployRequest(model="churn", version=1))
    assert workbench.serving.endpoints().endpoints == []


def test_magics_list_and_refuse_bad_arguments(shell: InteractiveShell, matih_home: Path) -> None:
    help_text = shell.run_line_magic("matih", "--help").text
    for name in ("deploy", "undeploy", "deployments", "endpoint", "traffic", "shadow", "canary"):
        assert f"  {name} " in help_text
    empty = shell.run_line_magic("matih", "deployments")
    assert isinstance(empty, EndpointsTable) and empty.to_pandas().empty
    _record_endpoint(matih_home, "churn-a", {"3": 100}, at=1000.0)
    table = shell.run_line_magic("matih", "deployments --versions")
    assert isinstance(table, DeploymentTable)
    assert table.to_pandas()[["endpoint", "version", "traffic %"]].values.tolist() == [["churn-a", "3", 100]]
    for line, words in (
        ("traffic churn-a --set 3=lots", "VERSION=PERCENT"),
        ("traffic churn-a --set 3=90", "Model 'churn' not found"),
        ("canary churn-a", "--version"),
        ("canary churn-a --version 3 --steps 5,x", "--steps"),
        ("deploy churn --name 'Bad Name'", "--endpoint"),
        ("deploy", "required"),
        ("endpoint nope", "Endpoint 'nope' not found"),
    ):
        with pytest.raises(UsageError, match=words):
            shell.run_line_magic("matih", line)


def test_a_version_is_exported_for_triton_into_the_artifact_root(
    workbench: Workbench, client: MlflowClient, shell: InteractiveShell
) -> None:
    train = features(60)
    model = LinearRegression().fit(train, train.tenure)
    register_model(workbench, client, model, train, stage=ModelStage.STAGING)
    done = workbench.serving.export_triton(TritonExportRequest(model="churn@staging"))
    folder = Path(done.where.removeprefix("file://"))
    assert folder.name == "churn" and (folder / "1" / "model.onnx").is_file()
    assert 'platform: "onnxruntime_onnx"' in (folder / "config.pbtxt").read_text()
    assert done.columns == ["tenure", "spend", "visits"]
    history = workbench.registry.history("churn", 1).history
    assert history[-1].type == "MODEL_EXPORTED" and done.where in (history[-1].comment or "")
    shown = shell.run_line_magic("matih", "export-triton churn --version 1")
    assert "Exported churn v1" in shown.text
    with pytest.raises(UsageError, match="No registered model 'nothing'"):
        shell.run_line_magic("matih", "export-triton nothing@production")


def test_traffic_sliders_stay_complementary_and_apply_one_change(
    workbench: Workbench, matih_home: Path, client: MlflowClient, shell: InteractiveShell
) -> None:
    train = features(50)
    register_model(workbench, client, LinearRegression().fit(train, train.tenure), train)
    _record_endpoint(matih_home, "churn", {"1": 100, "2": 0}, at=time.time(), by=workbench.config.user)
    sliders = shell.run_line_magic("matih", "traffic churn")
    assert isinstance(sliders, TrafficSliders) and list(sliders.sliders) == ["1", "2"]
    sliders.sliders["2"].value = 30
    assert sliders.weights() == {"1": 70, "2": 30}
    sent: list[dict[str, int]] = []

    def apply(weights: dict[str, int]) -> Any:
        sent.append(weights)
        raise InvalidInput("refused for the test")

    sliders.apply_change = apply
    sliders.submit()
    deadline = time.monotonic() + 5
    while "refused" not in sliders.message.value and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sent == [{"1": 70, "2": 30}] and "refused for the test" in sliders.message.value
    assert not sliders.button.disabled
