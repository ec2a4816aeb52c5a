"""send_sms on the fake: shapes, every validation code, their order, credits and traps."""

from __future__ import annotations

import pytest
from sandbox_fixtures import post

from iletimerkezi_mcp.sandbox import SANDBOX_TEST_NUMBER, SEED_BLACKLISTED, SandboxServer

NUMBER = "905301112233"


class Clock:
    def __init__(self, now: float = 1_780_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def order(text: str = "Siparisiniz hazir", numbers: list | None = None, **fields) -> dict:
    body = {"sender": "SANDBOX", "iys": "0",
            "message": {"text": text, "receipents": {"number": numbers or [NUMBER]}}}
    body.update(fields)
    return body


def send(server: SandboxServer, **order_block) -> dict:
    return post(server, "send-sms", order=order_block).json()["response"]


def code_of(server: SandboxServer, **order_block) -> int:
    return send(server, **order_block)["status"]["code"]


def test_success_shape_and_charge(sandbox: SandboxServer) -> None:
    response = send(sandbox, **order(numbers=[NUMBER, "905321112233"]))
    assert response["status"] == {"code": 200, "message": "İşlem başarılı"}
    assert set(response) == {"status", "order"}
    order_id = response["order"]["id"]
    assert isinstance(order_id, str) and order_id.isdigit()
    assert sandbox.state.credits == 998  # 1 part × 2 recipients


def test_array_message_form_and_per_entry_texts(sandbox: SandboxServer) -> None:
    body = {"sender": "ORNEKMAGAZA", "iys": "0", "message": [
        {"text": "Randevunuz yarin 14:00.", "receipents": {"number": ["905301112233"]}},
        {"text": "Randevunuz yarin 15:30.", "receipents": {"number": ["905321112233"]}},
    ]}
    order_id = send(sandbox, **body)["order"]["id"]
    stored = sandbox.state.order(order_id)
    assert [(m.number, m.text) for m in stored.messages] == [
        ("905301112233", "Randevunuz yarin 14:00."), ("905321112233", "Randevunuz yarin 15:30.")]


def test_number_forms_normalise_and_deduplicate(sandbox: SandboxServer) -> None:
    forms = ["905301112233", "+905301112233", "+90 530 111 22 33", "5301112233", "05301112233", 5301112233]
    order_id = send(sandbox, **order(numbers=forms))["order"]["id"]
    assert [m.number for m in sandbox.state.order(order_id).messages] == ["905301112233"]
    assert sandbox.state.credits == 999


def test_integer_iys_and_iys_one_are_accepted(sandbox: SandboxServer) -> None:
    assert code_of(sandbox, **order(iys=0)) == 200
    assert code_of(sandbox, **order("Kampanya", iys="1", iysList="BIREYSEL")) == 200
    assert code_of(sandbox, **order("Kampanya 2", iys=1, iysList="TACIR")) == 200


@pytest.mark.parametrize(
    ("sender", "code"),
    [(None, 459), ("", 459), ("   ", 459), ("COKUZUNBASLIK", 460), ("ŞİRKET", 460),
     ("MAĞAZA", 460), ("sandbox", 450), ("SANDBOX ", 450), ("BASKA", 450)],
)
def test_sender_codes(sandbox: SandboxServer, sender: str | None, code: int) -> None:
    body = order()
    if sender is None:
        del body["sender"]
    else:
        body["sender"] = sender
    assert code_of(sandbox, **body) == code


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_text_is_454(sandbox: SandboxServer, text: str | None) -> None:
    body = order()
    body["message"]["text"] = text
    assert code_of(sandbox, **body) == 454
    assert send(sandbox, **order())["status"]["code"] == 200


@pytest.mark.parametrize(
    ("unit", "limit"),
    [("a", 1066), ("ş", 1038), ("€", 530), ("é", 1066), ("â", 464), ("😀", 229)],
)
def test_seven_part_cap_per_encoding(sandbox_factory, unit: str, limit: int) -> None:
    # GSM-7 153/part, Turkish locking shift 149/part, UCS-2 67/part, minus " B186".
    # € costs 2 septets and an emoji 2 UTF-16 units, and neither is split across parts:
    # 6 × 76 € + 74 € (+5 suffix) = 530; 6 × 33 emoji + 31 (+5 suffix) = 229.
    server = sandbox_factory(credits=100_000)
    assert code_of(server, **order(unit * limit)) == 200
    assert code_of(server, **order(unit * (limit + 1))) == 453
    assert server.state.credits == 100_000 - 7


def test_multi_part_credits(sandbox: SandboxServer) -> None:
    send(sandbox, **order("a" * 156, numbers=[NUMBER, "905321112233", "905441112233"]))  # 2 parts
    assert sandbox.state.credits == 1000 - 6
    send(sandbox, **order("ğ" * 150))  # Turkish mode: 150 + suffix = 155 fits one part
    assert sandbox.state.credits == 1000 - 7


def test_recipient_codes(sandbox: SandboxServer) -> None:
    assert code_of(sandbox, **order(numbers=["123", "90212555000", "+491701234567"])) == 452
    misspelt = order()
    misspelt["message"]["recipients"] = misspelt["message"].pop("receipents")
    assert code_of(sandbox, **misspelt) == 452  # the API spells it "receipents"
    empty = order()
    empty["message"]["receipents"] = {"number": []}
    assert code_of(sandbox, **empty) == 452
    assert code_of(sandbox, **order(numbers=[SEED_BLACKLISTED])) == 452


def test_bad_and_blacklisted_numbers_are_dropped_when_some_remain(sandbox: SandboxServer) -> None:
    order_id = send(sandbox, **order(numbers=["123", SEED_BLACKLISTED, NUMBER]))["order"]["id"]
    assert [m.number for m in sandbox.state.order(order_id).messages] == [NUMBER]
    assert sandbox.state.credits == 999


def test_iys_codes(sandbox: SandboxServer) -> None:
    no_iys = order()
    del no_iys["iys"]
    assert code_of(sandbox, **no_iys) == 468
    assert code_of(sandbox, **order(iys="yes")) == 468
    assert code_of(sandbox, **order(iys="1")) == 469
    assert code_of(sandbox, **order(iys="1", iysList="KURUMSAL")) == 469
    assert code_of(sandbox, **order(iys="0", iysList="GARBAGE")) == 200  # ignored when iys is "0"
    sandbox.state.iys_code_configured = False
    assert code_of(sandbox, **order("Yeni", iys="1", iysList="BIREYSEL")) == 470


@pytest.mark.parametrize(
    "value", ["2026-06-15 10:30", "15/06/2026", "15/6/2026 10:30", "31/02/2030 10:30",
              "15/06/2030 25:00", "15/06/2030 10:30:99", 1781510400, ["bad"]],
)
def test_bad_send_datetime_is_457(sandbox: SandboxServer, value: object) -> None:
    assert code_of(sandbox, **order(sendDateTime=value)) == 457


@pytest.mark.parametrize("value", ["15/06/2099 10:30", ["15/06/2099 10:30"]])
def test_schedule_string_and_array_forms(sandbox: SandboxServer, value: object) -> None:
    order_id = send(sandbox, **order(sendDateTime=value))["order"]["id"]
    stored = sandbox.state.order(order_id)
    assert stored.scheduled is True
    assert post(sandbox, "get-report", order={"id": order_id}).json()["response"]["status"]["code"] == 456


@pytest.mark.parametrize("value", ["", [], "01/01/2020 10:30"])
def test_empty_or_past_schedule_sends_now(sandbox: SandboxServer, value: object) -> None:
    order_id = send(sandbox, **order(sendDateTime=value))["order"]["id"]
    assert sandbox.state.order(order_id).scheduled is False


def test_the_seconds_trap_sends_at_once(sandbox: SandboxServer) -> None:
    order_id = send(sandbox, **order(sendDateTime="15/06/2099 10:30:00"))["order"]["id"]
    assert sandbox.state.order(order_id).scheduled is False
    report = post(sandbox, "get-report", order={"id": order_id}).json()["response"]
    assert report["status"]["code"] == 200  # not 456: the schedule was ignored
    assert post(sandbox, "cancel-order", order={"id": order_id}).json()["response"]["status"]["code"] == 455


def test_insufficient_balance_is_402(sandbox_factory) -> None:
    server = sandbox_factory(credits=1)
    assert code_of(server, **order(numbers=[NUMBER, "905321112233"])) == 402
    assert server.state.credits == 1 and server.state.orders == {}
    assert code_of(server, **order()) == 200
    assert server.state.credits == 0


def test_duplicate_within_ten_minutes_is_451(sandbox_factory) -> None:
    clock = Clock()
    server = sandbox_factory(clock=clock)
    assert code_of(server, **order(numbers=[NUMBER, "905321112233"])) == 200
    # Same sender, text and numbers in another order and form: still a duplicate.
    assert code_of(server, **order(numbers=["05321112233", "+905301112233"])) == 451
    assert code_of(server, **order("Siparisiniz hazir!", numbers=[NUMBER, "905321112233"])) == 200
    assert code_of(server, **{**order(numbers=[NUMBER, "905321112233"]), "sender": "ORNEKMAGAZA"}) == 200
    clock.now += 599
    assert code_of(server, **order(numbers=[NUMBER, "905321112233"])) == 451
    clock.now += 2
    assert code_of(server, **order(numbers=[NUMBER, "905321112233"])) == 200
    assert server.state.credits == 1000 - 8


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"sender": "", "message": {"text": "", "receipents": {"number": []}}}, 459),
        ({"message": {"text": "", "receipents": {"number": ["1"]}}, "iys": None}, 454),
        ({"message": {"text": "a" * 2000, "receipents": {"number": ["1"]}}}, 453),
        ({"message": {"text": "x", "receipents": {"number": ["1"]}}, "iys": None}, 452),
        ({"iys": None, "sendDateTime": "bad"}, 468),
        ({"sendDateTime": "bad"}, 457),
    ],
)
def test_validation_order(sandbox_factory, changes: dict, code: int) -> None:
    server = sandbox_factory(credits=0)  # 402 would come after every one of these
    body = {**order(), **changes}
    body = {k: v for k, v in body.items() if v is not None}
    assert code_of(server, **body) == code


