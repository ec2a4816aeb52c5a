"""manifest/models.py: parse_manifest keeps what is usable, skips a broken endpoint with its reason,
and refuses only a document with no usable tool at all."""

from __future__ import annotations

import copy
import logging
import time
from typing import Any

import pytest
from manifest_server import bundled_manifest

from iletimerkezi_mcp.manifest.models import (
    MAX_ENDPOINTS,
    MAX_SCHEMA_DEPTH,
    MAX_SCHEMA_NODES,
    MAX_SCHEMA_TEXT,
    MAX_TOTAL_SCHEMA_NODES,
    MAX_TOTAL_SCHEMA_TEXT,
    Endpoint,
    ManifestError,
    ParsedManifest,
    _measure,
    parse_manifest,
)

SCHEMA = {"type": "object", "properties": {}, "additionalProperties": False}


def endpoint(slug: str = "get-balance", tool: str | None = "get_balance", **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"slug": slug, "method": "POST", "path": f"/v1/{slug}/json", "mcp_tool": tool,
                             "input_schema": copy.deepcopy(SCHEMA)}
    entry.update(extra)
    return {k: v for k, v in entry.items() if v is not None}


def document(*endpoints: Any, **top: Any) -> dict[str, Any]:
    return {"schema_version": "1", "generated_at": "2026-05-11T00:00:00.000Z",
            "base_url": "https://api.iletimerkezi.com", "endpoints": list(endpoints), **top}


def skipped_reason(parsed: ParsedManifest, slug: str) -> str:
    reasons = [reason for label, reason in parsed.skipped if label == slug]
    assert len(reasons) == 1, parsed.skipped
    return reasons[0]


def test_bundled_manifest_parses_completely() -> None:
    parsed = parse_manifest(bundled_manifest())
    assert parsed.skipped == []
    assert len(parsed.tools()) == 12
    assert all(ep.method == "POST" and ep.path.startswith("/v1/") for ep in parsed.endpoints)


def test_top_level_fields_are_kept_and_bounded() -> None:
    parsed = parse_manifest(document(endpoint(), schema_version=2))
    assert parsed.generated_at == "2026-05-11T00:00:00.000Z"
    assert parsed.schema_version is None  # not a string
    assert parsed.base_url == "https://api.iletimerkezi.com"
    assert parsed.raw["endpoints"][0]["slug"] == "get-balance"


@pytest.mark.parametrize("data", [None, [], "manifest", 42, [{"endpoints": []}]])
def test_non_object_document_is_refused(data: object) -> None:
    with pytest.raises(ManifestError, match="must be a JSON object"):
        parse_manifest(data)


@pytest.mark.parametrize("data", [{}, {"endpoints": None}, {"endpoints": {"send-sms": {}}}, {"endpoints": "x"}])
def test_document_without_an_endpoints_array_is_refused(data: dict[str, Any]) -> None:
    with pytest.raises(ManifestError, match="endpoints"):
        parse_manifest(data)


def test_broken_endpoint_is_skipped_with_a_reason_and_the_rest_kept() -> None:
    broken = endpoint("get-sender", "get_sender")
    del broken["path"]
    parsed = parse_manifest(document(endpoint(), broken, "not an object", 7))
    assert list(parsed.tools()) == ["get_balance"]
    assert "path" in skipped_reason(parsed, "get-sender")
    assert skipped_reason(parsed, "#2") == "endpoint is not an object"
    assert skipped_reason(parsed, "#3") == "endpoint is not an object"


def test_skip_labels_and_reasons_are_bounded() -> None:
    long_slug = endpoint("a" * 90, "other_tool", path="/v1/../etc" + "x" * 1000)
    parsed = parse_manifest(document(endpoint(), long_slug))
    ((label, reason),) = parsed.skipped
    assert len(label) <= 60 and len(reason) <= 300


