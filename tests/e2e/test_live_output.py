"""What a notebook frontend receives from a running ``%%matih train --background`` cell, in a real kernel:
the trials table and the curves are each one output updated in place (display ids), never appended again."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel

from matih_workbench.widgets.training import CURVES_MIME

CELL = """%%matih train --experiment live-output --background --epochs 6 --metric loss --mode min {extra}
import time
import matih_workbench as matih

def train_fn(config):
    for epoch in range(config["epochs"]):
        time.sleep(0.3)
        matih.report({"loss": 1.0 / (epoch + 1)})
"""
PLOTLY = "application/vnd.plotly.v1+json"


def _outputs(kc: Any, code: str, until: str, timeout: float) -> list[dict[str, Any]]:
    """iopub display messages of one cell, until a message's text contains ``until`` and 2 s more (the
    curves are updated after the table)."""
    msg_id, seen = kc.execute(code), []
    deadline, found = time.monotonic() + timeout, False
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except Exception:  # queue.Empty: keep waiting for the background thread's updates
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            raise AssertionError(msg["content"]["evalue"])
        if msg["msg_type"] == "clear_output":  # e.g. Tune's notebook reporter, which wipes the cell
            seen.append(msg)
        elif msg["msg_type"] in ("display_data", "update_display_data", "execute_result"):
            seen.append(msg)
            if not found and until in str(msg["content"]["data"].get("text/html", "")):
                found, deadline = True, time.monotonic() + 2
    assert found, f"no output with {until!r} in {timeout} s"
    return seen


@pytest.mark.parametrize("extra", ["", "--num-samples 2"], ids=["single-trial", "tune-search"])
def test_background_cell_updates_its_table_and_curves_in_place(
    matih_home: Path, monkeypatch: pytest.MonkeyPatch, extra: str
) -> None:
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        kc.execute_interactive("%load_ext matih_workbench", timeout=60)
        # the first Ray test of a run pays Ray's cold start in a fresh environment (minutes on a busy machine)
        messages = _outputs(kc, CELL.replace("{extra}", extra), "FINISHED in", timeout=420)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert not [m for m in messages if m["msg_type"] == "clear_output"], "nothing wipes the cell's output"
    new = [m for m in messages if m["msg_type"] == "display_data"]
    charts = [m for m in new if PLOTLY in m["content"]["data"]]
    assert len(charts) == 1, "the curves are one output"
    chart_id = charts[0]["content"]["transient"]["display_id"]
    updates = [m for m in messages if m["msg_type"] == "update_display_data"]
    chart_updates = [m for m in updates if m["content"]["transient"]["display_id"] == chart_id]
    assert chart_updates and all(PLOTLY in m["content"]["data"] for m in chart_updates)
    assert all(CURVES_MIME in m["content"]["data"] for m in chart_updates)  # redrawn by the labextension
    lines = chart_updates[-1]["content"]["data"][PLOTLY]["data"]
    assert len(lines) == (2 if extra else 1)  # one line per trial
    assert all(line["x"] == [1, 2, 3, 4, 5, 6] and line["y"][-1] == pytest.approx(1 / 6) for line in lines)
    tables = [m for m in new if "text/html" in m["content"]["data"]]
    assert len(tables) == 1 and tables[0]["content"]["transient"]["display_id"]
    assert any(
        "FINISHED in" in m["content"]["data"].get("text/html", "")
        for m in updates
        if m["content"]["transient"]["display_id"] == tables[0]["content"]["transient"]["display_id"]
    )
