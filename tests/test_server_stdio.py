"""The server against the sandbox: the exact wire body of every tool from the real server over
stdio (`python -m iletimerkezi_mcp`, driven by the SDK's client); tool listing offline and every
kind of error result in-process (`mcp.Client`, same pipeline, same real HTTP to the sandbox), and
the whole pipeline in each sandbox status mode."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import mcp.types as types
import pytest
from conftest import BUNDLED, UNREACHABLE, stdio_session
from mcp import Client

from iletimerkezi_mcp import dispatch, executor
from iletimerkezi_mcp.contracts import ALL
from iletimerkezi_mcp.contracts import local as contracts_local
from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY, SandboxServer
from iletimerkezi_mcp.server import build_server
from iletimerkezi_mcp.settings import load_settings
from iletimerkezi_mcp.sms import ISTANBUL

API_TOOLS = {c.name for c in ALL if c.path}
READ_TOOLS = {c.name for c in ALL if c.path and c.read_only}
LOCAL_TOOLS = {c.name for c in ALL if c.local is not None}

pytestmark = pytest.mark.anyio

AUTH = {"key": SANDBOX_API_KEY, "hash": SANDBOX_API_HASH}
GENERATED_AT = json.loads(BUNDLED.read_text(encoding="utf-8"))["generated_at"]


def sandbox_env(base_env: dict[str, str], sandbox: SandboxServer, **extra: str) -> dict[str, str]:
    env = dict(base_env)
    env.update({"ILETIMERKEZI_BASE_URL": sandbox.url, "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY,
                "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH, **extra})
    return env


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(getattr(item, "text", "") for item in result.content)


def send_args(text: str, numbers: list[str], sender: str = "SANDBOX", **order: Any) -> dict[str, Any]:
    return {"order": {"sender": sender, "iys": "0", **order,
                      "message": {"text": text, "receipents": {"number": numbers}}}}


# --- listing and instructions, with no network and no credentials ----------------------------

def in_process(env: dict[str, str]) -> Client:
    """The server the CLI would serve with this environment, connected to the SDK's in-memory client."""
    return Client(build_server(load_settings(env=env)), mode="legacy")


async def test_lists_13_tools_offline_without_credentials(base_env: dict[str, str], tmp_path: Path) -> None:
    assert base_env["ILETIMERKEZI_MANIFEST_URL"] == UNREACHABLE
    assert not any(k in base_env for k in ("ILETIMERKEZI_API_KEY", "ILETIMERKEZI_API_HASH"))
    async with in_process(base_env) as session:
        instructions = session.instructions
        assert instructions is not None
        assert f"bundled manifest generated_at {GENERATED_AT}" in instructions
        assert "--sandbox" in instructions
        assert "ILETIMERKEZI_API_KEY" in instructions

        tools = (await session.list_tools()).tools
        assert len(tools) == 14
        assert {t.name for t in tools} == API_TOOLS | LOCAL_TOOLS
        for tool in tools:
            assert tool.input_schema.get("type") == "object", tool.name
            assert tool.annotations is not None
            assert tool.annotations.read_only_hint is (tool.name in READ_TOOLS | LOCAL_TOOLS), tool.name
            assert "authentication" not in json.dumps(tool.input_schema), tool.name

        # Missing credentials: a readable isError result that names both variables and --sandbox.
        result = await session.call_tool("get_balance", {})
        assert result.is_error is True
        text = text_of(result)
        assert "ILETIMERKEZI_API_KEY" in text and "ILETIMERKEZI_API_HASH" in text and "--sandbox" in text

        # The local preview needs neither network nor credentials.
        preview = await session.call_tool("preview_sms", {"text": "Merhaba", "recipients": ["05321112233"]})
        assert preview.is_error is False
        assert preview.structured_content is not None
        assert preview.structured_content["credits"] == 1


# --- the exact wire body of each of the twelve API tools -----------------------------------------

