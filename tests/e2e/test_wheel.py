"""The wheel carries the prebuilt labextension and the server config; installing it needs no Node."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_prebuilt_extension_and_enables_server_extension(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("matih_workbench-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    data = next(n.split("/data/")[0] for n in names if "/data/" in n) + "/data/"
    assert "matih_workbench/__init__.py" in names and "matih_workbench_server/app.py" in names
    assert data + "share/jupyter/labextensions/matih-workbench/package.json" in names
    assert any(
        n.startswith(data + "share/jupyter/labextensions/matih-workbench/static/remoteEntry") for n in names
    )
    assert data + "etc/jupyter/jupyter_server_config.d/matih_workbench_server.json" in names

    prefix = tmp_path / "prefix"
    subprocess.run(
        # --ignore-installed: without it pip uninstalls the environment's own (editable) install first.
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--ignore-installed",
            "--prefix",
            str(prefix),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    site = next(prefix.glob("lib/python3*/site-packages"))
    no_node_path = os.pathsep.join(
        p for p in os.environ["PATH"].split(os.pathsep) if not (Path(p) / "node").exists()
    )
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{no_node_path}",
        "PYTHONPATH": str(site),
        "JUPYTER_PATH": str(prefix / "share" / "jupyter"),
        "JUPYTER_CONFIG_PATH": str(prefix / "etc" / "jupyter"),
        # `jupyter server extension list` reads only the user, env and system config dirs: make the
        # prefix the user dir, so the listing shows the wheel's own config, not the dev install's.
        "JUPYTER_CONFIG_DIR": str(prefix / "etc" / "jupyter"),
    }
    labextensions = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "list"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    listing = labextensions.stdout + labextensions.stderr
    assert str(prefix / "share" / "jupyter" / "labextensions") in listing
    assert "matih-workbench" in listing and "enabled" in listing and "OK" in listing
    servers = subprocess.run(
        [sys.executable, "-m", "jupyter", "server", "extension", "list"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    prefix_header = f"Config dir: {prefix / 'etc' / 'jupyter'}"
    prefix_section = servers.stdout.split(prefix_header)[1].split("Config dir:")[0]
    assert "matih_workbench_server" in prefix_section and "OK" in prefix_section, servers.stdout
    assert (
        str(site)
        in subprocess.run(
            [
                sys.executable,
                "-c",
                "import matih_workbench_server, os; print(os.path.dirname(matih_workbench_server.__file__))",
            ],
            env=env,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=True,
        ).stdout
    )
