"""Balance, senders, blacklist and inbox on the fake."""

from __future__ import annotations

import time

import pytest
from sandbox_fixtures import post

from iletimerkezi_mcp.sandbox import SEED_BLACKLISTED, SandboxServer

OK = {"code": 200, "message": "İşlem başarılı"}


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def body(server: SandboxServer, endpoint: str, **blocks) -> dict:
    return post(server, endpoint, **blocks).json()["response"]


def test_get_balance(sandbox_factory) -> None:
    server = sandbox_factory(credits=268)
    response = body(server, "get-balance")
    assert response == {"status": OK, "balance": {"amount": 67.0, "sms": 268}}
    assert isinstance(response["balance"]["amount"], float)


def test_get_sender(sandbox: SandboxServer) -> None:
    assert body(sandbox, "get-sender") == {
        "status": OK, "senders": {"sender": ["APITEST", "SANDBOX", "ORNEKMAGAZA"]}}


def test_blacklist_seed_and_shape(sandbox: SandboxServer) -> None:
    assert body(sandbox, "get-blacklist") == {
        "status": OK, "blacklist": {"count": 1, "number": ["+" + SEED_BLACKLISTED]}}


def test_add_blacklist_forms_and_idempotence(sandbox: SandboxServer) -> None:
    for form in ("905301112299", "+905301112299", "5301112299"):
        assert body(sandbox, "add-blacklist", blacklist={"number": form}) == {"status": OK}
    listed = body(sandbox, "get-blacklist")["blacklist"]
    assert listed == {"count": 2, "number": ["+" + SEED_BLACKLISTED, "+905301112299"]}


@pytest.mark.parametrize("number", ["+491701234567", "905999112233", "90212555443", "abc", "", 42])
def test_add_blacklist_rejects_non_turkish_mobile(sandbox: SandboxServer, number: object) -> None:
    assert body(sandbox, "add-blacklist", blacklist={"number": number}) == {
        "status": {"code": 466, "message": "Hatalı numara."}}
    assert body(sandbox, "get-blacklist")["blacklist"]["count"] == 1


def test_add_blacklist_without_block_is_400(sandbox: SandboxServer) -> None:
    assert body(sandbox, "add-blacklist")["status"]["code"] == 400


def test_delete_blacklist(sandbox: SandboxServer) -> None:
    local_form = "0" + SEED_BLACKLISTED[2:]
    assert body(sandbox, "delete-blacklist", blacklist={"number": local_form}) == {"status": OK}
    assert body(sandbox, "get-blacklist")["blacklist"] == {"count": 0, "number": []}
    assert body(sandbox, "delete-blacklist", blacklist={"number": SEED_BLACKLISTED}) == {
        "status": {"code": 474, "message": "Bu numara üzerindeki engelleme kaldırılamaz"}}
    assert body(sandbox, "delete-blacklist", blacklist={"number": "+49123"})["status"]["code"] == 466


def test_blacklisted_number_is_skipped_by_send_and_unblocking_restores_it(sandbox: SandboxServer) -> None:
    order = {"sender": "SANDBOX", "iys": "0",
             "message": {"text": "Merhaba", "receipents": {"number": ["905301112233"]}}}
    body(sandbox, "add-blacklist", blacklist={"number": "905301112233"})
    assert body(sandbox, "send-sms", order=order)["status"]["code"] == 452
    body(sandbox, "delete-blacklist", blacklist={"number": "905301112233"})
    assert body(sandbox, "send-sms", order=order)["status"]["code"] == 200


def test_blacklist_paging(sandbox: SandboxServer) -> None:
    numbers = [f"9053011122{i:02d}" for i in range(10, 15)]
    for number in numbers:
        body(sandbox, "add-blacklist", blacklist={"number": number})
    everything = body(sandbox, "get-blacklist")["blacklist"]
    assert everything["count"] == 6
    page = body(sandbox, "get-blacklist", blacklist={"page": "2", "rowCount": "2"})["blacklist"]
    assert page == {"count": 6, "number": ["+" + numbers[1], "+" + numbers[2]]}
    assert body(sandbox, "get-blacklist", blacklist={"page": 4, "rowCount": 2})["blacklist"]["number"] == []
    assert len(body(sandbox, "get-blacklist", blacklist={"rowCount": 5000})["blacklist"]["number"]) == 6
    assert body(sandbox, "get-blacklist", blacklist={"page": 0})["status"]["code"] == 464
    assert body(sandbox, "get-blacklist", blacklist={"rowCount": "x"})["status"]["code"] == 400


def test_top_level_paging_is_silently_ignored(sandbox: SandboxServer) -> None:
    for i in range(3):
        body(sandbox, "add-blacklist", blacklist={"number": f"90530111223{i}"})
    response = body(sandbox, "get-blacklist", page=2, rowCount=1)
    assert response["status"] == OK and len(response["blacklist"]["number"]) == 4


def test_blacklist_date_filter(sandbox_factory) -> None:
    clock = Clock(time.time())
    server = sandbox_factory(clock=clock)
    clock.now = 1_780_000_000.0  # 2026-05-28 23:26:40 Turkey time
    body(server, "add-blacklist", blacklist={"number": "905301112211"})
    clock.now += 86_400
    body(server, "add-blacklist", blacklist={"number": "905301112222"})
    day_one = {"start": "2026-05-28 00:00:00", "end": "2026-05-28 23:59:59"}
    assert body(server, "get-blacklist", blacklist={"filter": day_one})["blacklist"] == {
        "count": 1, "number": ["+905301112211"]}
    later = {"start": "2026-05-29 00:00:00", "end": "2026-05-30 00:00:00"}
    listed = body(server, "get-blacklist", blacklist={"filter": later})["blacklist"]["number"]
    assert listed == ["+905301112222"]
    bad = {"start": "2026-05-29", "end": "2026-05-30"}
    assert body(server, "get-blacklist", blacklist={"filter": bad})["status"]["code"] == 400


def test_inbox_placeholder_shape(sandbox: SandboxServer) -> None:
    response = body(sandbox, "get-inbox")
    assert response["status"] == OK
    assert response["totalRows"] == "3"  # a string, as on the real API
    assert len(response["messages"]) == 3
    ret = response["messages"][0]
    assert ret["text"] == "RET" and ret["sender"] == "+" + SEED_BLACKLISTED
