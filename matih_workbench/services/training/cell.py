"""What a ``%%matih train`` cell defines: the function it trains must be its own, not one an earlier cell
left in the namespace."""

from __future__ import annotations

import ast

from matih_workbench.errors import InvalidInput, shown


class _Bindings(ast.NodeVisitor):
    """Names bound at a module's top level (inside ``if``/``try``/``with``/``for`` too, not in functions)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.names.add(node.name)  # its body is another scope

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.names.add(node.name)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.names.add(node.id)

    def visit_alias(self, node: ast.alias) -> None:
        self.names.add(node.asname or node.name.split(".")[0])


def defines(source: str, name: str) -> bool | None:
    """Whether Python ``source`` binds ``name`` at its top level; None when it does not parse (running it
    shows the user's own SyntaxError)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    found = _Bindings()
    found.visit(tree)
    return name in found.names


def require_defined(source: str, name: str = "train_fn") -> None:
    """InvalidInput unless the cell defines ``name``: else it would train whatever an earlier cell left."""
    if defines(source, name) is False:
        raise InvalidInput(
            f"No train function: the cell does not define {shown(name)}(config)",
            hint=f"define def {shown(name)}(config): ... in the cell, or name a function defined earlier "
            "with --fn NAME",
        )
