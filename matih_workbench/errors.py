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
