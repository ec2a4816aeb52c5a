"""The bundled fallback manifest: provider format, the twelve tools, and schemas that say what the API accepts."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from iletimerkezi_mcp.manifest.models import parse_manifest

FALLBACK = Path(__file__).resolve().parents[2] / "src" / "iletimerkezi_mcp" / "manifest" / "manifest.fallback.json"
RAW = FALLBACK.read_bytes()
MANIFEST: dict[str, Any] = json.loads(RAW.decode("utf-8"))
BY_TOOL: dict[str, dict[str, Any]] = {ep["mcp_tool"]: ep for ep in MANIFEST["endpoints"]}
API = "https://api.iletimerkezi.com"

TOP_KEYS = [
    "schema_version", "generated_at", "source", "base_url", "authentication", "endpoints", "webhook", "llm_resources",
]
ENDPOINT_KEYS = [
    "slug", "method", "base_url", "path", "full_url", "auth", "request_shape", "response_success_shape", "error_codes",
    "notes", "summary", "title", "description", "doc_url", "md_url", "last_updated", "mcp_tool", "input_schema",
]
EXPECTED = {  # tool: (slug, path)
    "send_sms": ("send-sms", "/v1/send-sms/json"),
    "cancel_order": ("cancel-order", "/v1/cancel-order/json"),
    "get_report": ("get-report", "/v1/get-report/json"),
    "get_reports": ("get-reports", "/v1/get-reports/json"),
    "get_balance": ("get-balance", "/v1/get-balance/json"),
    "get_sender": ("get-sender", "/v1/get-sender/json"),
    "get_blacklist": ("get-blacklist", "/v1/get-blacklist/json"),
    "add_blacklist": ("add-blacklist", "/v1/add-blacklist/json"),
    "delete_blacklist": ("delete-blacklist", "/v1/delete-blacklist/json"),
    "iys_register": ("iys-register", "/v1/consent/create/json"),
    "iys_check": ("iys-check", "/v1/consent/show/json"),
    "get_inbox": ("inbox", "/v1/get-inbox/json"),
}


def _walk(schema: Any, path: str = "$") -> list[tuple[str, dict[str, Any]]]:
    """Every subschema reachable through properties/items, with a readable path."""
    if not isinstance(schema, dict):
        return []
    out = [(path, schema)]
    for name, sub in schema.get("properties", {}).items():
        out += _walk(sub, f"{path}.{name}")
    if isinstance(schema.get("items"), dict):
        out += _walk(schema["items"], f"{path}[]")
    return out


def _property_names(schema: dict[str, Any]) -> set[str]:
    return {name for _, node in _walk(schema) for name in node.get("properties", {})}


# --- format --------------------------------------------------------------------------------


def test_file_is_its_own_provider_style_serialisation() -> None:
    assert RAW == (json.dumps(MANIFEST, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    assert "İYS".encode() in RAW and b"\\u0130" not in RAW  # non-ASCII written raw


def test_key_order_follows_the_provider() -> None:
    assert list(MANIFEST) == TOP_KEYS
    assert list(MANIFEST["authentication"]) == ["type", "location", "panel_prerequisite", "panel_url"]
    for ep in MANIFEST["endpoints"]:
        assert list(ep) == ENDPOINT_KEYS, ep["slug"]


def test_top_level_values() -> None:
    assert MANIFEST["schema_version"] == "1"
    assert MANIFEST["generated_at"] == "2026-11-25T00:00:00.000Z"
    assert "bundled fallback" in MANIFEST["source"]
    assert MANIFEST["base_url"] == API
    assert MANIFEST["authentication"]["type"] == "api-key-and-hash"
    assert MANIFEST["webhook"]["payload_shape"] == "report.{id, packet_id, status, to, body}"
    assert MANIFEST["webhook"]["status_values"] == ["accepted", "delivered", "undelivered"]
    assert all(isinstance(v, str) and v.startswith("https://") for v in MANIFEST["llm_resources"].values())


def test_project_validator_accepts_every_endpoint() -> None:
    parsed = parse_manifest(copy.deepcopy(MANIFEST))
    assert parsed.skipped == []
    assert len(parsed.endpoints) == 12
    assert {ep.mcp_tool for ep in parsed.endpoints} == set(EXPECTED)


# --- endpoints -----------------------------------------------------------------------------


def test_twelve_tools_with_expected_slugs_and_paths() -> None:
    assert [ep["mcp_tool"] for ep in MANIFEST["endpoints"]] == list(EXPECTED)
    for tool, (slug, path) in EXPECTED.items():
        ep = BY_TOOL[tool]
        assert (ep["slug"], ep["path"]) == (slug, path)
        assert ep["method"] == "POST"
        assert ep["base_url"] == API
        assert ep["full_url"] == API + path
        assert ep["auth"] == "api-key-and-hash"
        assert ep["doc_url"] == {
            "tr": f"https://www.iletimerkezi.com/docs/api/{slug}",
            "en": f"https://www.iletimerkezi.com/en/docs/api/{slug}",
        }
        assert ep["md_url"] == {k: v + ".md" for k, v in ep["doc_url"].items()}
        assert re.fullmatch(r"2026-0[45]-[0-3][0-9]", ep["last_updated"])
        assert ep["request_shape"].startswith("request.{authentication:{key,hash}")
        assert ep["response_success_shape"].startswith("response.{status:{code,message}")


def test_error_codes() -> None:
    assert BY_TOOL["send_sms"]["error_codes"] == [200, 400, 401, 402, 450, 451, 452, 453, 454, 457, 468, 469, 470]
    for ep in MANIFEST["endpoints"]:
        codes = ep["error_codes"]
        assert codes == sorted(set(codes)) and all(type(c) is int for c in codes)
        assert {200, 400, 401} <= set(codes)
        assert not {419, 421, 423, 424, 425, 426} & set(codes)  # codes once invented by the provider
        assert (422 in codes) == ep["slug"].startswith("iys-")
    assert 474 in BY_TOOL["delete_blacklist"]["error_codes"]
    assert {455, 456} <= set(BY_TOOL["get_report"]["error_codes"])
    assert 458 in BY_TOOL["get_reports"]["error_codes"]
    assert {403, 422} <= set(BY_TOOL["iys_register"]["error_codes"])


def test_prose_is_present_in_both_languages() -> None:
    for ep in MANIFEST["endpoints"]:
        for key in ("summary", "title", "description"):
            assert set(ep[key]) == {"tr", "en"}
            assert ep[key]["tr"].strip() and ep[key]["en"].strip()
        assert ep["title"]["en"].endswith(f"({ep['slug'] if ep['slug'] != 'inbox' else 'get-inbox'})")
        assert ep["notes"].strip()
        assert re.search("[çğıöşüİ]", ep["notes"])  # Turkish prose
    assert "real SMS" in BY_TOOL["send_sms"]["summary"]["en"]
    assert "cannot be deleted" in BY_TOOL["iys_register"]["summary"]["en"]
    inbox = BY_TOOL["get_inbox"]["summary"]
    assert "Experimental" in inbox["en"] and "withdrawn" in inbox["en"]
    assert "Deneysel" in inbox["tr"]


# --- schemas -------------------------------------------------------------------------------


@pytest.mark.parametrize("tool", list(EXPECTED))
def test_input_schema_is_valid_and_safe(tool: str) -> None:
    schema = BY_TOOL[tool]["input_schema"]
    Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object" and isinstance(schema["properties"], dict)
    assert schema["additionalProperties"] is False
    assert "authentication" not in _property_names(schema)
    for path, node in _walk(schema):
        assert not {"$ref", "$defs", "$schema", "oneOf", "anyOf", "allOf"} & node.keys(), path
        assert "type" in node, path
        assert len(node.get("description", "")) <= 1024, path
        assert set(node.get("required", [])) <= set(node.get("properties", {})), path
        for name in node.get("properties", {}):
            assert re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]{0,63}", name), path


def test_send_sms_keeps_the_receipents_spelling() -> None:
    schema = BY_TOOL["send_sms"]["input_schema"]
    names = _property_names(schema)
    assert "receipents" in names and "recipients" not in names
    message = schema["properties"]["order"]["properties"]["message"]
    assert message["required"] == ["text", "receipents"]
    number = message["properties"]["receipents"]["properties"]["number"]
    assert number["maxItems"] == 50000
    order = schema["properties"]["order"]
    assert order["required"] == ["sender", "iys", "message"]  # iysList is conditional, so not required
    assert "seconds" in order["properties"]["sendDateTime"]["description"]
    assert "iys is \"1\"" in order["properties"]["iysList"]["description"]


def test_get_blacklist_paging_is_nested() -> None:
    schema = BY_TOOL["get_blacklist"]["input_schema"]
    assert list(schema["properties"]) == ["blacklist"]
    assert "required" not in schema
    inner = schema["properties"]["blacklist"]["properties"]
    assert set(inner) == {"filter", "page", "rowCount"}
    assert inner["rowCount"]["maximum"] == 1000


VALID: list[tuple[str, dict[str, Any]]] = [
    ("send_sms", {"order": {"sender": "ORNEKMAGAZA", "iys": "0", "message": {
        "text": "Siparisiniz kargoya verildi. Takip no: 7731904", "receipents": {"number": ["905301112233"]}}}}),
    ("send_sms", {"order": {"sender": "ORNEKMAGAZA", "sendDateTime": "15/06/2026 10:30", "iys": "1",
        "iysList": "BIREYSEL", "message": {"text": "Hafta sonuna ozel %20 indirim. Detay: ornek.com.tr",
                    "receipents": {"number": ["+905421112233", "5351112233", "+90 532 111 22 33"]}}}}),
    ("send_sms", {"order": {"sender": "APITEST", "iys": "0", "message": {
        "text": "TEST", "receipents": {"number": ["5301112233"]}}}}),
    ("cancel_order", {"order": {"id": "48210457"}}),
    ("cancel_order", {"order": {"id": 48210457}}),
    ("get_report", {"order": {"id": "48210457", "page": "1", "rowCount": "1000"}}),
    ("get_report", {"order": {"id": 48210457, "page": 2, "rowCount": 1000}}),
    ("get_reports", {"filter": {"start": "2026-05-05", "end": "2026-05-14", "page": 1}}),
    ("get_reports", {"filter": {"start": "2026-05-01", "end": "2026-05-10"}}),
    ("get_balance", {}),
    ("get_sender", {}),
    ("get_inbox", {}),
    ("get_blacklist", {}),
    ("get_blacklist", {"blacklist": {"filter": {"start": "2026-04-01 00:00:00", "end": "2026-04-30 23:59:59"},
                                     "page": 1, "rowCount": 500}}),
    ("add_blacklist", {"blacklist": {"number": "905301112299"}}),
    ("delete_blacklist", {"blacklist": {"number": "+905301112299"}}),
    ("iys_register", {"consent": {"brandCode": 123456, "list": [{
        "recipient": "+905301112233", "recipientType": "BIREYSEL", "type": "MESAJ", "status": "ONAY",
        "source": "HS_WEB", "consentDate": "2026-05-11 14:20:00"}]}}),
    ("iys_register", {"consent": {"brandCode": "696422", "list": [{
        "recipient": "alici@ornek.com.tr", "recipientType": "TACIR", "type": "EPOSTA", "status": "RET",
        "source": "HS_FIZIKSEL_ORTAM", "consentDate": "2025-01-02 09:00:00"}]}}),
    ("iys_check", {"consent": {"brandCode": 123456, "recipient": "+905301112233", "recipientType": "BIREYSEL",
                               "type": "MESAJ"}}),
]


def _sms(**order_overrides: Any) -> dict[str, Any]:
    order: dict[str, Any] = {"sender": "ORNEKMAGAZA", "iys": "0",
                             "message": {"text": "Merhaba", "receipents": {"number": ["905301112233"]}}}
    order.update(order_overrides)
    return {"order": order}


def _consent(**record_overrides: Any) -> dict[str, Any]:
    record = {"recipient": "+905301112233", "recipientType": "BIREYSEL", "type": "MESAJ", "status": "ONAY",
              "source": "HS_WEB", "consentDate": "2026-05-11 14:20:00"}
    record.update(record_overrides)
    return {"consent": {"brandCode": 123456, "list": [record]}}


INVALID: list[tuple[str, str, dict[str, Any]]] = [
    ("recipients-spelling", "send_sms", _sms(message={"text": "Merhaba", "recipients": {"number": ["905301112233"]}})),
    ("seconds-in-schedule", "send_sms", _sms(sendDateTime="15/06/2026 10:30:00")),
    ("iso-schedule", "send_sms", _sms(sendDateTime="2026-06-15 10:30")),
    ("iys-integer", "send_sms", _sms(iys=1)),
    ("iys-unknown", "send_sms", _sms(iys="2")),
    ("iys-missing", "send_sms", {"order": {k: v for k, v in _sms()["order"].items() if k != "iys"}}),
    ("iyslist-english", "send_sms", _sms(iys="1", iysList="INDIVIDUAL")),
    ("sender-too-long", "send_sms", _sms(sender="ORNEKMAGAZA1")),
    ("empty-text", "send_sms", _sms(message={"text": "", "receipents": {"number": ["905301112233"]}})),
    ("no-numbers", "send_sms", _sms(message={"text": "Merhaba", "receipents": {"number": []}})),
    ("credentials-argument", "send_sms", {**_sms(), "authentication": {"key": "k", "hash": "h"}}),
    ("cancel-non-numeric-id", "cancel_order", {"order": {"id": "abc"}}),
    ("cancel-no-id", "cancel_order", {"order": {}}),
    ("report-page-zero", "get_report", {"order": {"id": "1", "page": 0}}),
    ("report-page-zero-string", "get_report", {"order": {"id": "1", "page": "0"}}),
    ("report-rowcount-over", "get_report", {"order": {"id": "1", "rowCount": 1001}}),
    ("report-rowcount-over-string", "get_report", {"order": {"id": "1", "rowCount": "1001"}}),
    ("reports-time-part", "get_reports", {"filter": {"start": "2026-05-05 00:00:00", "end": "2026-05-06"}}),
    ("reports-turkish-order", "get_reports", {"filter": {"start": "05/05/2026", "end": "06/05/2026"}}),
    ("reports-no-end", "get_reports", {"filter": {"start": "2026-05-05"}}),
    ("reports-page-top-level", "get_reports", {"filter": {"start": "2026-05-05", "end": "2026-05-06"}, "page": 2}),
    ("blacklist-page-top-level", "get_blacklist", {"page": 2, "rowCount": 100}),
    ("blacklist-rowcount-over", "get_blacklist", {"blacklist": {"rowCount": 1001}}),
    ("blacklist-filter-date-only", "get_blacklist",
     {"blacklist": {"filter": {"start": "2026-04-01", "end": "2026-04-30"}}}),
    ("add-list-of-numbers", "add_blacklist", {"blacklist": {"number": ["905301112299"]}}),
    ("add-number-top-level", "add_blacklist", {"number": "905301112299"}),
    ("delete-missing", "delete_blacklist", {}),
    ("iys-empty-list", "iys_register", {"consent": {"brandCode": 123456, "list": []}}),
    ("iys-too-many", "iys_register", {"consent": {"brandCode": 123456, "list": _consent()["consent"]["list"] * 5001}}),
    ("iys-bad-source", "iys_register", _consent(source="WEB")),
    ("iys-bad-status", "iys_register", _consent(status="OK")),
    ("iys-bad-channel", "iys_register", _consent(type="SMS")),
    ("iys-bad-date", "iys_register", _consent(consentDate="11/05/2026 14:20")),
    ("iys-brand-letters", "iys_register", {"consent": {"brandCode": "ABC", "list": _consent()["consent"]["list"]}}),
    ("check-missing-type", "iys_check", {"consent": {"brandCode": 1, "recipient": "+905301112233",
                                                      "recipientType": "BIREYSEL"}}),
    ("check-english-enum", "iys_check", {"consent": {"brandCode": 1, "recipient": "+905301112233",
                                                      "recipientType": "INDIVIDUAL", "type": "MESAJ"}}),
    ("balance-extra", "get_balance", {"verbose": True}),
]


@pytest.mark.parametrize(("tool", "arguments"), VALID, ids=[f"{t}-{i}" for i, (t, _) in enumerate(VALID)])
def test_reference_examples_validate(tool: str, arguments: dict[str, Any]) -> None:
    errors = list(Draft202012Validator(BY_TOOL[tool]["input_schema"]).iter_errors(arguments))
    assert errors == [], [e.message for e in errors]


@pytest.mark.parametrize(("tool", "arguments"), [(t, a) for _, t, a in INVALID], ids=[c for c, _, _ in INVALID])
def test_wrong_arguments_fail(tool: str, arguments: dict[str, Any]) -> None:
    assert not Draft202012Validator(BY_TOOL[tool]["input_schema"]).is_valid(arguments)


def test_every_tool_has_a_valid_and_an_invalid_example() -> None:
    assert {t for t, _ in VALID} == set(EXPECTED)
    assert {t for _, t, _ in INVALID} >= set(EXPECTED) - {"get_sender", "get_inbox"}
