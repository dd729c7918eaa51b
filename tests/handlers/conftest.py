from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config(matih_home: Path) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"matih_workbench_server": True}},
        "WorkbenchConfig": {"home": str(matih_home), "watch_interval": 0.2},
    }