@pytest.mark.parametrize("path", [
    "//evil.example/v1/send-sms/json",
    "https://evil.example/v1/send-sms/json",
    "http://api.iletimerkezi.com/v1/send-sms/json",
    "/v1/send-sms/json?key=1",
    "/v1/send-sms/json#x",
    "/v1/../admin/json",
    "/v2/send-sms/json",
    "/v1/send-sms",
    "/v1/send-sms/xml",
    "/v1/SEND-SMS/json",
    "v1/send-sms/json",
    "/v1/send sms/json",
    "/v1/send-sms/json\n",
    "@evil.example/v1/send-sms/json",
])
def test_path_that_could_reach_another_host_is_refused(path: str) -> None:
    parsed = parse_manifest(document(endpoint(), endpoint("send-sms", "send_sms", path=path)))
    assert "send_sms" not in parsed.tools()
    assert "path" in skipped_reason(parsed, "send-sms")


@pytest.mark.parametrize("path", ["/v1/send-sms/json", "/v1/consent/create/json", "/v1/get-inbox/json"])
def test_plain_api_paths_are_accepted(path: str) -> None:
    parsed = parse_manifest(document(endpoint("x", "x_tool", path=path)))
    assert parsed.tools()["x_tool"].path == path


def test_full_url_and_base_url_never_replace_the_path() -> None:
    # Parsed and kept for display only; the executor pins the host.
    entry = endpoint(full_url="https://evil.example/v1/get-balance/json", base_url="https://evil.example")
    ep = parse_manifest(document(entry)).tools()["get_balance"]
    assert ep.path == "/v1/get-balance/json"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "", "POSTX"])
def test_method_other_than_post_is_refused(method: str) -> None:
    parsed = parse_manifest(document(endpoint(), endpoint("get-sender", "get_sender", method=method)))
    assert "get_sender" not in parsed.tools()
    assert "POST" in skipped_reason(parsed, "get-sender")


def test_method_is_case_insensitive_and_defaults_to_post() -> None:
    lower = endpoint(method="post")
    missing = endpoint("get-sender", "get_sender")
    del missing["method"]
    tools = parse_manifest(document(lower, missing)).tools()
    assert tools["get_balance"].method == "POST" and tools["get_sender"].method == "POST"


@pytest.mark.parametrize("name", ["send sms", "1send", "_send", "send.sms", "send/sms", "a" * 65, "ş_tool",
                                  "tool;rm", ""])
def test_bad_tool_name_is_refused(name: str) -> None:
    parsed = parse_manifest(document(endpoint(), endpoint("send-sms", name)))
    assert list(parsed.tools()) == ["get_balance"]
    assert "mcp_tool" in skipped_reason(parsed, "send-sms")


@pytest.mark.parametrize("name", ["send_sms", "getBalance", "iys-check", "a" * 64])
def test_good_tool_names(name: str) -> None:
    assert name in parse_manifest(document(endpoint("x", name))).tools()


def test_schema_declaring_authentication_is_refused() -> None:
    hostile = endpoint("send-sms", "send_sms", input_schema={
        "type": "object",
        "properties": {"authentication": {"type": "object"}, "order": {"type": "object"}},
    })
    parsed = parse_manifest(document(endpoint(), hostile))
    assert "send_sms" not in parsed.tools()
    assert "authentication" in skipped_reason(parsed, "send-sms")


@pytest.mark.parametrize("schema", [
    {"type": "array", "items": {}},
    {"type": "string"},
    {"type": "object", "properties": {"x": {"type": "nonsense"}}},
    {"type": "object", "required": "order"},
])
def test_invalid_or_non_object_schema_is_refused(schema: dict[str, Any]) -> None:
    parsed = parse_manifest(document(endpoint(), endpoint("send-sms", "send_sms", input_schema=schema)))
    assert "send_sms" not in parsed.tools()
    assert "input_schema" in skipped_reason(parsed, "send-sms")


def test_duplicate_tool_name_keeps_the_first() -> None:
    first = endpoint("get-balance", "get_balance")
    second = endpoint("get-balance-v2", "get_balance", path="/v1/get-balance-v2/json")
    parsed = parse_manifest(document(first, second))
    assert parsed.tools()["get_balance"].slug == "get-balance"
    assert "duplicate tool name 'get_balance'" in skipped_reason(parsed, "get-balance-v2")


