"""Artifact storage of training runs: a local folder by default, S3-compatible storage through boto3.

``WorkbenchConfig.artifact_root`` (``MATIH_ARTIFACT_ROOT``) is where new training experiments put their
artifacts: ``file:///...`` (default, under the workspace) or ``s3://bucket/prefix``. For MinIO or another
S3-compatible store set ``s3_endpoint_url`` (``MATIH_S3_ENDPOINT_URL``); credentials come from boto3's usual
chain (``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``, a profile, an instance role). MLflow's artifact
repository does the transfers (with boto3 for ``s3://``), so the MLflow UI and client see the same files.

``CheckpointUploader`` copies checkpoint folders into runs from a background thread of the driver: Ray keeps
them for restarts, MLflow keeps them for people; a training loop never waits on the upload.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlflow.tracking import MlflowClient

__all__ = ["CheckpointUploader", "LocalArtifacts", "S3Artifacts"]

log = logging.getLogger(__name__)
_ENDPOINT_ENV = "MLFLOW_S3_ENDPOINT_URL"


@dataclass(frozen=True)
class LocalArtifacts:
    """``file:///...`` (the embedded default, under the workspace); empty: the tracking server decides."""

    root: str = ""

    def experiment_location(self) -> str | None:
        return f"{self.root.rstrip('/')}/{uuid.uuid4().hex}" if self.root else None


@dataclass(frozen=True)
class S3Artifacts:
    """``s3://bucket/prefix`` on AWS or an S3-compatible store (``s3_endpoint_url``), through boto3."""

    root: str
    s3_endpoint_url: str = ""

    def __post_init__(self) -> None:
        if self.s3_endpoint_url:
            os.environ[_ENDPOINT_ENV] = self.s3_endpoint_url  # read by MLflow's S3 artifact repository

    def experiment_location(self) -> str | None:
        return f"{self.root.rstrip('/')}/{uuid.uuid4().hex}"

    def s3_client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.s3_endpoint_url or None)

    def upload_folder(self, folder: str, uri: str) -> list[str]:
        """Copy every file under ``folder`` to ``uri`` (``s3://bucket/prefix``); return the URIs written."""
        bucket, _, prefix = uri.removeprefix("s3://").partition("/")
        client = self.s3_client()
        written = []
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                key = "/".join(p for p in (prefix.strip("/"), path.relative_to(folder).as_posix()) if p)
                client.upload_file(str(path), bucket, key)
                written.append(f"s3://{bucket}/{key}")
        return written


@dataclass
class Upload:
    run_id: str
    folder: str
    path: str
    remove: bool = False


@dataclass
class UploadStats:
    uploaded: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class CheckpointUploader:
    """``submit`` returns at once; ``close`` waits for every upload (checkpoints are never dropped)."""

    def __init__(self, client: MlflowClient) -> None:
        self.client = client
        self.stats = UploadStats()
        self._queue: queue.Queue[Upload | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="matih-checkpoints", daemon=True)
        self._thread.start()

    def submit(self, run_id: str, folder: str, step: int, remove: bool = False) -> None:
        """Copy ``folder`` into the run at ``checkpoints/step-NNNN``; ``remove`` deletes it afterwards."""
        self._queue.put(Upload(run_id, folder, f"checkpoints/step-{step:04d}", remove))

    def close(self, timeout: float = 300.0) -> UploadStats:
        self._queue.put(None)
        self._thread.join(timeout)
        return self.stats

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            try:
                self.client.log_artifacts(item.run_id, item.folder, item.path)
                self.stats.uploaded.append(f"{item.run_id}/{item.path}")
            except Exception as exc:  # reported with the job, never raised into Ray's callback thread
                log.warning("checkpoint upload to run %s failed: %s", item.run_id, exc)
                self.stats.errors.append(f"{item.path}: {type(exc).__name__}: {exc}")
            finally:
                if item.remove:
                    shutil.rmtree(item.folder, ignore_errors=True)
