"""``%matih predict``: batch scoring of a registered version over a DataFrame or Parquet, on Ray Data."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.core.error import UsageError
from IPython.core.getipython import get_ipython
from IPython.core.magic_arguments import argument, magic_arguments

from matih_workbench.magics.commands import MagicContext, subcommand
from matih_workbench.widgets.serving import BatchProgress, BatchScoringView


@subcommand("predict")
@magic_arguments()
@argument("model", help="NAME@production, NAME@staging, NAME@VERSION, NAME@ALIAS, or NAME with --version.")
@argument(
    "--data",
    required=True,
    help="A pandas DataFrame in the namespace, or a Parquet file or folder (local path or s3://).",
)
@argument("--out", required=True, help="Output: a .parquet file, or else a folder of part files.")
@argument("--version", type=int, default=None, help="Version number (instead of @VERSION / @STAGE).")
@argument("--overwrite", action="store_true", help="Replace an existing output.")
@argument(
    "--timestamp",
    default=None,
    help="A model trained on a feature service: the column of each row's event time; its features are "
    "fetched as of then (default: as of now).",
)
def predict(ctx: MagicContext, args: Any) -> BatchScoringView:
    """Score a table with a registered model on Ray Data; predictions written to Parquet.

        %matih predict churn@production --data customers --out scores.parquet
        %matih predict churn@3 --data /data/customers/ --out /data/scores/

    The model's signature is checked against the input's columns before anything runs. The output has
    the input's columns (a DataFrame's index too, when it is named or not 0..n-1), then ``prediction``
    (a multi-output model: ``prediction_<output>`` per output); a DataFrame's rows keep their order, Parquet
    is read file by file. Nothing is left at --out when a run fails or is interrupted. The run is recorded
    on the version as the tag ``matih.batch.<epoch ms>`` (output, rows, input, who). Returns a summary;
    ``.to_pandas()`` reads the output.

    A version trained on a feature service takes entity keys alone: the missing features are fetched from
    Feast as of each row's --timestamp (default: now), as a training row would have seen them; feature
    columns of the input win.

        %matih predict drivers@production --data trips --timestamp pickup_at --out scores.parquet
    """
    data = _data(args.data)
    progress = BatchProgress()
    try:
        result = ctx.workbench.batch.score(
            args.model,
            data,
            args.out,
            args.version,
            progress.update,
            overwrite=args.overwrite,
            timestamp=args.timestamp,
        )
    except BaseException:
        progress.fail()
        raise
    progress.done(result)
    return BatchScoringView(result)


def _data(name: str) -> pd.DataFrame | str:
    """A DataFrame of the user's namespace by name; else a path (the service says when nothing is there)."""
    shell = get_ipython()
    namespace: dict[str, Any] = shell.user_ns if shell is not None else {}
    if name in namespace and not name.startswith("_"):
        value = namespace[name]
        if isinstance(value, pd.DataFrame):
            return value
        if isinstance(value, str | Path):
            return str(value)
        raise UsageError(
            f"'{name}' is a {type(value).__name__}, not a pandas DataFrame or a path. "
            "Hint: pass a DataFrame's name, or a Parquet file or folder."
        )
    if name.isidentifier() and not Path(name).exists():
        frames = [k for k, v in namespace.items() if isinstance(v, pd.DataFrame) and not k.startswith("_")]
        close = difflib.get_close_matches(name, frames, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "DataFrames here: " + (", ".join(frames) or "none")
        raise UsageError(f"No DataFrame named '{name}' and no file '{name}'. Hint: {hint}")
    return name