def test_endpoint_without_a_tool_is_kept_but_not_offered() -> None:
    parsed = parse_manifest(document(endpoint(), endpoint("webhook-info", None)))
    assert [ep.slug for ep in parsed.endpoints] == ["get-balance", "webhook-info"]
    assert list(parsed.tools()) == ["get_balance"]


def test_unknown_keys_are_allowed_for_forward_compatibility() -> None:
    parsed = parse_manifest(document(endpoint(future_key={"a": 1}), future_top=True))
    assert "get_balance" in parsed.tools()


@pytest.mark.parametrize("endpoints", [
    [],
    [endpoint(method="GET")],
    [endpoint("webhook-info", None)],
    ["junk", 1, None],
])
def test_no_usable_tool_is_a_manifest_error(endpoints: list[Any]) -> None:
    with pytest.raises(ManifestError, match="no usable tool"):
        parse_manifest(document(*endpoints))


def test_tools_without_any_input_schema_is_a_manifest_error() -> None:
    entry = endpoint()
    del entry["input_schema"]
    with pytest.raises(ManifestError, match="no usable tool"):
        parse_manifest(document(entry))


def test_endpoint_model_is_frozen() -> None:
    ep = Endpoint.model_validate(endpoint())
    with pytest.raises(ValueError):
        ep.path = "//evil.example/v1/x/json"  # type: ignore[misc]


# --------------------------------------------------------------------------- generated_at


@pytest.mark.parametrize("stamp", ["2026-05-11T13:26:36.635Z", "2026-05-11", "2026-05-11T13:26:36+03:00",
                                   "2026-05-11T13:26:36.123456789-0500", "2026-05-11T13:26Z"])
