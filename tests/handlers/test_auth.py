"""Every route refuses unauthenticated and unauthorized users (authenticated + authorized on each verb)."""

from __future__ import annotations

import re
from pathlib import Path
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


def _paths() -> list[str]:
    return [re.sub(r"\(\?P<[a-z_]+>\[\^/\]\+\)", "x1", path).lstrip("/") for path, _ in ROUTES]


def test_every_verb_has_auth_decorators() -> None:
    for _, handler in ROUTES:
        for verb in ("get", "post", "put", "patch", "delete"):
            method = handler.__dict__.get(verb)
            if method is not None:
                assert hasattr(method, "__wrapped__"), f"{handler.__name__}.{verb} is not decorated"


@pytest.mark.parametrize("path", _paths())
async def test_unauthenticated_requests_are_refused(jp_fetch: Any, path: str) -> None:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch(*API, *path.split("/"), headers={"Authorization": "token wrong"}, method="GET")
    assert info.value.code in (400, 403)  # 400: a WebSocket route refuses a plain GET before auth


class TestUnauthorized:
    @pytest.fixture
    def jp_server_config(self, matih_home: Path) -> dict[str, Any]:
        return {
            "ServerApp": {
                "jpserver_extensions": {"matih_workbench_server": True},
                "authorizer_class": DenyWorkbench,
            },
            "WorkbenchConfig": {"home": str(matih_home)},
        }

    @pytest.mark.parametrize("path", [p for p in _paths() if p != "events/stream"])
    async def test_unauthorized_requests_are_refused(self, jp_fetch: Any, path: str) -> None:
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch(*API, *path.split("/"), method="GET")
        assert info.value.code == 403

    async def test_unauthorized_stream_is_refused(self, jp_ws_fetch: Any) -> None:
        with pytest.raises(HTTPClientError) as info:
            await jp_ws_fetch(*API, "events", "stream")
        assert info.value.code == 403
