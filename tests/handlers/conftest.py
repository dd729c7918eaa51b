from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def jp_server_config(matih_home: Path) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"matih_workbench_server": True}},
        "WorkbenchConfig": {"home": str(matih_home), "watch_interval": 0.2},
    }
