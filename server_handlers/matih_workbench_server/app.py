"""The jupyter-server extension: builds one Workbench from config and routes /matih/api/v1/..."""

from __future__ import annotations

from jupyter_server.extension.application import ExtensionApp

from matih_workbench.config import WorkbenchConfig
from matih_workbench.services import Workbench
from matih_workbench_server.events import EventHub, EventsHandler, EventStreamHandler
from matih_workbench_server.experiments import (
    BestRunHandler,
    ExperimentHandler,
    ExperimentKeysHandler,
    ExperimentRunsHandler,
    ExperimentsHandler,
)
from matih_workbench_server.info import InfoHandler
from matih_workbench_server.jobs import JobCancelHandler, JobHandler, JobsHandler
from matih_workbench_server.registry import (
    CardHandler,
    ChecksHandler,
    DatasetLineageHandler,
    DecisionHandler,
    ModelHandler,
    ModelHistoryHandler,
    ModelsHandler,
    PromotionHandler,
    PromotionsHandler,
    ThresholdsHandler,
    TransitionsHandler,
    VersionHandler,
    VersionLineageHandler,
)
from matih_workbench_server.runs import ComparisonHandler, MetricHistoryHandler, RunHandler

API_PREFIX = "/matih/api/v1"
_ID = r"(?P<{}>[^/]+)"

ROUTES = [
    ("/info", InfoHandler),
    ("/experiments", ExperimentsHandler),
    (f"/experiments/{_ID.format('experiment_id')}", ExperimentHandler),
    (f"/experiments/{_ID.format('experiment_id')}/keys", ExperimentKeysHandler),
    (f"/experiments/{_ID.format('experiment_id')}/runs", ExperimentRunsHandler),
    (f"/experiments/{_ID.format('experiment_id')}/best-run", BestRunHandler),
    (f"/runs/{_ID.format('run_id')}", RunHandler),
    (f"/runs/{_ID.format('run_id')}/metrics/{_ID.format('key')}", MetricHistoryHandler),
    ("/comparisons", ComparisonHandler),
    ("/events", EventsHandler),
    ("/events/stream", EventStreamHandler),
    ("/jobs", JobsHandler),
    (f"/jobs/{_ID.format('job_id')}", JobHandler),
    (f"/jobs/{_ID.format('job_id')}/cancel", JobCancelHandler),
    ("/models", ModelsHandler),
    (f"/models/{_ID.format('name')}", ModelHandler),
    (f"/models/{_ID.format('name')}/thresholds", ThresholdsHandler),
    (f"/models/{_ID.format('name')}/history", ModelHistoryHandler),
    (f"/models/{_ID.format('name')}/versions/{_ID.format('version')}", VersionHandler),
    (f"/models/{_ID.format('name')}/versions/{_ID.format('version')}/checks", ChecksHandler),
    (f"/models/{_ID.format('name')}/versions/{_ID.format('version')}/transitions", TransitionsHandler),
    (f"/models/{_ID.format('name')}/versions/{_ID.format('version')}/card", CardHandler),
    (f"/models/{_ID.format('name')}/versions/{_ID.format('version')}/lineage", VersionLineageHandler),
    ("/lineage/datasets", DatasetLineageHandler),
    ("/promotions", PromotionsHandler),
    (f"/promotions/{_ID.format('request_id')}", PromotionHandler),
    (f"/promotions/{_ID.format('request_id')}/decision", DecisionHandler),
]


class WorkbenchServerApp(ExtensionApp):
    """MATIH Workbench REST API and event stream."""

    name = "matih_workbench_server"
    load_other_extensions = True

    def initialize_settings(self) -> None:
        assert self.serverapp is not None
        config = WorkbenchConfig(config=self.serverapp.config)
        workbench = Workbench.from_config(config)
        self.settings.update(matih_workbench=workbench, matih_event_hub=EventHub(workbench))
        self.log.info("MATIH Workbench: tracking %s (user %s)", workbench.info().tracking_uri, config.user)

    def initialize_handlers(self) -> None:
        self.handlers.extend((API_PREFIX + path, handler) for path, handler in ROUTES)

    async def stop_extension(self) -> None:
        hub = self.settings.get("matih_event_hub")
        if hub is not None:
            await hub.stop()
