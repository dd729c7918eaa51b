"""A real ``mlflow server`` process on 127.0.0.1, shared by the end-to-end tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """``(http tracking URI, its SQLite database URI)``."""
    root = tmp_path_factory.mktemp("mlflow-server")
    db_uri = f"sqlite:///{root / 'mlflow.db'}"
    port = free_port()
    log = open(root / "server.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--backend-store-uri",
            db_uri,
            "--default-artifact-root",
            (root / "artifacts").as_uri(),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/health", timeout=2)
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError((root / "server.log").read_text()) from None
            time.sleep(0.5)
    else:
        process.kill()
        raise RuntimeError("mlflow server did not start:\n" + Path(root / "server.log").read_text())
    yield url, db_uri
    process.terminate()
    process.wait(timeout=30)
    log.close()
