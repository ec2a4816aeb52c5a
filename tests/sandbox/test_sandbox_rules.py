"""Pure rules inside the fake: number normalisation, part counting, sendDateTime parsing."""

from __future__ import annotations

import unicodedata

import pytest

from iletimerkezi_mcp.sandbox.codes import ApiError
from iletimerkezi_mcp.sandbox.sms_rules import count_parts, normalise_number, parse_send_datetime, tr_now


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("905301112233", "905301112233"), ("+905301112233", "905301112233"),
     ("+90 530 111 22 33", "905301112233"), ("5301112233", "905301112233"),
     ("05301112233", "905301112233"), ("00905301112233", "905301112233"),
     ("(0530) 111-22-33", "905301112233"), (5301112233, "905301112233"),
     ("905000000000", "905000000000"), ("905611112233", "905611112233"),
     ("905999112233", None), ("905201112233", None), ("902125551122", None),
     ("+491701234567", None), ("53011122", None), ("", None), (None, None), (True, None),
     ("90530111223x", None)],
)
def test_normalise_number(raw: object, expected: str | None) -> None:
    assert normalise_number(raw) == expected


@pytest.mark.parametrize(
    ("text", "encoding", "parts"),
    [
        ("a" * 155, "GSM7", 1), ("a" * 156, "GSM7", 2), ("a" * 301, "GSM7", 2), ("a" * 302, "GSM7", 3),
        ("ş" * 150, "TURKISH", 1), ("ş" * 151, "TURKISH", 2), ("Çöü" * 50, "GSM7", 1),
        ("ç", "TURKISH", 1), ("â" * 65, "UCS2", 1), ("â" * 66, "UCS2", 2),
        ("{" * 77, "GSM7", 1), ("{" * 78, "GSM7", 2), ("😀" * 32, "UCS2", 1), ("😀" * 33, "UCS2", 2),
        ("`", "UCS2", 1), ("a\r\n" * 75 + "ab", "GSM7", 1),
    ],
)
def test_count_parts(text: str, encoding: str, parts: int) -> None:
    assert count_parts(text) == (encoding, parts)


def test_count_parts_normalises_nfd() -> None:
    decomposed = unicodedata.normalize("NFD", "ş" * 150)
    assert count_parts(decomposed) == ("TURKISH", 1)


def test_send_datetime_rules() -> None:
    now = 1_780_000_000.0  # 2026-05-28 23:26:40 Turkey time
    scheduled = parse_send_datetime("29/05/2026 09:05", now)
    assert scheduled is not None and tr_now(scheduled).strftime("%d/%m/%Y %H:%M") == "29/05/2026 09:05"
    assert parse_send_datetime(["29/05/2026 09:05"], now) == scheduled
    assert parse_send_datetime("29/05/2026 09:05:00", now) is None  # the seconds trap
    assert parse_send_datetime("28/05/2026 23:00", now) is None  # past: send now
    for value in (None, "", []):
        assert parse_send_datetime(value, now) is None
    for bad in ("29-05-2026 09:05", "29/05/2026 9:05", "29/05/2026 24:00", 123, ["x"]):
        with pytest.raises(ApiError) as info:
            parse_send_datetime(bad, now)
        assert info.value.code == 457