async def test_every_api_tool_sends_the_reference_wire_body(base_env: dict[str, str],
                                                            sandbox: SandboxServer) -> None:
    now = datetime.now(ISTANBUL)
    when = (now + timedelta(days=2)).strftime("%d/%m/%Y %H:%M")
    today = now.date()
    exercised: set[str] = set()

    async with stdio_session(sandbox_env(base_env, sandbox)) as session:
        init = await session.initialize()
        # Served over stdio, the server says it announces tool-list changes (a refreshed manifest).
        assert init.capabilities.tools is not None and init.capabilities.tools.list_changed is True
        listed = {t.name for t in (await session.list_tools()).tools}
        assert listed == API_TOOLS | LOCAL_TOOLS

        async def call(tool: str, args: dict[str, Any], path: str, request: dict[str, Any]) -> dict[str, Any]:
            before = len(sandbox.requests)
            result = await session.call_tool(tool, args)
            assert result.is_error is False, f"{tool}: {text_of(result)[:500]}"
            pending = (result.structured_content or {}).get("confirmation")
            if pending:  # an irreversible write: nothing went out until the token comes back
                assert len(sandbox.requests) == before, tool
                result = await session.call_tool(tool, {**args, "confirmation_token": pending["token"]})
                assert result.is_error is False, f"{tool}: {text_of(result)[:500]}"
            new = sandbox.requests[before:]
            assert len(new) == 1, f"{tool}: {len(new)} requests reached the API"
            rec = new[0]
            assert (rec.method, rec.path) == ("POST", path), tool
            assert rec.body == {"request": {**request, "authentication": AUTH}}, tool
            assert list(rec.body["request"])[-1] == "authentication", tool
            assert rec.headers["content-type"] == "application/json", tool
            assert rec.raw.decode("utf-8")  # valid UTF-8
            exercised.add(tool)
            assert result.structured_content is not None, tool
            return result.structured_content

        await call("get_balance", {}, "/v1/get-balance/json", {})
        await call("get_sender", {}, "/v1/get-sender/json", {})
        await call("get_inbox", {}, "/v1/get-inbox/json", {})

        sent = await call(
            "send_sms", send_args("Kargonuz yola çıktı", ["0532 111 22 33", "+905421112233", "5351112233"]),
            "/v1/send-sms/json",
            {"order": {"sender": "SANDBOX", "iys": "0",
                       "message": {"text": "Kargonuz yola çıktı",
                                   "receipents": {"number": ["905321112233", "905421112233", "905351112233"]}}}})
        order_id = sent["order"]["id"]
        assert str(order_id).isdigit()

        scheduled = await call(
            "send_sms", send_args("Randevunuz yarin", ["+90 530 111 22 33"], sendDateTime=when),
            "/v1/send-sms/json",
            {"order": {"sender": "SANDBOX", "iys": "0", "sendDateTime": when,
                       "message": {"text": "Randevunuz yarin", "receipents": {"number": ["905301112233"]}}}})
        assert len(when) == 16 and when.count(":") == 1  # dd/MM/yyyy HH:mm, never seconds
        await call("cancel_order", {"order": {"id": scheduled["order"]["id"]}}, "/v1/cancel-order/json",
                   {"order": {"id": scheduled["order"]["id"]}})

        await call("get_report", {"order": {"id": order_id, "page": 1, "rowCount": 100}}, "/v1/get-report/json",
                   {"order": {"id": order_id, "page": 1, "rowCount": 100}})
        window = {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat(), "page": 1}
        reports = await call("get_reports", {"filter": window}, "/v1/get-reports/json", {"filter": window})
        assert reports["count"] == 2

        listing = {"filter": {"start": "2026-01-01 00:00:00", "end": "2026-12-31 23:59:59"}, "page": 1, "rowCount": 50}
        await call("get_blacklist", {"blacklist": listing}, "/v1/get-blacklist/json", {"blacklist": listing})
        await call("add_blacklist", {"blacklist": {"number": "+90 532 999 88 77"}}, "/v1/add-blacklist/json",
                   {"blacklist": {"number": "905329998877"}})
        await call("delete_blacklist", {"blacklist": {"number": "0532 999 88 77"}}, "/v1/delete-blacklist/json",
                   {"blacklist": {"number": "905329998877"}})

        record = {"recipientType": "BIREYSEL", "type": "MESAJ", "status": "ONAY", "source": "HS_WEB",
                  "consentDate": "2025-05-11 14:20:00"}
        await call("iys_register",
                   {"consent": {"brandCode": 123456, "list": [{"recipient": "0530 111 22 33", **record}]}},
                   "/v1/consent/create/json",
                   {"consent": {"brandCode": 123456, "list": [{"recipient": "+905301112233", **record}]}})
        await call("iys_check", {"consent": {"brandCode": "123456", "recipient": "5301112233",
                                             "recipientType": "BIREYSEL", "type": "MESAJ"}},
                   "/v1/consent/show/json",
                   {"consent": {"brandCode": "123456", "recipient": "+905301112233",
                                "recipientType": "BIREYSEL", "type": "MESAJ"}})

        # The one local tool, in the same session: no request reaches the API.
        before = len(sandbox.requests)
        preview = await session.call_tool("preview_sms", {"text": "Merhaba", "recipients": ["05321112233"]})
        assert preview.is_error is False, text_of(preview)
        assert preview.structured_content is not None and preview.structured_content["credits"] == 1
        assert len(sandbox.requests) == before
        exercised.add("preview_sms")

        # What went out, from the ledger: the six writes above, newest first, all settled as sent.
        history = await session.call_tool("get_send_history", {"since": "1h"})
        writes = (history.structured_content or {})["writes"]
        assert [w["tool"] for w in writes] == ["iys_register", "delete_blacklist", "add_blacklist", "cancel_order",
                                               "send_sms", "send_sms"], text_of(history)
        assert {w["outcome"] for w in writes} == {"sent"}
        assert len(sandbox.requests) == before
        exercised.add("get_send_history")

    assert exercised == API_TOOLS | LOCAL_TOOLS == listed


