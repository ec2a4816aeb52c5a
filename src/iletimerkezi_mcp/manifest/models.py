"""Pydantic models of the provider's manifest.json, and a parser that keeps what is usable.

One broken endpoint is skipped with a reason; only a document with no usable shape at
all, or one far larger than any real manifest, is refused. Nothing here trusts the manifest's
URLs (the executor pins the host), and nothing in it can make us work without bound: schemas
are bounded in size and depth and their regular expressions checked before anything runs them.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from iletimerkezi_mcp.manifest.patterns import pattern_problem

log = logging.getLogger(__name__)

# Bounds on what a manifest can make us do. The whole document is already capped in bytes
# (loader.MAX_MANIFEST_BYTES); these cap the work inside it. The bundled manifest has 12 endpoints;
# its largest input_schema has 65 nodes (every object, array and value counts one), nests 10
# levels and holds 2.2 KB of text; all twelve together have 323 nodes and 8 KB of text.
# The metaschema walk costs up to 160 us a node (an empty subschema is checked against the whole
# metaschema), so the totals, not the endpoint count, keep a hostile document near 0.3 s of work.
MAX_ENDPOINTS = 100  # more and the document is refused, not cut: see _check_totals
MAX_SCHEMA_DEPTH = 32  # nested objects and arrays in one input_schema; an endpoint over a bound is skipped
MAX_SCHEMA_NODES = 500
MAX_SCHEMA_TEXT = 64 * 1024  # characters of keys and strings
MAX_TOTAL_SCHEMA_NODES = 2000  # over the schemas within bounds; more and the document is refused
MAX_TOTAL_SCHEMA_TEXT = 256 * 1024  # also bounds the regex checks (about 1 us a character)

TOOL_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]{0,63}$")
# A path is the only part of an endpoint's location we use. It must be a plain API path,
# so a manifest cannot smuggle in another host ("//evil.example/…") or a query string.
API_PATH = re.compile(r"^/v1/[a-z0-9][a-z0-9/-]{0,100}/json$")
# generated_at is shown to people and models: only a plain ISO 8601 time (RFC 3339 style) gets through.
TIMESTAMP = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
                       r"(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?")


def check_object_schema(value: dict[str, Any], *, metaschema: bool = True) -> dict[str, Any]:
    """A bounded JSON Schema (2020-12), safe to run, whose root describes an object; else ValueError saying why.

    `metaschema=False` skips only the metaschema walk (the costly part), for copies already checked.
    """
    problem = schema_problem(value)  # first: cheap, and bounds what the metaschema walk costs
    if problem is not None:
        raise ValueError(problem)
    if metaschema:
        try:
            Draft202012Validator.check_schema(value)
        except SchemaError as exc:
            raise ValueError(f"not valid JSON Schema: {exc.message[:200]}") from None
        except RecursionError:
            raise ValueError("the schema is nested too deeply to check") from None
    if value.get("type", "object") != "object":
        raise ValueError("the schema's root must be an object schema")
    return value


def schema_problem(schema: object) -> str | None:
    """Why a schema is over a bound or holds an unsafe regular expression, or None."""
    nodes, text, depth, patterns = _measure(schema)
    if depth > MAX_SCHEMA_DEPTH:
        return f"the schema is nested too deeply (more than {MAX_SCHEMA_DEPTH} levels)"
    if nodes > MAX_SCHEMA_NODES:
        return f"the schema has more than {MAX_SCHEMA_NODES} nodes"
    if text > MAX_SCHEMA_TEXT:
        return f"the schema holds more than {MAX_SCHEMA_TEXT} characters of text"
    for where, pattern in patterns:
        problem = pattern_problem(pattern)
        if problem is not None:
            return f"unsafe pattern at {where[:120]!r}: {problem}"
    return None


def _measure(schema: object) -> tuple[int, int, int, list[tuple[str, str]]]:
    """(nodes, text, depth, patterns with their JSON pointers), without recursion; the walk stops
    as soon as a bound is passed, so a huge schema costs no more than one just over the bounds.

    Every `pattern` string and `patternProperties` key at any depth counts as a pattern, not only
    those in keyword position: a `$ref` can point anywhere in the schema."""
    nodes, text, deepest = 1, 0, 0
    patterns: list[tuple[str, str]] = []
    stack: list[tuple[object, int, str]] = [(schema, 1, "")]
    while stack:
        node, depth, where = stack.pop()
        if not isinstance(node, (dict, list)):
            text += len(node) if isinstance(node, str) else 0
        else:
            deepest = max(deepest, depth)
            nodes += len(node)  # counted before walking them: a million-item list stops here
            if deepest > MAX_SCHEMA_DEPTH or nodes > MAX_SCHEMA_NODES:
                break
            if isinstance(node, list):
                stack.extend((item, depth + 1, f"{where}/{i}") for i, item in enumerate(node))
                continue
            for key, value in node.items():
                text += len(key)
                here = f"{where}/{key.replace('~', '~0').replace('/', '~1')}"
                if key == "pattern" and isinstance(value, str):
                    patterns.append((here, value))
                elif key == "patternProperties" and isinstance(value, dict):
                    patterns.extend((f"{here}/{name.replace('~', '~0').replace('/', '~1')}", name) for name in value)
                stack.append((value, depth + 1, here))
        if text > MAX_SCHEMA_TEXT:
            break
    return nodes, text, deepest, patterns


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
        # Bounds and regexes are always checked; the metaschema walk (~1.5 ms a schema) may be skipped.
        check_object_schema(value, metaschema=(info.context or {}).get("check_schemas", True))
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
    raw: dict[str, Any]  # the document as accepted: skipped endpoints removed (this is what gets cached)

    def tools(self) -> dict[str, Endpoint]:
        """Endpoints that become tools (those with both mcp_tool and input_schema), by name."""
        return {ep.mcp_tool: ep for ep in self.endpoints if ep.mcp_tool and ep.input_schema is not None}


def parse_manifest(data: object, *, check_schemas: bool = True) -> ParsedManifest:
    """Validate a decoded manifest document. Raises ManifestError if nothing usable remains.

    `check_schemas=False` skips only the JSON-Schema metaschema walk, for the packaged file
    (checked by the test suite). Everything else, our own cache included (a file on disk can
    be edited), gets the full check; bounds and regexes are checked in every case.
    """
    if not isinstance(data, dict):
        raise ManifestError(f"manifest must be a JSON object, got {type(data).__name__}")
    raw_endpoints = data.get("endpoints")
    if not isinstance(raw_endpoints, list):
        raise ManifestError("manifest has no 'endpoints' array")
    _check_totals(raw_endpoints)
    endpoints: list[Endpoint] = []
    accepted: list[dict[str, Any]] = []
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
        accepted.append(item)
    if not any(ep.mcp_tool and ep.input_schema is not None for ep in endpoints):
        raise ManifestError("manifest has no usable tool (no endpoint with a valid mcp_tool and input_schema)")
    generated_at = _timestamp(data.get("generated_at"))
    # Only what passed is kept: a cached copy must never bring back what this check refused.
    raw = {key: accepted if key == "endpoints" else value for key, value in data.items()
           if key != "generated_at" or generated_at is not None}
    return ParsedManifest(
        schema_version=_opt_str(data.get("schema_version")),
        generated_at=generated_at,
        base_url=_opt_str(data.get("base_url")),
        endpoints=endpoints,
        skipped=skipped,
        raw=raw,
    )


def _check_totals(raw_endpoints: list[Any]) -> None:
    """Refuse a document far beyond any real manifest before validating any of it.

    Refused whole rather than cut down: a cut would serve whichever entries the document's author
    put first, and would replace the last good cached copy; a refusal keeps serving that copy.
    """
    if len(raw_endpoints) > MAX_ENDPOINTS:
        raise ManifestError(f"manifest lists {len(raw_endpoints)} endpoints, more than the {MAX_ENDPOINTS} accepted")
    nodes = text = 0
    for item in raw_endpoints:
        schema = item.get("input_schema") if isinstance(item, dict) else None
        if isinstance(schema, dict):
            n, t, depth, _ = _measure(schema)
            if n <= MAX_SCHEMA_NODES and t <= MAX_SCHEMA_TEXT and depth <= MAX_SCHEMA_DEPTH:
                nodes, text = nodes + n, text + t  # one over a bound is skipped (cheaply) and not counted
    if nodes > MAX_TOTAL_SCHEMA_NODES or text > MAX_TOTAL_SCHEMA_TEXT:
        raise ManifestError(f"manifest's input schemas total {nodes} nodes and {text} characters, more than the "
                            f"{MAX_TOTAL_SCHEMA_NODES} and {MAX_TOTAL_SCHEMA_TEXT} accepted")


def _timestamp(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and TIMESTAMP.fullmatch(value):
        return value
    log.warning("manifest generated_at is not an ISO 8601 time; shown as unknown")
    return None


def _opt_str(value: object) -> str | None:
    return value[:100] if isinstance(value, str) else None
