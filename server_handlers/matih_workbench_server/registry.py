"""The model registry: models, versions, checks, transitions, promotion requests, cards and lineage."""

from __future__ import annotations

import re
from urllib.parse import quote

import tornado
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado.escape import url_escape

from matih_workbench.errors import InvalidInput, NotFound, shown
from matih_workbench.models import (
    Decision,
    ModelCardUpdate,
    ModelStage,
    RegisterRequest,
    ThresholdsUpdate,
    TransitionRequest,
)
from matih_workbench.services.registry import card_render
from matih_workbench.services.registry.stages import parse_stage
from matih_workbench_server.base import WorkbenchHandler, part

_CARD_FORMATS = {"json", "markdown", "html"}


def _version(name: str, raw: str) -> int:
    """A version number as a path has it: ASCII digits (the service refuses numbers no store holds)."""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19):
        raise NotFound(
            f"Version '{shown(raw)}' of model '{shown(name)}' not found", hint="versions are whole numbers"
        )
    return int(raw)


def _attachment(filename: str) -> str:
    """``Content-Disposition`` for any file name (RFC 6266): a plain ASCII ``filename`` for old clients, and
    the name itself as UTF-8, percent-encoded, in ``filename*`` (RFC 5987): no quote, ';' or newline of a
    model name reaches the header as such."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class ModelsHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.call(self.workbench.registry.list_models))

    @tornado.web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.body_as(RegisterRequest)
        created = await self.call(
            self.workbench.registry.register,
            body.run_id,
            body.name,
            body.artifact_path,
            body.description,
            body.owners,
        )
        where = f"{self.request.path}/{url_escape(created.name, plus=False)}/versions/{created.version}"
        self.set_header("Location", where)
        self.send(created, status=201)


class ModelHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send(await self.call(self.workbench.registry.get_model, name))


class ThresholdsHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send(await self.call(self.workbench.registry.thresholds, name))

    @tornado.web.authenticated
    @authorized
    async def put(self, name: str) -> None:
        body = self.body_as(ThresholdsUpdate)
        self.send(await self.call(self.workbench.registry.set_thresholds, name, body.thresholds))


class ModelHistoryHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send(await self.call(self.workbench.registry.history, name))


class VersionHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        self.send(await self.call(self.workbench.registry.get_version, name, _version(name, version)))


class ChecksHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        stage = parse_stage(self.get_query_argument("stage", ModelStage.STAGING.value))
        number = _version(name, version)
        self.send(await self.call(self.workbench.registry.checks, name, number, stage))


class TransitionsHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        self.send(await self.call(self.workbench.registry.history, name, _version(name, version)))

    @tornado.web.authenticated
    @authorized
    async def post(self, name: str, version: str) -> None:
        number = _version(name, version)
        body = self.body_as(TransitionRequest)
        result = await self.call(self.workbench.registry.transition, name, number, body.stage, body.reason)
        self.send(result, status=202 if result.status == "pending_approval" else 200)


class CardHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        fmt = self.get_query_argument("format", "json")
        if fmt not in _CARD_FORMATS:
            raise InvalidInput(f"Unknown card format '{shown(fmt)}'", hint="json, markdown or html")
        attribute = self.get_query_argument("protected_attribute", None) or None
        number = _version(name, version)
        card = await self.call(self.workbench.cards.card, name, number, protected_attribute=attribute)
        if fmt == "json":
            self.send(card)
            return
        text = card_render.markdown(card) if fmt == "markdown" else card_render.html(card)
        kind = "text/markdown" if fmt == "markdown" else "text/html"
        filename = f"{name}-v{number}-card.{'md' if fmt == 'markdown' else 'html'}"
        if self.get_query_argument("download", "") in ("1", "true"):
            self.set_header("Content-Disposition", _attachment(filename))
        self.set_header("Content-Type", f"{kind}; charset=utf-8")
        super(APIHandler, self).finish(text)  # APIHandler.finish would force application/json

    @tornado.web.authenticated
    @authorized
    async def patch(self, name: str, version: str) -> None:
        number = _version(name, version)
        body = self.body_as(ModelCardUpdate)
        self.send(await self.call(self.workbench.cards.update, name, number, body))


class VersionLineageHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str, version: str) -> None:
        self.send(await self.call(self.workbench.lineage.version_lineage, name, _version(name, version)))


class DatasetLineageHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        name = self.get_query_argument("name", None)
        digest = self.get_query_argument("digest", None)
        self.send(await self.call(self.workbench.lineage.dataset_versions, name, digest))


class FeatureViewLineageHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, view: str) -> None:
        self.send(await self.call(self.workbench.lineage.feature_view_versions, view))


class PromotionsHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self) -> None:
        status = self.get_query_argument("status", "pending") or None
        model = self.get_query_argument("model", None) or None
        actionable = self.get_query_argument("actionable", "") in ("1", "true")
        self.send(await self.call(self.workbench.registry.promotions, status, model, actionable))


class PromotionHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, request_id: str) -> None:
        self.send(await self.call(self.workbench.registry.promotion, request_id))


class DecisionHandler(WorkbenchHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, request_id: str) -> None:
        self.send(await self.call(self.workbench.registry.promotion, request_id))

    @tornado.web.authenticated
    @authorized
    async def post(self, request_id: str) -> None:
        body = self.body_as(Decision)
        self.send(await self.call(self.workbench.registry.decide, request_id, body))


_MODEL = f"/models/{part('name')}"
_VERSION = f"{_MODEL}/versions/{part('version')}"
_PROMOTION = f"/promotions/{part('request_id')}"

default_handlers = [
    ("/models", ModelsHandler),
    (_MODEL, ModelHandler),
    (f"{_MODEL}/thresholds", ThresholdsHandler),
    (f"{_MODEL}/history", ModelHistoryHandler),
    (_VERSION, VersionHandler),
    (f"{_VERSION}/checks", ChecksHandler),
    (f"{_VERSION}/transitions", TransitionsHandler),
    (f"{_VERSION}/card", CardHandler),
    (f"{_VERSION}/lineage", VersionLineageHandler),
    ("/lineage/datasets", DatasetLineageHandler),
    (f"/lineage/feature-views/{part('view')}", FeatureViewLineageHandler),
    ("/promotions", PromotionsHandler),
    (_PROMOTION, PromotionHandler),
    (f"{_PROMOTION}/decision", DecisionHandler),
]
