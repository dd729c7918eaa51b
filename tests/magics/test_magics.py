"""%matih through a real InteractiveShell, load_extension and run_line_magic, over a real MLflow store."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from matih_workbench.backends.mlflow.demo_data import seed_demo_runs
from matih_workbench.config import WorkbenchConfig
from matih_workbench.widgets import ComparisonView, ExperimentTable, HelpText, RunTable


@pytest.fixture(autouse=True)
def demo_runs(config: WorkbenchConfig) -> None:
    """The demo runs in the store, before the shared ``shell`` loads the extension (autouse comes first)."""
    seed_demo_runs(config.tracking_uri, config.artifact_root)


def test_help_lists_subcommands_and_options(shell: InteractiveShell) -> None:
    overview = shell.run_line_magic("matih", "--help")
    assert isinstance(overview, HelpText)
    for name in ("experiments", "runs", "compare", "best"):
        assert name in overview.text
    assert "--order-by" in shell.run_line_magic("matih", "runs --help").text
    assert "%matih compare" in shell.run_line_magic("matih", "compare -h").text


def test_experiments_runs_compare_best(shell: InteractiveShell) -> None:
    experiments = shell.run_line_magic("matih", "experiments")
    assert isinstance(experiments, ExperimentTable)
    assert "quickstart-demo" in experiments._repr_html_()
    table = shell.run_line_magic(
        "matih",
        "runs -e quickstart-demo --order-by 'metrics.accuracy DESC' --filter \"params.model != 'none'\" -n 4",
    )
    assert isinstance(table, RunTable) and len(table.runs) == 4 and table.page.total == 12
    accuracies = list(table.to_pandas()["metrics.accuracy"])
    assert accuracies == sorted(accuracies, reverse=True)
    nxt = shell.run_line_magic(
        "matih",
        f"runs -n 4 --order-by 'metrics.accuracy DESC' --page-token {table.page.next_page_token} "
        "--filter \"params.model != 'none'\"",
    )
    assert nxt.runs[0].run_id not in {r.run_id for r in table.runs}

    comparison = shell.run_line_magic(
        "matih", f"compare {table.runs[0].run_id} {table.runs[1].run_id} --mode loss:min"
    )
    assert isinstance(comparison, ComparisonView)
    assert "matih-diff" in comparison._repr_html_()
    assert len(comparison.figure().data) == 2 * 3  # two runs x three metrics
    best = shell.run_line_magic("matih", "best accuracy")
    assert best.best.run.run_id == table.runs[0].run_id


def test_config_points_the_magics_elsewhere(shell: InteractiveShell, tmp_path: Path) -> None:
    shell.run_line_magic("config", f"WorkbenchConfig.tracking_uri = 'sqlite:///{tmp_path}/other.db'")
    names = list(shell.run_line_magic("matih", "experiments").to_pandas()["name"])
    assert names == ["Default"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("rnus", "Did you mean 'runs'"),
        ("runs -e quickstart-demo --filter 'metrics.accuracy >> 1'", "Invalid"),
        ("runs -e quickstart-demo --order-by 'metrics.accuracy SIDEWAYS'", "order_by"),
        ("runs -e no-such-experiment", "not found"),
        ("runs -e quickstart-demo --max many", "invalid int"),
        ("runs --bogus", "unrecognized arguments"),
        ("runs -f 'unclosed", "Cannot parse"),
        ("compare onlyone", "at least two"),
        ("compare aaa bbb", "Run not found: aaa, bbb"),
        ("best accuracy -e quickstart-demo --mode sideways", "invalid choice"),
    ],
)
def test_mistakes_raise_one_line_usage_errors(shell: InteractiveShell, line: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as info:
        shell.run_line_magic("matih", line)
    assert "\n" not in str(info.value)


def test_unload_removes_the_magic(shell: InteractiveShell) -> None:
    shell.extension_manager.unload_extension("matih_workbench")
    assert "matih" not in shell.magics_manager.magics["line"]
    shell.extension_manager.load_extension("matih_workbench")
    assert "matih" in shell.magics_manager.magics["line"]
