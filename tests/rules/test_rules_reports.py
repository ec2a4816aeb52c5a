"""get_reports window: real YYYY-MM-DD dates, end not before start, at most 10 days apart."""

from __future__ import annotations

import pytest

from iletimerkezi_mcp.rules import MAX_REPORT_SPAN_DAYS, check_report_window


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-05-05", "2026-05-05"),  # one day
        ("2026-05-01", "2026-05-10"),  # the docs' 01-10 window
        ("2026-01-01", "2026-01-11"),  # a gap of exactly 10 days is still accepted, as before
        ("2026-02-25", "2026-03-07"),  # across a month end
        ("2024-02-29", "2024-03-01"),  # leap day
        ("2025-12-28", "2026-01-07"),  # across a year end
    ],
)
def test_good_windows(start: str, end: str) -> None:
    assert check_report_window(start, end) == []


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-01-01", "2026-01-12",
         ["filter spans 11 days; the API allows at most 10 per call (code 458). "
          "Split it into windows like 01-10, 11-20, 21-end."]),
        ("2026-01-01", "2026-03-01", ["filter spans 59 days; the API allows at most 10 per call (code 458). "
                                      "Split it into windows like 01-10, 11-20, 21-end."]),
        ("2026-01-05", "2026-01-04",
         ["filter.end 2026-01-04 is before filter.start 2026-01-05 (the API would answer 458); swap them."]),
        ("2026-02-30", "2026-03-02",
         ["filter.start 2026-02-30 is not a real date: 2026-02 has 28 days; the API would answer 458."]),
        ("2026-03-01", "2026-04-31",
         ["filter.end 2026-04-31 is not a real date: 2026-04 has 30 days; the API would answer 458."]),
        ("2026-13-01", "2026-00-02",
         ["filter.start 2026-13-01 is not a real date: there is no month 13; the API would answer 458.",
          "filter.end 2026-00-02 is not a real date: there is no month 00; the API would answer 458."]),
        ("2026-05-00", "2026-05-02",
         ["filter.start 2026-05-00 is not a real date: there is no day 00; the API would answer 458."]),
    ],
)
def test_bad_windows(start: str, end: str, expected: list[str]) -> None:
    assert check_report_window(start, end) == expected


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("01/06/2026", "2026-06-02", "filter.start '01/06/2026'"),
        ("2026-06-01", "yesterday", "filter.end 'yesterday'"),
        ("2026-6-1", "2026-06-02", "filter.start '2026-6-1'"),
        ("2026-06-01 00:00:00", "2026-06-02", "filter.start '2026-06-01 00:00:00'"),
        (" 2026-06-01", "2026-06-02", "filter.start ' 2026-06-01'"),
        (None, "2026-06-02", "filter.start None"),
    ],
)
def test_wrong_format(start: str, end: str, field: str) -> None:
    problems = check_report_window(start, end)
    assert len(problems) == 1
    assert problems[0].startswith(f"{field} is not in the form YYYY-MM-DD")
    assert "458" in problems[0]


def test_span_limit_is_ten_days() -> None:
    assert MAX_REPORT_SPAN_DAYS == 10


def test_a_long_range_splits_into_windows_of_ten_calendar_days() -> None:
    from datetime import date, timedelta

    from iletimerkezi_mcp.rules.reports import MAX_RANGE_DAYS, check_report_range, split_range

    first, last = date(2026, 10, 31), date(2026, 11, 29)
    windows = split_range(first, last)
    assert windows == [(date(2026, 10, 31), date(2026, 11, 9)), (date(2026, 11, 10), date(2026, 11, 19)),
                       (date(2026, 11, 20), date(2026, 11, 29))]
    for start, end in [(date(2024, 2, 20), date(2024, 3, 5)), (first, first), (date(2025, 1, 1), date(2026, 1, 1))]:
        parts = split_range(start, end)
        assert parts[0][0] == start and parts[-1][1] == end
        assert all(b[0] == a[1] + timedelta(days=1) for a, b in zip(parts, parts[1:], strict=False))
        assert all(check_report_window(a.isoformat(), b.isoformat()) == [] for a, b in parts)
        assert all((b - a).days <= 9 for a, b in parts)
    assert check_report_range("2025-01-01", "2026-01-02") == ([], (date(2025, 1, 1), date(2026, 1, 2)))
    problems, span = check_report_range("2025-01-01", "2026-01-03")
    assert span is None and f"at most {MAX_RANGE_DAYS} days" in problems[0]
