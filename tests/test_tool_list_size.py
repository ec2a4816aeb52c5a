"""What tools/list costs a model, and that the lighter output schemas still declare every field a result carries.

Every byte of tools/list goes to the client on every session and, for name + description +
inputSchema, into the model's context on every request. Sizes are measured as the wire sends them:
compact JSON, UTF-8, of `model_dump(mode="json", by_alias=True, exclude_none=True)` per tool.

Output schemas stay loose (extra keys allowed), so a field missing from one would not fail the
SDK client's validation: it would just be undocumented. The tests below run each kind of result
through the real pipeline and check that every field dispatch adds to it is declared.
"""

from __future__ import annotations

import json
from typing import Any

import mcp.types as types
import pytest
from manifest_server import bundled_manifest
from mcp import Client

from iletimerkezi_mcp.app import build_state
from iletimerkezi_mcp.contracts import BY_NAME
from iletimerkezi_mcp.manifest.loader import LoadedManifest
from iletimerkezi_mcp.manifest.models import parse_manifest
from iletimerkezi_mcp.server import build_server
from iletimerkezi_mcp.settings import Settings
from iletimerkezi_mcp.tools import Catalog, build_catalog

KB = 1024
# name + description + inputSchema of every tool: what the model reads. The aim is 11 KB; about 4.6 KB of
# it is the provider's own argument documentation, published as written (rewriting its text per field
# would go stale with the next manifest), so the limit holds what removing our own repetition reaches.
MODEL_VIEW_LIMIT = 11.5 * KB
TOOLS_LIST_LIMIT = 30 * KB  # every tool as listed, output schemas and annotations included

# What dispatch adds to a result, by the kind of tool (dispatch.ok_result, _dry_run, _confirm, _finish).
API_FIELDS = {"status", "sandbox", "notice"}
WRITE_FIELDS = {"dry_run", "request", "confirmation"}
DISPATCH_FIELDS = API_FIELDS | WRITE_FIELDS | {"preview"}


def wire_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def bundled_catalog(settings: Settings | None = None) -> Catalog:
    loaded = LoadedManifest(source="bundled", parsed=parse_manifest(bundled_manifest()), origin="test")
    return build_catalog(loaded, settings or Settings())


def listed(catalog: Catalog) -> list[dict[str, Any]]:
    return [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in catalog.listed()]


# --------------------------------------------------------------------------- sizes


def test_what_the_model_reads_of_the_tool_list_stays_small() -> None:
    tools = listed(bundled_catalog())
    seen = [{"name": t["name"], "description": t["description"], "inputSchema": t["inputSchema"]} for t in tools]
    size = wire_size(seen)
    assert size <= MODEL_VIEW_LIMIT, f"{size:,} bytes"


def test_the_whole_tool_list_stays_small() -> None:
    size = wire_size(listed(bundled_catalog()))
    assert size <= TOOLS_LIST_LIMIT, f"{size:,} bytes"


def test_no_output_schema_repeats_the_write_block_on_a_read() -> None:
    # The block that made the list heavy: confirmation, dry run and request appear on writes only.
    for spec in bundled_catalog().specs.values():
        props = (spec.tool.output_schema or {})["properties"]
        assert bool(WRITE_FIELDS & props.keys()) is (not spec.contract.read_only), spec.name


# --------------------------------------------------------------------------- declared by kind


def expected(name: str) -> set[str]:
    contract = BY_NAME[name]
    if contract.local is not None:
        return set()
    fields = API_FIELDS | (set() if contract.read_only else WRITE_FIELDS)
    return fields | ({"preview"} if contract.previews else set())


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_each_published_output_schema_declares_what_dispatch_adds_for_its_kind(name: str) -> None:
    spec = bundled_catalog().specs[name]
    props = (spec.tool.output_schema or {})["properties"]
    added_by_dispatch = DISPATCH_FIELDS & (props.keys() - spec.contract.output.keys())
    assert added_by_dispatch == expected(name)


def test_every_write_declares_confirmation_dry_run_request_notice_and_sandbox() -> None:
    specs = bundled_catalog().specs
    writes = [s for s in specs.values() if not s.contract.read_only]
    assert {s.name for s in writes} == {"send_sms", "cancel_order", "add_blacklist", "delete_blacklist",
                                        "iys_register"}
    for spec in writes:
        props = (spec.tool.output_schema or {})["properties"]
        assert {"confirmation", "dry_run", "request", "notice", "sandbox", "status"} <= props.keys(), spec.name
    assert "preview" in (specs["send_sms"].tool.output_schema or {})["properties"]


