"""Orders over time on the fake: delivery, refunds, get_report, cancel_order, get_reports."""

from __future__ import annotations

import re
import time
from datetime import datetime

import pytest
from sandbox_fixtures import post

from iletimerkezi_mcp.sandbox import SandboxServer
from iletimerkezi_mcp.sandbox.sms_rules import TR_TZ

GOOD, BAD = "905301112233", "905321112299"  # numbers ending in 99 end undelivered


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def tr_epoch(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TR_TZ).timestamp()


def send(server: SandboxServer, numbers: list[str], text: str = "Kargonuz yolda", **extra) -> str:
    order = {"sender": "SANDBOX", "iys": "0",
             "message": {"text": text, "receipents": {"number": numbers}}, **extra}
    response = post(server, "send-sms", order=order).json()["response"]
    assert response["status"]["code"] == 200, response
    return response["order"]["id"]


def report(server: SandboxServer, **order) -> dict:
    return post(server, "get-report", order=order).json()["response"]


def code(response: dict) -> int:
    return response["status"]["code"]


def test_delivery_progression_and_refund(sandbox_factory) -> None:
    clock = Clock(time.time())  # stands still unless moved: no race with a slow machine
    sandbox = sandbox_factory(delivery_delay=0.5, clock=clock)
    order_id = send(sandbox, [GOOD, BAD])
    first = report(sandbox, id=order_id)["order"]
    assert first["status"] == 113
    assert (first["total"], first["delivered"], first["undelivered"], first["waiting"]) == (2, 0, 0, 2)
    assert first["price"] == 2
    assert [m["status"] for m in first["message"]] == [110, 110]
    assert sandbox.state.credits == 998
    clock.now += 0.6  # just past delivery_delay
    final = report(sandbox, id=order_id)["order"]
    assert final["status"] == 114
    assert (final["delivered"], final["undelivered"], final["waiting"]) == (1, 1, 0)
    assert final["message"] == [{"number": "+905301112233", "status": 111},
                                {"number": "+905321112299", "status": 112}]
    assert final["price"] == 1
    balance = post(sandbox, "get-balance").json()["response"]["balance"]
    assert balance == {"amount": 249.75, "sms": 999}  # the undelivered message was refunded


def test_refund_applies_once(sandbox_factory) -> None:
    clock = Clock(time.time())
    sandbox = sandbox_factory(delivery_delay=0.3, clock=clock)
    send(sandbox, [BAD])
    assert post(sandbox, "get-balance").json()["response"]["balance"]["sms"] == 999  # charged until it fails
    clock.now += 0.4  # past delivery_delay: the message ends undelivered and is refunded
    for _ in range(3):
        assert post(sandbox, "get-balance").json()["response"]["balance"]["sms"] == 1000


def test_report_shape(sandbox: SandboxServer) -> None:
    order_id = send(sandbox, [GOOD])
    body = report(sandbox, id=int(order_id))  # an integer id is accepted too
    assert set(body) == {"status", "order"}
    assert list(body["order"]) == ["id", "status", "total", "delivered", "undelivered", "waiting",
                                   "submitAt", "sendAt", "sender", "price", "message"]
    assert body["order"]["id"] == order_id and body["order"]["sender"] == "SANDBOX"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", body["order"]["submitAt"])


def test_report_errors(sandbox: SandboxServer) -> None:
    order_id = send(sandbox, [GOOD])
    assert report(sandbox, id="99999") == {"status": {"code": 455, "message": "Sipariş bulunamadı"}}
    assert code(report(sandbox, id="abc")) == 455
    assert code(report(sandbox)) == 455
    page_error = {"code": 464, "message": "Page değeri 1 den başlamalı."}
    assert report(sandbox, id=order_id, page=0)["status"] == page_error
    assert code(report(sandbox, id=order_id, page="-1")) == 464
    assert code(report(sandbox, id=order_id, rowCount="many")) == 400
    assert code(post(sandbox, "get-report").json()["response"]) == 400


def test_report_paging(sandbox: SandboxServer) -> None:
    numbers = ["905301112231", "905301112232", "905301112233", "905301112234", "905301112235"]
    order_id = send(sandbox, numbers)
    page2 = report(sandbox, id=order_id, page="2", rowCount="2")["order"]
    assert page2["total"] == 5
    assert [m["number"] for m in page2["message"]] == ["+905301112233", "+905301112234"]
    assert len(report(sandbox, id=order_id, page=3, rowCount=2)["order"]["message"]) == 1
    assert report(sandbox, id=order_id, page=9, rowCount=2)["order"]["message"] == []
    assert len(report(sandbox, id=order_id, rowCount=5000)["order"]["message"]) == 5  # capped at 1000


def test_scheduled_order_lifecycle(sandbox_factory) -> None:
    clock = Clock(tr_epoch("2026-06-15 10:00"))
    server = sandbox_factory(clock=clock, delivery_delay=3.0)
    order_id = send(server, [GOOD], sendDateTime="15/06/2026 10:30")
    assert server.state.credits == 999  # charged at creation
    assert report(server, id=order_id) == {
        "status": {"code": 456, "message": "Sipariş gönderim tarihi henüz gelmedi"}}
    clock.now = tr_epoch("2026-06-15 10:30")
    due = report(server, id=order_id)["order"]
    assert due["status"] == 113
    assert (due["sendAt"], due["submitAt"]) == ("2026-06-15 10:30:00", "2026-06-15 10:00:00")
    clock.now += 3
    assert report(server, id=order_id)["order"]["status"] == 114


