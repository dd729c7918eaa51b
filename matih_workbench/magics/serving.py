"""``%matih deployments``."""

from __future__ import annotations

from typing import Any

from IPython.core.magic_arguments import magic_arguments

from matih_workbench.magics.commands import MagicContext, subcommand
from matih_workbench.widgets.serving import DeploymentTable


@subcommand("deployments")
@magic_arguments()
def deployments(ctx: MagicContext, args: Any) -> DeploymentTable:
    """List the deployments of the workspace: endpoint, model version, traffic share, who deployed it."""
    return DeploymentTable(ctx.workbench.serving.deployments())
