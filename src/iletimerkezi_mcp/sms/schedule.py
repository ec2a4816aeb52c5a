"""``sendDateTime``: turn what a caller writes into the API's exact ``dd/MM/yyyy HH:mm``.

The API schedules in Turkey local time (https://www.iletimerkezi.com/en/docs/api/send-sms).
Turkey has stayed on UTC+3 all year since 2016, so a fixed offset is exact and needs no tz
database. A value with seconds is the dangerous case: the backend then ignores the schedule and
sends at once, so seconds are always dropped here and the caller is told.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from pydantic import BaseModel

__all__ = [
    "ISTANBUL",
    "API_FORMAT",
    "Schedule",
    "ScheduleError",
    "parse_send_datetime",
]

ISTANBUL = timezone(timedelta(hours=3), "Europe/Istanbul (UTC+3)")
API_FORMAT = "%d/%m/%Y %H:%M"

_API_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?")
_ISO_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>[Zz]|[+-]\d{2}(?::?\d{2})?)?"
)
_ACCEPTED = (
    "accepted forms: 'dd/MM/yyyy HH:mm' in Istanbul time (e.g. 15/06/2026 09:05), the same with seconds "
    "(they are dropped), ISO 8601 such as 2026-06-15T09:05 (Istanbul time) or 2026-06-15T06:05Z / "
    "2026-06-15T09:05+03:00, or a list holding exactly one of these; leave it empty to send now"
)
_SECONDS_NOTE = (
    "Seconds were dropped: the API ignores a sendDateTime that includes seconds and sends immediately."
)


class ScheduleError(ValueError):
    """The value cannot be used as a send time; the message is plain English."""


class Schedule(BaseModel):
    value: str  # exactly what goes into order.sendDateTime
    istanbul: datetime  # aware, UTC+3
    notes: list[str]


def _unwrap(value: str | list[str] | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise ScheduleError(f"sendDateTime as a list must hold exactly one date string, got {len(value)}.")
        value = value[0]
    if not isinstance(value, str):
        raise ScheduleError(f"sendDateTime must be text, got {type(value).__name__}; {_ACCEPTED}.")
    return value.strip()


def _build(raw: str, parts: tuple[str, ...]) -> datetime:
    year, month, day, hour, minute = (int(p) for p in parts)
    try:
        return datetime(year, month, day, hour, minute)
    except ValueError as exc:
        raise ScheduleError(f"{raw!r} is not a real date and time ({exc}); the day comes first: dd/MM/yyyy.") from exc


def _parse_offset(tz: str) -> timezone:
    if tz in ("Z", "z"):
        return timezone.utc
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ScheduleError(f"{tz!r} is not a valid UTC offset.")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _as_istanbul(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(ISTANBUL)
    # A naive `now` is read like naive input: Istanbul wall-clock time.
    return now.replace(tzinfo=ISTANBUL) if now.tzinfo is None else now.astimezone(ISTANBUL)


def parse_send_datetime(value: str | list[str] | None, now: datetime | None = None) -> Schedule | None:
    """Parse a caller's send time. ``None`` means "send now" (empty string, ``None`` or ``[""]``)."""
    raw = _unwrap(value)
    if not raw:
        return None
    notes: list[str] = []

    api = _API_RE.fullmatch(raw)
    iso = None if api else _ISO_RE.fullmatch(raw)
    if api:
        day, month, year, hour, minute, seconds = api.groups()
        local = _build(raw, (year, month, day, hour, minute)).replace(tzinfo=ISTANBUL)
    elif iso:
        year, month, day, hour, minute, seconds = iso.groups()[:6]
        naive = _build(raw, (year, month, day, hour, minute))
        tz = iso.group("tz")
        if tz:
            offset = _parse_offset(tz)
            try:
                local = naive.replace(tzinfo=offset).astimezone(ISTANBUL)
            except OverflowError:  # e.g. 9999-12-31T23:59-12:00 lands past the calendar
                raise ScheduleError(f"{raw!r} is past the last date a calendar can hold.") from None
            if offset.utcoffset(None) != ISTANBUL.utcoffset(None):
                notes.append(
                    f"Converted from {naive.replace(tzinfo=offset).isoformat(timespec='minutes')} "
                    f"to Istanbul time (UTC+3)."
                )
        else:
            local = naive.replace(tzinfo=ISTANBUL)
            notes.append("No UTC offset given: read as Istanbul time (UTC+3).")
    else:
        raise ScheduleError(f"Cannot read {raw!r} as a send time; {_ACCEPTED}.")

    if seconds is not None:
        notes.append(_SECONDS_NOTE)

    current = _as_istanbul(now)
    if local <= current:
        raise ScheduleError(
            f"{local.strftime(API_FORMAT)} (Istanbul time) is not in the future; it is now "
            f"{current.strftime(API_FORMAT)} in Istanbul (UTC+3). Leave sendDateTime empty to send now."
        )
    return Schedule(value=local.strftime(API_FORMAT), istanbul=local, notes=notes)
