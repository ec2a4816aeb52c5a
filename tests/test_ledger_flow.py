"""The send ledger through the real pipeline: budgets across calls and servers, the duplicate guard,
outcomes, the hard stop, history (CLI and tool), privacy, and a ledger that cannot be used."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import mcp.types as types
import pytest
from conftest import UNREACHABLE
from mcp import Client

from iletimerkezi_mcp.cli import main
from iletimerkezi_mcp.ledger import LEDGER_FILE
from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY
from iletimerkezi_mcp.server import build_server
from iletimerkezi_mcp.settings import load_settings

pytestmark = pytest.mark.anyio


def settings_for(tmp_path: Path, sandbox, **extra: str):
    return load_settings(env={
        "ILETIMERKEZI_BASE_URL": sandbox.url, "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY,
        "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH, "ILETIMERKEZI_MANIFEST": "bundled",
        "ILETIMERKEZI_MANIFEST_URL": UNREACHABLE, "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / "cache"),
        "ILETIMERKEZI_DATA_DIR": str(tmp_path / "data"), **extra,
    })


def send(i: int, text: str = "Siparisiniz yolda", sender: str = "SANDBOX") -> dict[str, Any]:
    return {"order": {"sender": sender, "iys": "0", "message": {
        "text": f"{text} {i}", "receipents": {"number": [f"0532 111 {i:04d}"[:14], f"+90 533 111 {i:04d}"]}}}}


def sends(sandbox) -> int:
    return len([r for r in sandbox.requests if r.path == "/v1/send-sms/json"])


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


async def test_small_sends_in_a_loop_stop_at_the_hourly_budget(tmp_path, sandbox):
    settings = settings_for(tmp_path, sandbox, ILETIMERKEZI_BUDGET_HOUR="10")
    async with Client(build_server(settings), mode="legacy") as client:
        results = [await client.call_tool("send_sms", send(i)) for i in range(8)]
        pending = results[5]  # 5 sends × 2 credits reach the budget of 10; the 6th would cross it
        assert all("accepted" in text_of(r) for r in results[:5])
        assert all("CONFIRMATION NEEDED" in text_of(r) for r in results[5:])
        reason = pending.structured_content["confirmation"]["reason"]
        assert "over the hourly budget of 10 (ILETIMERKEZI_BUDGET_HOUR)" in reason
        assert "10 credits already went out in 5 sends" in reason and "order 5000000" in reason
        assert sends(sandbox) == 5
        token = pending.structured_content["confirmation"]["token"]
        confirmed = await client.call_tool("send_sms", {**send(5), "confirmation_token": token})
    assert "accepted" in text_of(confirmed) and sends(sandbox) == 6


async def test_a_second_server_sees_the_same_budget(tmp_path, sandbox):
    settings = settings_for(tmp_path, sandbox, ILETIMERKEZI_BUDGET_HOUR="4")
    async with Client(build_server(settings), mode="legacy") as first:
        for i in range(2):
            assert "accepted" in text_of(await first.call_tool("send_sms", send(i)))
    async with Client(build_server(settings), mode="legacy") as second:  # another process would do the same
        result = await second.call_tool("send_sms", send(2))
    assert "CONFIRMATION NEEDED" in text_of(result) and "4 credits already went out in 2 sends" in text_of(result)
    assert sends(sandbox) == 2


async def test_the_same_message_an_hour_later_asks_first(tmp_path, sandbox):
    settings = settings_for(tmp_path, sandbox)
    async with Client(build_server(settings), mode="legacy") as client:
        assert "accepted" in text_of(await client.call_tool("send_sms", send(7)))
    with sqlite3.connect(tmp_path / "data" / LEDGER_FILE) as db:  # the first send was an hour ago
        db.execute("UPDATE writes SET at = at - 3600")
    again = send(7)
    again["order"]["message"]["receipents"]["number"] = ["905331110007", "5321110007"]  # other order and format
    async with Client(build_server(settings), mode="legacy") as client:
        result = await client.call_tool("send_sms", again)
        other = await client.call_tool("send_sms", send(7, text="Farkli metin"))
    assert "CONFIRMATION NEEDED" in text_of(result)
    assert "the same text went to the same 2 recipients" in result.structured_content["confirmation"]["reason"]
    assert "order 50000001" in result.structured_content["confirmation"]["reason"]
    assert "accepted" in text_of(other)  # another text is not a duplicate


async def test_outcomes_are_recorded_sent_refused_and_unknown(tmp_path, sandbox, capsys):
    settings = settings_for(tmp_path, sandbox, ILETIMERKEZI_TIMEOUT="0.5")
    async with Client(build_server(settings), mode="legacy") as client:
        await client.call_tool("send_sms", send(1))
        await client.call_tool("send_sms", send(2, sender="NOTAPPROVED"))
        sandbox.faults.slow(2.0, "send-sms")
        timed_out = await client.call_tool("send_sms", send(3))
        history = await client.call_tool("get_send_history", {"since": "1h"})
    assert "MAY HAVE BEEN SENT" in text_of(timed_out)
    writes = history.structured_content["writes"]
    assert [(w["outcome"], w.get("code"), w.get("order_id")) for w in writes] == [
        ("unknown", None, None), ("refused", 450, None), ("sent", None, "50000001")]
    assert all(w["confirmation"] == "not-needed" and w["credits"] == 2 for w in writes)
    assert "may have gone out" in text_of(history)

    with pytest.raises(SystemExit) as table:
        main(["--data-dir", str(tmp_path / "data"), "history", "--since", "1h"])
    out = capsys.readouterr().out
    assert table.value.code == 0
    assert "OUTCOME" in out and "refused 450" in out and "50000001" in out and "3 write(s)." in out
    with pytest.raises(SystemExit):
        main(["--data-dir", str(tmp_path / "data"), "history", "--json", "--outcome", "sent"])
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["order_id"] == "50000001"


async def test_the_hard_daily_stop_refuses_even_a_confirmed_send(tmp_path, sandbox):
    settings = settings_for(tmp_path, sandbox, ILETIMERKEZI_MAX_CREDITS_PER_DAY="3", ILETIMERKEZI_CONFIRM_ABOVE="0")
    async with Client(build_server(settings), mode="legacy") as client:
        first = await client.call_tool("send_sms", send(1))
        token = first.structured_content["confirmation"]["token"]
        assert "accepted" in text_of(await client.call_tool("send_sms", {**send(1), "confirmation_token": token}))
        stopped = await client.call_tool("send_sms", send(2))
    assert stopped.is_error is True and "ILETIMERKEZI_MAX_CREDITS_PER_DAY" in text_of(stopped)
    assert sends(sandbox) == 1


async def test_an_unusable_ledger_confirms_every_write_and_says_why(tmp_path, sandbox):
    (tmp_path / "data").write_text("a file where the data folder should be")
    settings = settings_for(tmp_path, sandbox)
    async with Client(build_server(settings), mode="legacy") as client:
        first = await client.call_tool("add_blacklist", {"blacklist": {"number": "05321112233"}})
        assert "the send ledger is unavailable" in first.structured_content["confirmation"]["reason"]
        token = first.structured_content["confirmation"]["token"]
        done = await client.call_tool("add_blacklist", {"blacklist": {"number": "05321112233"},
                                                        "confirmation_token": token})
        again = await client.call_tool("add_blacklist", {"blacklist": {"number": "05321112233"},
                                                         "confirmation_token": token})
    assert done.is_error is False and "is on the blacklist" in text_of(done)
    assert again.is_error is True and "already used" in text_of(again)  # still single-use in this process


async def test_the_ledger_keeps_no_full_number_and_no_credential(tmp_path, sandbox):
    settings = settings_for(tmp_path, sandbox, ILETIMERKEZI_DRY_RUN="0")
    async with Client(build_server(settings), mode="legacy") as client:
        for i in range(3):
            await client.call_tool("send_sms", send(i))
        await client.call_tool("delete_blacklist", {"blacklist": {"number": "05321234599"}})
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob(LEDGER_FILE + "*") if p.is_file())
    for secret in ("905321110001", "5321110001", "905331110002", "905321234599", SANDBOX_API_KEY, SANDBOX_API_HASH):
        assert secret.encode() not in raw, secret
    assert b"+90 53* *** ** 01" in raw  # the masked form is what a person sees


async def test_dry_runs_are_recorded_as_such_and_spend_no_budget(tmp_path, sandbox):
    settings = settings_for(tmp_path, sandbox, ILETIMERKEZI_DRY_RUN="1", ILETIMERKEZI_BUDGET_HOUR="2")
    async with Client(build_server(settings), mode="legacy") as client:
        for i in range(3):
            result = await client.call_tool("send_sms", send(i))
            assert result.structured_content["dry_run"] is True
        history = await client.call_tool("get_send_history", {})
    assert [w["outcome"] for w in history.structured_content["writes"]] == ["dry-run"] * 3
    assert all(w.get("dry_run") for w in history.structured_content["writes"])
    assert sandbox.requests == []
