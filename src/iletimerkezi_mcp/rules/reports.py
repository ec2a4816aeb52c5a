"""``get_reports`` date range: checks to run before any request is sent, and the split of a long
range into the windows the API takes.

The API takes ``filter.start`` and ``filter.end`` as ``YYYY-MM-DD`` and answers 458 for a bad
date or a range over 10 days (https://www.iletimerkezi.com/en/docs/api/get-reports). A longer
range is read window by window; whether a gap of exactly 10 days passes is unknown, so the split
uses windows of 10 calendar days (a gap of 9), which every reading of the rule accepts.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

__all__ = ["MAX_RANGE_DAYS", "MAX_REPORT_SPAN_DAYS", "check_report_range", "check_report_window", "split_range"]

# `end - start` may be at most this many days. Whether exactly 10 (11 calendar days) passes is
# unknown; we keep accepting it, as before.
MAX_REPORT_SPAN_DAYS = 10

# The longest range the server splits into windows itself: a year and a day (37 windows).
MAX_RANGE_DAYS = 366
_WINDOW_DAYS = 10  # calendar days per window of a split range

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _parse(value: object, field: str) -> tuple[date | None, str | None]:
    """Return (date, None) or (None, problem) for one end of the window."""
    if not isinstance(value, str) or _DAY.fullmatch(value) is None:
        return None, (f"{field} {value!r} is not in the form YYYY-MM-DD (e.g. 2026-05-05, no time part); "
                      "the API would answer 458.")
    year, month, day = (int(part) for part in value.split("-"))
    if year < 1:
        return None, f"{field} {value} is not a real date: there is no year 0000; the API would answer 458."
    if not 1 <= month <= 12:
        return None, f"{field} {value} is not a real date: there is no month {month:02d}; the API would answer 458."
    last_day = calendar.monthrange(year, month)[1]
    if day == 0:
        return None, f"{field} {value} is not a real date: there is no day 00; the API would answer 458."
    if day > last_day:
        return None, (f"{field} {value} is not a real date: {year}-{month:02d} has {last_day} days; "
                      "the API would answer 458.")
    return date(year, month, day), None


def check_report_window(start: str, end: str) -> list[str]:
    """Problems with a ``get_reports`` window, each naming the field and the fix; empty when fine."""
    first, start_problem = _parse(start, "filter.start")
    last, end_problem = _parse(end, "filter.end")
    problems = [p for p in (start_problem, end_problem) if p]
    if first is None or last is None:
        return problems
    if last < first:
        return [f"filter.end {last} is before filter.start {first} (the API would answer 458); swap them."]
    span = (last - first).days
    if span > MAX_REPORT_SPAN_DAYS:
        return [f"filter spans {span} days; the API allows at most {MAX_REPORT_SPAN_DAYS} per call (code 458). "
                "Split it into windows like 01-10, 11-20, 21-end."]
    return []


def check_report_range(start: str, end: str) -> tuple[list[str], tuple[date, date] | None]:
    """(problems, None) or ([], (first, last)) for a range the server may split into windows."""
    first, start_problem = _parse(start, "filter.start")
    last, end_problem = _parse(end, "filter.end")
    problems = [p for p in (start_problem, end_problem) if p]
    if first is None or last is None:
        return problems, None
    if last < first:
        return [f"filter.end {last} is before filter.start {first} (the API would answer 458); swap them."], None
    if (last - first).days > MAX_RANGE_DAYS:
        return [f"filter spans {(last - first).days} days; this server reads at most {MAX_RANGE_DAYS} days in one "
                "call (window by window). Ask for a shorter range, e.g. one quarter at a time."], None
    return [], (first, last)


def split_range(first: date, last: date) -> list[tuple[date, date]]:
    """Consecutive windows of at most 10 calendar days covering first..last, both included."""
    windows = []
    while first <= last:
        end = min(first + timedelta(days=_WINDOW_DAYS - 1), last)
        windows.append((first, end))
        first = end + timedelta(days=1)
    return windows
