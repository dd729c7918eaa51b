"""The peer of the serving benchmark: a single plain Ray Serve deployment of the same MLflow model, with no
split, no validation and no inference log (what a user would write by hand)."""

from __future__ import annotations

from typing import Any

import mlflow.pyfunc
import pandas as pd
from ray import serve
from starlette.requests import Request


@serve.deployment(num_replicas=1, max_ongoing_requests=64, ray_actor_options={"num_cpus": 0})
class Plain:
    def __init__(self, uri: str, tracking_uri: str) -> None:
        mlflow.set_tracking_uri(tracking_uri)
        mlflow.set_registry_uri(tracking_uri)
        self.model = mlflow.pyfunc.load_model(uri)

    async def __call__(self, request: Request) -> dict[str, Any]:
        frame = pd.DataFrame.from_records(await request.json())
        return {"predictions": self.model.predict(frame).tolist()}


def build(args: dict[str, str]) -> Any:
    return Plain.bind(args["uri"], args["tracking_uri"])  # type: ignore[attr-defined]
