"""``%matih features`` through a kernel's IPython shell."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from matih_workbench.widgets.features import (
    ConsistencyView,
    FeatureViewsTable,
    MaterializationView,
    SampleTable,
)
from tests.features.conftest import HOURLY_VIEW, PROFILE_VIEW


def test_list_materialize_check_sample(shell: InteractiveShell) -> None:
    table = shell.run_line_magic("matih", "features")
    assert isinstance(table, FeatureViewsTable)
    frame = table.to_pandas()
    assert frame.view.tolist() == [HOURLY_VIEW, PROFILE_VIEW]
    assert table.stats().feature.tolist() == [
        "conv_rate",
        "acc_rate",
        "avg_daily_trips",
        "rating",
        "years_active",
    ]
    assert "Feature services — driver_activity" in table._repr_html_()

    done = shell.run_line_magic("matih", f"features materialize --view {PROFILE_VIEW} --wait")
    assert isinstance(done, MaterializationView)
    assert done.job.status == "SUCCEEDED" and done.job.views == [PROFILE_VIEW]
    assert "1/1 views (100%" in repr(done)
    after = shell.run_line_magic("matih", "features").to_pandas().set_index("view")
    assert after.loc[PROFILE_VIEW, "status"] == "fresh"

    check = shell.run_line_magic("matih", f"features check --view {PROFILE_VIEW} --sample 3")
    assert isinstance(check, ConsistencyView) and check.report.consistent
    assert check.to_pandas()[["view", "entities", "values"]].values.tolist() == [[PROFILE_VIEW, 3, 6]]

    sample = shell.run_line_magic("matih", f"features sample --view {HOURLY_VIEW} --limit 4")
    assert isinstance(sample, SampleTable) and len(sample.to_pandas()) == 4


def test_materialize_in_the_background_follows_the_job(shell: InteractiveShell) -> None:
    result = shell.run_cell(f"%matih features materialize -v {HOURLY_VIEW}")
    assert result.success
    view = result.result
    assert isinstance(view, MaterializationView)
    assert view.job.views == [HOURLY_VIEW]  # the follower reads the job's latest state
    finished = shell.magics_manager.registry["WorkbenchMagics"].workbench.features.wait(view.job.id)
    assert finished.status == "SUCCEEDED" and view.job.status == "SUCCEEDED"


def test_mistakes_are_usage_errors_with_hints(shell: InteractiveShell) -> None:
    with pytest.raises(UsageError, match="--end takes an ISO time"):
        shell.run_line_magic("matih", "features materialize --end yesterday")
    with pytest.raises(UsageError, match=r"No online feature view nope\. Hint: online views"):
        shell.run_line_magic("matih", "features materialize --view nope")
    with pytest.raises(UsageError, match="sample shows one view"):
        shell.run_line_magic("matih", "features sample")
    with pytest.raises(UsageError, match="invalid choice"):
        shell.run_line_magic("matih", "features delete")
    with pytest.raises(UsageError, match="is in the future"):
        shell.run_line_magic("matih", "features materialize --end 2999-01-01T00:00")


def test_lineage_of_a_feature_view(shell: InteractiveShell) -> None:
    view = shell.run_line_magic("matih", f"lineage --feature-view {PROFILE_VIEW}")
    assert view.caption == f"Model versions trained on feature view {PROFILE_VIEW}"
    assert view.to_pandas().columns.tolist() == ["model", "version", "stage", "run_id", "definition_hash"]
