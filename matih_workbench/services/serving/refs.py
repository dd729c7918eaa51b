"""Model references as users write them: ``NAME``, ``NAME@production`` (any stage, any case), ``NAME@3``,
``NAME@latest``, ``NAME@ALIAS``, or the same as ``models:/`` URIs; resolved to one registered version.

``NAME`` alone means its Production version: scoring or deploying whatever version happens to be newest is
never the default. An explicit version comes either in the reference or as ``version``, not both.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from matih_workbench.errors import InvalidInput, NotFound
from matih_workbench.models import ModelDetail, ModelStage, ModelVersionInfo
from matih_workbench.services.registry import RegistryService

__all__ = ["ModelVersionRef", "parse_model_ref", "resolve_model_ref"]

LATEST = "latest"
_VERSION = re.compile(r"[vV]?[0-9]+")
_STAGES = {stage.value.lower(): stage for stage in ModelStage}


@dataclass(frozen=True)
class ModelVersionRef:
    """One registered version, as resolved from a reference."""

    name: str
    version: int
    stage: ModelStage

    @property
    def uri(self) -> str:
        """``models:/NAME/VERSION``: pinned to the version, whatever its stage becomes later."""
        return f"models:/{self.name}/{self.version}"

    def __str__(self) -> str:
        return f"{self.name} version {self.version} ({self.stage.value})"


@dataclass(frozen=True)
class ParsedRef:
    """A reference before it meets the registry: a name and at most one of a version or a selector."""

    name: str
    version: int | None = None
    selector: str | None = None  # a stage in lower case, ``latest``, or an alias as written


def parse_model_ref(ref: str, version: int | None = None) -> ParsedRef:
    """Split ``ref`` without reading the registry; malformed references raise ``InvalidInput``."""
    text = ref.strip()
    if text.startswith("models:/"):
        text = _from_uri(text)
    name, at, suffix = text.rpartition("@") if "@" in text else (text, "", "")
    name, suffix = name.strip(), suffix.strip()
    if not name or "/" in name or (at and not suffix):
        raise InvalidInput(
            f"Invalid model reference '{ref}'",
            hint="write NAME, NAME@production, NAME@staging, NAME@VERSION or NAME with --version",
        )
    if version is not None:
        if at:
            raise InvalidInput(
                f"'{ref}' names a version or stage and --version {version} another",
                hint=f"use either {name}@{suffix} or {name} --version {version}",
            )
        return ParsedRef(name, version=_version_number(str(version), ref))
    if not at:
        return ParsedRef(name)
    if _VERSION.fullmatch(suffix):
        return ParsedRef(name, version=_version_number(suffix.lstrip("vV"), ref))
    lowered = suffix.lower()
    return ParsedRef(name, selector=lowered if lowered in _STAGES or lowered == LATEST else suffix)


def resolve_model_ref(registry: RegistryService, ref: str, version: int | None = None) -> ModelVersionRef:
    """The registered version ``ref`` (and ``version``) names; ``NotFound`` when there is none."""
    parsed = parse_model_ref(ref, version)
    model = _model(registry, parsed.name)
    if not model.versions:
        raise NotFound(f"Model '{model.name}' has no versions", hint="register one with %matih register")
    if parsed.version is not None:
        found = _by_number(model, parsed.version)
    elif parsed.selector is None or parsed.selector in _STAGES:
        found = _in_stage(model, _STAGES[parsed.selector or "production"])
    elif parsed.selector == LATEST:
        found = max(model.versions, key=lambda v: v.version)
    else:
        found = _by_alias(model, parsed.selector)
    return ModelVersionRef(name=model.name, version=found.version, stage=found.stage)


def _model(registry: RegistryService, name: str) -> ModelDetail:
    try:
        return registry.get_model(name)
    except NotFound as exc:
        names = [m.name for m in registry.list_models().models]
        close = [n for n in names if n.lower() == name.lower()] or difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "list the registered models with %matih models"
        raise NotFound(f"No registered model '{name}'", hint=hint) from exc


def _from_uri(uri: str) -> str:
    """``models:/NAME/VERSION`` -> ``NAME@VERSION``; ``models:/NAME@ALIAS`` stays; a stage path too."""
    path = uri.removeprefix("models:/").strip("/")
    name, slash, rest = path.partition("/")
    if slash and "/" not in rest and "@" not in name:
        return f"{name}@{rest}"
    if not slash:
        return path
    raise InvalidInput(
        f"Invalid model URI '{uri}'", hint="models:/NAME/VERSION, models:/NAME@ALIAS or models:/NAME/STAGE"
    )


def _version_number(text: str, ref: str) -> int:
    number = int(text)
    if number < 1:
        raise InvalidInput(f"Invalid version {number} in '{ref}'", hint="versions are numbered from 1")
    return number


def _by_number(model: ModelDetail, number: int) -> ModelVersionInfo:
    for v in model.versions:
        if v.version == number:
            return v
    raise NotFound(
        f"Model '{model.name}' has no version {number}",
        hint=f"its versions: {_listing(model)}",
    )


def _in_stage(model: ModelDetail, stage: ModelStage) -> ModelVersionInfo:
    """Production and Staging follow their aliases; other stages: the version most recently put there."""
    alias = {ModelStage.PRODUCTION: model.production_version, ModelStage.STAGING: model.staging_version}
    pinned = alias.get(stage)
    staged = [v for v in model.versions if v.stage is stage]
    if pinned is not None:
        staged = [v for v in staged if v.version == pinned] or staged
    if not staged:
        raise NotFound(
            f"Model '{model.name}' has no version in {stage.value}",
            hint=f"its versions: {_listing(model)}; name one as {model.name}@VERSION",
        )
    return max(staged, key=lambda v: (v.stage_changed_at or 0.0, v.version))


def _by_alias(model: ModelDetail, alias: str) -> ModelVersionInfo:
    for v in model.versions:
        if alias in v.aliases:
            return v
    aliases = sorted({a for v in model.versions for a in v.aliases})
    known = ", ".join([s.value.lower() for s in ModelStage] + [LATEST] + aliases)
    raise InvalidInput(
        f"Model '{model.name}' has no stage or alias '{alias}'",
        hint=f"after @ write a version number or one of: {known}",
    )


def _listing(model: ModelDetail) -> str:
    return ", ".join(
        f"{v.version} ({v.stage.value})" for v in sorted(model.versions, key=lambda v: v.version)
    )
