"""``%%matih train``: run the cell's ``train_fn(config)`` as a Ray Tune search or a data-parallel Ray Train
job, tracked in MLflow."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from IPython import get_ipython
from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, magic_arguments

from matih_workbench.magics.commands import MagicContext, subcommand
from matih_workbench.services.training.cell import require_defined
from matih_workbench.services.training.search_space import parse_search_space, search_space_from_dict
from matih_workbench.services.training.service import training_spec
from matih_workbench.widgets.tracking import ComparisonView
from matih_workbench.widgets.training import LiveTraining, TrainingView


@subcommand("train")
@magic_arguments()
@argument("-e", "--experiment", required=True, help="Experiment name (created when missing).")
@argument(
    "--tune",
    nargs="+",
    default=None,
    metavar="NAME=FN(...)",
    help="Search space, e.g. lr=loguniform(1e-4,1e-1) depth=choice(4,8,16) n=randint(1,10) "
    "x=uniform(0,1) g=grid(1,2,3); or the name of a dict in the namespace.",
)
@argument("--num-samples", type=int, default=1, help="Trials to sample (times each grid point).")
@argument("--search-alg", choices=["random", "grid", "optuna"], default="random", help="Search algorithm.")
@argument(
    "--scheduler",
    choices=["none", "asha", "hyperband", "pbt"],
    default="none",
    help="Trial scheduler (early stopping / population based training).",
)
@argument("--metric", default=None, help="Metric reported by train_fn to rank trials by.")
@argument("--mode", choices=["min", "max"], default=None, help="min or max (default: guessed from the name).")
@argument("--epochs", type=int, default=10, help="Passed as config['epochs'] (default 10).")
@argument("--max-concurrent", type=int, default=None, help="Trials running at once (default: as CPUs allow).")
@argument(
    "--framework",
    choices=["auto", "sklearn", "xgboost", "torch", "custom"],
    default="auto",
    help="Recorded with the runs; auto-detected from the cell when unambiguous.",
)
@argument(
    "--workers",
    type=int,
    default=1,
    help="Data-parallel workers: > 1 runs one configuration on Ray Train (xgboost or torch).",
)
@argument(
    "--max-failures",
    type=int,
    default=0,
    help="Restarts of a failed trial or worker group, each from its last checkpoint (default 0).",
)
@argument("--cpus-per-worker", type=float, default=1.0, help="CPUs per trial worker (default 1).")
@argument("--gpus-per-worker", type=float, default=0.0, help="GPUs per trial worker (default 0).")
@argument(
    "--data", default=None, help="Name of a DataFrame in the namespace; train_fn gets it via matih.data()."
)
@argument(
    "--features",
    default=None,
    metavar="SERVICE",
    help="Train on this feature service's point-in-time training set (with --entities): matih.data() "
    "returns the entity rows joined with the service's features as of each row's timestamp.",
)
@argument("--entities", default=None, metavar="NAME", help="Entity DataFrame of the namespace (--features).")
@argument(
    "--timestamp",
    default=None,
    metavar="COLUMN",
    help="Column of --entities holding each row's event time (default: event_timestamp, or its only "
    "datetime column).",
)
@argument(
    "--fn",
    "--train-fn",
    dest="train_fn",
    default=None,
    help="Train this function of the namespace (e.g. defined by an earlier cell) instead of the cell's "
    "own train_fn.",
)
@argument("--run-name", default=None, help="Name of the parent MLflow run.")
@argument("--tag", action="append", default=[], metavar="KEY=VALUE", help="Tag of the runs; repeatable.")
@argument("--seed", type=int, default=None, help="Seed for Python/numpy in trials and for the search.")
@argument(
    "--address",
    default=None,
    help="Ray cluster: ray://head:10001 (Ray Client) or head:6379 / auto from a cluster node; default local.",
)
@argument(
    "--autolog",
    choices=["auto", "on", "off"],
    default="auto",
    help="MLflow autologging (sklearn, XGBoost) in trials; auto: on when the cell calls fit / xgb.train.",
)
@argument("--background", action="store_true", help="Return at once; the output keeps updating.")
def train(ctx: MagicContext, args: Any) -> TrainingView:
    """Train and tune the cell's train_fn(config) on Ray, every trial tracked in MLflow.

    The cell defines ``train_fn(config)`` (a cell that does not is refused: ``--fn NAME`` trains a function
    an earlier cell defined); ``config`` holds one sample of the search space plus
    ``config["epochs"]``. Each epoch it calls ``matih.report({...metrics...})`` (``import matih_workbench
    as matih``), which sends the metrics to MLflow (step = epoch) and to Ray Tune. With ``--data NAME`` the
    DataFrame NAME is shipped once through the Ray object store; read it with ``matih.data()``.

        %%matih train --experiment iris --tune alpha=loguniform(1e-5,1e-1) --num-samples 8 \\
                      --scheduler asha --metric accuracy --epochs 10 --data frame
        import matih_workbench as matih

        def train_fn(config):
            model = SGDClassifier(alpha=config["alpha"])
            for epoch in range(config["epochs"]):
                model.partial_fit(X, y, classes=[0, 1])
                matih.report({"accuracy": model.score(X, y)})

    ``matih.report(metrics, checkpoint=state)`` also saves a checkpoint (any picklable state, or a folder):
    MLflow artifacts ``checkpoints/step-NNNN`` of the run, and what a restarted trial or worker resumes from
    with ``matih.last_checkpoint()`` (within ``--max-failures``).

    ``--features SERVICE --entities NAME`` trains on a Feast feature service: the entity DataFrame NAME
    (join keys and an event time per row) joined point-in-time with the service's features (never a value
    from after a row's time) is what ``matih.data()`` returns; the parent run records the lineage (feature
    views with their definition hashes, the entity rows' digest and time range) and the set as its input.

    ``--workers N`` (N > 1) trains one configuration data-parallel on Ray Train: XGBoostTrainer or
    TorchTrainer with N workers, each running train_fn on its shard of ``matih.data()`` (a DataFrame goes
    once through the object store and is split by rank; a Ray Dataset is split by Ray Data). Use
    ``xgboost.train`` as usual (the workers form one collective) or ``ray.train.torch.prepare_model`` for DDP.

    One parent MLflow run per cell and one child run per trial (params, per-epoch metrics, status, error),
    or one child run for a data-parallel job, with the environment, git state, cell source and input
    dataset recorded on the parent. The cell shows the trials table and the metric curves live. Interrupt
    the kernel to cancel (with --background: the Cancel button, or ``.cancel()`` on the returned view), or
    use Cancel on the job's row in the side panel's Jobs tab: trials stop and runs end KILLED.
    Returns a result with the best run, its config and metrics (``.result``, ``.to_pandas()``).
    """
    if not ctx.cell or not ctx.cell.strip():
        raise UsageError("train needs a cell defining train_fn(config): use %%matih train --experiment NAME")
    shell = get_ipython()
    namespace: dict[str, Any] = shell.user_ns if shell is not None else {}
    spec = training_spec(
        experiment=args.experiment,
        framework=args.framework,
        workers=args.workers,
        cpus_per_worker=args.cpus_per_worker,
        gpus_per_worker=args.gpus_per_worker,
        epochs=args.epochs,
        metric=args.metric,
        mode=args.mode,
        search_space=_search_space(args.tune, namespace),
        num_samples=args.num_samples,
        search_alg=args.search_alg,
        scheduler=args.scheduler,
        max_concurrent=args.max_concurrent,
        run_name=args.run_name,
        tags=_tags(args.tag),
        address=args.address,
        data=args.data or args.entities,
        seed=args.seed,
        max_failures=args.max_failures,
        autolog=args.autolog,
    )
    if args.train_fn is None:  # the cell must define what it trains, not reuse an earlier cell's train_fn
        require_defined(shell.transform_cell(ctx.cell) if shell is not None else ctx.cell)
    if shell is not None:
        shell.ex(ctx.cell)  # defines train_fn in the user namespace; the user's own errors show as usual
    else:  # pragma: no cover  (no IPython: plain exec)
        exec(compile(ctx.cell, "<matih train>", "exec"), namespace)
    data = namespace.get(args.data) if args.data else None
    record_data = None
    if args.features or args.entities or args.timestamp:
        data, record_data = _feature_data(ctx, args, namespace)
    service = ctx.workbench.training
    ui_url = ctx.workbench.config.mlflow_ui_url
    train_fn: Any = namespace.get(args.train_fn or "train_fn")  # None or not callable: the service says so
    job = service.start(
        spec,
        train_fn,
        data=data,
        cell_source=ctx.cell,
        source_path=os.environ.get("JPY_SESSION_NAME"),
        record_data=record_data,
    )
    ctx.state["experiment"] = job.experiment_id
    ctx.state["training_job"] = job.job_id

    def done() -> bool:
        return service.is_done(job.job_id)

    def cancel() -> None:
        service.cancel(job.job_id)

    def curves() -> dict[str, list[tuple[int, float]]]:
        return service.curves(job.job_id)

    def compare_runs(run_ids: list[str], modes: Mapping[str, Any]) -> ComparisonView:
        return ComparisonView(ctx.workbench.tracking.compare(run_ids, modes))

    if args.background:
        live = LiveTraining(lambda: service.get(job.job_id), curves, ui_url, cancel=cancel)
        live.follow_in_background(done)
        view = TrainingView(
            job, ui_url, cancel=cancel, compare_runs=compare_runs, current=lambda: service.get(job.job_id)
        )
        view.cancel_button = live.cancel_button
        return view
    live = LiveTraining(lambda: service.get(job.job_id), curves, ui_url)
    try:
        live.follow(done)
    except KeyboardInterrupt:
        service.cancel(job.job_id)
        live.update()
    return TrainingView(service.wait(job.job_id), ui_url, compare_runs=compare_runs)


def _feature_data(
    ctx: MagicContext, args: Any, namespace: dict[str, Any]
) -> tuple[Any, Callable[[str], str]]:
    """The training set of ``--features`` for ``--entities``, and how to record its lineage on a run."""
    if not (args.features and args.entities):
        raise UsageError("--features SERVICE and --entities NAME go together (--timestamp needs both)")
    if args.data:
        raise UsageError("--features builds the training data from --entities: drop --data")
    if args.entities not in namespace:
        raise UsageError(f"--entities {args.entities}: no DataFrame named '{args.entities}' in the namespace")
    features = ctx.workbench.features
    training_set = features.training_set(args.features, namespace[args.entities], args.timestamp)
    return training_set.frame, partial(features.log_training_set, training_set=training_set)


def _search_space(tokens: list[str] | None, namespace: dict[str, Any]) -> dict[str, Any]:
    if not tokens:
        return {}
    if len(tokens) == 1 and "=" not in tokens[0]:
        space = namespace.get(tokens[0])
        if not isinstance(space, dict):
            raise UsageError(f"--tune {tokens[0]}: no dict named '{tokens[0]}' in the namespace")
        return search_space_from_dict(space)
    return parse_search_space(" ".join(tokens))


def _tags(pairs: list[str]) -> dict[str, str]:
    tags = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--tag {pair}: expected KEY=VALUE")
        tags[key] = value
    return tags
