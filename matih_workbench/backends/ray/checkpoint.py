"""Checkpoints of ``matih.report(metrics, checkpoint=...)``: what the user passes, as a Ray ``Checkpoint``.

A checkpoint is a folder. ``checkpoint=`` takes a picklable object (a dict of state, a fitted model; stored
as ``state.pkl`` with Ray's cloudpickle), a path to a folder (copied), or a ``ray.train.Checkpoint``. Every
folder also gets ``matih.json`` with the MLflow run id and the step, so a restarted worker keeps logging to
the same run at the next step. ``restore`` turns the latest checkpoint back into what was passed.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["MARKER", "checkpoint_meta", "restore", "to_checkpoint"]

MARKER = "matih.json"
STATE = "state.pkl"


def to_checkpoint(obj: Any, run_id: str, step: int) -> tuple[Any, str]:
    """A ``ray.train.Checkpoint`` in a new temporary folder (returned too: remove it after reporting)."""
    from ray import cloudpickle
    from ray.train import Checkpoint

    folder = tempfile.mkdtemp(prefix="matih-ckpt-")
    if isinstance(obj, Checkpoint):
        obj.to_directory(folder)
    elif isinstance(obj, str | Path) and Path(obj).is_dir():
        shutil.copytree(obj, folder, dirs_exist_ok=True)
    else:
        with open(Path(folder) / STATE, "wb") as out:
            cloudpickle.dump(obj, out)
    (Path(folder) / MARKER).write_text(json.dumps({"run_id": run_id, "step": step}))
    return Checkpoint.from_directory(folder), folder


def checkpoint_meta(folder: str | Path) -> dict[str, Any]:
    """``{"run_id", "step"}`` of a checkpoint folder written by ``to_checkpoint`` (empty when foreign)."""
    marker = Path(folder) / MARKER
    if not marker.is_file():
        return {}
    meta: dict[str, Any] = json.loads(marker.read_text())
    return meta


def restore(checkpoint: Any) -> tuple[Any, dict[str, Any]]:
    """``(what was passed to report, meta)`` of a Ray checkpoint: the unpickled object, or a local folder
    (a private copy: workers on one node never share it)."""
    from ray import cloudpickle

    with checkpoint.as_directory() as folder:
        meta = checkpoint_meta(folder)
        state = Path(folder) / STATE
        if state.is_file():
            with open(state, "rb") as src:
                return cloudpickle.load(src), meta
    return checkpoint.to_directory(tempfile.mkdtemp(prefix="matih-restore-")), meta
