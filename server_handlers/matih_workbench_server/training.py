"""Training jobs of the workspace, rebuilt from lifecycle events and the tracking store; cancel requests."""

from __future__ import annotations

import tornado
from jupyter_server.auth.decorator import authorized

from matih_workbench_server.base import WorkbenchHandler, part


class JobsHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        limit = self.int_argument("limit", 50)
        self.send(await self.call(self.workbench.jobs.list, limit))


class JobHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, job_id: str) -> None:
        self.send(await self.call(self.workbench.jobs.get, job_id))


class JobCancelHandler(WorkbenchHandler):
    """Ask the kernel running a job to cancel it: 202, the job ends KILLED once that kernel has stopped it."""

    @tornado.web.authenticated
    @authorized
    async def post(self, job_id: str) -> None:
        summary = await self.call(self.workbench.jobs.request_cancel, job_id)
        self.set_header("Location", self.request.path.rsplit("/", 1)[0])  # where to follow the job
        self.send(summary, status=202)


_JOB = f"/jobs/{part('job_id')}"

default_handlers = [
    ("/jobs", JobsHandler),
    (_JOB, JobHandler),
    (f"{_JOB}/cancel", JobCancelHandler),
]
