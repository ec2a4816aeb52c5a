"""Lint MCP tools (wire-shaped dicts) against what the major MCP clients accept.

Each rule has a stable id listed in ``RULES``; docs/client-compatibility.md explains every id and
names the client issue or document it comes from. Errors are things a client rejects (often the
whole request, not just one tool); warnings are things some client handles badly or that an older
client version rejects. ``make_portable`` output never produces an error here.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any, Literal, NamedTuple

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from pydantic import BaseModel, ConfigDict

from .schema_compat import MAX_DESCRIPTION, PORTABLE_KEYWORDS, is_portable_pattern

__all__ = ["MAX_TOOLS", "RULES", "Finding", "Rule", "lint_schema", "lint_tool", "lint_tools"]

Severity = Literal["error", "warning"]
MAX_TOOLS = 40
LONG_DESCRIPTION = 500
CURSOR_NAME_BUDGET = 60
CLAUDE_CODE_NAME_BUDGET = 64

TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
PROPERTY_NAME = re.compile(r"^[a-zA-Z0-9_.-]{1,64}$")
STRICT_PROPERTY_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]{0,63}$")
_TYPES = frozenset({"string", "integer", "number", "boolean", "array", "object"})
_COMBINATORS = frozenset({"anyOf", "oneOf", "allOf"})
_ROOT_FORBIDDEN = frozenset({"anyOf", "oneOf", "allOf", "not", "if", "then", "else", "enum", "const"})
_NEVER = frozenset({"$ref", "$defs", "definitions", "$schema", "$id", "$anchor", "$dynamicRef",
                    "$dynamicAnchor"})
# Formats OpenAI accepts; Gemini's OpenAPI path accepts only "date-time" (and "enum").
_OPENAI_FORMATS = frozenset({"date-time", "time", "date", "duration", "email", "hostname",
                             "ipv4", "ipv6", "uuid"})
HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")


class Rule(NamedTuple):
    severity: Severity
    summary: str


RULES: dict[str, Rule] = {
    "tool-name-pattern": Rule("error", "tool name matches ^[a-zA-Z0-9_-]{1,64}$"),
    "tool-name-start": Rule("error", "tool name starts with a letter"),
    "tool-name-cursor-budget": Rule("error", "len(server_key) + 1 + len(name) <= 60"),
    "tool-name-claude-code-budget": Rule("error", 'len("mcp__" + server_key + "__" + name) <= 64'),
    "tool-name-separator": Rule("warning", 'tool name contains "__"'),
    "tool-name-hyphen": Rule("warning", "tool name contains a hyphen"),
    "tool-name-case": Rule("warning", "tool name contains upper-case letters"),
    "tool-name-duplicate": Rule("error", "tool names are unique"),
    "tool-count": Rule("error", f"at most {MAX_TOOLS} tools"),
    "description-missing": Rule("error", "tool has a non-empty description"),
    "description-too-long": Rule("error", f"tool description <= {MAX_DESCRIPTION} characters"),
    "description-long": Rule("warning", f"tool description > {LONG_DESCRIPTION} characters"),
    "schema-valid": Rule("error", "schema is valid JSON Schema 2020-12"),
    "root-type-object": Rule("error", 'root schema is {"type": "object"}'),
    "root-properties": Rule("error", "root schema has a properties object (even when empty)"),
    "root-combinator": Rule("error", "no oneOf/anyOf/allOf/not/if/then/else/enum/const at the root"),
    "no-ref": Rule("error", "no $ref/$defs/definitions/$schema/$id/$anchor anywhere"),
    "boolean-schema": Rule("error", "every subschema is an object, never true/false"),
    "single-type": Rule("error", "every subschema has one string type"),
    "nested-combinator": Rule("error", "no anyOf/oneOf/allOf below the root"),
    "array-items": Rule("error", "type array has an items schema"),
    "object-properties": Rule("error", "type object has a properties object"),
    "object-properties-empty": Rule("warning", "nested object with no properties"),
    "keyword-type-mismatch": Rule("error", "properties/required only on objects, items only on arrays"),
    "enum-string": Rule("error", "enum only on type string, with string values"),
    "enum-empty-value": Rule("error", "enum values are non-empty strings"),
    "required-subset": Rule("error", "required is a list of unique names present in properties"),
    "property-name": Rule("error", "property names match ^[a-zA-Z0-9_.-]{1,64}$"),
    "property-name-strict": Rule("warning", "property names match ^[a-zA-Z_][a-zA-Z0-9_]{0,63}$"),
    "unsupported-keyword": Rule("error", "only keywords of the portable subset"),
    "additional-properties": Rule("warning", "no additionalProperties in published schemas"),
    "title-keyword": Rule("warning", "no title inside schemas"),
    "format-unsupported": Rule("error", "format is one OpenAI accepts"),
    "format-limited": Rule("warning", 'format is "date-time" (the only one Gemini accepts)'),
    "pattern-invalid": Rule("error", "pattern is a valid regular expression"),
    "schema-description": Rule("error", f"schema descriptions are strings of <= {MAX_DESCRIPTION} characters"),
    "default-type": Rule("warning", "default matches the declared type and enum"),
    "output-root-type-object": Rule("error", 'outputSchema root is {"type": "object"}'),
    "annotations-hints": Rule("error", "annotations set all four hints explicitly as booleans"),
    "annotations-open-world": Rule("warning", "openWorldHint is true unless the tool is local"),
    "annotations-contradiction": Rule("warning", "readOnlyHint and destructiveHint are not both true"),
}


class Finding(BaseModel):
    """One lint result; ``path`` is a JSON pointer into the tool dict."""

    model_config = ConfigDict(frozen=True)

    severity: Severity
    tool: str
    path: str
    rule: str
    message: str


class _Sink:
    def __init__(self, tool: str) -> None:
        self.tool = tool
        self.findings: list[Finding] = []

    def add(self, rule: str, path: str, message: str) -> None:
        self.findings.append(Finding(severity=RULES[rule].severity, tool=self.tool,
                                     path=path or "/", rule=rule, message=message))


def lint_tools(tools: list[dict[str, Any]], server_key: str = "sms", *,
               local_tools: Collection[str] = ()) -> list[Finding]:
    """Lint every tool, then the list as a whole (unique names, total count).

    ``local_tools`` names tools that never leave the process (e.g. a preview), which may say
    ``openWorldHint: false``; every other tool here calls the provider's HTTP API.
    """
    findings: list[Finding] = []
    seen: set[str] = set()
    for index, tool in enumerate(tools):
        findings += lint_tool(tool, server_key, local_tools=local_tools)
        name = tool.get("name") if isinstance(tool, dict) else None
        if isinstance(name, str):
            if name in seen:
                sink = _Sink(name)
                sink.add("tool-name-duplicate", f"/{index}/name", f"tool name {name!r} is used twice")
                findings += sink.findings
            seen.add(name)
    if len(tools) > MAX_TOOLS:
        sink = _Sink("*")
        sink.add("tool-count", "/", f"{len(tools)} tools; Cursor historically sent only the first {MAX_TOOLS}")
        findings += sink.findings
    return findings


def lint_tool(tool: dict[str, Any], server_key: str = "sms", *,
              local_tools: Collection[str] = ()) -> list[Finding]:
    """Lint one wire-shaped MCP tool (``name``, ``description``, ``inputSchema``, ...)."""
    name = tool.get("name")
    sink = _Sink(name if isinstance(name, str) and name else "<unnamed>")
    _lint_name(sink, name, server_key)
    _lint_description(sink, tool.get("description"))
    sink.findings += lint_schema(tool.get("inputSchema"), sink.tool, "/inputSchema")
    if tool.get("outputSchema") is not None:
        _lint_schema(sink, tool["outputSchema"], "/outputSchema", output=True)
    _lint_annotations(sink, tool.get("annotations"), local=name in local_tools)
    return sink.findings


def lint_schema(schema: Any, tool: str = "", base: str = "") -> list[Finding]:
    """Lint one input schema on its own (the rules applied to ``inputSchema``)."""
    sink = _Sink(tool)
    _lint_schema(sink, schema, base, output=False)
    return sink.findings


def _lint_name(sink: _Sink, name: Any, server_key: str) -> None:
    if not isinstance(name, str) or not TOOL_NAME.match(name):
        sink.add("tool-name-pattern", "/name", f"{name!r} does not match {TOOL_NAME.pattern}")
        if not isinstance(name, str):
            return
    if not name[:1].isascii() or not name[:1].isalpha():
        sink.add("tool-name-start", "/name", f"{name!r} must start with a letter")
    combined = len(server_key) + 1 + len(name)
    if combined > CURSOR_NAME_BUDGET:
        sink.add("tool-name-cursor-budget", "/name",
                 f"server key + tool name is {combined} characters; Cursor drops tools over {CURSOR_NAME_BUDGET}")
    qualified = f"mcp__{server_key}__{name}"
    if len(qualified) > CLAUDE_CODE_NAME_BUDGET:
        sink.add("tool-name-claude-code-budget", "/name",
                 f"{qualified!r} is {len(qualified)} characters; the limit is {CLAUDE_CODE_NAME_BUDGET}")
    if "__" in name:
        sink.add("tool-name-separator", "/name", "double underscores collide with mcp__server__tool naming")
    if "-" in name:
        sink.add("tool-name-hyphen", "/name", "prefer underscores; some clients accept only [A-Za-z0-9_]")
    if name != name.lower():
        sink.add("tool-name-case", "/name", "prefer lower case; VS Code warns about [^a-z0-9_-]")


def _lint_description(sink: _Sink, text: Any) -> None:
    if not isinstance(text, str) or not text.strip():
        sink.add("description-missing", "/description", "the tool has no description")
    elif len(text) > MAX_DESCRIPTION:
        sink.add("description-too-long", "/description",
                 f"{len(text)} characters; OpenAI rejects more than {MAX_DESCRIPTION}")
    elif len(text) > LONG_DESCRIPTION:
        sink.add("description-long", "/description",
                 f"{len(text)} characters; keep the critical content first")


def _lint_annotations(sink: _Sink, annotations: Any, local: bool) -> None:
    if not isinstance(annotations, dict):
        sink.add("annotations-hints", "/annotations", "no annotations: clients assume the worst defaults")
        return
    for hint in HINTS:
        if not isinstance(annotations.get(hint), bool):
            sink.add("annotations-hints", f"/annotations/{hint}", f"{hint} is not set to true or false")
    if annotations.get("openWorldHint") is False and not local:
        sink.add("annotations-open-world", "/annotations/openWorldHint",
                 "this tool calls the provider's HTTP API, so its world is open")
    if annotations.get("readOnlyHint") is True and annotations.get("destructiveHint") is True:
        sink.add("annotations-contradiction", "/annotations", "a read-only tool cannot be destructive")


def _lint_schema(sink: _Sink, schema: Any, base: str, output: bool) -> None:
    root_rule = "output-root-type-object" if output else "root-type-object"
    if not isinstance(schema, dict):
        sink.add(root_rule, base, "the schema is not a JSON object")
        return
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        sink.add("schema-valid", base, f"invalid JSON Schema: {exc.message}")
    if schema.get("type") != "object":
        sink.add(root_rule, base, f"root type is {schema.get('type')!r}, not 'object'")
    if not isinstance(schema.get("properties"), dict):
        sink.add("root-properties", base, "root has no properties object")
    for key in sorted(_ROOT_FORBIDDEN & schema.keys()):
        sink.add("root-combinator", f"{base}/{key}", f"{key} at the root of the schema")
    _walk(sink, schema, base, root=True)


def _walk(sink: _Sink, node: Any, path: str, root: bool = False) -> None:
    if not isinstance(node, dict):
        sink.add("boolean-schema", path, f"subschema is {node!r}; write an explicit typed schema")
        return
    keys = set(node)
    for key in sorted(keys & _NEVER):
        sink.add("no-ref", f"{path}/{_escape(key)}", f"uses {key}; inline everything")
    if not root:
        for key in sorted(keys & _COMBINATORS):
            sink.add("nested-combinator", f"{path}/{key}", f"{key} below the root; collapse it to one type")
    kind = node.get("type")
    if not isinstance(kind, str) or kind not in _TYPES:
        problem = "missing" if kind is None else f"{kind!r} is not one string type"
        sink.add("single-type", path, f"type {problem}")
    known = PORTABLE_KEYWORDS | _NEVER | _COMBINATORS | {"additionalProperties", "title"}
    if root:
        known |= _ROOT_FORBIDDEN  # reported once by root-combinator
    for key in sorted(keys - known):
        sink.add("unsupported-keyword", f"{path}/{_escape(key)}", f"{key} is outside the portable subset")
    if "additionalProperties" in keys:
        sink.add("additional-properties", f"{path}/additionalProperties",
                 "Gemini rejects it; validate strictly on the server instead")
    if "title" in keys:
        sink.add("title-keyword", f"{path}/title", "older Gemini schemas have no title; use description")
    _check_scalars(sink, node, path, kind)
    _check_structure(sink, node, path, kind, root)
    for key in sorted(keys & _COMBINATORS):
        if isinstance(node[key], list):
            for index, branch in enumerate(node[key]):
                _walk(sink, branch, f"{path}/{key}/{index}")


def _check_scalars(sink: _Sink, node: dict[str, Any], path: str, kind: Any) -> None:
    text = node.get("description")
    if "description" in node and not isinstance(text, str):
        sink.add("schema-description", f"{path}/description", "description is not a string")
    elif isinstance(text, str) and len(text) > MAX_DESCRIPTION:
        sink.add("schema-description", f"{path}/description", f"{len(text)} characters (limit {MAX_DESCRIPTION})")
    if "format" in node:
        fmt = node["format"]
        if fmt not in _OPENAI_FORMATS:
            sink.add("format-unsupported", f"{path}/format", f"format {fmt!r} is rejected by OpenAI and Gemini")
        elif fmt != "date-time":
            sink.add("format-limited", f"{path}/format", f"format {fmt!r} is rejected by Gemini's OpenAPI path")
    if "pattern" in node:
        pattern = node["pattern"]
        if not isinstance(pattern, str) or not is_portable_pattern(pattern):
            sink.add("pattern-invalid", f"{path}/pattern", f"pattern {pattern!r} is not a portable regex")
    if "enum" in node:
        values = node["enum"]
        if kind != "string" or not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            sink.add("enum-string", f"{path}/enum", "enum must be on type string and hold only strings")
        if isinstance(values, list) and (not values or "" in values):
            sink.add("enum-empty-value", f"{path}/enum", "Gemini rejects an empty enum or empty-string values")
    if "default" in node and kind in _TYPES and not _default_fits(node["default"], kind, node.get("enum")):
        sink.add("default-type", f"{path}/default", f"default {node['default']!r} is not a valid {kind}")


def _check_structure(sink: _Sink, node: dict[str, Any], path: str, kind: Any, root: bool) -> None:
    if kind != "object":
        for key in ("properties", "required"):
            if key in node:
                sink.add("keyword-type-mismatch", f"{path}/{key}", f"{key} on a non-object schema")
    if kind != "array" and "items" in node:
        sink.add("keyword-type-mismatch", f"{path}/items", "items on a non-array schema")
    props = node.get("properties")
    if kind == "object" and not isinstance(props, dict):
        if not root:  # the root case is reported as root-properties
            sink.add("object-properties", path, "object without a properties object")
    elif kind == "object" and not props and not root:
        sink.add("object-properties-empty", f"{path}/properties",
                 "Gemini's OpenAPI path wants a non-empty properties object")
    if "required" in node:
        required = node["required"]
        names = props if isinstance(props, dict) else {}
        if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
            sink.add("required-subset", f"{path}/required", "required is not a list of names")
        else:
            if len(set(required)) != len(required):
                sink.add("required-subset", f"{path}/required", "required lists a name twice")
            for name in required:
                if name not in names:
                    sink.add("required-subset", f"{path}/required", f"{name!r} is required but not defined")
    if isinstance(props, dict):
        for name, sub in props.items():
            where = f"{path}/properties/{_escape(name)}"
            if not PROPERTY_NAME.match(name):
                sink.add("property-name", where, f"{name!r} does not match {PROPERTY_NAME.pattern}")
            elif not STRICT_PROPERTY_NAME.match(name):
                sink.add("property-name-strict", where, f"{name!r} does not match {STRICT_PROPERTY_NAME.pattern}")
            _walk(sink, sub, where)
    if kind == "array" or "items" in node:
        items = node.get("items")
        if items is None:
            sink.add("array-items", path, "array without items")
        else:
            _walk(sink, items, f"{path}/items")


def _default_fits(value: Any, kind: str, enum: Any) -> bool:
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }
    if not checks[kind](value):
        return False
    return not isinstance(enum, list) or value in enum


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