# --- error results -----------------------------------------------------------------------------

async def test_wrong_key_gives_401_with_the_three_checks(base_env: dict[str, str], sandbox: SandboxServer) -> None:
    env = sandbox_env(base_env, sandbox, ILETIMERKEZI_API_KEY="WRONG-key-never-echo")
    async with in_process(env) as session:
        result = await session.call_tool("get_balance", {})
    assert result.is_error is True and result.structured_content is None
    text = text_of(result)
    assert "401" in text
    assert "API kullanımına izin ver" in text  # 1) the panel toggle
    assert "ILETIMERKEZI_API_KEY" in text and "ILETIMERKEZI_API_HASH" in text  # 2) copied exactly
    assert "IP" in text and "allowlist" in text  # 3) the fixed-IP allowlist
    assert "WRONG-key-never-echo" not in text
    assert len(sandbox.requests_to("get-balance")) == 1  # never retried


async def confirmed(session: Any, tool: str, arguments: dict[str, Any]) -> types.CallToolResult:
    """Call an irreversible write the way a client without elicitation does: ask, then repeat with the token."""
    first = await session.call_tool(tool, arguments)
    token = (first.structured_content or {})["confirmation"]["token"]
    return await session.call_tool(tool, {**arguments, "confirmation_token": token})


async def test_body_codes_and_retries(base_env: dict[str, str], sandbox: SandboxServer,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executor, "BACKOFF_BASE", 0.001)  # the retry itself is the point, not its pause
    async with in_process(sandbox_env(base_env, sandbox)) as session:

        unapproved = await session.call_tool("send_sms", send_args("Merhaba", ["905301112233"], sender="NOTAPPROVED"))
        assert unapproved.is_error is True
        assert "450" in text_of(unapproved) and "get_sender" in text_of(unapproved)

        unknown = await confirmed(session, "cancel_order", {"order": {"id": "99999999"}})
        assert unknown.is_error is True and "455" in text_of(unknown)

        not_listed = await confirmed(session, "delete_blacklist", {"blacklist": {"number": "905301110000"}})
        assert not_listed.is_error is True and "474" in text_of(not_listed)

        # A read on 503 is retried (one-shot fault: the second attempt succeeds).
        sandbox.faults.fail_503("get-sender")
        read = await session.call_tool("get_sender", {})
        assert read.is_error is False, text_of(read)
        assert len(sandbox.requests_to("get-sender")) == 2

        # A send on 503 is not.
        sandbox.faults.fail_503("send-sms", sticky=True)
        before = len(sandbox.requests_to("send-sms"))
        write = await session.call_tool("send_sms", send_args("Merhaba 2", ["905301112233"]))
        assert write.is_error is True and "503" in text_of(write)
        assert "not retried" in text_of(write)
        assert len(sandbox.requests_to("send-sms")) == before + 1


