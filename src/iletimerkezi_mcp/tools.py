"""From a validated manifest to the tools clients see, built once per manifest version.

Each manifest entry is bound to a tool contract by the path it posts to (`contracts.bind`).
Each `ToolSpec` keeps what one call needs: the published MCP tool, the contract, the endpoint
path, and validators compiled once against the manifest's original schema, closed at every
depth (the published one is rewritten for client portability; strictness is ours).

Every manifest string a client sees is cleaned on the way (`text`): titles and descriptions here,
schema text in `make_portable`. A tool whose schema names a property or allows a value with hidden
characters is not served at all (`wire_text_problem`): that text goes back to the API as written.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from typing import Any

import mcp.types as types
from jsonschema import Draft202012Validator
from pydantic import BaseModel, ConfigDict, Field, SkipValidation

from iletimerkezi_mcp.contracts import LOCAL, ToolContract, bind, is_offered
from iletimerkezi_mcp.manifest.loader import LoadedManifest
from iletimerkezi_mcp.manifest.models import Endpoint, LocalizedText
from iletimerkezi_mcp.overlay import Overlay
from iletimerkezi_mcp.schema_compat import make_portable
from iletimerkezi_mcp.schema_text import wire_text_problem
from iletimerkezi_mcp.settings import Settings
from iletimerkezi_mcp.strict import bounded_validator, strict_validator
from iletimerkezi_mcp.text import clean_text

log = logging.getLogger(__name__)

DESCRIPTION_LIMIT = 1024
SUMMARY_LIMIT = 600
CONFIRMATION_FIELD = "confirmation_token"
# No description: every confirmation request says how to use it, and the instructions say it once.
_CONFIRMATION_PROPERTY = {"type": "string"}


class ToolSpec(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    name: str
    tool: types.Tool
    contract: ToolContract
    path: str | None  # where calls are POSTed; None for local tools
    # Not checked by pydantic: the strict validators are jsonschema's class extended, not a subclass.
    validators: SkipValidation[tuple[Draft202012Validator, ...]]


class Catalog(BaseModel):
    """One immutable version of the tool set; swapped whole when the manifest changes."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    manifest: LoadedManifest
    specs: dict[str, ToolSpec]
    fingerprint: str
    skipped: list[tuple[str, str]] = Field(default_factory=list)  # (tool, why) never served

    def listed(self) -> list[types.Tool]:
        return [spec.tool for spec in self.specs.values()]

    def read_names(self) -> list[str]:
        return [name for name, spec in self.specs.items() if spec.contract.read_only and spec.path]


def build_catalog(manifest: LoadedManifest, settings: Settings, overlay: Overlay | None = None) -> Catalog:
    specs: dict[str, ToolSpec] = {}
    skipped: list[tuple[str, str]] = []
    for name, endpoint in manifest.parsed.tools().items():
        contract, why = bind(name, endpoint.path)
        if contract is None:
            log.warning("manifest: %s", why)
            skipped.append((name, why))
            continue
        problem = wire_text_problem(endpoint.input_schema)
        if problem is not None:
            log.warning("manifest: tool %s skipped: %s", name, problem)
            skipped.append((name, problem))
            continue
        if is_offered(contract, settings):
            specs[name] = _api_tool(contract, endpoint, settings, overlay)
    for contract in LOCAL:
        if is_offered(contract, settings):
            specs[contract.name] = _local_tool(contract)
    tools_json = [spec.tool.model_dump(mode="json", by_alias=True, exclude_none=True) for spec in specs.values()]
    fingerprint = hashlib.sha256(json.dumps(tools_json, sort_keys=True).encode()).hexdigest()[:16]
    return Catalog(manifest=manifest, specs=specs, fingerprint=fingerprint, skipped=skipped)


def _api_tool(contract: ToolContract, endpoint: Endpoint, settings: Settings, overlay: Overlay | None) -> ToolSpec:
    name = contract.name
    original = endpoint.input_schema or {"type": "object", "properties": {}}
    if contract.adjust_schema is not None:
        original = contract.adjust_schema(original)
    validators = [strict_validator(original)]
    published_source = original
    description_override = None
    adjust = overlay.tools.get(name) if overlay is not None else None
    if adjust is not None:
        if adjust.input_schema is not None:
            # Tightening only: arguments must satisfy the manifest's schema AND the overlay's (which
            # stays open: it names only what it narrows).
            validators.append(bounded_validator(adjust.input_schema))
            published_source = _deep_merge(original, adjust.input_schema)
        description_override = adjust.description
    title = clean_text(endpoint.title.best() if endpoint.title else None, limit=100, single_line=True)
    title = title or name.replace("_", " ").capitalize()
    tool = types.Tool(
        name=name,
        title=title,
        description=_describe(contract, endpoint, settings, description_override),
        input_schema=_with_confirmation(contract, make_portable(published_source)),
        output_schema=copy.deepcopy(contract.output_schema),
        annotations=_annotations(title, contract),
    )
    return ToolSpec(name=name, tool=tool, contract=contract, path=endpoint.path, validators=tuple(validators))


def _local_tool(contract: ToolContract) -> ToolSpec:
    schema = dict(contract.input_schema or {"type": "object", "properties": {}})
    tool = types.Tool(
        name=contract.name,
        title=contract.title,
        description=contract.description,
        input_schema=copy.deepcopy(schema),
        output_schema=copy.deepcopy(contract.output_schema),
        annotations=_annotations(contract.title, contract),
    )
    return ToolSpec(name=contract.name, tool=tool, contract=contract, path=None,
                    validators=(strict_validator(schema),))


def _with_confirmation(contract: ToolContract, schema: dict[str, Any]) -> dict[str, Any]:
    if not contract.asks_confirmation:
        return schema
    schema = copy.deepcopy(schema)
    schema.setdefault("properties", {})[CONFIRMATION_FIELD] = dict(_CONFIRMATION_PROPERTY)
    return schema


def _describe(contract: ToolContract, endpoint: Endpoint, settings: Settings, override: str | None) -> str:
    note = contract.describe_note(settings)  # our safety facts: never cut, the manifest's prose gives way
    room = DESCRIPTION_LIMIT - len(note) - 2
    # The provider's one-line description: its longer summary mostly repeats the input schema's
    # formats and limits, and the error codes that the server explains when they happen.
    summary_source = override or _best(endpoint.description) or _best(endpoint.summary) or endpoint.notes
    summary = clean_text(summary_source, limit=max(0, min(SUMMARY_LIMIT, room)))
    # Every client needs a description; a manifest entry without prose still gets a plain one.
    slug = clean_text(endpoint.slug, limit=100, single_line=True)  # free text, unlike the checked path
    summary = summary or f"Calls the iletiMerkezi API endpoint {endpoint.path}" + (f" ({slug})." if slug else ".")
    # An experimental tool says so before anything else; other notes follow the summary.
    parts = [note, summary] if contract.experimental else [summary, note]
    # The provider's doc_url is not repeated in every description: the server's instructions and
    # website_url name the documentation once.
    return "\n\n".join(p for p in parts if p)


def _best(text: LocalizedText | None) -> str | None:
    return text.best() if text is not None else None


def _annotations(title: str, contract: ToolContract) -> types.ToolAnnotations:
    return types.ToolAnnotations(
        title=title,
        read_only_hint=contract.read_only,
        destructive_hint=contract.destructive,
        idempotent_hint=contract.idempotent,
        open_world_hint=contract.open_world,
    )


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        elif key == "required" and isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = sorted(set(merged[key]) | set(value))
        else:
            merged[key] = copy.deepcopy(value)
    return merged
