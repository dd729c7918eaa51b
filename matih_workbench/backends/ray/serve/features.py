"""Online features in a serving replica: the lookup of a version trained on a feature service (read from
its run's lineage), and the completion of request records from the online store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matih_workbench.backends.contracts import FeatureStore
from matih_workbench.backends.feast.online import OnlineLookup
from matih_workbench.backends.ray.serve.protocol import BadRequest
from matih_workbench.errors import NotFound, WorkbenchError
from matih_workbench.models.features import ServingFeatures
from matih_workbench.models.serving import EndpointSpec


def trained_features(tracking_uri: str, model: str, version: str | int) -> ServingFeatures | None:
    """What a version was trained on when that was a feature service (its run's, or its parent run's,
    ``features.*`` params), else None. Serving and batch scoring both read it."""
    from mlflow.tracking import MlflowClient

    from matih_workbench.backends.mlflow.client import translate_mlflow_errors

    client = MlflowClient(tracking_uri, tracking_uri)
    with translate_mlflow_errors(f"Version {version} of model '{model}'"):
        run_id = client.get_model_version(model, str(version)).run_id
        if not run_id:  # registered from a path, not a run: no lineage to read
            return None
        run = client.get_run(run_id)
        wanted = ServingFeatures.from_params(run.data.params)
        parent = run.data.tags.get("mlflow.parentRunId")
        if wanted is None and parent:
            wanted = ServingFeatures.from_params(client.get_run(parent).data.params)
    return wanted


def online_features(spec: EndpointSpec, version: str, stores: dict[str, FeatureStore]) -> OnlineLookup | None:
    """The online lookup of a version trained on a feature service, else None. The replica opens each
    Feast repository once."""
    wanted = trained_features(spec.tracking_uri, spec.model, version)
    if wanted is None:
        return None
    source = spec.features
    if source is None:
        raise RuntimeError(
            f"Version {version} was trained on feature service '{wanted.feature_service}' "
            "and this endpoint has no feature repository"
        )
    if source.repo not in stores:
        from matih_workbench.backends.feast.repo import RepoSettings
        from matih_workbench.backends.feast.store import FeastStore

        settings = RepoSettings(
            repo=source.repo,
            demo_folder=Path(source.repo),
            online_store=source.online_store,
            registry=source.registry,
        )
        stores[source.repo] = FeastStore(settings)
    return OnlineLookup(stores[source.repo], wanted.feature_service, wanted.columns, wanted.dtypes)


def with_features(lookup: OnlineLookup, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records completed with their online features: an unknown entity is a 404 naming it."""
    try:
        return lookup.complete(records)
    except WorkbenchError as exc:
        message = f"{exc.message}. Hint: {exc.hint}" if exc.hint else exc.message
        raise BadRequest(message, status=404 if isinstance(exc, NotFound) else 422) from None
