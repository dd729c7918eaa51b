"""The serving skeleton at each seam: the service over its store, the route, the magic."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from IPython.core.interactiveshell import InteractiveShell

from matih_workbench.services import Workbench
from matih_workbench.widgets.serving import DeploymentTable


def _record_deployment(home: Path, endpoint: str, version: str, at: float) -> None:
    """A row as the serving service will write it (the skeleton only reads)."""
    with sqlite3.connect(home / "deployments.db") as conn:
        conn.execute(
            "INSERT INTO deployments VALUES (?, 'churn', ?, 'ray-serve', ?, 100, 'ana', ?)",
            (endpoint, version, f"http://127.0.0.1:8000/{endpoint}", at),
        )


def test_no_deployments_is_an_empty_list(workbench: Workbench) -> None:
    assert workbench.serving.deployments().deployments == []


def test_deployments_are_read_from_the_workspace_store_most_recent_first(
    workbench: Workbench, matih_home: Path
) -> None:
    _record_deployment(matih_home, "churn-a", "1", at=1000.0)
    _record_deployment(matih_home, "churn-b", "2", at=2000.0)
    listed = workbench.serving.deployments().deployments
    assert [(d.endpoint, d.version, d.traffic) for d in listed] == [
        ("churn-b", "2", 100),
        ("churn-a", "1", 100),
    ]
    assert listed[0].url == "http://127.0.0.1:8000/churn-b" and listed[0].deployed_by == "ana"


async def test_route_answers_the_deployments(jp_fetch: Any, matih_home: Path) -> None:
    response = await jp_fetch("matih", "api", "v1", "deployments", method="GET")
    assert response.code == 200
    assert json.loads(response.body) == {"deployments": []}


def test_magic_lists_deployments(shell: InteractiveShell, matih_home: Path) -> None:
    assert "deployments" in shell.run_line_magic("matih", "--help").text
    empty = shell.run_line_magic("matih", "deployments")
    assert isinstance(empty, DeploymentTable) and empty.to_pandas().empty
    _record_deployment(matih_home, "churn-a", "3", at=1000.0)
    table = shell.run_line_magic("matih", "deployments").to_pandas()
    assert table[["endpoint", "version", "traffic %"]].values.tolist() == [["churn-a", "3", 100]]
