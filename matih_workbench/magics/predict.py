"""``%matih predict``: batch scoring of a registered version over a DataFrame or Parquet, on Ray Data.

The progress bar and the result view live here for now; they belong with the serving views
(``widgets/serving.py``) once that module is free.
"""

from __future__ import annotations

import difflib
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.core.error import UsageError
from IPython.core.getipython import get_ipython
from IPython.core.magic_arguments import argument, magic_arguments

from matih_workbench.magics.commands import MagicContext, subcommand
from matih_workbench.models.batch import BatchScoringResult
from matih_workbench.widgets.common import html_table


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
    """
    data = _data(args.data)
    progress = BatchProgress()
    try:
        result = ctx.workbench.batch.score(
            args.model, data, args.out, args.version, progress.update, overwrite=args.overwrite
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


class BatchProgress:
    """A progress bar (rows scored / total), shown once the input is checked and scoring is about to start."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.label: Any = None
        self.rows = self.total = 0

    def _show(self) -> None:
        import ipywidgets
        from IPython.display import display

        self.bar = ipywidgets.IntProgress(
            value=0, min=0, max=1, description="Scoring", bar_style="info", layout={"width": "320px"}
        )
        self.label = ipywidgets.Label("")
        display(ipywidgets.HBox([self.bar, self.label]))

    def update(self, rows: int, total: int) -> None:
        if self.bar is None:
            self._show()
        self.rows, self.total = rows, total
        self.bar.max = max(total, 1)
        self.bar.value = min(rows, self.bar.max)
        self.label.value = f"{rows:,} / {total:,} rows" + ("" if rows else " (starting the model on Ray…)")

    def done(self, result: BatchScoringResult) -> None:
        self.update(result.rows, result.rows)
        self.bar.bar_style = "success"
        self.label.value = f"{result.rows:,} rows in {result.seconds:.1f} s"

    def fail(self) -> None:
        if self.bar is not None:
            self.bar.bar_style = "danger"
            self.label.value = f"stopped at {self.rows:,} / {self.total:,} rows; no output written"


class BatchScoringView:
    """What ``%matih predict`` returns: the summary; ``.result`` is the model, ``.to_pandas()`` the output."""

    def __init__(self, result: BatchScoringResult) -> None:
        self.result = result

    def to_pandas(self) -> pd.DataFrame:
        return pd.read_parquet(self.result.out)

    def headline(self) -> str:
        r = self.result
        model = f"{r.model} version {r.version} ({r.stage.value})"
        return f"Scored {r.rows:,} rows with {model} in {r.seconds:.1f} s"

    def summary(self) -> str:
        r = self.result
        return (
            f"{self.headline()}: {r.out} ({', '.join(r.prediction_columns)}); "
            f"recorded on the version as {r.lineage_tag}"
        )

    def _repr_html_(self) -> str:
        r = self.result
        facts = pd.DataFrame(
            [
                ("model", f"{r.model} version {r.version} ({r.stage.value})"),
                ("input", r.source),
                ("output", r.out + (f" ({len(r.files)} files)" if len(r.files) > 1 else "")),
                ("rows", f"{r.rows:,}"),
                ("prediction columns", ", ".join(r.prediction_columns)),
                ("time", f"{r.seconds:.1f} s"),
                ("lineage", r.lineage_tag),
            ],
            columns=["", "value"],
        )
        head = f"<div style='color:#2e7d32;font-weight:bold'>{escape(self.headline())}</div>"
        return head + html_table(facts)

    def __repr__(self) -> str:
        return self.summary()
