"""``%matih drift``, ``health``, ``baseline``, ``check``, ``alerts``, ``alert-rules`` and ``retrain``."""

from __future__ import annotations

from typing import Any

from IPython import get_ipython
from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, magic_arguments
from pydantic import ValidationError

from matih_workbench.magics.commands import MagicContext, subcommand
from matih_workbench.magics.predict import _data
from matih_workbench.magics.training import _search_space
from matih_workbench.models.monitoring_api import AlertKind, AlertRuleSettings, RetrainSpec
from matih_workbench.services.training.service import training_spec
from matih_workbench.widgets.monitoring import (
    AlertsTable,
    BaselineView,
    CheckView,
    DriftView,
    HealthView,
    RulesView,
)


def _namespace() -> dict[str, Any]:
    shell = get_ipython()
    return shell.user_ns if shell is not None else {}


def _frame(name: str | None) -> Any:
    if name is None:
        return None
    data = _data(name)
    if isinstance(data, str):
        raise UsageError(f"'{name}' is not a DataFrame of the namespace. Hint: pass a DataFrame's name.")
    return data


@subcommand("drift")
@magic_arguments()
@argument("endpoint", help="The endpoint whose inference log is tested.")
@argument("--window", "-w", default="1d", help="The last 30m, 1h, 1d, 7d... of requests (default 1d).")
@argument("--start", type=float, default=None, help="Range start, seconds since the epoch (with --end).")
@argument("--end", type=float, default=None, help="Range end (default: now).")
@argument("--version", "-v", type=int, default=None, help="One version's requests (default: the main one).")
@argument("--data", default=None, help="A DataFrame of the namespace tested instead of the log.")
@argument("--features", default=None, help="Comma-separated features to test (default: all).")
@argument(
    "--fdr", type=float, default=None, nargs="?", const=0.05, help="Add the Benjamini-Hochberg decision."
)
@argument(
    "--dashboard", action="store_true", help="The Panel drift dashboard (endpoint, window, feature pickers)."
)
def drift(ctx: MagicContext, args: Any) -> Any:
    """Drift of an endpoint's recent inputs and predictions against the version's baseline, per feature
    (Evidently's tests, PSI), the drifted features first. ``--dashboard``: the same as a Panel app (also
    standalone: ``python -m matih_workbench.widgets.drift_dashboard_app --home HOME``)."""
    if args.dashboard:
        from matih_workbench.widgets.drift_dashboard import drift_dashboard  # Panel: seconds to import

        return drift_dashboard(ctx.workbench, args.endpoint, args.window)
    report = ctx.workbench.monitoring.drift.drift(
        args.endpoint,
        window=args.window,
        start=args.start,
        end=args.end,
        version=args.version,
        data=_frame(args.data),
        features=args.features.split(",") if args.features else None,
        fdr=args.fdr,
    )
    return DriftView(report)


@subcommand("health")
@magic_arguments()
@argument("endpoint", help="Endpoint name.")
@argument("--window", "-w", default=None, help="Window (default: the model's rules' window).")
@argument("--version", "-v", type=int, default=None, help="One version's requests.")
def health(ctx: MagicContext, args: Any) -> HealthView:
    """Error rate, p95 latency and volume of an endpoint's window, judged by its model's rules."""
    return HealthView(
        ctx.workbench.monitoring.alerts.health(args.endpoint, window=args.window, version=args.version)
    )


@subcommand("baseline")
@magic_arguments()
@argument("model", help="Registered model name.")
@argument("version", type=int, help="Version number.")
@argument("--data", default=None, help="The training DataFrame (default: the version's logged dataset).")
@argument("--prediction", default=None, help="A column of the data holding the model's predictions.")
def baseline(ctx: MagicContext, args: Any) -> BaselineView:
    """Capture a version's baseline (a sample and per-feature statistics of its training data)."""
    info = ctx.workbench.monitoring.baselines.capture(
        args.model, args.version, _frame(args.data), prediction=args.prediction
    )
    return BaselineView(info)


@subcommand("check")
@magic_arguments()
@argument("endpoint", help="Endpoint name.")
def check(ctx: MagicContext, args: Any) -> CheckView:
    """Apply the model's alert rules to the endpoint now (as the server's schedule does)."""
    return CheckView(ctx.workbench.monitoring.alerts.check(args.endpoint))


