"""The drift dashboard outside JupyterLab, served by Panel:

    panel serve "$(python -c 'import matih_workbench.widgets.drift_dashboard_app as m; print(m.__file__)')" \\
        --args --home HOME [--endpoint NAME] [--window 1d]

or ``python -m matih_workbench.widgets.drift_dashboard_app --home HOME [--port 5006]``. Without ``--home`` the
workspace is MATIH_HOME's (default ~/.matih); MATIH_TRACKING_URI and the other MATIH_* settings apply as in a
kernel. One workbench is built per workspace and shared by the sessions of the server."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import panel as pn

from matih_workbench.config import WorkbenchConfig
from matih_workbench.services import Workbench
from matih_workbench.widgets.drift_dashboard import TITLE, drift_dashboard


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="drift_dashboard_app", description=TITLE)
    parser.add_argument("--home", default=None, help="The workspace (default: MATIH_HOME, else ~/.matih).")
    parser.add_argument("--endpoint", default=None, help="The endpoint shown first (default: the first).")
    parser.add_argument("--window", default="1d", help="The window shown first: 1h, 1d, 7d... (default 1d).")
    parser.add_argument("--port", type=int, default=5006, help="With python -m only (default 5006).")
    return parser.parse_args(list(argv))


def workbench_of(home: str | None) -> Workbench:
    """The workspace's workbench, built once per server process."""
    config = WorkbenchConfig(home=home) if home else WorkbenchConfig()
    key = f"matih-workbench:{config.home}"
    if key not in pn.state.cache:
        pn.state.cache[key] = Workbench.from_config(config)
    workbench: Workbench = pn.state.cache[key]
    return workbench


def dashboard(args: argparse.Namespace) -> pn.Column:
    return drift_dashboard(workbench_of(args.home), args.endpoint, args.window)


if __name__.startswith("bokeh_app"):  # one session of `panel serve`: its arguments follow --args
    dashboard(arguments(sys.argv[1:])).servable(title=TITLE)
elif __name__ == "__main__":
    options = arguments(sys.argv[1:])
    pn.serve(lambda: dashboard(options), port=options.port, title=TITLE, show=False)
