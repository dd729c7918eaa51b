"""``%matih`` / ``%%matih``: parse, call the services, return a displayable object."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.utils.process import arg_split
from pydantic import ValidationError
from traitlets.config import Configurable

from matih_workbench.config import WorkbenchConfig
from matih_workbench.errors import WorkbenchError

# Each capability's module registers its own subcommands when imported: one line per capability.
from matih_workbench.magics import (  # noqa: F401
    features,
    monitoring,
    predict,
    registry,
    serving,
    tracking,
    training,
)
from matih_workbench.magics.commands import MagicContext, lookup, overview
from matih_workbench.services import Workbench
from matih_workbench.widgets import HelpText

_HELP_FLAGS = {"-h", "--help", "help"}


@magics_class
class WorkbenchMagics(Magics, Configurable):
    """The ``%matih`` magic. Settings: ``%config WorkbenchConfig.tracking_uri = '...'``."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell=shell)
        self.settings = WorkbenchConfig(parent=shell)
        self.settings.observe(self._reset)
        self._workbench: Workbench | None = None
        self.state: dict[str, Any] = {}

    def _reset(self, _change: Any = None) -> None:
        self._workbench = None

    @property
    def workbench(self) -> Workbench:
        if self._workbench is None:
            self._workbench = Workbench.from_config(self.settings)
        return self._workbench

    @line_cell_magic
    def matih(self, line: str, cell: str | None = None) -> Any:
        """MATIH Workbench. %matih --help lists the subcommands."""
        try:
            words = arg_split(line, posix=True)
        except ValueError as exc:
            raise UsageError(f"Cannot parse '%matih {line}': {exc}") from None
        if not words or words[0] in _HELP_FLAGS:
            return HelpText(overview())
        command = lookup(words[0])
        rest = "".join(line.lstrip().split(None, 1)[1:])
        if _HELP_FLAGS & set(words[1:]):
            return HelpText(command.help)
        args = command.parse(rest)
        try:
            return command.handler(MagicContext(self.workbench, cell, self.state), args)
        except WorkbenchError as exc:
            hint = f" Hint: {exc.hint}" if exc.hint else ""
            raise UsageError(_one_line(f"{exc.message}.{hint}".replace("..", "."))) from None
        except ValidationError as exc:  # a request model refused an argument
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]).replace("_", "-")
            raise UsageError(f"--{where}: {first['msg']} (see %matih {command.name} --help)") from None


def _one_line(text: str, limit: int = 2000) -> str:
    """A message as a UsageError shows it: one line, and not the whole of a huge value it quotes."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else f"{flat[:limit]}... (cut at {limit} characters)"


def load_ipython_extension(ipython: Any) -> None:
    magics = WorkbenchMagics(ipython)
    ipython.register_magics(magics)
    ipython.configurables.append(magics.settings)


def unload_ipython_extension(ipython: Any) -> None:
    magics = ipython.magics_manager.registry.pop("WorkbenchMagics", None)
    if magics is not None:
        ipython.magics_manager.magics["line"].pop("matih", None)
        ipython.magics_manager.magics["cell"].pop("matih", None)
        if magics.settings in ipython.configurables:
            ipython.configurables.remove(magics.settings)
