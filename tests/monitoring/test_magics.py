"""``%matih drift`` and the rule commands in a kernel's shell, with their rich output (Plotly figures)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from mlflow.tracking import MlflowClient

from matih_workbench.services import Workbench
from matih_workbench.widgets.monitoring import PLOTLY_MIME, DriftView
from tests.monitoring.logs import FEATURES, add_endpoint, churn, register, write_log


def test_drift_magic_rules_and_alerts(
    shell: InteractiveShell, workbench: Workbench, client: MlflowClient, matih_home: Path
) -> None:
    train = churn(3000, seed=0)
    version, model, _ = register(workbench, client, train)
    shell.user_ns["train"] = train
    shown = shell.run_line_magic("matih", f"baseline churn {version} --data train")
    assert "Baseline of churn v1 from dataframe: 3000 rows" in repr(shown)
    add_endpoint(matih_home, "churn", "churn", {version: 100})
    window = churn(1500, seed=7, plan_p=[0.1, 0.2, 0.7])
    write_log(matih_home, "churn", "churn", 1, window, model.predict(window[FEATURES]), time.time() - 600)
    view = shell.run_line_magic("matih", "drift churn --window 1h --fdr")
    board = shell.run_line_magic("matih", "drift churn --window 1h --dashboard")
    picker = next(w for w in board.select() if getattr(w, "label", None) == "Feature")
    assert type(board).__module__.startswith("panel") and picker.value == "plan"
    assert isinstance(view, DriftView)
    table = view.to_pandas()
    assert table.feature.iloc[0] == "plan" and list(table.drifted) == [True, False, False, False]
    assert "drifted (FDR)" in table.columns
    bundle = view._repr_mimebundle_()
    bars = bundle[PLOTLY_MIME]["data"][0]
    assert bars["x"][0] == "plan" and bars["marker"]["color"][0] == "#d62728"
    assert set(bars["marker"]["color"][1:]) == {"#1f77b4"}
    plan = view.feature("plan").to_plotly_json()["data"]
    assert [t["name"] for t in plan] == ["reference", "current"]
    assert plan[1]["y"][list(plan[1]["x"]).index("pro")] == pytest.approx((window.plan == "pro").mean())
    spend = view.feature("spend").to_plotly_json()["data"]
    assert sum(spend[0]["y"]) == pytest.approx(1.0) and len(spend[0]["width"]) == len(spend[0]["x"])
    shell.user_ns["window"] = window
    same = shell.run_line_magic("matih", "drift churn --data window --features plan,spend")
    assert [f.feature for f in same.report.drift.features] == ["plan", "spend"]
    rules = shell.run_line_magic("matih", "alert-rules churn window=1d features=plan cooldown_s=5")
    assert workbench.monitoring.alerts.rules("churn").features == ["plan"] and "1d" in repr(rules)
    checked = shell.run_line_magic("matih", "check churn")
    assert "breaches: drift" in repr(checked)
    assert "features drifted on endpoint churn: plan" in repr(shell.run_line_magic("matih", "alerts churn"))
    assert "healthy" in repr(shell.run_line_magic("matih", "health churn"))
    for line, message in (
        ("drift churn --window soon", "Invalid window 'soon'"),
        ("drift churn --data nothing", "No DataFrame named 'nothing'"),
        ("drift churn --features income", "Unknown feature 'income'"),
        ("alert-rules churn colour=red", "Unknown setting 'colour=red'"),
        ("alert-rules churn max_error_rate=7", "Invalid max_error_rate"),
        ("drift gone", "Unknown endpoint 'gone'"),
    ):
        with pytest.raises(UsageError, match=message):
            shell.run_line_magic("matih", line)


def test_retrain_magic_sets_shows_and_clears_the_retraining_cell(
    shell: InteractiveShell, workbench: Workbench, client: MlflowClient
) -> None:
    register(workbench, client, churn(500, seed=0))
    cell = "def load_data():\n    return None\n\ndef train_fn(config):\n    pass\n"
    shown = shell.run_cell_magic(
        "matih", "retrain churn --experiment churn-retrain --metric r2 --epochs 2 --on drift", cell
    )
    rule = workbench.monitoring.alerts.rules("churn")
    assert rule.retrain is not None and rule.retrain.source == cell and rule.retrain.on == ["drift"]
    assert (rule.retrain.training.experiment, rule.retrain.training.epochs) == ("churn-retrain", 2)
    assert "on drift: experiment churn-retrain, 6 lines of training cell" in repr(shown)
    assert "churn-retrain" in repr(shell.run_line_magic("matih", "retrain churn"))
    for line, body, message in (
        ("retrain churn --metric r2", cell, "needs --experiment"),
        ("retrain churn -e x --on weather", cell, "Invalid retrain option"),
        ("retrain churn -e x", "x = 1\n", "does not define"),
        ("retrain churn -e x --epochs 0", cell, "epochs"),
        ("retrain nobody -e x", cell, "nobody"),
    ):
        with pytest.raises(UsageError, match=message):
            shell.run_cell_magic("matih", line, body)
    assert workbench.monitoring.alerts.rules("churn").retrain == rule.retrain  # refused: unchanged
    shell.run_line_magic("matih", "retrain churn --off")
    assert workbench.monitoring.alerts.rules("churn").retrain is None