def test_balance_is_checked_before_duplicates(sandbox_factory) -> None:
    server = sandbox_factory(credits=1)
    assert code_of(server, **order()) == 200
    assert code_of(server, **order()) == 402


def test_missing_order_or_message_is_400(sandbox: SandboxServer) -> None:
    assert post(sandbox, "send-sms").json()["response"]["status"]["code"] == 400
    assert code_of(sandbox, sender="SANDBOX", iys="0") == 400
    assert code_of(sandbox, sender="SANDBOX", iys="0", message=[]) == 400


def test_apitest_is_free_forced_and_limited_to_the_test_number(sandbox: SandboxServer) -> None:
    body = order("Uzun ve Türkçe metin " * 200, numbers=[SANDBOX_TEST_NUMBER, NUMBER],
                 sender="APITEST", iys="1")  # no iysList: iys is forced to "0"
    order_id = send(sandbox, **body)["order"]["id"]
    stored = sandbox.state.order(order_id)
    assert stored.iys == "0"
    assert [m.number for m in stored.messages] == [SANDBOX_TEST_NUMBER]
    assert "API test" in stored.messages[0].text  # replaced by the fixed verification text
    assert sandbox.state.credits == 1000
    assert code_of(sandbox, **order(numbers=[NUMBER], sender="APITEST")) == 452
    sandbox.state.senders = ["SANDBOX"]
    assert code_of(sandbox, **order("Ikinci", numbers=[SANDBOX_TEST_NUMBER], sender="APITEST")) == 200


def test_apitest_still_needs_iys_present(sandbox: SandboxServer) -> None:
    body = order(numbers=[SANDBOX_TEST_NUMBER], sender="APITEST")
    del body["iys"]
    assert code_of(sandbox, **body) == 468
