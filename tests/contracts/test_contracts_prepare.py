"""Each contract's prepare(): exactly what goes out, or every reason it cannot, before any request."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from iletimerkezi_mcp.contracts import BY_NAME
from iletimerkezi_mcp.safety import PreparedCall, Refusal
from iletimerkezi_mcp.settings import Settings
from iletimerkezi_mcp.sms import preview_sms

SPELLINGS = ["+90 532 000 00 00", "0532-000-0000", "(532) 000 00 00", "5320000000"]


def prepare(tool: str, arguments: dict[str, Any], settings: Settings) -> PreparedCall:
    return BY_NAME[tool].prepare(arguments, settings)


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
    assert summary == preview_sms("a" * 156, ["905320000000"]).for_result()
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


def test_consent_phone_records_get_the_plus_form_email_domains_are_lowercased() -> None:
    record = {"recipientType": "BIREYSEL", "status": "ONAY", "source": "HS_WEB", "consentDate": "2026-01-01 10:00:00"}
    args = {"consent": {"brandCode": "123456", "list": [
        {**record, "recipient": "0532 000 00 00", "type": "MESAJ"},
        {**record, "recipient": "Ali@Example.com", "type": "EPOSTA"},
        {**record, "recipient": "5320000001", "type": "ARAMA"},
    ]}}
    call = prepare("iys_register", args, Settings())
    recipients = [r["recipient"] for r in call.arguments["consent"]["list"]]
    assert recipients == ["+905320000000", "Ali@example.com", "+905320000001"]


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
    assert ok.arguments == {"filter": {"start": "2026-01-01", "end": "2026-01-11"}} and ok.sweep is None
    # Longer: read here window by window (10 calendar days each), never in one refused request.
    long = prepare("get_reports", {"filter": {"start": "2026-01-01", "end": "2026-01-12"}}, Settings())
    assert long.sweep is not None
    assert [r["filter"] for r in long.sweep.requests] == [{"start": "2026-01-01", "end": "2026-01-10"},
                                                          {"start": "2026-01-11", "end": "2026-01-12"}]
    assert "filter.page" in refusal_of("get_reports", {"filter": {"start": "2026-01-01", "end": "2026-01-12",
                                                                  "page": 2}})
    assert "spans 367 days" in refusal_of("get_reports", {"filter": {"start": "2025-01-01", "end": "2026-01-03"}})
    assert "is before filter.start" in refusal_of("get_reports", {"filter": {"start": "2026-01-05",
                                                                              "end": "2026-01-04"}})
    # A date that does not exist is refused here; the schema only checks its shape.
    assert "2026-02-30" in refusal_of("get_reports", {"filter": {"start": "2026-02-30", "end": "2026-03-02"}})


def test_read_tools_pass_through_unchanged() -> None:
    args = {"order": {"id": "123", "page": 1}}
    call = prepare("get_report", args, Settings())
    assert call.arguments == args and call.arguments is not args
    assert call.preview_summary() is None


# --------------------------------------------------------------------------- domain checks, each before any request

def test_commercial_send_without_iys_list_is_refused_with_469() -> None:
    text = refusal_of("send_sms", send_args(["5320000000"], iys="1"))
    assert "order.iysList" in text and "469" in text and "BIREYSEL" in text


def test_sender_with_turkish_letters_or_too_long_is_refused_with_460() -> None:
    args = send_args(["5320000000"])
    args["order"]["sender"] = "ŞİRKETİM"
    assert "order.sender" in refusal_of("send_sms", args) and "460" in refusal_of("send_sms", args)
    args["order"]["sender"] = "ABCDEFGHIJKL"
    assert "460" in refusal_of("send_sms", args)


def test_a_number_no_operator_uses_is_refused_with_466() -> None:
    text = refusal_of("send_sms", send_args(["5999999999", "5320000000"]))
    assert "'5999999999' refused" in text and "466" in text
    assert "466" in refusal_of("add_blacklist", {"blacklist": {"number": "5999999999"}})


def consent_record(**extra: Any) -> dict[str, Any]:
    return {"recipient": "5320000000", "recipientType": "BIREYSEL", "type": "MESAJ", "status": "ONAY",
            "source": "HS_WEB", "consentDate": "2026-01-01 10:00:00", **extra}


@pytest.mark.parametrize(("record", "fragment"), [
    (consent_record(consentDate="2099-01-01 10:00:00"), "future"),
    (consent_record(consentDate="2015-04-30 23:59:59"), "2015-05-01"),
    (consent_record(consentDate="2026-02-30 10:00:00"), "consentDate"),
    (consent_record(type="EPOSTA"), "e-mail"),
    (consent_record(recipient="ali@example.com"), "recipient"),
])
def test_a_consent_record_the_registry_would_refuse_is_refused_here(record: dict[str, Any], fragment: str) -> None:
    text = refusal_of("iys_register", {"consent": {"brandCode": "1", "list": [consent_record(), record]}})
    assert "consent.list[1]" in text and fragment in text


def test_a_record_repeated_in_one_batch_names_both_indexes() -> None:
    batch = [consent_record(), consent_record(recipient="5320000001"), consent_record(recipient="0532 000 00 00")]
    text = refusal_of("iys_register", {"consent": {"brandCode": "1", "list": batch}})
    assert "consent.list[2]" in text and "consent.list[0]" in text


def test_every_bad_record_is_listed_with_its_index() -> None:
    batch = [consent_record(consentDate="2099-01-01 10:00:00"), consent_record(recipient="5320000001"),
             consent_record(recipient="5320000002", type="EPOSTA")]
    text = refusal_of("iys_register", {"consent": {"brandCode": "1", "list": batch}})
    assert "consent.list[0]" in text and "consent.list[2]" in text and "consent.list[1]" not in text


# --------------------------------------------------------------------------- what a confirmation binds to

def test_the_same_numbers_in_another_order_or_spelling_bind_the_same_parts() -> None:
    one = prepare("send_sms", send_args(["5320000001", "0532 000 00 02"]), Settings())
    two = prepare("send_sms", send_args(["+90 532 000 00 02", "905320000001"]), Settings())
    assert one.parts == two.parts
    other = prepare("send_sms", send_args(["5320000001", "5320000003"]), Settings())
    assert other.parts["recipients"] != one.parts["recipients"] and other.parts["text"] == one.parts["text"]


def test_confirmation_rules() -> None:
    settings = Settings(confirm_above=2)
    cheap = prepare("send_sms", send_args(["5320000001", "5320000002"]), settings)
    costly = prepare("send_sms", send_args(["5320000001", "5320000002", "5320000003"]), settings)
    assert BY_NAME["send_sms"].confirm(cheap, settings) is None
    assert "3 credits" in (BY_NAME["send_sms"].confirm(costly, settings) or "")
    cancel = prepare("cancel_order", {"order": {"id": "42"}}, settings)
    assert "cannot be undone" in (BY_NAME["cancel_order"].confirm(cancel, settings) or "")
    unblock = prepare("delete_blacklist", {"blacklist": {"number": "5320000000"}}, settings)
    assert BY_NAME["delete_blacklist"].confirm(unblock, settings)
    assert BY_NAME["add_blacklist"].confirm(unblock, settings) is None


def test_an_iys_batch_is_confirmed_when_it_revokes_consent_or_is_large() -> None:
    register = BY_NAME["iys_register"]
    small = prepare("iys_register", {"consent": {"brandCode": "1", "list": [consent_record()]}}, Settings())
    assert register.confirm(small, Settings()) is None
    revoke = prepare("iys_register", {"consent": {"brandCode": "1", "list": [consent_record(status="RET")]}},
                     Settings())
    assert "RET" in (register.confirm(revoke, Settings()) or "")
    many = [consent_record(recipient=f"53200{i:05d}") for i in range(101)]
    large = prepare("iys_register", {"consent": {"brandCode": "1", "list": many}}, Settings())
    assert "101 records" in (register.confirm(large, Settings()) or "")


# --------------------------------------------------------------------------- large batches

def test_a_large_send_is_prepared_without_touching_or_sharing_the_callers_list() -> None:
    numbers = [f"+90 532 {i // 10000:03d} {i // 100 % 100:02d} {i % 100:02d}" for i in range(20_000)]
    args = send_args([*numbers, "0532 000 00 00"])
    before = copy.deepcopy(args)
    call = prepare("send_sms", args, Settings(max_recipients=50_000, max_credits_per_call=10**6))
    assert args == before
    sent = call.arguments["order"]["message"]["receipents"]["number"]
    assert sent is not args["order"]["message"]["receipents"]["number"]
    assert sent == [f"90532{i:07d}" for i in range(20_000)]
    (preview,) = call.previews
    assert preview.recipients.valid == sent and preview.recipient_count == 20_000
    # The preview counts what goes out: no duplicate or invalid number is left in it.
    assert preview.for_result()["recipients"] == {"valid": 20_000, "duplicates": 0, "invalid": 0}
    assert call.parts["recipients"] == [sorted(sent)]


def test_a_large_consent_batch_is_prepared_without_touching_the_callers_records() -> None:
    batch = [consent_record(recipient=f"0532 {i:07d}") for i in range(3000)]
    args = {"consent": {"brandCode": "1", "list": batch}}
    before = copy.deepcopy(args)
    call = prepare("iys_register", args, Settings())
    assert args == before
    records = call.arguments["consent"]["list"]
    assert records is not batch and all(a is not b for a, b in zip(records, batch, strict=True))
    assert records[5]["recipient"] == "+905320000005"
    import json

    assert call.parts["records"] == sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records)


def test_what_the_parts_do_not_hold_is_bound_as_sent() -> None:
    from iletimerkezi_mcp.safety import remainder

    send = BY_NAME["send_sms"]
    args = send_args(["5320000001"], validity=5)
    args["order"]["message"] = [dict(args["order"]["message"], note="x"), dict(args["order"]["message"])]
    assert remainder(args, send.covers) == {"order": {"validity": 5, "message": [{"note": "x"}, {}]}}
    plain = send_args(["5320000001"])
    assert remainder(plain, send.covers) == {}  # everything is in the parts already
    assert remainder(plain, ()) == plain and remainder(plain, ()) is not plain
