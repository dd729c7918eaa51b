"""MATIH Workbench server extension: thin REST + event-stream adapters over ``matih_workbench.services``."""

from __future__ import annotations

from typing import Any

from matih_workbench._version import __version__

__all__ = ["__version__"]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from matih_workbench_server.app import WorkbenchServerApp

    return [{"module": "matih_workbench_server", "app": WorkbenchServerApp}]
