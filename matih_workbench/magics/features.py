"""``%matih features [list | materialize | check | sample | apply]``: the feature repository from a kernel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, magic_arguments

from matih_workbench.magics.commands import MagicContext, subcommand
from matih_workbench.widgets.common import HelpText
from matih_workbench.widgets.features import (
    ConsistencyView,
    FeatureViewsTable,
    MaterializationView,
    SampleTable,
)

ACTIONS = ("list", "materialize", "check", "sample", "apply")


def parse_end(text: str | None) -> dt.datetime | None:
    """An ISO 8601 time (UTC unless it names a zone), or None."""
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--end takes an ISO time such as 2024-05-01T12:00 (got '{text}')") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@subcommand("features")
@magic_arguments()
@argument("action", nargs="?", default="list", choices=ACTIONS, help="What to do (default: list).")
@argument(
    "--view", "-v", action="append", default=None, help="A feature view (repeatable; default: every view)."
)
@argument("--end", default=None, help="materialize: up to this ISO time, UTC unless zoned (default: now).")
@argument("--wait", action="store_true", help="materialize: return when it has finished.")
@argument("--sample", type=int, default=10, help="check: entities sampled per view (default 10).")
@argument("--limit", type=int, default=20, help="sample: rows shown (default 20).")
def features(ctx: MagicContext, args: Any) -> Any:
    """Feature views with freshness (last materialization, staleness against the TTL, rows, nulls and
    range per feature); `materialize` loads new rows into the online store in the background; `check`
    compares online values with the offline values as of the last materialization; `sample --view V`
    shows its newest rows; `apply` registers the repository's definitions."""
    service = ctx.workbench.features
    if args.action == "materialize":
        job = service.materialize(args.view, parse_end(args.end))
        if args.wait:
            return MaterializationView(service.wait(job.id))
        return MaterializationView(job, follow=lambda: service.materialization(job.id))
    if args.action == "check":
        return ConsistencyView(service.check(args.sample, args.view))
    if args.action == "sample":
        if not args.view or len(args.view) != 1:
            raise UsageError("sample shows one view: %matih features sample --view NAME")
        return SampleTable(service.sample(args.view[0], args.limit))
    if args.action == "apply":
        return HelpText("Applied: " + ", ".join(service.apply()))
    return FeatureViewsTable(service.overview())
