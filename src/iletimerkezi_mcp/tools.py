"""From a validated manifest to the tools clients see, built once per manifest version.

Each `ToolSpec` keeps what one call needs: the published MCP tool, our policy, the
endpoint path, and a validator compiled once against the manifest's original schema (the
published one is rewritten for client portability; validation stays strict on our side).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

import mcp.types as types
from jsonschema import Draft202012Validator
from pydantic import BaseModel, ConfigDict

from iletimerkezi_mcp.manifest.loader import LoadedManifest
from iletimerkezi_mcp.manifest.models import Endpoint
from iletimerkezi_mcp.overlay import Overlay
from iletimerkezi_mcp.policy import LOCAL_TOOLS, ToolPolicy, is_offered, policy_for
from iletimerkezi_mcp.results import output_schema
from iletimerkezi_mcp.schema_compat import make_portable
from iletimerkezi_mcp.settings import Settings
from iletimerkezi_mcp.text import clean_text

DESCRIPTION_LIMIT = 1024
SUMMARY_LIMIT = 600
# Only a plain link to the provider's own docs is appended; anything else in doc_url is dropped.
DOC_URL = re.compile(r"https://(?:www\.)?iletimerkezi\.com/[A-Za-z0-9._~/#%-]{0,300}")
CONFIRMATION_FIELD = "confirmation_token"

_SEND_NOTE = (
    "Safety: numbers are normalised to 905XXXXXXXXX and de-duplicated; invalid ones are refused before "
    "anything is sent. Every result includes an SMS preview (encoding, parts, credits). A send costing "
    "more than {confirm} credits is not sent on the first call: the person confirms, or you repeat the "
    "identical call with the returned confirmation_token. Use preview_sms to check cost first."
)
_WRITE_NOTE = "Changes data on the account; never retried automatically."
_EXPERIMENTAL_NOTE = "Experimental: withdrawn from the provider's official support; the response shape may change."

PREVIEW_TOOL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "text": {"type": "string", "description": "The SMS text exactly as it would be sent."},
        "recipients": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Optional phone numbers (any common Turkish format) to count credits for.",
        },
    },
    "required": ["text"],
}
PREVIEW_TOOL_DESCRIPTION = (
    "Preview an SMS before sending, locally (no API call, no credentials, no cost): encoding (GSM-7, "
    "Turkish or UCS-2) and the characters that forced it, characters, parts (the provider caps a message "
    "at 7), characters left in the last part, the ' B186' operator code the provider appends, recipients "
    "after normalisation, and credits = parts x recipients."
)


class ToolSpec(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    name: str
    tool: types.Tool
    policy: ToolPolicy
    endpoint: Endpoint | None  # None for local tools
    validators: tuple[Draft202012Validator, ...]


class Catalog(BaseModel):
    """One immutable version of the tool set; swapped whole when the manifest changes."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    manifest: LoadedManifest
    specs: dict[str, ToolSpec]
    fingerprint: str

    def listed(self) -> list[types.Tool]:
        return [spec.tool for spec in self.specs.values()]


def build_catalog(manifest: LoadedManifest, settings: Settings, overlay: Overlay | None = None) -> Catalog:
    specs: dict[str, ToolSpec] = {}
    for name, endpoint in manifest.parsed.tools().items():
        if not is_offered(name, settings):
            continue
        specs[name] = _api_tool(name, endpoint, settings, overlay)
    for name in sorted(LOCAL_TOOLS):
        if is_offered(name, settings):
            specs[name] = _preview_tool()
    tools_json = [spec.tool.model_dump(mode="json", by_alias=True, exclude_none=True) for spec in specs.values()]
    fingerprint = hashlib.sha256(json.dumps(tools_json, sort_keys=True).encode()).hexdigest()[:16]
    return Catalog(manifest=manifest, specs=specs, fingerprint=fingerprint)


