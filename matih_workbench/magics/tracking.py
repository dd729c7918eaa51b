"""``%matih experiments``, ``runs``, ``run``, ``compare`` and ``best``."""

from __future__ import annotations

import os
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, magic_arguments

from matih_workbench.magics.commands import MagicContext, subcommand
from matih_workbench.models import Experiment
from matih_workbench.services.tracking.service import parse_modes
from matih_workbench.widgets import BestRunView, ComparisonView, ExperimentTable, RunDetailView, RunTable

_EXPERIMENT_HELP = (
    "Experiment name or id (default: the last one used in this kernel, or $MLFLOW_EXPERIMENT_NAME)."
)


def _experiment(ctx: MagicContext, name: str | None) -> Experiment:
    chosen = name or ctx.state.get("experiment") or os.environ.get("MLFLOW_EXPERIMENT_NAME")
    if not chosen:
        raise UsageError("No experiment given. Pass --experiment NAME (see %matih experiments).")
    experiment = ctx.workbench.tracking.resolve_experiment(chosen)
    ctx.state["experiment"] = experiment.experiment_id
    return experiment


@subcommand("experiments")
@magic_arguments()
@argument("--view", default="active", choices=["active", "deleted", "all"], help="Which experiments to list.")
def experiments(ctx: MagicContext, args: Any) -> ExperimentTable:
    """List experiments with their run counts."""
    return ExperimentTable(ctx.workbench.tracking.list_experiments(args.view))


@subcommand("runs")
@magic_arguments()
@argument("-e", "--experiment", help=_EXPERIMENT_HELP)
@argument(
    "-f", "--filter", default=None, help="MLflow filter, e.g. \"metrics.acc > 0.9 and params.model = 'rf'\"."
)
@argument("-o", "--order-by", action="append", default=[], help="e.g. 'metrics.loss ASC'; repeatable.")
@argument("-n", "--max", type=int, default=20, help="Runs per page (default 20).")
@argument("--page-token", default=None, help="Token of the next page, from a previous result.")
def runs(ctx: MagicContext, args: Any) -> RunTable:
    """Search the runs of an experiment: filter, order, paginate."""
    experiment = _experiment(ctx, args.experiment)
    page = ctx.workbench.tracking.list_runs(
        experiment.experiment_id, args.filter, args.order_by, args.max, args.page_token
    )
    return RunTable(page, experiment)


@subcommand("run")
@magic_arguments()
@argument("run_id", help="Run id.")
def run(ctx: MagicContext, args: Any) -> RunDetailView:
    """Show one run: params, latest metrics, tags and artifacts."""
    return RunDetailView(ctx.workbench.tracking.get_run(args.run_id))


@subcommand("compare")
@magic_arguments()
@argument("run_ids", nargs="*", help="Two or more run ids.")
@argument("--mode", action="append", default=[], help="Metric direction, e.g. loss:min; repeatable.")
def compare(ctx: MagicContext, args: Any) -> ComparisonView:
    """Compare runs: params that differ, metrics with the best run, metric curves by step."""
    if len(args.run_ids) < 2:
        raise UsageError("compare needs at least two run ids, e.g. %matih compare RUN_A RUN_B")
    return ComparisonView(ctx.workbench.tracking.compare(args.run_ids, parse_modes(args.mode)))


@subcommand("best")
@magic_arguments()
@argument("metric", help="Metric to rank runs by.")
@argument("-e", "--experiment", help=_EXPERIMENT_HELP)
@argument("--mode", choices=["max", "min"], default=None, help="max or min (default: guessed from the name).")
def best(ctx: MagicContext, args: Any) -> BestRunView:
    """The best run of an experiment by a metric."""
    from matih_workbench.services.tracking.service import metric_mode

    experiment = _experiment(ctx, args.experiment)
    mode = args.mode or metric_mode(args.metric)
    return BestRunView(ctx.workbench.tracking.best_run(experiment.experiment_id, args.metric, mode))
