"""Roles with several implementations are picked from config by URI scheme, and unknown ones refused."""

from __future__ import annotations

import pytest

from matih_workbench.backends import ARTIFACT_STORES, TRACKING_BACKENDS, artifact_store, scheme
from matih_workbench.backends.storage import LocalArtifacts, S3Artifacts
from matih_workbench.errors import InvalidInput


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("sqlite:////tmp/mlflow.db", "sqlite"),
        ("postgresql+psycopg2://u:p@db/mlflow", "postgresql"),
        ("http://127.0.0.1:5000", "http"),
        ("s3://bucket/prefix", "s3"),
        ("file:///tmp/artifacts", "file"),
        ("/tmp/mlruns", "file"),
    ],
)
def test_scheme(uri: str, expected: str) -> None:
    assert scheme(uri) == expected


def test_artifact_store_by_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLFLOW_S3_ENDPOINT_URL", raising=False)
    local = artifact_store("file:///tmp/artifacts")
    assert isinstance(local, LocalArtifacts)
    assert (local.experiment_location() or "").startswith("file:///tmp/artifacts/")
    assert artifact_store("").experiment_location() is None  # the tracking server decides
    s3 = artifact_store("s3://bucket/prefix", "http://127.0.0.1:9000")
    assert isinstance(s3, S3Artifacts)
    assert (s3.experiment_location() or "").startswith("s3://bucket/prefix/")


def test_unknown_scheme_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(InvalidInput) as info:
        artifact_store("gs://bucket/prefix")
    assert info.value.hint is not None and "file, s3" in info.value.hint
    assert "artifact_root" in info.value.hint
    assert {"sqlite", "postgresql", "http", "https"} <= set(TRACKING_BACKENDS.keys())
    assert ARTIFACT_STORES.keys() == ["file", "s3"]
