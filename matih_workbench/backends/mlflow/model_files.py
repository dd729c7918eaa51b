"""A trained model written as an MLflow model into a run's artifacts (``matih.log_model`` in a trial), with
the flavor its class belongs to, so the registry can register it and Serve can load it as pyfunc."""

from __future__ import annotations

import tempfile
from typing import Any

#: the module prefix of a class in the model's MRO -> (MLflow flavor module, pip requirement)
FLAVORS = {
    "sklearn": ("mlflow.sklearn", "scikit-learn"),
    "xgboost": ("mlflow.xgboost", "xgboost"),
    "torch": ("mlflow.pytorch", "torch"),
}


def flavor_of(model: Any) -> tuple[str, str]:
    """TypeError naming the supported kinds when the model is none of them."""
    for cls in type(model).__mro__:
        prefix = cls.__module__.split(".")[0]
        if prefix in FLAVORS:
            return FLAVORS[prefix]
    raise TypeError(
        f"matih.log_model takes scikit-learn, XGBoost or PyTorch models, not {type(model).__name__}; "
        "log other kinds with mlflow.<flavor>.log_model yourself"
    )


def log_model_files(
    tracking_uri: str, run_id: str, model: Any, input_example: Any = None, name: str = "model"
) -> str:
    """Save ``model`` with its flavor (a signature inferred from ``input_example`` and the model's own
    predictions when given) and upload it to ``name`` in the run's artifacts; returns ``runs:/RUN/name``."""
    import importlib

    from mlflow.models import infer_signature
    from mlflow.tracking import MlflowClient

    module, requirement = flavor_of(model)
    flavor = importlib.import_module(module)
    signature = None
    if input_example is not None and hasattr(model, "predict"):
        signature = infer_signature(input_example, model.predict(input_example))
    with tempfile.TemporaryDirectory() as tmp:
        flavor.save_model(model, f"{tmp}/{name}", signature=signature, pip_requirements=[requirement])
        MlflowClient(tracking_uri).log_artifacts(run_id, f"{tmp}/{name}", name)
    return f"runs:/{run_id}/{name}"
