"""A report range longer than the API's 10-day window is read here, window by window and page by page,
with progress notifications; long writes report progress too. Driven through the SDK client against
`--sandbox`, whose account has a past of finished orders (some numbers not delivered)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import anyio
import pytest
from mcp import Client

from iletimerkezi_mcp import progress as progress_module
from iletimerkezi_mcp.app import build_state
from iletimerkezi_mcp.contracts import orders
from iletimerkezi_mcp.progress import Progress, from_request
from iletimerkezi_mcp.server import build_server
from iletimerkezi_mcp.sms import ISTANBUL

pytestmark = pytest.mark.anyio


class Heard:
    def __init__(self) -> None:
        self.seen: list[tuple[float, float | None, str | None]] = []

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.seen.append((progress, total, message))


def expected_orders(sandbox: Any, first: str, last: str) -> list[Any]:
    """The fake's own view: orders submitted (Istanbul date) within first..last."""
    def day(order: Any) -> str:
        return datetime.fromtimestamp(order.submit_at, ISTANBUL).date().isoformat()
    return [o for o in sandbox.orders.values() if first <= day(o) <= last]


async def test_a_thirty_day_audit_reads_every_window_with_progress(base_env, argv_settings) -> None:
    settings = argv_settings(base_env, "--sandbox")
    state = build_state(settings)
    async with Client(build_server(settings, state=state), mode="legacy") as client:
        today = datetime.now(ISTANBUL).date()
        first, last = (today - timedelta(days=29)).isoformat(), today.isoformat()
        prompt = await client.get_prompt("delivery_audit", {"start": first, "end": last})
        text = prompt.messages[0].content.text  # type: ignore[union-attr]
        assert "get_reports" in text and f"filter.start {first}" in text and "Read only" in text

        heard = Heard()
        result = await client.call_tool("get_reports", {"filter": {"start": first, "end": last}},
                                        progress_callback=heard)
        assert result.is_error is False, result.content
        out = result.structured_content or {}
        want = expected_orders(state.sandbox.state, first, last)
        assert len(want) >= 10  # the sandbox's seeded past
        assert out["windows"] == 3 and out["complete"] is True and out["count"] == len(want)
        totals = out["totals"]
        assert totals["orders"] == len(want)
        assert totals["total"] == sum(len(o.messages) for o in want)
        undelivered = {str(o.id): sum(m.final == 112 for m in o.messages) for o in want}
        assert totals["undelivered"] == sum(undelivered.values()) > 0
        assert totals["delivered"] == totals["total"] - totals["undelivered"]
        assert {o["id"] for o in out["with_undelivered"]} == {k for k, v in undelivered.items() if v}
        # Progress: one report per request, growing, and the last says it is done.
        assert len(heard.seen) == out["requests"] + 1
        values = [p for p, _, _ in heard.seen]
        assert values == sorted(values) and len(set(values)) == len(values)
        assert heard.seen[-1][0] == heard.seen[-1][1] == out["requests"]
        assert first in (heard.seen[0][2] or "")

        worst = out["with_undelivered"][0]["id"]
        report = await client.call_tool("get_report", {"order": {"id": worst}})
        failed = [m["number"] for m in report.structured_content["order"]["message"] if m["status"] == 112]
        assert failed and all(n.endswith("99") for n in failed)


async def test_pages_within_a_window_are_read_and_the_request_limit_is_said(base_env, argv_settings,
                                                                           monkeypatch) -> None:
    settings = argv_settings(base_env, "--sandbox", "--budget-hour", "500", "--confirm-above", "500")
    state = build_state(settings)
    async with Client(build_server(settings, state=state), mode="legacy") as client:
        for i in range(33):  # today's window gets two pages of 30
            sent = await client.call_tool("send_sms", {"order": {"sender": "SANDBOX", "iys": "0", "message": {
                "text": f"Siparis {i}", "receipents": {"number": ["05321112233"]}}}})
            assert sent.is_error is False, sent.content
        today = datetime.now(ISTANBUL).date()
        first, last = (today - timedelta(days=19)).isoformat(), today.isoformat()
        want = expected_orders(state.sandbox.state, first, last)
        out = (await client.call_tool("get_reports", {"filter": {"start": first, "end": last}})).structured_content
        assert out is not None and out["complete"] is True
        assert out["totals"]["orders"] == out["count"] == len(want) > 33
        assert out["requests"] == 3  # the older window, then today's two pages

        monkeypatch.setattr(orders, "MAX_SWEEP_REQUESTS", 1)
        cut = await client.call_tool("get_reports", {"filter": {"start": first, "end": last}})
        body = cut.structured_content or {}
        assert body["complete"] is False and body["requests"] == 1
        text = cut.content[0].text  # type: ignore[union-attr]
        second_window = (today - timedelta(days=9)).isoformat()
        assert f"Ask again from {second_window}" in text


async def test_a_large_iys_batch_reports_progress_while_it_is_sent(base_env, argv_settings) -> None:
    settings = argv_settings(base_env, "--sandbox")
    async with Client(build_server(settings), mode="legacy") as client:
        when = (datetime.now(ISTANBUL) - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
        records = [{"recipient": f"+90532{i:07d}", "recipientType": "BIREYSEL", "type": "MESAJ", "status": "ONAY",
                    "source": "HS_WEB", "consentDate": when} for i in range(5000)]
        args = {"consent": {"brandCode": "123456", "list": records}}
        asked = await client.call_tool("iys_register", args)  # over 100 records: confirmed first
        token = (asked.structured_content or {})["confirmation"]["token"]
        heard = Heard()
        done = await client.call_tool("iys_register", {**args, "confirmation_token": token}, progress_callback=heard)
        assert done.is_error is False, done.content
        assert heard.seen[0] == (1.0, 2.0, "5,000 records checked; sending them to İYS as one atomic batch")
        assert heard.seen[-1] == (2.0, 2.0, "the provider answered")


class FakeSession:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[Any, ...]] = []
        self.fail = fail

    async def send_progress_notification(self, token, progress, total, message, related_request_id=None) -> None:
        if self.fail:
            raise RuntimeError("gone")
        self.sent.append((token, progress, total, message, related_request_id))


async def test_a_heartbeat_grows_while_waiting_and_never_reaches_the_next_step(monkeypatch) -> None:
    monkeypatch.setattr(progress_module, "HEARTBEAT_SECONDS", 0.02)
    session = FakeSession()
    reporter = Progress(session, "t1", request_id=7)

    async def slow() -> str:
        await anyio.sleep(0.15)
        return "answer"

    assert await reporter.during(1, 2, "sending", slow) == "answer"
    values = [p for _, p, _, _, _ in session.sent]
    assert len(values) >= 3 and values == sorted(values) and 1 <= min(values) and max(values) < 2
    assert all(t == "t1" and r == 7 for t, _, _, _, r in session.sent)
    await reporter.report(1.5, 2, "going backwards is never sent")
    assert session.sent[-1][1] == max(values)


async def test_errors_pass_through_unwrapped_and_a_failing_client_does_not_break_the_call() -> None:
    reporter = Progress(FakeSession(fail=True), 1)

    async def broken() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):  # not an ExceptionGroup from the heartbeat's task group
        await reporter.during(0, None, "x", broken)


def test_a_progress_token_is_taken_only_as_a_string_or_integer() -> None:
    assert from_request(object(), {"progress_token": "abc"}, 1) is not None
    assert from_request(object(), {"progress_token": 5}, 1) is not None
    assert from_request(object(), {"progress_token": True}, 1) is None
    assert from_request(object(), {}, 1) is None and from_request(object(), None, 1) is None
