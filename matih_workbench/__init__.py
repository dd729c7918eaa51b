"""MATIH Workbench: a Jupyter-first ML workbench.

``%load_ext matih_workbench`` registers the ``%matih`` / ``%%matih`` magics in an IPython kernel.
"""

from __future__ import annotations

from typing import Any

from matih_workbench._version import __version__
from matih_workbench.reporting import data, last_checkpoint, log_model, report

__all__ = [
    "__version__", "data", "last_checkpoint", "load_ipython_extension", "log_model", "report",
    "unload_ipython_extension",
]  # fmt: skip


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "matih-workbench"}]


def load_ipython_extension(ipython: Any) -> None:
    from matih_workbench.magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from matih_workbench.magics import unload_ipython_extension as unload

    unload(ipython)