@subcommand("alerts")
@magic_arguments()
@argument("endpoint", nargs="?", default=None, help="Only this endpoint's alerts.")
@argument("--limit", type=int, default=50, help="At most this many (default 50).")
def alerts(ctx: MagicContext, args: Any) -> AlertsTable:
    """The alerts raised, most recent first."""
    return AlertsTable(ctx.workbench.monitoring.alerts.alerts(args.endpoint, args.limit))


@subcommand("alert-rules")
@magic_arguments()
@argument("model", help="Registered model name.")
@argument(
    "settings", nargs="*", help="KEY=VALUE changes, e.g. window=1d features=spend,plan max_error_rate=0.02."
)
def alert_rules(ctx: MagicContext, args: Any) -> RulesView:
    """Show a model's alert rules, or change some (the others keep their values)."""
    service = ctx.workbench.monitoring.alerts
    if not args.settings:
        return RulesView(service.rules(args.model))
    current = service.rules(args.model).model_dump(include=set(AlertRuleSettings.model_fields))
    for item in args.settings:
        key, sep, value = item.partition("=")
        if not sep or key not in AlertRuleSettings.model_fields:
            known = ", ".join(AlertRuleSettings.model_fields)
            raise UsageError(f"Unknown setting '{item}'. Hint: KEY=VALUE with KEY one of {known}")
        current[key] = [v for v in value.split(",") if v] if key == "features" else (value or None)
    try:
        settings = AlertRuleSettings.model_validate(current)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UsageError(f"Invalid {first['loc'][0]}: {first['msg']}") from None
    return RulesView(service.set_rules(args.model, settings))


@subcommand("retrain")
@magic_arguments()
@argument("model", help="Registered model name.")
@argument(
    "-e", "--experiment", default=None, help="Experiment of the retraining jobs (required with a cell)."
)
@argument("--metric", default=None, help="Metric train_fn reports, to pick the best trial by.")
@argument("--mode", choices=["min", "max"], default=None, help="min or max (default: guessed from the name).")
@argument("--epochs", type=int, default=10, help="Passed as config['epochs'] (default 10).")
@argument("--tune", nargs="+", default=None, metavar="NAME=FN(...)", help="Search space, as for train.")
@argument("--num-samples", type=int, default=1, help="Trials to sample.")
@argument(
    "--on",
    default="drift,prediction_drift",
    help="Alert kinds that start it (comma-separated): " + ", ".join(k.value for k in AlertKind) + ".",
)
@argument("--artifact-path", default="model", help="The model the trials log (matih.log_model's name).")
@argument("--off", action="store_true", help="Stop retraining this model on alerts.")
def retrain(ctx: MagicContext, args: Any) -> RulesView:
    """Retrain a model when its monitoring alerts: the cell is a ``%%matih train`` cell (it defines
    ``train_fn(config)``, which calls ``matih.log_model(model, input_example=X)``, and ``load_data()``
    returning fresh training data for ``matih.data()``). On an alert of the ``--on`` kinds the server runs it
    as a background training job, registers the best trial's model as a new version and moves it to Staging
    through governance (its thresholds checked; Production still needs approval). Events and the version's
    lineage record alert -> job -> version -> Staging. Without a cell: show the rules (``--off`` clears it).

        %%matih retrain churn --experiment churn-retrain --metric r2
        def load_data(): ...
        def train_fn(config): ...
    """
    service = ctx.workbench.monitoring.alerts
    current = service.rules(args.model).model_dump(include=set(AlertRuleSettings.model_fields))
    if args.off:
        current["retrain"] = None
    elif ctx.cell and ctx.cell.strip():
        if not args.experiment:
            raise UsageError("retrain needs --experiment NAME for its jobs")
        spec = training_spec(
            experiment=args.experiment,
            metric=args.metric,
            mode=args.mode,
            epochs=args.epochs,
            search_space=_search_space(args.tune, _namespace()),
            num_samples=args.num_samples,
        )
        try:
            on = [AlertKind(k.strip()) for k in args.on.split(",") if k.strip()]
            current["retrain"] = RetrainSpec(
                source=ctx.cell, training=spec, artifact_path=args.artifact_path, on=on
            ).model_dump()
        except ValueError as exc:
            known = ", ".join(k.value for k in AlertKind)
            raise UsageError(f"Invalid retrain option: {exc}. Hint: --on takes {known}") from None
    else:
        return RulesView(service.rules(args.model))
    return RulesView(service.set_rules(args.model, AlertRuleSettings.model_validate(current)))
