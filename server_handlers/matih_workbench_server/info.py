"""Server info: version, user, tracking URI; also the probe the side panel uses to find the extension."""

from __future__ import annotations

import tornado
from jupyter_server.auth.decorator import authorized

from matih_workbench_server.base import WorkbenchHandler


class InfoHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(self.workbench.info())


default_handlers = [("/info", InfoHandler)]
