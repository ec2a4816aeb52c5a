"""Issue 4's story, end to end: `iletimerkezi-mcp --sandbox` with no account at all, driven
in-process through the SDK's client (the built-in sandbox still answers over real HTTP).

Balance → send to two numbers → both delivered → credits gone → blacklist blocks a send (452)
→ İYS consent registered and found. Every API result says it came from the sandbox. Delivery
takes the sandbox's real delay of sandbox time, skipped ahead on its clock instead of waited for.
(The same mode over stdio: tests/test_inspector.py runs `python -m iletimerkezi_mcp --sandbox`.)"""

from __future__ import annotations

from typing import Any

import mcp.types as types
import pytest
from conftest import FakeClock
from mcp import Client

from iletimerkezi_mcp.app import build_state
from iletimerkezi_mcp.server import build_server

pytestmark = pytest.mark.anyio

NUMBERS = ["0532 111 22 33", "+905421112233"]
BLOCKED = "905441112233"


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(getattr(item, "text", "") for item in result.content)


def check_sandbox_ok(tool: str, result: types.CallToolResult) -> dict[str, Any]:
    assert result.is_error is False, f"{tool}: {text_of(result)[:500]}"
    assert result.structured_content is not None, tool
    assert result.structured_content.get("sandbox") is True, tool
    assert "SANDBOX" in text_of(result), tool
    return result.structured_content


async def test_sandbox_story(base_env: dict[str, str], argv_settings) -> None:
    assert "ILETIMERKEZI_API_KEY" not in base_env and "ILETIMERKEZI_API_HASH" not in base_env
    settings = argv_settings(base_env, "--sandbox")
    state = build_state(settings)
    async with Client(build_server(settings, state=state), mode="legacy") as session:
        assert session.instructions is not None and "SANDBOX MODE" in session.instructions
        sandbox = state.sandbox.state  # the built-in fake, started with the server
        clock = sandbox.clock = FakeClock()
        assert sandbox.delivery_delay == 3.0  # what `--sandbox` gives, not a test setting

        async def call(tool: str, args: dict[str, Any]) -> dict[str, Any]:
            return check_sandbox_ok(tool, await session.call_tool(tool, args))

        start = (await call("get_balance", {}))["balance"]["sms"]
        assert start > 0

        sent = await call("send_sms", {"order": {"sender": "SANDBOX", "iys": "0", "message": {
            "text": "Siparisiniz kargoya verildi", "receipents": {"number": NUMBERS}}}})
        order_id = sent["order"]["id"]
        assert sent["preview"]["credits"] == 2

        report = (await call("get_report", {"order": {"id": order_id}}))["order"]
        assert report["delivered"] == 0 and report["waiting"] == 2  # not before the delivery delay
        clock.advance(sandbox.delivery_delay + 0.5)
        report = (await call("get_report", {"order": {"id": order_id}}))["order"]
        assert report["delivered"] == 2, report
        assert report["status"] == 114 and report["waiting"] == 0 and report["undelivered"] == 0
        assert sorted(m["number"] for m in report["message"]) == ["+905321112233", "+905421112233"]
        assert {m["status"] for m in report["message"]} == {111}

        after = (await call("get_balance", {}))["balance"]["sms"]
        assert after == start - 2

        added = await call("add_blacklist", {"blacklist": {"number": BLOCKED}})
        assert added["number"] == "+" + BLOCKED
        blocked = await session.call_tool("send_sms", {"order": {"sender": "SANDBOX", "iys": "0", "message": {
            "text": "Bu mesaj gitmemeli", "receipents": {"number": [BLOCKED]}}}})
        assert blocked.is_error is True
        assert "452" in text_of(blocked) and "SANDBOX" in text_of(blocked)
        assert (await call("get_balance", {}))["balance"]["sms"] == after  # nothing spent

        registered = await call("iys_register", {"consent": {"brandCode": 123456, "list": [{
            "recipient": "+905301112233", "recipientType": "BIREYSEL", "type": "MESAJ", "status": "ONAY",
            "source": "HS_WEB", "consentDate": "2025-05-11 14:20:00"}]}})
        assert registered["records"] == 1
        found = await call("iys_check", {"consent": {"brandCode": 123456, "recipient": "05301112233",
                                                     "recipientType": "BIREYSEL", "type": "MESAJ"}})
        assert found["found"] is True
        assert found["consent"]["status"] == "ONAY" and found["consent"]["recipient"] == "+905301112233"

        # The local preview is not an API call: no sandbox marker there.
        preview = await session.call_tool("preview_sms", {"text": "Merhaba"})
        assert preview.is_error is False and preview.structured_content is not None
        assert "sandbox" not in preview.structured_content
