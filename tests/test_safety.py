"""safety.py: `prepare()` decides what may go out; `ConfirmationBook` issues single-use tokens."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from iletimerkezi_mcp.safety import PreparedCall, Refusal, prepare
from iletimerkezi_mcp.settings import Settings
from iletimerkezi_mcp.sms import preview_sms
from iletimerkezi_mcp.tokens import CONFIRMATION_TTL, ConfirmationBook

SPELLINGS = ["+90 532 000 00 00", "0532-000-0000", "(532) 000 00 00", "5320000000"]


def send_args(numbers: list[str], text: str = "Siparisiniz yolda", **order: Any) -> dict[str, Any]:
    return {"order": {"sender": "ACME", "iys": "0", **order,
                      "message": {"text": text, "receipents": {"number": numbers}}}}


def refusal_of(tool: str, arguments: dict[str, Any], settings: Settings | None = None) -> str:
    with pytest.raises(Refusal) as info:
        prepare(tool, arguments, settings or Settings())
    return str(info.value)


# --------------------------------------------------------------------------- send_sms: recipients

def test_every_spelling_becomes_the_wire_form_and_duplicates_are_dropped() -> None:
    args = send_args([*SPELLINGS, "0 532 000 00 01"])
    call = prepare("send_sms", args, Settings())
    assert call.arguments["order"]["message"]["receipents"]["number"] == ["905320000000", "905320000001"]
    assert call.recipients == 2
    assert call.credits == 2
    assert any(n.startswith("Dropped duplicate numbers:") and "0532-000-0000" in n and "5320000000" in n
               for n in call.notes)


def test_prepare_never_mutates_the_callers_arguments() -> None:
    args = send_args(list(SPELLINGS))
    before = copy.deepcopy(args)
    prepare("send_sms", args, Settings())
    assert args == before


def test_each_invalid_number_is_listed_with_its_reason() -> None:
    text = refusal_of("send_sms", send_args(["0212 000 00 00", "5320000000", "12345", "+44 7700 900123"]))
    assert text.startswith("send_sms: nothing was sent.")
    assert "'0212 000 00 00' refused: not a Turkish mobile number: must start with 5" in text
    assert "'12345' refused: not a Turkish mobile number: must start with 5" in text
    assert "'+44 7700 900123' refused: not a Turkish number" in text
    assert "'5320000000'" not in text  # the valid one is not a problem
    assert "Hiçbir şey gönderilmedi" in text


def test_an_empty_recipient_list_is_refused() -> None:
    text = refusal_of("send_sms", send_args([]))
    assert "no valid recipient left" in text


# --------------------------------------------------------------------------- send_sms: text and preview

def test_text_is_sent_exactly_as_counted_nfc_and_lf() -> None:
    decomposed = "s\u0327ekerli\r\nçay"  # s + combining cedilla = ş once composed
    call = prepare("send_sms", send_args(["5320000000"], text=decomposed), Settings())
    sent = call.arguments["order"]["message"]["text"]
    assert sent == "şekerli\nçay"
    assert call.previews[0].encoding == "GSM-7 Turkish"  # not UCS-2, as NFD would have forced


def test_preview_summary_is_the_preview_of_what_goes_out() -> None:
    call = prepare("send_sms", send_args(SPELLINGS, text="a" * 156), Settings())
    summary = call.preview_summary()
    assert summary == preview_sms("a" * 156, ["905320000000"]).model_dump(mode="json")
    assert summary["parts"] == 2 and summary["credits"] == 2 and summary["recipient_count"] == 1


def test_several_messages_are_summarised_together() -> None:
    args = {"order": {"sender": "ACME", "iys": "0", "message": [
        {"text": "a" * 156, "receipents": {"number": ["5320000001", "5320000002"]}},
        {"text": "kısa", "receipents": {"number": ["5320000003", "bad"]}},
    ]}}
    text = refusal_of("send_sms", args)
    assert "order.message[1].receipents.number: 'bad' refused" in text
    args["order"]["message"][1]["receipents"]["number"] = ["5320000003"]
    call = prepare("send_sms", args, Settings())
    assert (call.recipients, call.credits) == (3, 2 * 2 + 1)
    summary = call.preview_summary()
    assert summary is not None and len(summary["messages"]) == 2
    assert summary["recipient_count"] == 3 and summary["credits"] == 5


def test_a_text_over_seven_parts_is_refused_with_the_api_code() -> None:
    text = refusal_of("send_sms", send_args(["5320000000"], text="a" * 1200))
    assert "order.message.text:" in text and "over the provider's cap of 7" in text and "453" in text


def test_integer_iys_becomes_the_documented_string() -> None:
    call = prepare("send_sms", send_args(["5320000000"], iys=1, iysList="BIREYSEL"), Settings())
    assert call.arguments["order"]["iys"] == "1"


def test_apitest_sender_gets_a_note() -> None:
    args = send_args(["5320000000"])
    args["order"]["sender"] = "APITEST"
    call = prepare("send_sms", args, Settings())
    assert any("APITEST sender" in note for note in call.notes)


# --------------------------------------------------------------------------- send_sms: caps

def test_recipient_cap_refuses() -> None:
    text = refusal_of("send_sms", send_args(["5320000001", "5320000002", "5320000003"]),
                      Settings(max_recipients=2))
    assert "3 recipients exceed the cap of 2 per call (ILETIMERKEZI_MAX_RECIPIENTS)" in text


def test_duplicates_do_not_count_toward_the_recipient_cap() -> None:
    call = prepare("send_sms", send_args(SPELLINGS + ["5320000001"]), Settings(max_recipients=2))
    assert call.recipients == 2


def test_credit_cap_refuses_a_two_part_text() -> None:
    text = refusal_of("send_sms", send_args(["5320000000"], text="a" * 156), Settings(max_credits_per_call=1))
    assert "costs about 2 credits, over the cap of 1 per call (ILETIMERKEZI_MAX_CREDITS_PER_CALL)" in text


def test_every_problem_is_listed_at_once() -> None:
    text = refusal_of("send_sms", send_args(["5320000001", "5320000002", "5320000003", "nope"], text="a" * 156,
                                            sendDateTime="01/01/2020 10:00"),
                      Settings(max_recipients=2, max_credits_per_call=1))
    for fragment in ("order.sendDateTime:", "'nope' refused", "ILETIMERKEZI_MAX_RECIPIENTS",
                     "ILETIMERKEZI_MAX_CREDITS_PER_CALL"):
        assert fragment in text


# --------------------------------------------------------------------------- send_sms: schedule

@pytest.mark.parametrize("given", ["2030-06-15T10:30:00+03:00", "15/06/2030 10:30:45", "2030-06-15T07:30Z",
                                   "15/06/2030 10:30"])
def test_schedule_goes_out_in_the_api_format_without_seconds(given: str) -> None:
    call = prepare("send_sms", send_args(["5320000000"], sendDateTime=given), Settings())
    assert call.arguments["order"]["sendDateTime"] == "15/06/2030 10:30"


def test_dropped_seconds_are_noted() -> None:
    call = prepare("send_sms", send_args(["5320000000"], sendDateTime="15/06/2030 10:30:45"), Settings())
    assert any("Seconds were dropped" in note for note in call.notes)


def test_an_empty_schedule_means_send_now_and_is_left_out() -> None:
    call = prepare("send_sms", send_args(["5320000000"], sendDateTime=""), Settings())
    assert "sendDateTime" not in call.arguments["order"]


@pytest.mark.parametrize("given", ["01/01/2020 10:00", "2020-01-01T10:00:00+03:00", "next tuesday"])
def test_past_or_unreadable_schedules_are_refused(given: str) -> None:
    text = refusal_of("send_sms", send_args(["5320000000"], sendDateTime=given))
    assert "order.sendDateTime:" in text


# --------------------------------------------------------------------------- other tools

@pytest.mark.parametrize("tool", ["add_blacklist", "delete_blacklist"])
def test_blacklist_number_is_normalised(tool: str) -> None:
    call = prepare(tool, {"blacklist": {"number": "+90 (532) 000-00-00"}}, Settings())
    assert call.arguments == {"blacklist": {"number": "905320000000"}}
    assert call.previews == [] and call.credits == 0


def test_blacklist_invalid_number_is_refused() -> None:
    text = refusal_of("add_blacklist", {"blacklist": {"number": "0212 000 00 00"}})
    assert "nothing was sent" in text
    assert "blacklist.number: '0212 000 00 00' refused: not a Turkish mobile number" in text


def test_consent_phone_records_get_the_plus_form_email_records_are_left_alone() -> None:
    record = {"recipientType": "BIREYSEL", "status": "ONAY", "source": "HS_WEB", "consentDate": "2026-01-01 10:00:00"}
    args = {"consent": {"brandCode": "123456", "list": [
        {**record, "recipient": "0532 000 00 00", "type": "MESAJ"},
        {**record, "recipient": "Ali@Example.com", "type": "EPOSTA"},
        {**record, "recipient": "5320000001", "type": "ARAMA"},
    ]}}
    call = prepare("iys_register", args, Settings())
    recipients = [r["recipient"] for r in call.arguments["consent"]["list"]]
    assert recipients == ["+905320000000", "Ali@Example.com", "+905320000001"]


def test_one_bad_consent_record_refuses_the_whole_batch() -> None:
    record = {"recipientType": "BIREYSEL", "status": "ONAY", "source": "HS_WEB",
              "consentDate": "2026-01-01 10:00:00", "type": "MESAJ"}
    args = {"consent": {"brandCode": "1", "list": [{**record, "recipient": "5320000000"},
                                                   {**record, "recipient": "0212 000 00 00"}]}}
    text = refusal_of("iys_register", args)
    assert text.startswith("iys_register: nothing was sent.")
    assert "consent.list[1].recipient: '0212 000 00 00' refused" in text


def test_consent_check_normalises_the_single_recipient() -> None:
    args = {"consent": {"brandCode": "1", "recipient": "05320000000", "recipientType": "TACIR", "type": "MESAJ"}}
    assert prepare("iys_check", args, Settings()).arguments["consent"]["recipient"] == "+905320000000"
    args["consent"]["recipient"] = "123"
    assert "consent.recipient: '123' refused" in refusal_of("iys_check", args)


def test_report_window_rules() -> None:
    ok = prepare("get_reports", {"filter": {"start": "2026-01-01", "end": "2026-01-11"}}, Settings())
    assert ok.arguments == {"filter": {"start": "2026-01-01", "end": "2026-01-11"}}
    assert "spans 11 days" in refusal_of("get_reports", {"filter": {"start": "2026-01-01", "end": "2026-01-12"}})
    assert "is before filter.start" in refusal_of("get_reports", {"filter": {"start": "2026-01-05",
                                                                              "end": "2026-01-04"}})
    # A malformed date is the schema check's job; prepare does not crash on it.
    prepare("get_reports", {"filter": {"start": "yesterday", "end": "2026-01-04"}}, Settings())


def test_read_tools_pass_through_unchanged() -> None:
    args = {"order": {"id": "123", "page": 1}}
    call = prepare("get_report", args, Settings())
    assert call == PreparedCall(arguments=args)
    assert call.preview_summary() is None


# --------------------------------------------------------------------------- ConfirmationBook

class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def book(clock: FakeClock) -> ConfirmationBook:
    return ConfirmationBook(clock=clock)


DIGEST = ConfirmationBook.digest("send_sms", send_args(["905320000000"]))


def test_a_fresh_token_authorises_its_payload(book: ConfirmationBook, clock: FakeClock) -> None:
    token, expires = book.issue(DIGEST)
    assert expires == clock.now + CONFIRMATION_TTL == 1_000_300.0
    assert token.startswith("1000300.")
    assert book.check(token, DIGEST) is None


def test_token_expires_after_five_minutes(book: ConfirmationBook, clock: FakeClock) -> None:
    token, expires = book.issue(DIGEST)
    clock.now = expires  # still valid at the last second
    assert book.check(token, DIGEST) is None
    clock.now = expires + 1
    problem = book.check(token, DIGEST)
    assert problem is not None and "expired" in problem


def test_token_is_single_use(book: ConfirmationBook) -> None:
    token, _ = book.issue(DIGEST)
    assert book.check(token, DIGEST) is None
    book.spend(token)
    problem = book.check(token, DIGEST)
    assert problem is not None and "already used" in problem


def test_a_spent_token_cannot_be_reused_by_padding_it(book: ConfirmationBook) -> None:
    token, _ = book.issue(DIGEST)
    book.spend(token)
    for variant in (f" {token}", f"{token} ", f"{token}\n"):
        problem = book.check(variant, DIGEST)
        assert problem is not None and "already used" in problem


def test_token_is_bound_to_the_exact_payload(book: ConfirmationBook) -> None:
    token, _ = book.issue(DIGEST)
    other_text = ConfirmationBook.digest("send_sms", send_args(["905320000000"], text="changed"))
    other_number = ConfirmationBook.digest("send_sms", send_args(["905320000001"]))
    other_tool = ConfirmationBook.digest("cancel_order", send_args(["905320000000"]))
    for digest in (other_text, other_number, other_tool):
        problem = book.check(token, digest)
        assert problem is not None and "does not match this payload" in problem


def test_digest_ignores_key_order_only() -> None:
    a = {"order": {"sender": "ACME", "iys": "0", "message": {"text": "x", "receipents": {"number": ["1"]}}}}
    b = {"order": {"message": {"receipents": {"number": ["1"]}, "text": "x"}, "iys": "0", "sender": "ACME"}}
    assert ConfirmationBook.digest("send_sms", a) == ConfirmationBook.digest("send_sms", b)
    b["order"]["iys"] = "1"
    assert ConfirmationBook.digest("send_sms", a) != ConfirmationBook.digest("send_sms", b)


def test_the_expiry_cannot_be_edited(book: ConfirmationBook) -> None:
    token, expires = book.issue(DIGEST)
    _, mac = token.split(".")
    problem = book.check(f"{int(expires) + 3600}.{mac}", DIGEST)
    assert problem is not None and "does not match" in problem


def test_tokens_of_another_server_instance_are_refused(clock: FakeClock) -> None:
    token, _ = ConfirmationBook(clock=clock).issue(DIGEST)
    problem = ConfirmationBook(clock=clock).check(token, DIGEST)
    assert problem is not None and "does not match" in problem


@pytest.mark.parametrize("token", ["", "abc", "123.", ".abc", "12a.abcdef", "-5.abc"])
def test_malformed_tokens_are_refused(book: ConfirmationBook, token: str) -> None:
    problem = book.check(token, DIGEST)
    assert problem is not None and "malformed" in problem


def test_surrounding_whitespace_on_a_fresh_token_is_tolerated(book: ConfirmationBook) -> None:
    token, _ = book.issue(DIGEST)
    assert book.check(f"  {token}\n", DIGEST) is None


def test_a_token_is_honoured_by_the_next_process_and_spent_for_all(tmp_path):
    """The CLI and one-shot clients start a server per call: the key and spent list live on disk."""
    first = ConfirmationBook(store=tmp_path)
    token, _ = first.issue(DIGEST)
    second = ConfirmationBook(store=tmp_path)
    assert second.check(token, DIGEST) is None
    second.spend(token)
    assert "already used" in first.check(token, DIGEST)
    assert "already used" in ConfirmationBook(store=tmp_path).check(token, DIGEST)
    assert (tmp_path / "confirmation.key").stat().st_mode & 0o077 == 0  # private to the user


def test_an_unusable_store_keeps_tokens_in_this_process(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    book = ConfirmationBook(store=blocker / "sub")
    token, _ = book.issue(DIGEST)
    assert book.check(token, DIGEST) is None
    book.spend(token)
    assert "already used" in book.check(token, DIGEST)
    assert ConfirmationBook(store=blocker / "sub").check(token, DIGEST) is not None