def test_an_iso_8601_generated_at_is_kept(stamp: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        parsed = parse_manifest(document(endpoint(), generated_at=stamp))
    assert parsed.generated_at == stamp and parsed.raw["generated_at"] == stamp
    assert caplog.records == []


@pytest.mark.parametrize("stamp", [
    "x" * 500,
    "2026-05-11T13:26:36.635Z" + " " * 1000,
    "\x1b[2J\x1b[31m2026-05-11",
    "2026-05-11T13:26:36.635Z\x1b]0;pwned\x07",
    "2026-05-11T13:26:36.635Z\n",
    "2026-05-11T13:26:36.635Z\u202e",
    "\uff12\uff10\uff12\uff16-05-11",  # full-width digits are digits to str.isdigit, not to us
    "2026-13-01",
    "2026-05-11 13:26:36",
    "yesterday",
    "",
    20260511,
    ["2026-05-11"],
])
def test_any_other_generated_at_is_unknown_with_a_note(stamp: object, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        parsed = parse_manifest(document(endpoint(), generated_at=stamp))
    assert parsed.generated_at is None
    assert "generated_at" not in parsed.raw  # not cached either
    (note,) = [r.getMessage() for r in caplog.records]
    assert "generated_at is not an ISO 8601 time" in note and "\x1b" not in note


def test_a_missing_generated_at_is_unknown_without_a_note(caplog: pytest.LogCaptureFixture) -> None:
    data = document(endpoint())
    del data["generated_at"]
    with caplog.at_level(logging.WARNING):
        assert parse_manifest(data).generated_at is None
    assert caplog.records == []


# --------------------------------------------------------------------------- bounds


def nested(depth: int) -> dict[str, Any]:
    """An object schema whose objects and arrays nest exactly `depth` levels."""
    schema: dict[str, Any] = {}
    for _ in range(depth - 1):
        schema = {"not": schema}
    return {"type": "object", **schema}


def wide(nodes: int) -> dict[str, Any]:
    """An object schema of exactly `nodes` nodes."""
    return {"type": "object", "properties": {f"p{i}": {} for i in range(nodes - 3)}}


def test_bundled_manifest_is_far_inside_every_bound() -> None:
    stats = [_measure(ep["input_schema"]) for ep in bundled_manifest()["endpoints"] if "input_schema" in ep]
    nodes, text, depth, _ = (max(column) for column in zip(*stats, strict=True))
    assert 5 * nodes <= MAX_SCHEMA_NODES and 20 * text <= MAX_SCHEMA_TEXT and 3 * depth <= MAX_SCHEMA_DEPTH
    assert 5 * sum(s[0] for s in stats) <= MAX_TOTAL_SCHEMA_NODES
    assert 20 * sum(s[1] for s in stats) <= MAX_TOTAL_SCHEMA_TEXT
    assert 5 * len(bundled_manifest()["endpoints"]) <= MAX_ENDPOINTS


def test_the_helpers_measure_what_they_say() -> None:
    assert _measure(nested(7))[2] == 7
    assert _measure(wide(50))[0] == 50


@pytest.mark.parametrize("schema, reason", [
    (nested(MAX_SCHEMA_DEPTH + 1), f"nested too deeply (more than {MAX_SCHEMA_DEPTH} levels)"),
    (nested(400), f"nested too deeply (more than {MAX_SCHEMA_DEPTH} levels)"),
    (wide(MAX_SCHEMA_NODES + 1), f"more than {MAX_SCHEMA_NODES} nodes"),
    ({"type": "object", "properties": {"x": {"enum": list(range(1_000_000))}}}, f"more than {MAX_SCHEMA_NODES} nodes"),
    ({"type": "object", "description": "x" * (MAX_SCHEMA_TEXT + 1)}, f"more than {MAX_SCHEMA_TEXT} characters"),
    ({"type": "object", "properties": {"x" * (MAX_SCHEMA_TEXT + 1): {}}}, f"more than {MAX_SCHEMA_TEXT} characters"),
], ids=["one-too-deep", "400-deep", "one-node-too-many", "million-item-enum", "long-description", "long-key"])
def test_a_schema_over_a_bound_is_skipped_with_the_bound(schema: dict[str, Any], reason: str) -> None:
    started = time.perf_counter()
    parsed = parse_manifest(document(endpoint(), endpoint("send-sms", "send_sms", input_schema=schema)))
    assert time.perf_counter() - started < 1  # the walk stops at the bound
    assert list(parsed.tools()) == ["get_balance"]
    assert reason in skipped_reason(parsed, "send-sms")


@pytest.mark.parametrize("schema", [nested(MAX_SCHEMA_DEPTH), wide(MAX_SCHEMA_NODES),
                                    {"type": "object", "description": "x" * (MAX_SCHEMA_TEXT - 100)}],
                         ids=["deepest", "widest", "longest"])
def test_a_schema_at_a_bound_is_accepted(schema: dict[str, Any]) -> None:
    assert "send_sms" in parse_manifest(document(endpoint("send-sms", "send_sms", input_schema=schema))).tools()


def test_bounds_hold_for_the_packaged_file_path_too() -> None:
    # check_schemas=False skips only the metaschema walk.
    data = document(endpoint(), endpoint("send-sms", "send_sms", input_schema=nested(400)))
    assert "nested too deeply" in skipped_reason(parse_manifest(data, check_schemas=False), "send-sms")


def test_too_many_endpoints_refuse_the_document_at_once() -> None:
    many = [endpoint(f"e{i}", f"tool_{i}") for i in range(10_000)]
    started = time.perf_counter()
    with pytest.raises(ManifestError, match=f"10000 endpoints, more than the {MAX_ENDPOINTS} accepted"):
        parse_manifest(document(*many))
    assert time.perf_counter() - started < 0.5
    assert len(parse_manifest(document(*many[:MAX_ENDPOINTS])).tools()) == MAX_ENDPOINTS


def test_schemas_too_large_together_refuse_the_document() -> None:
    count = MAX_TOTAL_SCHEMA_NODES // MAX_SCHEMA_NODES + 1
    big = [endpoint(f"e{i}", f"tool_{i}", input_schema=wide(MAX_SCHEMA_NODES)) for i in range(count)]
    started = time.perf_counter()
    with pytest.raises(ManifestError, match=f"more than the {MAX_TOTAL_SCHEMA_NODES} and"):
        parse_manifest(document(*big))
    assert time.perf_counter() - started < 0.5  # refused before any metaschema walk
    long = {"type": "object", "description": "x" * (MAX_SCHEMA_TEXT - 100)}
    count = MAX_TOTAL_SCHEMA_TEXT // MAX_SCHEMA_TEXT + 1
    texts = [endpoint(f"e{i}", f"tool_{i}", input_schema=long) for i in range(count)]
    with pytest.raises(ManifestError, match="characters, more than"):
        parse_manifest(document(*texts))


def test_schemas_skipped_for_their_own_bound_do_not_count_toward_the_total() -> None:
    huge = [endpoint(f"e{i}", f"tool_{i}", input_schema=wide(MAX_SCHEMA_NODES + 1)) for i in range(20)]
    parsed = parse_manifest(document(endpoint(), *huge))
    assert list(parsed.tools()) == ["get_balance"] and len(parsed.skipped) == 20


# --------------------------------------------------------------------------- regular expressions


def with_pattern(pattern: str) -> dict[str, Any]:
    return {"type": "object", "properties": {"order": {"type": "object", "properties": {
        "id": {"type": "string", "pattern": pattern}}}}}


def test_an_unsafe_pattern_skips_the_endpoint_naming_where_it_is() -> None:
    parsed = parse_manifest(document(endpoint(), endpoint("get-report", "get_report",
                                                          input_schema=with_pattern("^(a+)+$"))))
    assert list(parsed.tools()) == ["get_balance"]
    reason = skipped_reason(parsed, "get-report")
    assert "unsafe pattern at '/properties/order/properties/id/pattern'" in reason
    assert "repeats or alternates" in reason


@pytest.mark.parametrize("schema, where", [
    ({"type": "object", "patternProperties": {"^(a|aa)*$": {}}}, "/patternProperties/^(a|aa)*$"),
    ({"type": "object", "properties": {"x": {"$ref": "#/$defs/d"}}, "$defs": {"d": {"pattern": "(a)\\1"}}},
     "/$defs/d/pattern"),
    ({"type": "object", "propertyNames": {"pattern": "(?=x)"}}, "/propertyNames/pattern"),
    ({"type": "object", "properties": {"a/b": {"pattern": "("}}}, "/properties/a~1b/pattern"),
    # Not in keyword position, but a $ref can point there: every "pattern" string counts.
    ({"type": "object", "x-anything": {"pattern": "(a*)*"}}, "/x-anything/pattern"),
], ids=["patternProperties-key", "defs", "propertyNames", "escaped-pointer", "anywhere"])
def test_patterns_are_checked_at_any_depth(schema: dict[str, Any], where: str) -> None:
    parsed = parse_manifest(document(endpoint(), endpoint("send-sms", "send_sms", input_schema=schema)))
    assert f"unsafe pattern at {where!r}" in skipped_reason(parsed, "send-sms")


def test_patterns_are_checked_for_the_packaged_file_path_too() -> None:
    data = document(endpoint(), endpoint("get-report", "get_report", input_schema=with_pattern("^(a+)+$")))
    assert "unsafe pattern" in skipped_reason(parse_manifest(data, check_schemas=False), "get-report")


def test_a_property_named_pattern_is_a_name_not_a_pattern() -> None:
    schema = {"type": "object", "properties": {"pattern": {"type": "string"}, "patternProperties": {}}}
    assert "send_sms" in parse_manifest(document(endpoint("send-sms", "send_sms", input_schema=schema))).tools()


# --------------------------------------------------------------------------- the accepted document


def test_raw_is_the_accepted_document_without_skipped_endpoints() -> None:
    broken = endpoint("get-sender", "get_sender", input_schema=with_pattern("("))
    data = document(endpoint(), broken, "junk", endpoint("webhook-info", None), future_top={"a": 1})
    parsed = parse_manifest(data)
    assert [ep["slug"] for ep in parsed.raw["endpoints"]] == ["get-balance", "webhook-info"]
    assert list(parsed.raw) == list(data)  # every other top-level key kept, in order
    assert len(data["endpoints"]) == 4  # the input is not changed
    assert parse_manifest(parsed.raw).skipped == []
