"""Export the API models as one JSON Schema: ``python -m matih_workbench.models.schema > api.schema.json``."""

from __future__ import annotations

import json
import sys

from pydantic.json_schema import models_json_schema

from matih_workbench.models import API_MODELS


def api_schema() -> dict[str, object]:
    _, schema = models_json_schema([(m, "serialization") for m in API_MODELS], title="MATIH Workbench API")
    return schema


if __name__ == "__main__":
    json.dump(api_schema(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
