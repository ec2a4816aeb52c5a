"""İYS consent checks: dates, recipient form against type, duplicates, bounded output."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from iletimerkezi_mcp.rules import (
    MAX_PROBLEMS,
    check_consent_query,
    check_consent_records,
    count_revocations,
    normalise_email,
)

# 2026-05-15 12:00:00 in Turkey (UTC+3).
NOW = datetime(2026, 5, 15, 9, 0, 0, tzinfo=timezone.utc)


def record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "recipient": "+905301112233",
        "recipientType": "BIREYSEL",
        "type": "MESAJ",
        "status": "ONAY",
        "source": "HS_WEB",
        "consentDate": "2026-05-11 14:20:00",
    }
    base.update(changes)
    return base


def check_one(**changes: Any) -> tuple[dict[str, Any], list[str]]:
    copies, problems = check_consent_records([record(**changes)], NOW)
    return copies[0], problems


def test_a_clean_batch_has_no_problems_and_is_normalised() -> None:
    records = [
        record(recipient="0530 111 22 33"),
        record(recipient="5301112233", type="ARAMA"),
        record(recipient="  Ali.Veli@Example.COM.TR ", type="EPOSTA"),
        record(recipient="+905301112233", recipientType="TACIR"),
    ]
    before = copy.deepcopy(records)
    copies, problems = check_consent_records(records, NOW)
    assert problems == []
    assert [c["recipient"] for c in copies] == [
        "+905301112233", "+905301112233", "Ali.Veli@example.com.tr", "+905301112233"]
    assert records == before  # the input is left alone
    assert copies[0] is not records[0]


@pytest.mark.parametrize(
    ("date", "part"),
    [
        ("2026-02-30 10:00:00",
         "consent.list[0].consentDate 2026-02-30 10:00:00 is not a real date: 2026-02 has 28 days"),
        ("2024-02-30 10:00:00", "2024-02 has 29 days"),
        ("2026-04-31 10:00:00", "2026-04 has 30 days"),
        ("2026-13-01 10:00:00", "there is no month 13"),
        ("2026-00-10 10:00:00", "there is no month 00"),
        ("2026-05-00 10:00:00", "is not a real date: there is no day 00"),
        ("2026-05-11 25:00:00", "2026-05-11 25:00:00 is not a real time of day"),
        ("2026-05-11 23:60:00", "is not a real time of day"),
        ("2026-05-11 23:59:60", "is not a real time of day"),
        ("2026-05-11", "is not in the form YYYY-MM-DD HH:MM:SS"),
        ("2026-05-11T14:20:00", "is not in the form YYYY-MM-DD HH:MM:SS"),
        ("11/05/2026 14:20", "is not in the form YYYY-MM-DD HH:MM:SS"),
        ("", "is not in the form"),
        (20260511, "consent.list[0].consentDate must be text"),
        ("2015-04-30 23:59:59", "is before 2015-05-01, the earliest consent date İYS accepts"),
        ("2010-01-01 00:00:00", "is before 2015-05-01"),
        ("2026-05-15 12:01:01", "is in the future (it is now 2026-05-15 12:00:00 in Turkey, UTC+3)"),
        ("2027-01-01 00:00:00", "is in the future"),
    ],
)
def test_bad_consent_dates(date: object, part: str) -> None:
    _, problems = check_one(consentDate=date)
    assert len(problems) == 1
    assert part in problems[0]
    assert "422" in problems[0]


@pytest.mark.parametrize(
    "date",
    [
        "2015-05-01 00:00:00",  # the cut-off itself
        "2024-02-29 23:59:59",  # leap day
        "2026-05-15 12:00:00",  # now
        "2026-05-15 12:01:00",  # a minute of clock skew
        " 2026-05-11 14:20:00 ",  # surrounding spaces are trimmed
    ],
)
def test_good_consent_dates(date: str) -> None:
    copied, problems = check_one(consentDate=date)
    assert problems == []
    assert copied["consentDate"] == date.strip()


def test_future_is_judged_in_turkey_time_whatever_the_zone_of_now() -> None:
    # 10:30 in Turkey is 07:30 UTC: already past at 09:00 UTC, though "10:30" > "09:00" naively.
    assert check_one(consentDate="2026-05-15 10:30:00")[1] == []
    new_york = NOW.astimezone(timezone(timedelta(hours=-4)))
    assert check_consent_records([record(consentDate="2026-05-15 10:30:00")], new_york)[1] == []
    # A naive `now` is Turkey wall-clock time, as for sendDateTime.
    naive = datetime(2026, 5, 15, 12, 0, 0)
    assert check_consent_records([record(consentDate="2026-05-15 12:00:30")], naive)[1] == []
    assert "in the future" in check_consent_records([record(consentDate="2026-05-15 12:05:00")], naive)[1][0]


def test_missing_consent_date_is_required_for_individuals_only() -> None:
    bireysel = record()
    del bireysel["consentDate"]
    tacir = record(recipientType="TACIR")
    del tacir["consentDate"]
    _, problems = check_consent_records([bireysel, tacir], NOW)
    assert problems == [problems[0]]
    assert problems[0].startswith("consent.list[0].consentDate is missing")


@pytest.mark.parametrize(
    ("changes", "part"),
    [
        ({"recipient": "ali@example.com"},
         "consent.list[0].recipient: 'ali@example.com' refused: this is an e-mail address, but type MESAJ needs a "
         "Turkish mobile number"),
        ({"recipient": "ali@example.com", "type": "ARAMA"}, "Use type EPOSTA for e-mail consent"),
        ({"recipient": "0212 555 12 12"}, "must start with 5 after the leading 0"),
        ({"recipient": "+905999112233"}, "5999… is not in a range any Turkish mobile operator uses"),
        ({"recipient": "532 11"}, "consent.list[0].recipient: '532 11' refused: has 5 digits"),
        ({"recipient": "+905301112233", "type": "EPOSTA"},
         "'+905301112233' refused: not an e-mail address (needs exactly one '@'), which type EPOSTA needs"),
        ({"recipient": "+905301112233", "type": "EPOSTA"}, "set type to MESAJ (SMS) or ARAMA"),
        ({"recipient": "ali@@example.com", "type": "EPOSTA"}, "needs exactly one '@'"),
        ({"recipient": "@example.com", "type": "EPOSTA"}, "has nothing before the '@'"),
        ({"recipient": "ali@example", "type": "EPOSTA"}, "has no valid domain after the '@'"),
        ({"recipient": "ali@exa mple.com", "type": "EPOSTA"}, "contains a space"),
        ({"recipient": "ali@example..com", "type": "EPOSTA"}, "has no valid domain"),
        ({"recipient": "ali@-example.com", "type": "EPOSTA"}, "has no valid domain"),
        ({"recipient": "ali@example.c", "type": "EPOSTA"}, "not a top-level domain"),
        ({"recipient": "   ", "type": "EPOSTA"}, "is empty"),
        ({"recipient": None}, "a recipient must be text"),
        ({"type": "SMS"}, "consent.list[0].type is 'SMS'; it must be MESAJ, EPOSTA or ARAMA"),
        ({"recipientType": "KURUMSAL"}, "consent.list[0].recipientType is 'KURUMSAL'; it must be BIREYSEL or TACIR"),
    ],
)
def test_recipient_must_match_type(changes: dict[str, Any], part: str) -> None:
    _, problems = check_one(**changes)
    assert len(problems) == 1
    assert part in problems[0]
    assert "422" in problems[0]


def test_numbers_typed_without_quotes_are_read_as_numbers() -> None:
    copied, problems = check_one(recipient=905301112233)
    assert problems == [] and copied["recipient"] == "+905301112233"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ali@example.com", "ali@example.com"),
        (" Ali@EXAMPLE.com\t", "Ali@example.com"),  # only the domain is lower-cased
        ("first.last+tag@mail.example.com.tr", "first.last+tag@mail.example.com.tr"),
        ("ayşe@örnek.com.tr", "ayşe@örnek.com.tr"),  # internationalised addresses pass
    ],
)
def test_normalise_email(raw: str, expected: str) -> None:
    assert normalise_email(raw) == expected


def test_duplicates_are_reported_with_both_indexes_whatever_the_status() -> None:
    records = [
        record(),  # 0
        record(type="ARAMA"),  # 1: another channel, fine
        record(recipient="0530 111 22 33"),  # 2: repeats 0 in another spelling
        record(recipientType="TACIR"),  # 3: another recipientType, fine
        record(recipient="5301112233", status="RET"),  # 4: repeats 0, other status
        record(recipient="a@example.com", type="EPOSTA"),  # 5
        record(recipient="a@EXAMPLE.com", type="EPOSTA"),  # 6: repeats 5 (domain case)
        record(recipient="A@example.com", type="EPOSTA"),  # 7: local part differs: not a repeat
    ]
    _, problems = check_consent_records(records, NOW)
    assert len(problems) == 3
    assert problems[0].startswith(
        "consent.list[2] repeats consent.list[0] (same recipient, type and recipientType); "
        "İYS refuses the whole batch (422)")
    assert "separate call" not in problems[0]
    assert problems[1].startswith("consent.list[4] repeats consent.list[0]")
    assert "send the later record in a separate call" in problems[1]
    assert problems[2].startswith("consent.list[6] repeats consent.list[5]")


def test_all_problems_are_reported_with_their_index() -> None:
    records = [
        record(recipient="+905321112233", consentDate="2026-02-30 10:00:00"),
        record(),
        record(recipient="ali@example.com"),
        record(recipient="0530 111 22 33", consentDate="2030-01-01 00:00:00"),
        record(recipient="532 111 22 33", type="SMS"),
    ]
    _, problems = check_consent_records(records, NOW)
    assert [p.split(" ")[0].split(":")[0] for p in problems] == [
        "consent.list[0].consentDate",
        "consent.list[2].recipient",
        "consent.list[3].consentDate",
        "consent.list[3]",  # and it repeats [1]
        "consent.list[4].type",  # no recipient check without a known type
    ]
    assert problems[3].startswith("consent.list[3] repeats consent.list[1]")


def test_output_is_bounded() -> None:
    records = [record(recipient=f"+90599{n:07d}") for n in range(MAX_PROBLEMS + 7)]
    _, problems = check_consent_records(records, NOW)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == "… and 7 more problems not shown."
    assert problems[0].startswith("consent.list[0].recipient")
    _, one_more = check_consent_records(records[: MAX_PROBLEMS + 1], NOW)
    assert one_more[-1] == "… and 1 more problem not shown."
    _, exact = check_consent_records(records[:MAX_PROBLEMS], NOW)
    assert len(exact) == MAX_PROBLEMS and not exact[-1].startswith("…")


def test_a_record_that_is_not_an_object() -> None:
    copies, problems = check_consent_records(["+905301112233"], NOW)  # type: ignore[list-item]
    assert copies == ["+905301112233"]
    assert problems == ["consent.list[0] is not a record (an object with recipient, type, …); "
                        "İYS refuses the whole batch (422)."]


def test_empty_batch() -> None:
    assert check_consent_records([], NOW) == ([], [])


@pytest.mark.parametrize(
    ("consent", "recipient", "problem"),
    [
        ({"recipient": "0530 111 22 33", "type": "MESAJ"}, "+905301112233", None),
        ({"recipient": "05301112233", "type": "ARAMA", "recipientType": "TACIR"}, "+905301112233", None),
        ({"recipient": " Ali@Example.com ", "type": "EPOSTA"}, "Ali@example.com", None),
        ({"recipient": "532 11", "type": "MESAJ"}, "532 11", "consent.recipient: '532 11' refused: has 5 digits"),
        ({"recipient": "ali@example.com", "type": "MESAJ"}, "ali@example.com", "this is an e-mail address"),
        ({"recipient": "+905301112233", "type": "EPOSTA"}, "+905301112233", "not an e-mail address"),
        ({"recipient": "+905301112233", "type": "FAKS"}, "+905301112233", "consent.type is 'FAKS'"),
        ({"recipient": "+905301112233", "type": "MESAJ", "recipientType": None}, "+905301112233",
         "consent.recipientType is missing"),
    ],
)
def test_consent_query(consent: dict[str, Any], recipient: str, problem: str | None) -> None:
    query = {"brandCode": 123456, "recipientType": "BIREYSEL", **consent}
    copied, problems = check_consent_query(query)
    assert copied["recipient"] == recipient
    assert copied["brandCode"] == 123456
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0] and "422" in problems[0]


def test_count_revocations() -> None:
    records = [record(), record(status="RET"), record(status=" ret "), record(status="ONAY"), {}]
    assert count_revocations(records) == 2
    assert count_revocations([]) == 0
    odd: list[Any] = [*records, "RET", None, {"status": None}, {"status": ["RET"]}, {"status": "Ret"},
                      {"status": "RETT"}, {"status": 5}, {"status": "ONAY "}]
    assert count_revocations(odd) == sum(1 for r in odd if isinstance(r, dict)
                                         and str(r.get("status", "")).strip().upper() == "RET") == 3


# --- The quick path for clean records and the canonical form agree with the full ones ---------------

def _batch() -> list[Any]:
    import random

    rng = random.Random(11)
    dates = ["2015-05-01 00:00:00", "2015-04-30 23:59:59", "2026-05-15 12:01:00", "2026-05-15 12:01:01",
             "2026-05-15 12:00:59", "2024-02-29 10:00:00", "2025-02-29 10:00:00", "2026-04-31 10:00:00",
             "2026-04-30 10:00:00", "2026-01-31 23:59:59", "2026-05-11 24:00:00", " 2026-05-11 14:20:00",
             "2026-05-11 14:20:00 ", "2026-5-11 14:20:00", "0000-01-01 00:00:00", "9999-12-31 23:59:59",
             "2026-05-11T14:20:00", "٢٠٢٦-05-11 14:20:00", "2026-05-11 14:20", None, 20260511, ""]
    recipients = ["+905301112233", "0530 111 22 33", "5301112233", "+90 530 111 22 34", "+905999112233",
                  "(+90) 530 111 22 35", "ali@example.com", "Ali@Example.COM", " a@b.co ", "a@@b.co", "+905301112233 ",
                  5301112236, None, "", "530 111 22 37\u00a0"]
    records: list[Any] = []
    for _ in range(600):
        rec = record(recipient=rng.choice(recipients), consentDate=rng.choice(dates),
                     type=rng.choice(["MESAJ", "EPOSTA", "ARAMA", "MESAJ", "SMS"]),
                     recipientType=rng.choice(["BIREYSEL", "TACIR", "BIREYSEL", "tacir"]),
                     status=rng.choice(["ONAY", "RET"]))
        if rng.random() < 0.05:
            del rec["consentDate"]
        if rng.random() < 0.02:
            rec = "not a record"
        records.append(rec)
    return records


def test_clean_records_take_a_quick_path_with_the_same_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    from iletimerkezi_mcp.rules import consent

    records = _batch()
    monkeypatch.setattr(consent, "MAX_PROBLEMS", 10**6)
    fast = check_consent_records(records, NOW)
    with monkeypatch.context() as patch:
        patch.setattr(consent, "_quick_record", lambda record, latest: None)
        full = check_consent_records(records, NOW)
    assert fast == full
    assert len(full[1]) > 100
    clean = [record(recipient=f"+90530{i:07d}") for i in range(50)]
    assert all(consent._quick_record(r, "2026-05-15 12:01:00") is not None for r in clean)


def test_canonical_records_is_sorted_json_with_sorted_keys() -> None:
    from iletimerkezi_mcp.rules.consent import canonical_records

    odd: list[Any] = [
        record(), record(recipient='a"b\\c\u2028é\x01@x.co'), {"b": "1", "a": "2"}, {"a": "2", "b": "1"},
        {"%s": "x", "%(a)s": "y"}, {"only": "one"}, {}, {"n": 1, "m": "x"}, {"n": [1, "x"], "m": None},
        {"t": True, "f": 1.5}, "not a record", 7, None, record(status="RET", extra={"nested": ["ş"]}),
    ]
    records = [*_batch(), *odd]
    assert canonical_records(records) == sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records)
