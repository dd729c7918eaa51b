"""One error family for the whole workbench; each adapter translates it in one place."""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base of every error a user may see. ``reason`` is a stable machine-readable code."""

    status = 400
    reason = "error"

    def __init__(self, message: str, *, hint: str | None = None, details: object | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details


class InvalidInput(WorkbenchError):
    status = 400
    reason = "invalid_input"


class Forbidden(WorkbenchError):
    status = 403
    reason = "forbidden"


class NotFound(WorkbenchError):
    status = 404
    reason = "not_found"


class Conflict(WorkbenchError):
    status = 409
    reason = "conflict"


class BackendUnavailable(WorkbenchError):
    status = 503
    reason = "backend_unavailable"


#: Characters of a user's value repeated in a message; the rest is cut (an id of 10 kB is not echoed back).
ECHO_LIMIT = 80


def shown(value: object, limit: int = ECHO_LIMIT) -> str:
    """``value`` as a message repeats it: at most ``limit`` characters, control characters escaped."""
    text = str(value)
    cut = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])
    return cut if len(text) <= limit else f"{cut}... ({len(text)} characters)"
