"""sendDateTime normalisation: the API format, the seconds trap, Istanbul time (UTC+3)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from iletimerkezi_mcp.sms import ISTANBUL, ScheduleError, parse_send_datetime

NOW = datetime(2026, 5, 16, 12, 0, tzinfo=ISTANBUL)


def normalise_send_datetime(value, now=None):
    """The API string, or None for "send now"."""
    schedule = parse_send_datetime(value, now)
    return None if schedule is None else schedule.value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("15/06/2026 10:30", "15/06/2026 10:30"),
        ("  15/06/2026 10:30 ", "15/06/2026 10:30"),
        ("5/6/2026 9:05", "05/06/2026 09:05"),  # zero-padded on the way out
        ("15/06/2026 10:30:00", "15/06/2026 10:30"),  # seconds dropped
        ("15/06/2026 10:30:45", "15/06/2026 10:30"),
        ("2026-06-15T10:30", "15/06/2026 10:30"),  # naive ISO = Istanbul
        ("2026-06-15 10:30:00", "15/06/2026 10:30"),
        ("2026-06-15T07:30Z", "15/06/2026 10:30"),  # UTC + 3
        ("2026-06-15T23:30:00+00:00", "16/06/2026 02:30"),  # crosses midnight
        ("2026-06-15T10:30+03:00", "15/06/2026 10:30"),
        ("2026-06-15T10:30-0200", "15/06/2026 15:30"),  # 12:30 UTC
        ("2026-06-15T10:30:15.250+05:30", "15/06/2026 08:00"),  # 05:00 UTC
        (["15/06/2026 10:30"], "15/06/2026 10:30"),  # the docs' array form
    ],
)
def test_accepted_forms(value: str | list[str], expected: str) -> None:
    assert normalise_send_datetime(value, now=NOW) == expected


@pytest.mark.parametrize("value", ["", "   ", None, [""]])
def test_empty_means_send_now(value: object) -> None:
    assert normalise_send_datetime(value, now=NOW) is None  # type: ignore[arg-type]
    assert parse_send_datetime(value, now=NOW) is None  # type: ignore[arg-type]


def test_seconds_trap_is_reported() -> None:
    s = parse_send_datetime("15/06/2026 10:30:00", now=NOW)
    assert s is not None and s.value == "15/06/2026 10:30"
    assert any("immediately" in note for note in s.notes)
    plain = parse_send_datetime("15/06/2026 10:30", now=NOW)
    assert plain is not None and plain.notes == []


def test_schedule_model_is_istanbul_time() -> None:
    s = parse_send_datetime("2026-06-15T07:30Z", now=NOW)
    assert s is not None
    assert s.istanbul.utcoffset() == timedelta(hours=3)
    assert s.istanbul == datetime(2026, 6, 15, 7, 30, tzinfo=timezone.utc)
    assert any("Converted" in note for note in s.notes)
    naive = parse_send_datetime("2026-06-15T10:30", now=NOW)
    assert naive is not None and any("Istanbul" in note for note in naive.notes)
    same = parse_send_datetime("2026-06-15T10:30+03:00", now=NOW)
    assert same is not None and same.notes == []


@pytest.mark.parametrize(
    "value",
    ["tomorrow 10am", "2026/06/15 10:30", "15-06-2026 10:30", "15.06.2026 10:30", "15/06/2026", "2026-06-15", "10:30"],
)
def test_unparseable_lists_accepted_formats(value: str) -> None:
    with pytest.raises(ScheduleError) as info:
        normalise_send_datetime(value, now=NOW)
    message = str(info.value)
    assert "dd/MM/yyyy HH:mm" in message and "ISO 8601" in message
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("value", ["31/02/2026 10:00", "06/15/2026 10:30", "15/06/2026 24:00", "15/06/2026 10:61"])
def test_impossible_dates(value: str) -> None:
    with pytest.raises(ScheduleError, match="not a real date"):
        normalise_send_datetime(value, now=NOW)


def test_bad_offset() -> None:
    with pytest.raises(ScheduleError, match="offset"):
        normalise_send_datetime("2026-06-15T10:30+25:00", now=NOW)


@pytest.mark.parametrize("value", [[], ["15/06/2026 10:30", "16/06/2026 10:30"]])
def test_list_must_hold_exactly_one(value: list[str]) -> None:
    with pytest.raises(ScheduleError, match="exactly one"):
        normalise_send_datetime(value, now=NOW)


def test_non_text_rejected() -> None:
    with pytest.raises(ScheduleError, match="must be text"):
        normalise_send_datetime(20260615, now=NOW)  # type: ignore[arg-type]


def test_past_and_present_are_rejected_with_current_time() -> None:
    with pytest.raises(ScheduleError) as info:
        normalise_send_datetime("16/05/2026 11:59", now=NOW)
    assert "16/05/2026 12:00" in str(info.value) and "Istanbul" in str(info.value)
    with pytest.raises(ScheduleError, match="not in the future"):
        normalise_send_datetime("16/05/2026 12:00", now=NOW)
    # 08:30 UTC is 11:30 in Istanbul: past.
    with pytest.raises(ScheduleError, match="not in the future"):
        normalise_send_datetime("2026-05-16T08:30Z", now=NOW)
    assert normalise_send_datetime("16/05/2026 12:01", now=NOW) == "16/05/2026 12:01"


def test_now_in_other_zones_and_naive() -> None:
    utc_now = datetime(2026, 5, 16, 9, 0, tzinfo=timezone.utc)  # 12:00 Istanbul
    with pytest.raises(ScheduleError):
        normalise_send_datetime("16/05/2026 11:59", now=utc_now)
    assert normalise_send_datetime("16/05/2026 12:01", now=utc_now) == "16/05/2026 12:01"
    naive_now = datetime(2026, 5, 16, 12, 0)  # read as Istanbul wall-clock time
    with pytest.raises(ScheduleError):
        normalise_send_datetime("16/05/2026 12:00", now=naive_now)


def test_default_now_is_the_real_clock() -> None:
    with pytest.raises(ScheduleError, match="not in the future"):
        normalise_send_datetime("01/01/2020 10:00")
    assert normalise_send_datetime("01/01/2999 10:00") == "01/01/2999 10:00"
