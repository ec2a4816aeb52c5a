"""The call pipeline in-process (the SDK's in-memory Client): details not worth a subprocess."""

from __future__ import annotations

import logging

import pytest
from conftest import UNREACHABLE
from mcp import Client

from iletimerkezi_mcp.overlay import OverlayError, load_overlay
from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY
from iletimerkezi_mcp.server import build_server, build_state
from iletimerkezi_mcp.settings import load_settings

pytestmark = pytest.mark.anyio


def settings_for(tmp_path, sandbox, **extra: str):
    return load_settings(env={
        "ILETIMERKEZI_BASE_URL": sandbox.url, "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY,
        "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH, "ILETIMERKEZI_MANIFEST": "bundled",
        "ILETIMERKEZI_MANIFEST_URL": UNREACHABLE, "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / "cache"), **extra,
    })


def send(sender: str) -> dict:
    return {"order": {"sender": sender, "iys": "0", "message": {
        "text": "Siparisiniz yola cikti", "receipents": {"number": ["0532 111 22 33", "0533 111 22 33"]}}}}


async def test_a_failed_send_still_shows_its_preview(tmp_path, sandbox):
    async with Client(build_server(settings_for(tmp_path, sandbox)), mode="legacy") as client:
        result = await client.call_tool("send_sms", send("NOTAPPROVED"))
    text = result.content[0].text
    assert result.is_error is True
    assert "450" in text
    assert "Preview of this send: GSM-7, 1 part(s) per recipient, 2 recipient(s), about 2 credit(s)." in text


async def test_a_successful_send_carries_the_preview(tmp_path, sandbox):
    async with Client(build_server(settings_for(tmp_path, sandbox)), mode="legacy") as client:
        result = await client.call_tool("send_sms", send("SANDBOX"))
    assert result.is_error is False
    assert result.structured_content["preview"]["credits"] == 2
    assert result.structured_content["preview"]["recipients"]["valid"] == ["905321112233", "905331112233"]


def test_overlay_with_an_unknown_top_level_key_is_refused(tmp_path):
    path = tmp_path / "overlay.json"
    path.write_text('{"tools": {}, "path": "/elsewhere"}')
    with pytest.raises(OverlayError, match="unknown top-level key"):
        load_overlay(path)


def test_overlay_entry_for_a_tool_the_manifest_lacks_is_warned_about(tmp_path, sandbox, caplog):
    path = tmp_path / "overlay.json"
    path.write_text('{"tools": {"send_smss": {"description": "typo"}}}')
    with caplog.at_level(logging.WARNING):
        build_state(settings_for(tmp_path, sandbox, ILETIMERKEZI_OVERLAY=str(path)))
    assert any("send_smss" in r.getMessage() and "does nothing" in r.getMessage() for r in caplog.records)


def test_sandbox_account_survives_a_restart_and_a_corrupt_file_starts_fresh(tmp_path, caplog):
    settings = load_settings(env={"ILETIMERKEZI_SANDBOX": "1", "ILETIMERKEZI_MANIFEST": "bundled",
                                  "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path)})
    first = build_state(settings)
    first.start_sandbox()
    first.sandbox.state.credits = 42
    first.sandbox.state.save()
    first.stop_sandbox()
    second = build_state(settings)
    second.start_sandbox()
    assert second.sandbox.state.credits == 42
    second.stop_sandbox()

    (tmp_path / "sandbox-state.json").write_text("{ half written")
    third = build_state(settings)
    with caplog.at_level(logging.WARNING):
        third.start_sandbox()
    try:
        assert third.sandbox.state.credits == 1000 and third.sandbox.state.state_file is None
        assert any("fresh in-memory account" in r.getMessage() for r in caplog.records)
    finally:
        third.stop_sandbox()


async def test_a_token_from_another_api_origin_does_not_confirm(tmp_path, sandbox_factory):
    first, second = sandbox_factory(), sandbox_factory()
    args = send("SANDBOX")
    async with Client(build_server(settings_for(tmp_path, first, ILETIMERKEZI_CONFIRM_ABOVE="1")),
                      mode="legacy") as client:
        token = (await client.call_tool("send_sms", args)).structured_content["confirmation"]["token"]
    async with Client(build_server(settings_for(tmp_path, second, ILETIMERKEZI_CONFIRM_ABOVE="1")),
                      mode="legacy") as client:
        result = await client.call_tool("send_sms", {**args, "confirmation_token": token})
    assert result.is_error is True and "does not match" in result.content[0].text
    assert [r for r in first.requests + second.requests if r.path.endswith("/send-sms/json")] == []