def test_cancel_scheduled_order(sandbox_factory) -> None:
    clock = Clock(tr_epoch("2026-06-15 10:00"))
    server = sandbox_factory(clock=clock)
    order_id = send(server, [GOOD, "905321112233"], sendDateTime=["15/06/2026 11:00"])
    assert server.state.credits == 998
    response = post(server, "cancel-order", order={"id": order_id}).json()
    assert response == {"response": {"status": {"code": 200, "message": "İşlem başarılı"}}}
    assert server.state.credits == 1000  # refunded in full
    cancelled = report(server, id=order_id)["order"]
    assert (cancelled["status"], cancelled["undelivered"], cancelled["price"]) == (115, 2, 0)
    assert {m["status"] for m in cancelled["message"]} == {112}
    assert code(post(server, "cancel-order", order={"id": order_id}).json()["response"]) == 455
    clock.now = tr_epoch("2026-06-15 12:00")
    assert server.state.credits == 1000


@pytest.mark.parametrize("case", ["immediate", "due", "unknown", "garbage"])
def test_cancel_refusals_are_455(sandbox_factory, case: str) -> None:
    clock = Clock(tr_epoch("2026-06-15 10:00"))
    server = sandbox_factory(clock=clock)
    order_id = {
        "immediate": lambda: send(server, [GOOD]),
        "due": lambda: send(server, [GOOD], sendDateTime="15/06/2026 10:05"),
        "unknown": lambda: "123",
        "garbage": lambda: {"x": 1},
    }[case]()
    clock.now += 600
    response = post(server, "cancel-order", order={"id": order_id}).json()["response"]
    assert response == {"status": {"code": 455, "message": "Sipariş bulunamadı"}}


def test_cancel_accepts_integer_ids(sandbox_factory) -> None:
    server = sandbox_factory(clock=Clock(tr_epoch("2026-06-15 10:00")))
    order_id = send(server, [GOOD], sendDateTime="15/06/2026 10:30")
    assert code(post(server, "cancel-order", order={"id": int(order_id)}).json()["response"]) == 200


def reports(server: SandboxServer, **filt) -> dict:
    return post(server, "get-reports", filter=filt).json()["response"]


def test_get_reports_paging_and_order(sandbox_factory) -> None:
    clock = Clock(tr_epoch("2026-05-12 09:00"))
    server = sandbox_factory(clock=clock)
    ids = []
    for i in range(35):
        ids.append(send(server, [GOOD], text=f"Mesaj {i}"))
        clock.now += 60
    first = reports(server, start="2026-05-05", end="2026-05-14")
    assert first["count"] == 35 and len(first["orders"]) == 30
    assert [o["id"] for o in first["orders"][:2]] == [int(ids[-1]), int(ids[-2])]  # newest first
    assert set(first["orders"][0]) == {"id", "status", "total", "delivered", "undelivered", "waiting",
                                       "submitAt", "sendAt", "sender"}
    second = reports(server, start="2026-05-05", end="2026-05-14", page=2)
    assert second["count"] == 35 and [o["id"] for o in second["orders"]] == [int(i) for i in ids[4::-1]]
    assert reports(server, start="2026-05-05", end="2026-05-14", page="3")["orders"] == []
    assert code(reports(server, start="2026-05-05", end="2026-05-14", page=0)) == 464


def test_get_reports_filters_on_submit_date(sandbox_factory) -> None:
    clock = Clock(tr_epoch("2026-05-01 23:59"))
    server = sandbox_factory(clock=clock)
    early = send(server, [GOOD], text="bir")
    clock.now = tr_epoch("2026-05-02 00:01")
    late = send(server, [GOOD], text="iki", sendDateTime="20/05/2026 10:00")
    assert [o["id"] for o in reports(server, start="2026-05-01", end="2026-05-01")["orders"]] == [int(early)]
    assert [o["id"] for o in reports(server, start="2026-05-02", end="2026-05-02")["orders"]] == [int(late)]
    assert reports(server, start="2026-05-03", end="2026-05-12") == {
        "status": {"code": 200, "message": "İşlem başarılı"}, "count": 0, "orders": []}


@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-05-01", "2026-05-12"), ("2026-05-10", "2026-05-01"), ("2026-5-1", "2026-05-02"),
     ("01/05/2026", "02/05/2026"), ("2026-02-30", "2026-03-01"), (None, "2026-05-02"),
     ("2026-05-01 00:00:00", "2026-05-02")],
)
def test_get_reports_bad_ranges_are_458(sandbox: SandboxServer, start, end) -> None:
    filt = {k: v for k, v in {"start": start, "end": end}.items() if v is not None}
    assert reports(sandbox, **filt) == {"status": {"code": 458, "message": "Tarih aralığı hatalı"}}


def test_get_reports_ten_day_gap_is_allowed(sandbox: SandboxServer) -> None:
    assert code(reports(sandbox, start="2026-05-01", end="2026-05-11")) == 200
    assert code(reports(sandbox, start="2026-05-01", end="2026-05-01")) == 200
    assert code(post(sandbox, "get-reports").json()["response"]) == 400
