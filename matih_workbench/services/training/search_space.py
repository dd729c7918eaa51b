"""Search spaces from text (``lr=loguniform(1e-4,1e-1) depth=choice(4,8,16)``) or a dict, without eval.

Arguments are parsed with ``ast.literal_eval``, which accepts Python literals only (numbers, strings,
booleans): no names, calls or attribute access ever run.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Mapping
from typing import Any, get_args

from pydantic import ValidationError

from matih_workbench.errors import InvalidInput
from matih_workbench.models.training import ParamKind, ParamSpec

KINDS: tuple[str, ...] = get_args(ParamKind)
_ITEM = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*([A-Za-z_]+)\s*\(")
_EXAMPLE = 'e.g. --tune "lr=loguniform(1e-4,1e-1) depth=choice(4,8,16)"'


def parse_search_space(text: str) -> dict[str, ParamSpec]:
    """Parse ``name=kind(args)`` items separated by blanks or commas."""
    out: dict[str, ParamSpec] = {}
    pos, text = 0, text.strip()
    while pos < len(text):
        if text[pos] in " ,\t\n":
            pos += 1
            continue
        match = _ITEM.match(text, pos)
        if not match:
            raise InvalidInput(f"Cannot read the search space at '{text[pos : pos + 30]}'", hint=_EXAMPLE)
        name, kind = match.group(1), match.group(2)
        end = _closing_paren(text, match.end(), name)
        out[_unique(name, out)] = _spec(name, kind, text[match.end() : end])
        pos = end + 1
    if not out:
        raise InvalidInput("The search space is empty", hint=_EXAMPLE)
    return out


def search_space_from_dict(space: Mapping[str, Any]) -> dict[str, ParamSpec]:
    """A dict of ``ParamSpec``, ``{"kind": ..., "values": [...]}``, ``"loguniform(1e-4, 1e-1)"`` or a list
    (a choice)."""
    out: dict[str, ParamSpec] = {}
    for name, value in space.items():
        if isinstance(value, ParamSpec):
            out[name] = value
        elif isinstance(value, str):
            out.update(parse_search_space(f"{name}={value}"))
        elif isinstance(value, list | tuple):
            out[name] = _validated(name, "choice", list(value))
        elif isinstance(value, Mapping):
            out[name] = _validated(name, str(value.get("kind")), list(value.get("values", [])))
        else:
            raise InvalidInput(
                f"Search space entry '{name}' has an unsupported value {value!r}",
                hint="use 'loguniform(1e-4, 1e-1)', a list of choices or {'kind': ..., 'values': [...]}",
            )
    return out


def _closing_paren(text: str, start: int, name: str) -> int:
    depth, quote = 1, ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
    raise InvalidInput(f"Missing ')' in the search space entry '{name}'", hint=_EXAMPLE)


def _spec(name: str, kind: str, args: str) -> ParamSpec:
    try:
        values = ast.literal_eval(f"({args},)") if args.strip() else ()
    except (ValueError, SyntaxError):
        raise InvalidInput(
            f"Arguments of '{name}={kind}(...)' must be literal numbers or strings, got '{args}'",
            hint=_EXAMPLE,
        ) from None
    return _validated(name, kind, list(values))


def _validated(name: str, kind: str, values: list[Any]) -> ParamSpec:
    if kind not in KINDS:
        close = difflib.get_close_matches(kind, KINDS, n=1)
        hint = f"did you mean {close[0]}()?" if close else f"one of: {', '.join(KINDS)}"
        raise InvalidInput(f"Unknown search space function '{kind}' for '{name}'", hint=hint)
    if any(isinstance(v, list | tuple | dict | set | complex | bytes) or v is None for v in values):
        raise InvalidInput(f"Values of '{name}' must be numbers, strings or booleans")
    try:
        return ParamSpec(kind=kind, values=values)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise InvalidInput(f"Bad search space entry '{name}': {_first(exc)}", hint=_EXAMPLE) from None


def _unique(name: str, seen: Mapping[str, Any]) -> str:
    if name in seen:
        raise InvalidInput(f"'{name}' appears twice in the search space")
    return name


def _first(exc: ValidationError) -> str:
    message = str(exc.errors()[0]["msg"])
    return message.removeprefix("Value error, ")
