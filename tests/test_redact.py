"""The configured credentials are masked by value in results, errors and logs, whatever echoes them."""

from __future__ import annotations

import json
import logging

import mcp.types as types
import pytest
from mcp import Client
from slow_api import SlowApi

from iletimerkezi_mcp.redact import MASK, RedactingFormatter, Redactor, secrets_of
from iletimerkezi_mcp.server import build_server
from iletimerkezi_mcp.settings import Settings, load_settings

KEY = "canary-key-4f1c9a7e2b6d"
HASH = "canary-hash-8d3e6b0a5c1f"


def test_text_is_masked_longest_secret_first():
    redactor = Redactor(["abcdef", "abcdefgh", "no"])
    assert redactor.text("x abcdefgh y abcdef z no") == f"x {MASK} y {MASK} z no"  # "no" is too short to mask


def test_deep_masks_keys_and_values_and_keeps_what_it_did_not_change():
    redactor = Redactor([KEY])
    clean = {"a": [1, "b", {"c": None}]}
    assert redactor.deep(clean) is clean
    dirty = {"a": [f"k={KEY}"], KEY: 1}
    assert redactor.deep(dirty) == {"a": [f"k={MASK}"], MASK: 1}


def test_the_secrets_are_the_configured_ones_and_the_sandboxs():
    found = secrets_of(Settings(api_key=KEY, api_hash=HASH))
    assert KEY in found and HASH in found and "sandbox-key" not in found
    assert "sandbox-key" in secrets_of(Settings(sandbox=True))


def test_a_result_keeps_its_identity_when_clean():
    result = types.CallToolResult(content=[types.TextContent(type="text", text="fine")], structured_content={"a": 1})
    assert Redactor([KEY]).result(result) is result


@pytest.mark.anyio
@pytest.mark.parametrize("tool", ["get_balance", "send_sms"])
async def test_an_api_that_echoes_the_credentials_never_gets_them_into_a_result(tmp_path, tool):
    echo = json.dumps({"response": {"status": {"code": 401, "message": f"bad key {KEY} for hash {HASH}"},
                                    "balance": {"amount": KEY, "sms": HASH}}}).encode()
    arguments = {} if tool == "get_balance" else {"order": {
        "sender": "ORNEKMAGAZA", "iys": "0", "message": {"text": "Merhaba", "receipents": {"number": ["5321112233"]}}}}
    with SlowApi((200, echo), (200, echo)) as api:
        settings = load_settings(env={"ILETIMERKEZI_BASE_URL": api.url, "ILETIMERKEZI_API_KEY": KEY,
                                      "ILETIMERKEZI_API_HASH": HASH, "ILETIMERKEZI_MANIFEST": "bundled",
                                      "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / "cache")})
        async with Client(build_server(settings), mode="legacy") as client:
            result = await client.call_tool(tool, arguments)
        assert api.requests and KEY.encode() in api.requests[0]  # the API did get them
    seen = json.dumps(result.model_dump(mode="json"), ensure_ascii=False)
    assert KEY not in seen and HASH not in seen
    assert MASK in seen


def test_log_records_are_masked_message_arguments_and_tracebacks():
    formatter = RedactingFormatter("%(message)s", Redactor([KEY]))
    try:
        raise ValueError(f"body had {KEY}")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "sent %s", (KEY,), sys.exc_info())
    text = formatter.format(record)
    assert KEY not in text and text.count(MASK) == 2


def test_credentials_on_the_command_line_are_warned_about(cli, tmp_path):
    run = cli({"ILETIMERKEZI_DATA_DIR": str(tmp_path)}, "--api-key", KEY, "--api-hash", HASH, "history")
    assert run.code == 0
    assert "--api-key and --api-hash on the command line can be read by every local user" in run.stderr
    assert KEY not in run.stderr and KEY not in run.stdout


def test_log_lines_show_escape_sequences_instead_of_sending_them():
    formatter = RedactingFormatter("%(message)s", Redactor([]))
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "endpoint %s skipped",
                               ("evil\x1b]0;pwned\x07\u202e",), None)
    text = formatter.format(record)
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert "\\x1b" in text and "\\u202e" in text


@pytest.mark.anyio
async def test_a_send_asked_to_carry_the_credentials_is_refused(tmp_path):
    with SlowApi((200, b"{}")) as api:
        settings = load_settings(env={"ILETIMERKEZI_BASE_URL": api.url, "ILETIMERKEZI_API_KEY": KEY,
                                      "ILETIMERKEZI_API_HASH": HASH, "ILETIMERKEZI_MANIFEST": "bundled",
                                      "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / "cache")})
        async with Client(build_server(settings), mode="legacy") as client:
            result = await client.call_tool("send_sms", {"order": {
                "sender": "ORNEKMAGAZA", "iys": "0",
                "message": {"text": f"the key is {KEY}", "receipents": {"number": ["5321112233"]}}}})
        assert api.requests == []  # nothing left the machine
    text = json.dumps(result.model_dump(mode="json"), ensure_ascii=False)
    assert result.is_error and "contain this server's API key or hash" in text and KEY not in text
