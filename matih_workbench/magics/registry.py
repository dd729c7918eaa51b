"""``%matih register``, ``models``, ``thresholds``, ``checks``, ``promote``, ``promotions``, ``approve``,
``reject``, ``history``, ``card`` and ``lineage``: the governed model registry from a notebook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from IPython.core.error import UsageError
from IPython.core.getipython import get_ipython
from IPython.core.magic_arguments import argument, magic_arguments

from matih_workbench.magics.commands import MagicContext, subcommand
from matih_workbench.models import Decision, ModelCardUpdate, ModelStage
from matih_workbench.services.registry.stages import parse_stage
from matih_workbench.widgets.registry import (
    ChecksView,
    DatasetVersionsView,
    DecisionView,
    HistoryView,
    LineageView,
    ModelCardView,
    ModelsTable,
    ModelView,
    RequestsView,
    ThresholdsView,
    TransitionView,
    VersionView,
)

_STAGES = ", ".join(s.value for s in ModelStage)


@subcommand("register")
@magic_arguments()
@argument("run", help="Run id (or runs:/RUN_ID/PATH, models:/MODEL_ID) whose logged model to register.")
@argument("--name", "-n", required=True, help="Registered model name; created on first use.")
@argument("--artifact-path", default="model", help="Name of the logged model in the run (default: model).")
@argument("--description", "-d", default=None, help="Description of the new version.")
@argument("--owner", action="append", default=[], help="Owner of a new model (repeatable; default: you).")
def register(ctx: MagicContext, args: Any) -> VersionView:
    """Register a run's model as a new version, in stage Development."""
    version = ctx.workbench.registry.register(
        args.run, args.name, args.artifact_path, args.description, args.owner or None
    )
    return VersionView(version, f"Registered {version.name} version {version.version} (Development)")


@subcommand("models")
@magic_arguments()
@argument("name", nargs="?", help="A model name: show its versions and stages.")
def models(ctx: MagicContext, args: Any) -> ModelsTable | ModelView:
    """List registered models, or the versions of one with their stages."""
    if args.name:
        return ModelView(ctx.workbench.registry.get_model(args.name))
    return ModelsTable(ctx.workbench.registry.list_models())


@subcommand("thresholds")
@magic_arguments()
@argument("name", help="Model name.")
@argument("rules", nargs="*", help="Rules such as 'auc >= 0.85' 'latency_ms <= 20' (replace all).")
@argument("--clear", action="store_true", help="Remove every rule.")
def thresholds(ctx: MagicContext, args: Any) -> ThresholdsView:
    """Show or set the baseline thresholds a version must meet for Staging (owners and leads set them).

    Rules: METRIC (>=|>|<=|<|==) NUMBER, or METRIC not_worse_than_production_by NUMBER.
    """
    registry = ctx.workbench.registry
    if args.clear or args.rules:
        return ThresholdsView(registry.set_thresholds(args.name, list(args.rules)))
    return ThresholdsView(registry.thresholds(args.name))


@subcommand("checks")
@magic_arguments()
@argument("name", help="Model name.")
@argument("version", type=int, help="Version number.")
@argument("--stage", default="Staging", help=f"Target stage: {_STAGES} (default Staging).")
def checks(ctx: MagicContext, args: Any) -> ChecksView:
    """Show the governance checks a version faces for a stage, without changing anything."""
    report = ctx.workbench.registry.checks(args.name, args.version, parse_stage(args.stage))
    verdict = "allowed" if report.allowed else f"refused: {report.problem}"
    approval = " (then needs approval)" if report.approval_required else ""
    target = f"{args.name} v{args.version} -> {report.stage.value}"
    return ChecksView(report.checks, f"{target}: {verdict}{approval}")


@subcommand("promote")
@magic_arguments()
@argument("name", help="Model name.")
@argument("version", type=int, help="Version number.")
@argument("stage", help=f"Target stage: {_STAGES}.")
@argument("--reason", "-r", default=None, help="Why; kept in the history and the request.")
def promote(ctx: MagicContext, args: Any) -> TransitionView:
    """Move a version to a stage; Production files a request that an owner or lead approves."""
    stage = parse_stage(args.stage)
    return TransitionView(ctx.workbench.registry.transition(args.name, args.version, stage, args.reason))


@subcommand("promotions")
@magic_arguments()
@argument("--model", "-m", default=None, help="Only this model's requests.")
@argument("--status", default="pending", choices=["pending", "approved", "rejected", "all"])
@argument("--mine", action="store_true", help="Only requests you may approve.")
def promotions(ctx: MagicContext, args: Any) -> RequestsView:
    """List promotion requests (pending by default)."""
    status = None if args.status == "all" else args.status
    found = ctx.workbench.registry.promotions(status, args.model, args.mine)
    return RequestsView(found.requests)


def _decide(ctx: MagicContext, args: Any, decision: str) -> DecisionView:
    body = Decision(decision="approve" if decision == "approve" else "reject", comment=args.comment or "")
    return DecisionView(ctx.workbench.registry.decide(args.request, body))


