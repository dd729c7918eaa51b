"""The jupyter-server extension: builds one Workbench from config and routes /matih/api/v1/..."""

from __future__ import annotations

from jupyter_server.extension.application import ExtensionApp

from matih_workbench.config import WorkbenchConfig
from matih_workbench.services import Workbench
from matih_workbench_server import (
    events,
    features,
    info,
    monitoring,
    registry,
    serving,
    tracking,
    training,
)
from matih_workbench_server.base import Supervisor
from matih_workbench_server.events import EventHub

API_PREFIX = "/matih/api/v1"

#: Each capability's handlers module brings its own routes (paths under ``API_PREFIX``): one line each.
ROUTES = [
    *info.default_handlers,
    *events.default_handlers,
    *tracking.default_handlers,
    *training.default_handlers,
    *registry.default_handlers,
    *serving.default_handlers,
    *features.default_handlers,
    *monitoring.default_handlers,
]


class WorkbenchServerApp(ExtensionApp):
    """MATIH Workbench REST API and event stream."""

    name = "matih_workbench_server"
    load_other_extensions = True

    def initialize_settings(self) -> None:
        assert self.serverapp is not None
        config = WorkbenchConfig(config=self.serverapp.config)
        workbench = Workbench.from_config(config)
        self.settings.update(
            matih_workbench=workbench,
            matih_event_hub=EventHub(workbench),
            # canaries advanced, promoted or rolled back; baselines of new versions, then scheduled checks
            matih_rollouts=Supervisor("rollout", workbench.serving.tick, config.rollout_interval),
        )
        if config.monitoring_interval > 0:
            self.settings["matih_monitoring"] = Supervisor(
                "monitoring", workbench.monitoring.alerts.tick, 5.0
            )
        self.log.info("MATIH Workbench: tracking %s (user %s)", workbench.info().tracking_uri, config.user)

    async def _start_jupyter_server_extension(self, serverapp: object) -> None:
        """Once the event loop runs: the supervisors start."""
        for key in ("matih_rollouts", "matih_monitoring"):
            if key in self.settings:
                self.settings[key].start()

    def initialize_handlers(self) -> None:
        self.handlers.extend((API_PREFIX + path, handler) for path, handler in ROUTES)

    async def stop_extension(self) -> None:
        for key in ("matih_rollouts", "matih_monitoring"):
            supervisor = self.settings.get(key)
            if supervisor is not None:
                await supervisor.stop()
        hub = self.settings.get("matih_event_hub")
        if hub is not None:
            await hub.stop()
