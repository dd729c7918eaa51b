"""The example notebooks run end to end on the embedded defaults, in a real kernel."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from mlflow.tracking import MlflowClient
from nbclient import NotebookClient

from matih_workbench.backends.ray.serve.head import ServeHead

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.mark.parametrize(
    "name", ["quickstart.ipynb", "training.ipynb", "registry.ipynb", "serving.ipynb", "features.ipynb"]
)
def test_notebook_runs(name: str, matih_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")  # the kernel's local Ray (training.ipynb)
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    try:
        NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        ).execute()
    finally:
        ServeHead(matih_home).stop()  # the serving head the notebook started, if any
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(str(o.get("data", {}).get("text/html", "")) + str(o.get("text", "")) for o in outputs)
    if name == "training.ipynb":
        assert "training-example" in text and "FINISHED" in text and "matih-table" in text
        client = MlflowClient(f"sqlite:///{matih_home / 'mlflow.db'}")
        experiment = client.get_experiment_by_name("training-example")
        [first] = client.search_runs([experiment.experiment_id], "tags.mlflow.runName = 'first-try'")
        [trial] = client.search_runs(
            [experiment.experiment_id], f"tags.mlflow.parentRunId = '{first.info.run_id}'"
        )  # the single-trial cell: one child run with every epoch
        assert first.info.status == trial.info.status == "FINISHED"
        assert [m.step for m in client.get_metric_history(trial.info.run_id, "accuracy")] == [1, 2, 3, 4]
        return
    if name == "serving.ipynb":
        assert (
            "POST JSON records to http://127.0.0.1:" in text
            and "'field': 'spend', 'message': 'missing'" in text
        )
        assert "Traffic changed" in text and "Live stats of churn-example" in text
        split = next(o for c in notebook.cells if "Counter(" in c.source for o in c.outputs)
        counts = ast.literal_eval(split["data"]["text/plain"])
        assert set(counts) == {"1", "2"} and counts["1"] > counts["2"]
        return
    if name == "features.ipynb":
        assert "driver_hourly_stats" in text and "SUCCEEDED" in text and "FINISHED" in text
        client = MlflowClient(f"sqlite:///{matih_home / 'mlflow.db'}")
        experiment = client.get_experiment_by_name("features-example")
        (parent,) = client.search_runs([experiment.experiment_id], "tags.`matih.features.service` != ''")
        assert parent.data.params["features.entity_rows"] == "300"
        assert parent.data.tags["matih.feature_view.driver_hourly_stats"] in text  # the run magic shows it
        return
    if name == "registry.ipynb":
        assert "Model card: cancer-clf version 1 (Production)" in text and "approved by lead" in text
        assert "not_worse_than_production_by" in text and (tmp_path / "cancer-clf-v1-card.md").exists()
        return
    assert "quickstart" in text and "matih-diff" in text
    assert any("application/vnd.plotly.v1+json" in o.get("data", {}) for o in outputs), (
        "comparison chart shown"
    )
    assert (matih_home / "mlflow.db").exists() and not (tmp_path / "mlruns").exists()
