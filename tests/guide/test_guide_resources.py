"""Resources through the SDK's own client, in-process: the three guides, the manifest being served,
the live account and an order's report (read through the same path as a tool call), and what is
refused: unknown addresses, malformed order ids, resources whose feeding tools are not offered.

The sandbox runs as with `--sandbox` (the built-in fake API over real HTTP on 127.0.0.1)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import mcp.types as types
import pytest
from conftest import BUNDLED
from mcp import Client
from mcp.shared.exceptions import MCPError

from iletimerkezi_mcp import executor
from iletimerkezi_mcp.app import AppState, build_state
from iletimerkezi_mcp.refresh import refresh_once
from iletimerkezi_mcp.server import build_server

pytestmark = pytest.mark.anyio

SENDERS = ["APITEST", "SANDBOX", "ORNEKMAGAZA"]
GUIDES = ["iletimerkezi://rules/sending", "iletimerkezi://rules/iys", "iletimerkezi://errors"]
MANIFEST = "iletimerkezi://manifest"
ACCOUNT = "iletimerkezi://account"
ORDER_TEMPLATE = "iletimerkezi://orders/{id}"
API_KEY = "key-7f3a9c1e-guide-test"  # distinctive: any appearance in a resource is a leak
API_HASH = "hash-5b2d8e4f-guide-test"


@asynccontextmanager
async def serve(settings: Any) -> AsyncIterator[tuple[Client, AppState]]:
    state = build_state(settings)
    async with Client(build_server(settings, state=state), mode="legacy") as client:
        yield client, state


def text_of(result: types.ReadResourceResult, uri: str) -> tuple[str, str | None]:
    [content] = result.contents
    assert isinstance(content, types.TextResourceContents), content
    assert content.uri == uri
    return content.text, content.mime_type


async def read_json(client: Client, uri: str) -> Any:
    text, mime = text_of(await client.read_resource(uri), uri)
    assert mime == "application/json"
    return json.loads(text)


async def read_error(client: Client, uri: str) -> types.ErrorData:
    with pytest.raises(MCPError) as caught:
        await client.read_resource(uri)
    return caught.value.error


def api_paths(state: AppState) -> list[str]:
    return [r.path for r in state.sandbox.requests]


async def send(client: Client, text: str, numbers: list[str]) -> str:
    sent = await client.call_tool("send_sms", {"order": {"sender": "SANDBOX", "iys": "0", "message": {
        "text": text, "receipents": {"number": numbers}}}})
    assert sent.is_error is False and sent.structured_content is not None, sent.content
    return str(sent.structured_content["order"]["id"])


def manifest_file(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    doc = json.loads(BUNDLED.read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


async def test_every_listed_resource_reads_with_its_listed_mime_type(base_env, argv_settings) -> None:
    async with serve(argv_settings(base_env, "--sandbox")) as (client, _):
        listed = (await client.list_resources()).resources
        assert [r.uri for r in listed] == [*GUIDES, MANIFEST, ACCOUNT]
        for resource in listed:
            assert resource.name and resource.title and resource.description, resource
            text, mime = text_of(await client.read_resource(resource.uri), resource.uri)
            assert mime == resource.mime_type, resource.uri
            if resource.uri in GUIDES:
                assert mime == "text/markdown"
                assert text.startswith("# ") and len(text) > 500, resource.uri
            else:
                assert mime == "application/json"
                assert isinstance(json.loads(text), dict), resource.uri


async def test_the_manifest_resource_names_its_source_and_the_served_tools(base_env, argv_settings) -> None:
    async with serve(argv_settings(base_env, "--sandbox")) as (client, _):
        tools = {tool.name for tool in (await client.list_tools()).tools}
        manifest = await read_json(client, MANIFEST)
    assert manifest["source"] == "bundled"
    assert manifest["from"] == "manifest.fallback.json"  # a file's name, never the server's paths
    assert set(manifest["served"]) == tools
    assert manifest["served"]["send_sms"] == "/v1/send-sms/json"
    assert manifest["served"]["preview_sms"] is None  # local: no API path
    assert manifest["skipped"] == []
    assert manifest["document"] == json.loads(BUNDLED.read_text(encoding="utf-8"))


async def test_the_manifest_resource_lists_a_skipped_endpoint(base_env, argv_settings, tmp_path) -> None:
    def break_first(doc: dict[str, Any]) -> None:
        doc["endpoints"][0]["input_schema"] = "not a schema"  # send_sms

    settings = argv_settings(base_env, "--sandbox", "--fallback-manifest", str(manifest_file(tmp_path, break_first)))
    async with serve(settings) as (client, _):
        manifest = await read_json(client, MANIFEST)
    assert manifest["from"] == "changed.json"
    assert "send_sms" not in manifest["served"] and "get_report" in manifest["served"]
    [skipped] = manifest["skipped"]
    assert "input_schema" in skipped["why"] and "send" in skipped["tool"], skipped


async def test_hidden_characters_in_the_manifest_come_out_as_json_escapes(base_env, argv_settings,
                                                                        tmp_path) -> None:
    def hide(doc: dict[str, Any]) -> None:
        doc["endpoints"][1]["description"]["en"] = "Cancel \u202egro.live\u202c an order\u200b"

    settings = argv_settings(base_env, "--sandbox", "--fallback-manifest", str(manifest_file(tmp_path, hide)))
    async with serve(settings) as (client, _):
        text, _ = text_of(await client.read_resource(MANIFEST), MANIFEST)
    assert "\u202e" not in text and "\u202c" not in text and "\u200b" not in text
    assert "\\u202e" in text and "\\u202c" in text and "\\u200b" in text
    assert "aralığında" in text and "\\u011f" not in text  # Turkish letters stay as they are
    document = json.loads(text)["document"]  # still JSON: the escapes decode back to the characters
    assert document["endpoints"][1]["description"]["en"] == "Cancel \u202egro.live\u202c an order\u200b"


async def test_the_account_shows_the_sandbox_balance_and_senders(base_env, argv_settings) -> None:
    async with serve(argv_settings(base_env, "--sandbox")) as (client, state):
        account = await read_json(client, ACCOUNT)
        assert account == {"balance": {"amount": 250, "sms": 1000, "currency": "TRY"}, "senders": SENDERS,
                           "sandbox": True}
        assert sorted(api_paths(state)) == ["/v1/get-balance/json", "/v1/get-sender/json"]
        await send(client, "Siparisiniz hazir", ["05321112233"])
        assert (await read_json(client, ACCOUNT))["balance"]["sms"] == 999  # live, never cached


async def test_an_order_resolves_to_its_report(base_env, argv_settings) -> None:
    async with serve(argv_settings(base_env, "--sandbox")) as (client, state):
        templates = (await client.list_resource_templates()).resource_templates
        assert [(t.uri_template, t.mime_type) for t in templates] == [(ORDER_TEMPLATE, "application/json")]
        order_id = await send(client, "Kargonuz yola cikti", ["05321112233", "05421112233"])
        uri = f"iletimerkezi://orders/{order_id}"
        report = await read_json(client, uri)
        assert report["sandbox"] is True
        order = report["order"]
        assert order["id"] == order_id and order["total"] == 2 and order["sender"] == "SANDBOX"
        assert sorted(m["number"] for m in order["message"]) == ["+905321112233", "+905421112233"]
        # The same answer as the tool's (counters may move on; the order and its recipients do not).
        tool = await client.call_tool("get_report", {"order": {"id": order_id}})
        assert tool.structured_content is not None
        same = tool.structured_content["order"]
        assert (same["id"], same["total"], same["sender"]) == (order["id"], order["total"], order["sender"])
        assert [m["number"] for m in same["message"]] == [m["number"] for m in order["message"]]
        assert api_paths(state).count("/v1/get-report/json") == 2


async def test_an_unknown_order_gives_the_providers_explanation(base_env, argv_settings) -> None:
    async with serve(argv_settings(base_env, "--sandbox")) as (client, state):
        error = await read_error(client, "iletimerkezi://orders/99999999")
        assert error.code == -32603
        assert "455" in error.message and "No such order" in error.message, error.message
        assert "get_report" in error.message
        assert api_paths(state) == ["/v1/get-report/json"]


async def test_an_unknown_address_names_the_known_ones(base_env, argv_settings) -> None:
    async with serve(argv_settings(base_env, "--sandbox")) as (client, state):
        for uri in ("iletimerkezi://nothing", "iletimerkezi://rules", "https://example.com/account",
                    "iletimerkezi://account/extra"):
            error = await read_error(client, uri)
            assert error.code == -32002, uri
            for known in [*GUIDES, MANIFEST, ACCOUNT, ORDER_TEMPLATE]:
                assert known in error.message, (uri, error.message)
        assert api_paths(state) == []


@pytest.mark.parametrize("order_id", ["", "12/34", "1" * 200, "12%2F34", "12 34", "12?x=1", "..", "١٢٣", "12\u202e"])
async def test_a_malformed_order_id_is_refused_without_an_api_call(base_env, argv_settings, order_id: str) -> None:
    async with serve(argv_settings(base_env, "--sandbox")) as (client, state):
        error = await read_error(client, "iletimerkezi://orders/" + order_id)
        assert error.code == -32002, order_id
        assert len(error.message) < 1000  # a long address is quoted only in part
        assert "\u202e" not in error.message
        assert api_paths(state) == []


@pytest.mark.parametrize(("flags", "resources", "template", "calls"), [
    (("--tools", "send_sms"), [], False, []),
    (("--tools", "send_sms,get_balance"), [ACCOUNT], False, ["/v1/get-balance/json"]),
    (("--tools", "get_report"), [], True, []),
    (("--read-only", "--tools", "send_sms"), [ACCOUNT], True, ["/v1/get-balance/json", "/v1/get-sender/json"]),
])
async def test_a_resource_is_served_only_while_its_feeding_tools_are_offered(
        base_env, argv_settings, flags: tuple[str, ...], resources: list[str], template: bool,
        calls: list[str]) -> None:
    async with serve(argv_settings(base_env, "--sandbox", *flags)) as (client, state):
        listed = [r.uri for r in (await client.list_resources()).resources]
        assert listed == [*GUIDES, MANIFEST, *resources]
        templates = [t.uri_template for t in (await client.list_resource_templates()).resource_templates]
        assert templates == ([ORDER_TEMPLATE] if template else [])
        if ACCOUNT in resources:
            account = await read_json(client, ACCOUNT)
            assert account["balance"]["sms"] == 1000 and account["sandbox"] is True
            assert ("senders" in account) == ("/v1/get-sender/json" in calls)  # only what an offered tool feeds
        else:
            error = await read_error(client, ACCOUNT)
            assert error.code == -32002 and ACCOUNT not in error.message.split("Known:")[1]
        if not template:
            error = await read_error(client, "iletimerkezi://orders/50000001")
            assert error.code == -32002 and ORDER_TEMPLATE not in error.message
        assert sorted(api_paths(state)) == calls


async def test_without_credentials_the_account_says_what_is_missing(base_env, argv_settings) -> None:
    async with serve(argv_settings(base_env)) as (client, _):
        account = await read_json(client, ACCOUNT)
    assert account["balance"] is None and account["senders"] is None and "sandbox" not in account
    [problem] = account["problems"]  # the same cause for both tools: said once
    assert "ILETIMERKEZI_API_KEY" in problem and "ILETIMERKEZI_API_HASH" in problem


async def test_the_api_key_never_appears_in_a_resource(base_env, argv_settings, refused_url, manifest_server,
                                                      monkeypatch) -> None:
    monkeypatch.setattr(executor, "BACKOFF_BASE", 0.001)  # the refused port is retried: quickly
    # A careless manifest that quotes the key in an example: the resource masks it, as tool results do.
    doc = json.loads(BUNDLED.read_text(encoding="utf-8"))
    doc["endpoints"][1]["description"]["en"] += f" Example: key {API_KEY}."
    manifest_server.serve_json(doc)
    # A manifest address with a user:password and a token in its query: neither reaches a client.
    manifest_url = manifest_server.url.replace("http://", f"http://team:{API_HASH}@") + f"?token={API_KEY}"
    env = {**base_env, "ILETIMERKEZI_API_KEY": API_KEY, "ILETIMERKEZI_API_HASH": API_HASH,
           "ILETIMERKEZI_BASE_URL": refused_url.rsplit("/", 1)[0], "ILETIMERKEZI_MANIFEST_URL": manifest_url}
    async with serve(argv_settings(env)) as (client, state):
        await refresh_once(state)  # the same tools, now from the live manifest
        assert state.catalog.manifest.source == "live"
        texts = {resource.uri: text_of(await client.read_resource(resource.uri), resource.uri)[0]
                 for resource in (await client.list_resources()).resources}
        texts["error"] = (await read_error(client, "iletimerkezi://orders/123")).message
    assert list(texts) == [*GUIDES, MANIFEST, ACCOUNT, "error"]
    manifest, account = json.loads(texts[MANIFEST]), json.loads(texts[ACCOUNT])
    assert manifest["source"] == "live"
    assert manifest["from"] == manifest_server.url
    assert manifest["document"]["endpoints"][1]["description"]["en"].endswith(" Example: key ***.")
    assert account["balance"] is None and len(account["problems"]) == 2
    assert all("could not connect" in p for p in account["problems"])
    assert "could not connect" in texts["error"]
    for text in texts.values():
        assert API_KEY not in text and API_HASH not in text