@subcommand("approve")
@magic_arguments()
@argument("request", help="Request id (see %%matih promotions).")
@argument("--comment", "-c", default="", help="Comment kept in the history.")
def approve(ctx: MagicContext, args: Any) -> DecisionView:
    """Approve a promotion to Production (owners and leads; not your own request)."""
    return _decide(ctx, args, "approve")


@subcommand("reject")
@magic_arguments()
@argument("request", help="Request id (see %%matih promotions).")
@argument("--comment", "-c", default="", help="Why; kept in the history.")
def reject(ctx: MagicContext, args: Any) -> DecisionView:
    """Reject a promotion request (owners and leads; requesters may withdraw their own)."""
    return _decide(ctx, args, "reject")


@subcommand("history")
@magic_arguments()
@argument("name", help="Model name.")
@argument("--version", type=int, default=None, help="Only this version.")
def history(ctx: MagicContext, args: Any) -> HistoryView:
    """The model's registrations, requests, promotions, rejections and archivings, with user and time."""
    return HistoryView(ctx.workbench.registry.history(args.name, args.version))


@subcommand("card")
@magic_arguments()
@argument("name", help="Model name.")
@argument("version", type=int, help="Version number.")
@argument("--holdout", default=None, help="A DataFrame variable (y_true, y_score/y_pred) to evaluate on.")
@argument("--protected-attribute", "-p", default=None, help="Column for fairness metrics.")
@argument("--samples", type=int, default=1000, help="Bootstrap resamples (default 1000).")
@argument("--seed", type=int, default=0, help="Bootstrap seed (default 0).")
@argument("--export", default=None, help="Write the card to a .md or .html file.")
@argument("--intended-use", default=None, help="Set the card's intended use (kept on the version).")
@argument("--limitations", default=None, help="Set the card's limitations text.")
@argument("--drift-sensitivity", default=None, help="Set the card's drift sensitivity text.")
def card(ctx: MagicContext, args: Any) -> ModelCardView:
    """The model card of a version, with bootstrap confidence intervals on holdout predictions."""
    if args.export:
        _check_export(args.export)  # before anything is edited or computed
    holdout = _holdout(args.holdout) if args.holdout else None
    text = {"intended_use": args.intended_use, "limitations": args.limitations}
    text["drift_sensitivity"] = args.drift_sensitivity
    if any(v is not None for v in text.values()):
        ctx.workbench.cards.edit(args.name, args.version, ModelCardUpdate(**text))
    view = ModelCardView(
        ctx.workbench.cards.card(
            args.name,
            args.version,
            holdout=holdout,
            protected_attribute=args.protected_attribute,
            samples=args.samples,
            seed=args.seed,
        )
    )
    if args.export:
        try:
            view.save(args.export)
        except OSError as exc:
            raise UsageError(f"Cannot write the card to '{args.export}': {exc.strerror or exc}") from None
    return view


def _check_export(path: str) -> None:
    if not path.lower().endswith((".md", ".html", ".htm")):
        raise UsageError(f"Cannot export to '{path}': use a .md or .html file name")
    folder = Path(path).parent
    if not folder.is_dir():
        raise UsageError(
            f"Cannot export to '{path}': there is no folder '{folder}'. Create it, or pick another"
        )


@subcommand("lineage")
@magic_arguments()
@argument("name", nargs="?", help="Model name (with VERSION): what data and code made it.")
@argument("version", nargs="?", type=int, help="Version number.")
@argument("--dataset", default=None, help="A dataset name: which versions came from it.")
@argument("--digest", default=None, help="A dataset digest (with or without --dataset).")
@argument("--feature-view", default=None, help="A Feast feature view: which versions were trained on it.")
def lineage(ctx: MagicContext, args: Any) -> LineageView | DatasetVersionsView:
    """Lineage both ways: %matih lineage MODEL VERSION, or %matih lineage --dataset NAME [--digest D], or
    %matih lineage --feature-view VIEW."""
    if args.feature_view is not None:
        return DatasetVersionsView(ctx.workbench.lineage.feature_view_versions(args.feature_view))
    if args.dataset or args.digest:
        return DatasetVersionsView(ctx.workbench.lineage.dataset_versions(args.dataset, args.digest))
    if not args.name or args.version is None:
        raise UsageError("lineage needs MODEL VERSION, or --dataset NAME, e.g. %matih lineage churn 3")
    return LineageView(ctx.workbench.lineage.version_lineage(args.name, args.version))


def _holdout(name: str) -> pd.DataFrame:
    shell = get_ipython()
    namespace: dict[str, Any] = shell.user_ns if shell is not None else {}
    if name not in namespace:
        raise UsageError(f"No variable named '{name}' for --holdout: define a DataFrame with y_true, y_score")
    value = namespace[name]
    if not isinstance(value, pd.DataFrame):
        raise UsageError(f"--holdout {name} is a {type(value).__name__}, not a pandas DataFrame")
    return value