async def test_send_timeout_may_have_been_sent_and_is_not_retried(base_env: dict[str, str],
                                                                  sandbox: SandboxServer) -> None:
    sandbox.faults.slow(3.0, "send-sms", sticky=True)
    env = sandbox_env(base_env, sandbox, ILETIMERKEZI_TIMEOUT="0.5")
    async with in_process(env) as session:
        result = await session.call_tool("send_sms", send_args("Siparisiniz hazir", ["905301112233"]))
    assert result.is_error is True
    text = text_of(result)
    assert "timed out" in text
    assert "MAY HAVE BEEN SENT" in text
    assert "not retried" in text
    assert "get_reports" in text  # how to reconcile
    assert len(sandbox.requests_to("send-sms")) == 1
    assert len(sandbox.state.orders) == 1  # the dangerous case: the fake did accept it


# --- in-process: the whole pipeline in each sandbox status mode -----------------------------------

def in_process_settings(tmp_path: Path, sandbox: SandboxServer):
    return load_settings(env={
        "ILETIMERKEZI_BASE_URL": sandbox.url,
        "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY,
        "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH,
        "ILETIMERKEZI_MANIFEST": "bundled",
        "ILETIMERKEZI_MANIFEST_URL": UNREACHABLE,
        "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / "cache"),
    })


MODES = [("mirror", False), ("400", False), ("200", False), ("mirror", True)]


@pytest.mark.parametrize("mode,legacy", MODES, ids=["mirror", "400", "200", "legacy-types"])
async def test_pipeline_in_every_status_mode(mode: str, legacy: bool, tmp_path: Path,
                                             sandbox_factory: Callable[..., SandboxServer]) -> None:
    sandbox = sandbox_factory(status_mode=mode, legacy_types=legacy)
    async with Client(build_server(in_process_settings(tmp_path, sandbox)), mode="legacy") as client:
        balance = await client.call_tool("get_balance", {})
        assert balance.is_error is False, text_of(balance)
        assert balance.structured_content["balance"]["sms"] == 1000  # int even when the wire says "1000"

        sent = await client.call_tool("send_sms", send_args("Merhaba", ["905301112233"]))
        assert sent.is_error is False, text_of(sent)
        order_id = sent.structured_content["order"]["id"]
        assert isinstance(order_id, str) and order_id.isdigit()

        report = await client.call_tool("get_report", {"order": {"id": order_id}})
        assert report.is_error is False, text_of(report)
        assert report.structured_content["order"]["total"] == 1

        # Another text: the same one to the same number within 24 h would first ask (the ledger's guard).
        unapproved = await client.call_tool("send_sms", send_args("Selam", ["905301112233"], sender="NOTAPPROVED"))
        assert unapproved.is_error is True and "code 450" in text_of(unapproved)

        unknown = await client.call_tool("get_report", {"order": {"id": "99999999"}})
        assert unknown.is_error is True and "code 455" in text_of(unknown)
    assert len(sandbox.requests_to("get-report")) == 2  # a 455 is a definite answer: not retried


async def test_exception_in_the_pipeline_becomes_a_readable_error_result(
        tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom: shaping exploded")

    monkeypatch.setattr(dispatch, "shape_result", broken)
    monkeypatch.setattr(contracts_local, "preview_sms", broken)
    async with Client(build_server(in_process_settings(tmp_path, sandbox)), mode="legacy") as client:
        # No exception here means no JSON-RPC error came back.
        for tool, args in [("get_balance", {}), ("preview_sms", {"text": "Merhaba"}),
                           ("send_sms", send_args("Merhaba", ["905301112233"]))]:
            result = await client.call_tool(tool, args)
            assert result.is_error is True, tool
            text = text_of(result)
            assert text.startswith(f"{tool}: an unexpected internal error"), text
            assert "Traceback" not in text and "boom" not in text
        send = text_of(result)
        assert "get_reports" in send  # a send that failed late may have gone out
        # The server keeps working after the failure.
        monkeypatch.undo()
        ok = await client.call_tool("get_sender", {})
        assert ok.is_error is False
