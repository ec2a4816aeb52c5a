"""Pydantic models of the provider's manifest.json, and a parser that keeps what is usable.

One broken endpoint is skipped with a reason; only a document with no usable shape at
all is refused. Nothing here trusts the manifest's URLs: the executor pins the host.
"""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

TOOL_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]{0,63}$")
# A path is the only part of an endpoint's location we use. It must be a plain API path,
# so a manifest cannot smuggle in another host ("//evil.example/…") or a query string.
API_PATH = re.compile(r"^/v1/[a-z0-9][a-z0-9/-]{0,100}/json$")


def check_object_schema(value: dict[str, Any]) -> dict[str, Any]:
    """A valid JSON Schema (2020-12) whose root describes an object, or ValueError saying why."""
    try:
        Draft202012Validator.check_schema(value)
    except SchemaError as exc:
        raise ValueError(f"not valid JSON Schema: {exc.message[:200]}") from None
    except RecursionError:
        raise ValueError("the schema is nested too deeply to check") from None
    if value.get("type", "object") != "object":
        raise ValueError("the schema's root must be an object schema")
    return value


class ManifestError(ValueError):
    """The whole document is unusable (not JSON, wrong shape, no usable endpoint)."""


class LocalizedText(BaseModel):
    model_config = ConfigDict(extra="ignore")

    tr: str | None = None
    en: str | None = None

    def best(self) -> str | None:
        """English first (our users' models read it best), Turkish as fallback."""
        return self.en or self.tr


class Endpoint(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    slug: str = Field(min_length=1, max_length=100)
    method: str = "POST"
    base_url: str | None = None
    path: str
    full_url: str | None = None
    error_codes: list[int] = Field(default_factory=list)
    notes: str | None = None
    summary: LocalizedText | None = None
    title: LocalizedText | None = None
    description: LocalizedText | None = None
    doc_url: LocalizedText | None = None
    last_updated: str | None = None
    mcp_tool: str | None = None
    input_schema: dict[str, Any] | None = None

    @field_validator("method")
    @classmethod
    def _post_only(cls, value: str) -> str:
        if value.upper() != "POST":
            raise ValueError(f"method must be POST (every JSON endpoint is), got {value!r}")
        return "POST"

    @field_validator("path")
    @classmethod
    def _plain_api_path(cls, value: str) -> str:
        if not API_PATH.fullmatch(value):
            raise ValueError(f"path must look like /v1/<name>/json, got {value[:80]!r}")
        return value

    @field_validator("mcp_tool")
    @classmethod
    def _tool_name(cls, value: str | None) -> str | None:
        if value is not None and not TOOL_NAME.match(value):
            raise ValueError(f"mcp_tool {value[:80]!r} is not a valid tool name")
        return value

    @field_validator("input_schema")
    @classmethod
    def _valid_schema(cls, value: dict[str, Any] | None, info: ValidationInfo) -> dict[str, Any] | None:
        if value is None:
            return None
        if (info.context or {}).get("check_schemas", True):
            check_object_schema(value)  # the full metaschema walk: ~1.5 ms a schema
        elif value.get("type", "object") != "object":
            raise ValueError("the schema's root must be an object schema")
        props = value.get("properties", {})
        if "authentication" in props:
            # Credentials are ours to add; a schema asking the model for them is hostile or broken.
            raise ValueError("input_schema must not declare 'authentication'")
        return value


class ParsedManifest(BaseModel):
    """A validated manifest: the usable endpoints plus what was skipped and why."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    schema_version: str | None = None
    generated_at: str | None = None
    base_url: str | None = None
    endpoints: list[Endpoint]
    skipped: list[tuple[str, str]] = Field(default_factory=list)
    raw: dict[str, Any]

    def tools(self) -> dict[str, Endpoint]:
        """Endpoints that become tools (those with both mcp_tool and input_schema), by name."""
        return {ep.mcp_tool: ep for ep in self.endpoints if ep.mcp_tool and ep.input_schema is not None}


def parse_manifest(data: object, *, check_schemas: bool = True) -> ParsedManifest:
    """Validate a decoded manifest document. Raises ManifestError if nothing usable remains.

    `check_schemas=False` skips the JSON-Schema metaschema check, only for copies that were
    already checked: our own cache (written after a full check) and the packaged file
    (checked by the test suite). Everything from the network gets the full check.
    """
    if not isinstance(data, dict):
        raise ManifestError(f"manifest must be a JSON object, got {type(data).__name__}")
    raw_endpoints = data.get("endpoints")
    if not isinstance(raw_endpoints, list):
        raise ManifestError("manifest has no 'endpoints' array")
    endpoints: list[Endpoint] = []
    skipped: list[tuple[str, str]] = []
    seen_tools: set[str] = set()
    for index, item in enumerate(raw_endpoints):
        label = item.get("slug") if isinstance(item, dict) and isinstance(item.get("slug"), str) else f"#{index}"
        label = str(label)[:60]
        if not isinstance(item, dict):
            skipped.append((label, "endpoint is not an object"))
            continue
        try:
            endpoint = Endpoint.model_validate(item, context={"check_schemas": check_schemas})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "entry"
            skipped.append((label, f"{where}: {first['msg']}"[:300]))
            continue
        if endpoint.mcp_tool and endpoint.mcp_tool in seen_tools:
            skipped.append((label, f"duplicate tool name {endpoint.mcp_tool!r}"))
            continue
        if endpoint.mcp_tool:
            seen_tools.add(endpoint.mcp_tool)
        endpoints.append(endpoint)
    if not any(ep.mcp_tool and ep.input_schema is not None for ep in endpoints):
        raise ManifestError("manifest has no usable tool (no endpoint with a valid mcp_tool and input_schema)")
    return ParsedManifest(
        schema_version=_opt_str(data.get("schema_version")),
        generated_at=_opt_str(data.get("generated_at")),
        base_url=_opt_str(data.get("base_url")),
        endpoints=endpoints,
        skipped=skipped,
        raw=data,
    )


def _opt_str(value: object) -> str | None:
    return value[:100] if isinstance(value, str) else None