def _api_tool(name: str, endpoint: Endpoint, settings: Settings, overlay: Overlay | None) -> ToolSpec:
    policy = policy_for(name)
    original = _accept_any_schedule(name, endpoint.input_schema or {"type": "object", "properties": {}})
    validators = [Draft202012Validator(original)]
    published_source = original
    description_override = None
    if overlay is not None and name in overlay.tools:
        adjust = overlay.tools[name]
        if adjust.input_schema is not None:
            # Tightening only: arguments must satisfy the manifest's schema AND the overlay's.
            validators.append(Draft202012Validator(adjust.input_schema))
            published_source = _deep_merge(original, adjust.input_schema)
        description_override = adjust.description
    published = make_portable(published_source)
    if name == "send_sms":
        published = copy.deepcopy(published)
        published["properties"][CONFIRMATION_FIELD] = {
            "type": "string",
            "description": "Only when repeating a send that returned a confirmation token; copy it exactly.",
        }
    title = clean_text(endpoint.title.best() if endpoint.title else None, limit=100, single_line=True)
    tool = types.Tool(
        name=name,
        title=title or name.replace("_", " ").capitalize(),
        description=_describe(name, endpoint, policy, settings, description_override),
        input_schema=published,
        output_schema=output_schema(name),
        annotations=_annotations(title or name, policy),
    )
    return ToolSpec(name=name, tool=tool, policy=policy, endpoint=endpoint, validators=tuple(validators))


def _preview_tool() -> ToolSpec:
    policy = policy_for("preview_sms")
    tool = types.Tool(
        name="preview_sms",
        title="Preview SMS cost",
        description=PREVIEW_TOOL_DESCRIPTION,
        input_schema=PREVIEW_TOOL_SCHEMA,
        output_schema=output_schema("preview_sms"),
        annotations=_annotations("Preview SMS cost", policy),
    )
    return ToolSpec(name="preview_sms", tool=tool, policy=policy, endpoint=None,
                    validators=(Draft202012Validator(PREVIEW_TOOL_SCHEMA),))


def _describe(name: str, endpoint: Endpoint, policy: ToolPolicy, settings: Settings,
              override: str | None) -> str:
    summary_source = override or (endpoint.summary.best() if endpoint.summary else None) or endpoint.notes
    summary = clean_text(summary_source, limit=SUMMARY_LIMIT)
    # Every client needs a description; a manifest entry without prose still gets a plain one.
    parts = [summary or f"Calls the iletiMerkezi API endpoint {endpoint.path} ({endpoint.slug})."]
    if policy.experimental:
        parts.insert(0, _EXPERIMENTAL_NOTE)
    if name == "send_sms":
        parts.append(_SEND_NOTE.format(confirm=settings.confirm_above))
    elif not policy.read_only:
        parts.append(_WRITE_NOTE)
    doc = endpoint.doc_url.en if endpoint.doc_url else None
    reference = f"Reference: {doc}" if doc and DOC_URL.fullmatch(doc) else ""
    room = DESCRIPTION_LIMIT - len(reference) - 2
    body = clean_text("\n\n".join(p for p in parts if p), limit=room)
    return f"{body}\n\n{reference}" if reference else body


def _annotations(title: str, policy: ToolPolicy) -> types.ToolAnnotations:
    return types.ToolAnnotations(
        title=title,
        read_only_hint=policy.read_only,
        destructive_hint=policy.destructive,
        idempotent_hint=policy.idempotent,
        open_world_hint=policy.open_world,
    )


def _accept_any_schedule(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """send_sms takes ISO 8601 and times with seconds too: safety.prepare() converts them to the
    API's exact dd/MM/yyyy HH:mm (never with seconds) and refuses what it cannot read."""
    field = schema.get("properties", {}).get("order", {}).get("properties", {}).get("sendDateTime")
    if name != "send_sms" or not isinstance(field, dict) or "pattern" not in field:
        return schema
    relaxed = copy.deepcopy(schema)
    field = relaxed["properties"]["order"]["properties"]["sendDateTime"]
    field.pop("pattern")
    field["description"] = (field.get("description", "") + " ISO 8601 (e.g. 2026-06-15T10:30) is also "
                            "accepted and converted to Istanbul time; seconds are always dropped.").strip()
    return relaxed


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
