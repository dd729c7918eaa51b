"""Model references resolved against a real registry (MLflow SQLite store): stages in any case, versions,
aliases, models:/ URIs, and every way a reference can be wrong."""

from __future__ import annotations

import pytest
from mlflow.tracking import MlflowClient

from matih_workbench.errors import InvalidInput, NotFound, WorkbenchError
from matih_workbench.models import ModelStage
from matih_workbench.services import Workbench
from matih_workbench.services.serving.refs import ModelVersionRef, parse_model_ref, resolve_model_ref
from tests.registry.conftest import make_run

from .conftest import promote

S = ModelStage


@pytest.fixture
def churn(workbench: Workbench, client: MlflowClient) -> Workbench:
    """churn: 1 Production, 2 Staging, 3 Development, 4 Archived, 5 Development (alias champion -> 3)."""
    for stage in (S.PRODUCTION, S.STAGING, S.DEVELOPMENT, S.ARCHIVED, S.DEVELOPMENT):
        version = workbench.registry.register(make_run(client, {"auc": 0.9}), "churn").version
        promote(workbench, "churn", version, stage)
    client.set_registered_model_alias("churn", "champion", "3")
    workbench.registry.register(make_run(client, {"auc": 0.9}), "fraud")  # nothing beyond Development
    return workbench


RESOLVED: list[tuple[str, int | None, tuple[int, ModelStage]]] = [
    ("churn", None, (1, S.PRODUCTION)),
    ("churn@production", None, (1, S.PRODUCTION)),
    ("churn@PRODUCTION", None, (1, S.PRODUCTION)),
    (" churn@Production ", None, (1, S.PRODUCTION)),
    ("churn@staging", None, (2, S.STAGING)),
    ("churn@Development", None, (5, S.DEVELOPMENT)),
    ("churn@archived", None, (4, S.ARCHIVED)),
    ("churn@latest", None, (5, S.DEVELOPMENT)),
    ("churn@3", None, (3, S.DEVELOPMENT)),
    ("churn@v2", None, (2, S.STAGING)),
    ("churn", 4, (4, S.ARCHIVED)),
    ("churn@champion", None, (3, S.DEVELOPMENT)),
    ("models:/churn/2", None, (2, S.STAGING)),
    ("models:/churn@production", None, (1, S.PRODUCTION)),
    ("models:/churn/Staging", None, (2, S.STAGING)),
]


def test_references_resolve_to_one_version(churn: Workbench) -> None:
    for ref, version, expected in RESOLVED:
        found = resolve_model_ref(churn.registry, ref, version)
        assert (found.name, found.version, found.stage) == ("churn", *expected), (ref, version)
        assert found.uri == f"models:/churn/{expected[0]}"
    found = resolve_model_ref(churn.registry, "churn@production")
    assert found == ModelVersionRef("churn", 1, S.PRODUCTION)
    assert str(found) == "churn version 1 (Production)"
    with pytest.raises(AttributeError):
        found.version = 2  # type: ignore[misc]


def test_a_stage_follows_the_registry(churn: Workbench) -> None:
    promote(churn, "churn", 2, S.PRODUCTION)  # 1 is archived by it: the most recently archived wins
    assert resolve_model_ref(churn.registry, "churn@production").version == 2
    assert resolve_model_ref(churn.registry, "churn@archived").version == 1
    with pytest.raises(NotFound, match="no version in Staging"):
        resolve_model_ref(churn.registry, "churn@staging")


REFUSED: list[tuple[str, int | None, type[WorkbenchError], str, str]] = [
    ("churn@3", 3, InvalidInput, "names a version or stage and --version 3", "churn --version 3"),
    ("churn@production", 2, InvalidInput, "--version 2", "either churn@production"),
    ("churn@9", None, NotFound, "no version 9", "1 (Production), 2 (Staging), 3 (Development)"),
    ("churn", 9, NotFound, "no version 9", "4 (Archived)"),
    ("churn@0", None, InvalidInput, "Invalid version 0", "from 1"),
    ("churn", 0, InvalidInput, "Invalid version 0", "from 1"),
    ("churn@", None, InvalidInput, "Invalid model reference", "NAME@production"),
    ("@production", None, InvalidInput, "Invalid model reference", "NAME@staging"),
    ("", None, InvalidInput, "Invalid model reference", "NAME@VERSION"),
    ("a/b@1", None, InvalidInput, "Invalid model reference", "NAME@production"),
    ("models:/churn/1/extra", None, InvalidInput, "Invalid model URI", "models:/NAME/VERSION"),
    ("churn@champoin", None, InvalidInput, "no stage or alias 'champoin'", "champion"),
    ("nope@production", None, NotFound, "No registered model 'nope'", "%matih models"),
    ("Churn@production", None, NotFound, "No registered model 'Churn'", "did you mean 'churn'"),
    ("chrun", None, NotFound, "No registered model 'chrun'", "did you mean 'churn'"),
    ("fraud", None, NotFound, "no version in Production", "1 (Development); name one as fraud@VERSION"),
    ("fraud@staging", None, NotFound, "no version in Staging", "fraud@VERSION"),
]


def test_bad_references_say_what_is_wrong(churn: Workbench) -> None:
    for ref, version, error, message, hint in REFUSED:
        with pytest.raises(error) as info:
            resolve_model_ref(churn.registry, ref, version)
        assert message in info.value.message and hint in (info.value.hint or ""), (ref, info.value)


def test_parsing_needs_no_registry() -> None:
    assert parse_model_ref("churn@Staging").selector == "staging"
    assert parse_model_ref("churn@Champion").selector == "Champion"  # aliases keep their case
    assert parse_model_ref("churn@12").version == 12
    assert parse_model_ref("team@churn@production").name == "team@churn"
    assert parse_model_ref("churn", 3).version == 3
