"""Subcommand registry for ``%matih``: one module per subcommand registers itself here."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.utils.process import arg_split

if TYPE_CHECKING:
    from matih_workbench.services import Workbench


@dataclass
class MagicContext:
    """What a subcommand may use: the services and this kernel's session state."""

    workbench: Workbench
    cell: str | None = None
    state: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[MagicContext, Any], Any]


@dataclass
class Subcommand:
    name: str
    handler: Handler
    summary: str

    def parse(self, argstring: str) -> Any:
        """Parse with shell quoting rules (quotes removed), raising UsageError on mistakes."""
        try:
            argv = arg_split(argstring, posix=True)
        except ValueError as exc:
            raise UsageError(f"Cannot parse the arguments of '{self.name}': {exc}") from None
        try:
            return self.handler.parser.parse_args(argv)  # type: ignore[attr-defined]
        except UsageError as exc:
            raise UsageError(f"{exc} (see %matih {self.name} --help)") from None

    @property
    def help(self) -> str:
        return (self.handler.__doc__ or self.summary).strip()


SUBCOMMANDS: dict[str, Subcommand] = {}


def subcommand(name: str) -> Callable[[Handler], Handler]:
    """Register a ``@magic_arguments``-decorated function as ``%matih NAME``."""

    def register(handler: Handler) -> Handler:
        doc = (handler.__doc__ or "").replace(f"%{handler.__name__}", f"%matih {name}", 1)
        handler.__doc__ = doc
        summary = next((ln for ln in doc.splitlines() if ln and not ln.startswith((" ", "::"))), name)
        SUBCOMMANDS[name] = Subcommand(name, handler, summary)
        return handler

    return register


def lookup(name: str) -> Subcommand:
    if name in SUBCOMMANDS:
        return SUBCOMMANDS[name]
    close = difflib.get_close_matches(name, list(SUBCOMMANDS), n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise UsageError(f"Unknown subcommand '{name}'.{hint} Run %matih --help for the list.")


def overview() -> str:
    width = max(len(n) for n in SUBCOMMANDS)
    lines = [f"  {name.ljust(width)}  {cmd.summary}" for name, cmd in sorted(SUBCOMMANDS.items())]
    return (
        "%matih SUBCOMMAND [options]   (or %%matih SUBCOMMAND with a cell)\n\n"
        "Subcommands:\n" + "\n".join(lines) + "\n\n%matih SUBCOMMAND --help shows the options of one."
    )
