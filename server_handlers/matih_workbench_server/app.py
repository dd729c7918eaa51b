"""The jupyter-server extension: builds one Workbench from config and routes /matih/api/v1/..."""

from __future__ import annotations

from jupyter_server.extension.application import ExtensionApp

from matih_workbench.config import WorkbenchConfig
from matih_workbench.services import Workbench
from matih_workbench_server import events, info, registry, serving, tracking, training
from matih_workbench_server.events import EventHub
from matih_workbench_server.serving import RolloutSupervisor

API_PREFIX = "/matih/api/v1"

#: Each capability's handlers module brings its own routes (paths under ``API_PREFIX``): one line each.
ROUTES = [
    *info.default_handlers,
    *events.default_handlers,
    *tracking.default_handlers,
    *training.default_handlers,
    *registry.default_handlers,
    *serving.default_handlers,
]


class WorkbenchServerApp(ExtensionApp):
    """MATIH Workbench REST API and event stream."""

    name = "matih_workbench_server"
    load_other_extensions = True

    def initialize_settings(self) -> None:
        assert self.serverapp is not None
        config = WorkbenchConfig(config=self.serverapp.config)
        workbench = Workbench.from_config(config)
        supervisor = RolloutSupervisor(workbench, config.rollout_interval)
        self.settings.update(
            matih_workbench=workbench, matih_event_hub=EventHub(workbench), matih_rollouts=supervisor
        )
        self.log.info("MATIH Workbench: tracking %s (user %s)", workbench.info().tracking_uri, config.user)

    async def _start_jupyter_server_extension(self, serverapp: object) -> None:
        """Once the event loop runs: the rollout supervisor starts."""
        self.settings["matih_rollouts"].start()

    def initialize_handlers(self) -> None:
        self.handlers.extend((API_PREFIX + path, handler) for path, handler in ROUTES)

    async def stop_extension(self) -> None:
        supervisor = self.settings.get("matih_rollouts")
        if supervisor is not None:
            await supervisor.stop()
        hub = self.settings.get("matih_event_hub")
        if hub is not None:
            await hub.stop()
