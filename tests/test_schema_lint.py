"""schema_lint: each client rule fires on a tool that breaks it, and only then."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from iletimerkezi_mcp.schema_compat import make_portable
from iletimerkezi_mcp.schema_lint import MAX_TOOLS, RULES, Finding, lint_schema, lint_tool, lint_tools

DOCS = Path(__file__).parents[1] / "docs" / "client-compatibility.md"
RECONSTRUCTED = Path(__file__).parent / "data" / "awkward_manifests" / "reconstructed.json"


def _good_tool(name: str = "get_report") -> dict[str, Any]:
    return {
        "name": name,
        "title": "Order report",
        "description": "Delivery report of one SMS order.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "order": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "description": "Order id."},
                        "page": {"type": "integer", "minimum": 1, "default": 1},
                        "when": {"type": "string", "format": "date-time"},
                        "kind": {"type": "string", "enum": ["a", "b"]},
                        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
                    },
                    "required": ["id"],
                },
            },
            "required": ["order"],
        },
        "outputSchema": {"type": "object", "properties": {"status": {"type": "string"}}},
        "annotations": {"readOnlyHint": True, "destructiveHint": False,
                        "idempotentHint": True, "openWorldHint": True},
    }


def _order(tool: dict[str, Any]) -> dict[str, Any]:
    return tool["inputSchema"]["properties"]["order"]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(tool: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = tool
        for key in parents:
            node = node[key]
        node[last] = value
    return mutate


# rule id -> (mutation of a good tool, expected finding path)
CASES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "tool-name-pattern": (_set("name", "send sms"), "/name"),
    "tool-name-start": (_set("name", "1send"), "/name"),
    "tool-name-cursor-budget": (_set("name", "x" * 57), "/name"),  # 3 + 1 + 57 = 61 > 60
    "tool-name-claude-code-budget": (_set("name", "x" * 55), "/name"),
    "tool-name-separator": (_set("name", "sms__send"), "/name"),
    "tool-name-hyphen": (_set("name", "send-sms"), "/name"),
    "tool-name-case": (_set("name", "SendSms"), "/name"),
    "description-missing": (_set("description", "  "), "/description"),
    "description-too-long": (_set("description", "x" * 1025), "/description"),
    "description-long": (_set("description", "x" * 600), "/description"),
    "schema-valid": (_set("inputSchema.properties.order.properties.page.minimum", "one"),
                     "/inputSchema"),
    "root-type-object": (_set("inputSchema.type", "array"), "/inputSchema"),
    "root-properties": (lambda t: t["inputSchema"].pop("properties"), "/inputSchema"),
    "root-combinator": (_set("inputSchema.anyOf", [{"type": "object", "properties": {}}]),
                        "/inputSchema/anyOf"),
    "no-ref": (_set("inputSchema.properties.order.properties.id", {"$ref": "#/$defs/Id"}),
               "/inputSchema/properties/order/properties/id/$ref"),
    "boolean-schema": (_set("inputSchema.properties.order.properties.id", True),
                       "/inputSchema/properties/order/properties/id"),
    "single-type": (_set("inputSchema.properties.order.properties.id.type", ["string", "integer"]),
                    "/inputSchema/properties/order/properties/id"),
    "nested-combinator": (_set("inputSchema.properties.order.properties.id",
                               {"type": "string", "anyOf": [{"type": "string"}]}),
                          "/inputSchema/properties/order/properties/id/anyOf"),
    "array-items": (lambda t: _order(t)["properties"]["tags"].pop("items"),
                    "/inputSchema/properties/order/properties/tags"),
    "object-properties": (lambda t: _order(t).pop("properties") and _order(t).pop("required"),
                          "/inputSchema/properties/order"),
    "object-properties-empty": (_set("inputSchema.properties.order.properties.tags",
                                     {"type": "object", "properties": {}}),
                                "/inputSchema/properties/order/properties/tags/properties"),
    "keyword-type-mismatch": (_set("inputSchema.properties.order.properties.id.items", {"type": "string"}),
                              "/inputSchema/properties/order/properties/id/items"),
    "enum-string": (_set("inputSchema.properties.order.properties.page.enum", [1, 2]),
                    "/inputSchema/properties/order/properties/page/enum"),
    "enum-empty-value": (_set("inputSchema.properties.order.properties.kind.enum", ["a", ""]),
                         "/inputSchema/properties/order/properties/kind/enum"),
    "required-subset": (_set("inputSchema.properties.order.required", ["id", "ghost"]),
                        "/inputSchema/properties/order/required"),
    "property-name": (_set("inputSchema.properties.order.properties.filter[id]", {"type": "string"}),
                      "/inputSchema/properties/order/properties/filter[id]"),
    "property-name-strict": (lambda t: _order(t)["properties"].update({"ok.name": {"type": "string"}}),
                             "/inputSchema/properties/order/properties/ok.name"),
    "unsupported-keyword": (_set("inputSchema.properties.order.properties.page.multipleOf", 2),
                            "/inputSchema/properties/order/properties/page/multipleOf"),
    "additional-properties": (_set("inputSchema.additionalProperties", False),
                              "/inputSchema/additionalProperties"),
    "title-keyword": (_set("inputSchema.properties.order.title", "Order"),
                      "/inputSchema/properties/order/title"),
    "format-unsupported": (_set("inputSchema.properties.order.properties.when.format", "uri"),
                           "/inputSchema/properties/order/properties/when/format"),
    "format-limited": (_set("inputSchema.properties.order.properties.when.format", "date"),
                       "/inputSchema/properties/order/properties/when/format"),
    "pattern-invalid": (_set("inputSchema.properties.order.properties.id.pattern", "(unclosed"),
                        "/inputSchema/properties/order/properties/id/pattern"),
    "schema-description": (_set("inputSchema.properties.order.properties.id.description", "d" * 1025),
                           "/inputSchema/properties/order/properties/id/description"),
    "default-type": (_set("inputSchema.properties.order.properties.page.default", "1"),
                     "/inputSchema/properties/order/properties/page/default"),
    "output-root-type-object": (_set("outputSchema", {"type": "array", "items": {"type": "string"}}),
                                "/outputSchema"),
    "annotations-hints": (lambda t: t["annotations"].pop("idempotentHint"),
                          "/annotations/idempotentHint"),
    "annotations-open-world": (_set("annotations.openWorldHint", False), "/annotations/openWorldHint"),
    "annotations-contradiction": (_set("annotations.destructiveHint", True), "/annotations"),
}
LIST_RULES = {"tool-name-duplicate", "tool-count"}


def test_a_clean_tool_has_no_findings() -> None:
    assert lint_tool(_good_tool()) == []
    assert lint_tools([_good_tool("get_report"), _good_tool("get_balance")]) == []


def test_every_rule_has_a_case_here() -> None:
    assert set(CASES) | LIST_RULES == set(RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_fires_on_its_violation(rule: str) -> None:
    tool = _good_tool()
    mutate, path = CASES[rule]
    mutate(tool)
    hits = [f for f in lint_tool(tool) if f.rule == rule]
    assert hits, f"{rule} did not fire"
    assert path in {f.path for f in hits}
    assert all(f.severity == RULES[rule].severity and f.tool == (tool["name"] or "<unnamed>") for f in hits)


def test_name_budgets_for_the_default_server_key() -> None:
    # "mcp__sms__" is 10 characters, so Claude Code leaves 54 for the tool name.
    assert not {f.rule for f in lint_tool(_good_tool("x" * 54))} & {"tool-name-claude-code-budget"}
    assert "tool-name-claude-code-budget" in {f.rule for f in lint_tool(_good_tool("x" * 55))}
    rules = {f.rule for f in lint_tool(_good_tool("get_report"), server_key="k" * 50)}
    assert {"tool-name-cursor-budget", "tool-name-claude-code-budget"} <= rules


def test_local_tools_may_declare_a_closed_world() -> None:
    tool = _good_tool("preview_sms")
    tool["annotations"]["openWorldHint"] = False
    assert [f.rule for f in lint_tool(tool)] == ["annotations-open-world"]
    assert lint_tool(tool, local_tools={"preview_sms"}) == []
    assert lint_tools([tool], local_tools={"preview_sms"}) == []


def test_missing_annotations_and_schemas_are_errors() -> None:
    tool = {"name": "get_balance", "description": "Balance."}
    rules = {f.rule for f in lint_tool(tool)}
    assert {"annotations-hints", "root-type-object"} <= rules


def test_tool_list_rules() -> None:
    dupes = lint_tools([_good_tool("a_tool"), _good_tool("a_tool")])
    assert [f.rule for f in dupes] == ["tool-name-duplicate"]
    many = lint_tools([_good_tool(f"tool_{i}") for i in range(MAX_TOOLS + 1)])
    assert [f.rule for f in many] == ["tool-count"]
    assert lint_tools([_good_tool(f"tool_{i}") for i in range(MAX_TOOLS)]) == []


def test_raw_manifest_schemas_show_why_make_portable_exists() -> None:
    manifest = json.loads(RECONSTRUCTED.read_text(encoding="utf-8"))
    raw = {e["mcp_tool"]: e["input_schema"] for e in manifest["endpoints"]}
    brand = {(f.rule, f.path) for f in lint_schema(raw["iys_check"])}
    assert ("single-type", "/properties/consent/properties/brandCode") in brand
    assert ("additional-properties", "/additionalProperties") in brand
    for name, schema in raw.items():
        assert lint_schema(make_portable(schema), tool=name) == []


def test_findings_are_frozen_pydantic_models() -> None:
    finding = lint_tool(_good_tool("bad name"))[0]
    assert isinstance(finding, Finding)
    with pytest.raises(ValidationError):
        finding.rule = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Finding(severity="fatal", tool="t", path="/", rule="r", message="m")  # type: ignore[arg-type]


def test_lint_never_raises_on_garbage() -> None:
    garbage: list[Any] = [{}, {"name": 5, "inputSchema": [], "annotations": "x"},
                          {"name": "t", "inputSchema": {"type": "object", "properties": {"a": [1]}}},
                          {"name": "t", "inputSchema": {"type": "object", "properties": [],
                                                        "required": "a", "enum": 3}}]
    for tool in garbage:
        assert all(f.severity == "error" or f.severity == "warning" for f in lint_tool(copy.deepcopy(tool)))


def test_every_rule_is_documented_with_a_source() -> None:
    text = DOCS.read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z0-9-]+)` \|.*$", text, re.M)}
    assert set(RULES) <= set(rows), sorted(set(RULES) - set(rows))
    for rule, row in rows.items():
        if rule in RULES:
            assert re.search(r"[\w.-]+/[\w.-]+#\d+|https?://", row), f"{rule} has no source"
