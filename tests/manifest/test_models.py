"""manifest/models.py: parse_manifest keeps what is usable, skips a broken endpoint with its reason,
and refuses only a document with no usable tool at all."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from manifest_server import bundled_manifest

from iletimerkezi_mcp.manifest.models import Endpoint, ManifestError, ParsedManifest, parse_manifest

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
    parsed = parse_manifest(document(endpoint(), generated_at="x" * 500, schema_version=2))
    assert parsed.generated_at == "x" * 100
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