def test_a_tool_the_manifest_adds_gets_the_write_block() -> None:
    doc = bundled_manifest()
    extra = dict(next(ep for ep in doc["endpoints"] if ep.get("mcp_tool") == "get_balance"))
    extra.update(slug="send-fax", path="/v1/send-fax/json", mcp_tool="send_fax", full_url=None)
    doc["endpoints"].append(extra)
    loaded = LoadedManifest(source="bundled", parsed=parse_manifest(doc), origin="test")
    props = (build_catalog(loaded, Settings()).specs["send_fax"].tool.output_schema or {})["properties"]
    assert API_FIELDS | WRITE_FIELDS <= props.keys()


# --------------------------------------------------------------------------- declared in practice

SEND = {"order": {"sender": "SANDBOX", "iys": "0", "message": {
    "text": "Siparisiniz kargoya verildi", "receipents": {"number": ["0532 111 22 33", "+905421112233"]}}}}
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("get_balance", {}),
    ("get_sender", {}),
    ("get_blacklist", {}),
    ("get_reports", {"filter": {"start": "2026-01-01", "end": "2026-01-05"}}),
    ("get_report", {"order": {"id": "1"}}),
    ("iys_check", {"consent": {"brandCode": "123456", "recipient": "+905321112233", "recipientType": "BIREYSEL",
                               "type": "MESAJ"}}),
    ("get_inbox", {}),
    ("send_sms", SEND),
    ("cancel_order", {"order": {"id": "1"}}),
    ("add_blacklist", {"blacklist": {"number": "5441112233"}}),
    ("delete_blacklist", {"blacklist": {"number": "5441112233"}}),
    ("iys_register", {"consent": {"brandCode": "123456", "list": [{
        "recipient": "+905321112233", "recipientType": "BIREYSEL", "type": "MESAJ", "status": "RET",
        "source": "HS_WEB", "consentDate": "2026-01-01 10:00:00"}]}}),
    ("preview_sms", {"text": "Merhaba", "recipients": ["5321112233"]}),
    ("get_send_history", {}),
]


async def results(settings: Settings) -> list[tuple[str, types.Tool, types.CallToolResult]]:
    state = build_state(settings)
    out = []
    async with Client(build_server(settings, state=state), mode="legacy") as session:
        tools = {t.name: t for t in (await session.list_tools()).tools}
        for name, arguments in CALLS:
            out.append((name, tools[name], await session.call_tool(name, arguments)))
    return out


def check_declared(name: str, tool: types.Tool, result: types.CallToolResult, seen: set[str]) -> None:
    structured = result.structured_content
    if structured is None:  # an error result carries text only
        assert result.is_error, (name, result.content)
        return
    # The tool's own fields may pass through untyped (preview_sms types only those never null; a provider's
    # new field is kept); what dispatch adds must be declared.
    added = DISPATCH_FIELDS & structured.keys()
    declared = (tool.output_schema or {})["properties"].keys()
    assert added <= declared, (name, added - declared)
    seen.update(added)


@pytest.mark.anyio
@pytest.mark.parametrize(("flags", "produced"), [
    ((), {"status", "sandbox", "preview"}),
    (("--dry-run",), {"dry_run", "request", "preview", "notice", "sandbox"}),
    (("--confirm-above", "0"), {"confirmation", "preview", "notice", "sandbox"}),
], ids=["sent", "dry-run", "confirm"])
async def test_every_field_a_sandbox_result_carries_is_declared(
        flags: tuple[str, ...], produced: set[str], base_env: dict[str, str], argv_settings: Any) -> None:
    seen: set[str] = set()
    env = {**base_env, "ILETIMERKEZI_MANIFEST": "bundled"}
    for name, tool, result in await results(argv_settings(env, "--sandbox", *flags)):
        check_declared(name, tool, result, seen)
        if BY_NAME[name].local is not None and result.structured_content is not None:
            assert not {"status", "sandbox"} & result.structured_content.keys(), name
    assert produced <= seen, produced - seen  # the mode really made them, so the check had something to check
