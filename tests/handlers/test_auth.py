"""Every route refuses unauthenticated and unauthorized users (authenticated + authorized on each verb)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jupyter_server.auth.authorizer import Authorizer
from matih_workbench_server.app import ROUTES
from tornado.httpclient import HTTPClientError

API = ("matih", "api", "v1")


class DenyWorkbench(Authorizer):
    """Allows everything but the workbench's own resource."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return resource != "matih"


_HANDLERS = {re.sub(r"\(\?P<[a-z_]+>\[\^/\]\+\)", "x1", path).lstrip("/"): h for path, h in ROUTES}


def _paths() -> list[str]:
    return list(_HANDLERS)


def _request(path: str) -> dict[str, Any]:
    """GET, or the verb of a route that has no GET (``jobs/{id}/cancel`` is POST only)."""
    verb = next(v for v in ("get", "post", "put", "patch", "delete") if v in _HANDLERS[path].__dict__)
    return {"method": verb.upper()} if verb == "get" else {"method": verb.upper(), "body": b"{}"}


def test_every_verb_has_auth_decorators() -> None:
    for _, handler in ROUTES:
        for verb in ("get", "post", "put", "patch", "delete"):
            method = handler.__dict__.get(verb)
            if method is not None:
                assert hasattr(method, "__wrapped__"), f"{handler.__name__}.{verb} is not decorated"


@pytest.mark.parametrize("path", _paths())
async def test_unauthenticated_requests_are_refused(jp_fetch: Any, path: str) -> None:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*API, *path.split("/"), headers={"Authorization": "token wrong"}, **_request(path))
    assert info.value.code in (400, 403)  # 400: a WebSocket route refuses a plain GET before auth


@pytest.mark.parametrize(
    "jp_server_config",
    [{"ServerApp": {"authorizer_class": DenyWorkbench}}],
    indirect=True,
    ids=["deny-matih"],
)
class TestUnauthorized:
    @pytest.mark.parametrize("path", [p for p in _paths() if p != "events/stream"])
    async def test_unauthorized_requests_are_refused(self, jp_fetch: Any, path: str) -> None:
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch(*API, *path.split("/"), **_request(path))
        assert info.value.code == 403

    async def test_unauthorized_stream_is_refused(self, jp_ws_fetch: Any) -> None:
        with pytest.raises(HTTPClientError) as info:
            await jp_ws_fetch(*API, "events", "stream")
        assert info.value.code == 403
