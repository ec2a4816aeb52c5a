"""İYS consent records: checks to run before ``iys_register`` or ``iys_check`` is sent.

An ``iys_register`` batch is atomic at the provider: one bad record fails all of them with 422
(https://www.iletimerkezi.com/en/docs/api/iys-register). So every record is checked and every
problem is reported with its index, and the caller can fix the whole batch in one go.
Phone recipients are normalised to ``+905XXXXXXXXX``, the form the API shows back.
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any

from iletimerkezi_mcp.sms.phones import InvalidNumber, normalise_number
from iletimerkezi_mcp.sms.schedule import ISTANBUL

__all__ = [
    "CHANNELS",
    "CLOCK_SKEW",
    "IYS_START",
    "MAX_PROBLEMS",
    "RECIPIENT_TYPES",
    "canonical_records",
    "check_consent_query",
    "check_consent_records",
    "count_revocations",
    "normalise_email",
]

RECIPIENT_TYPES = ("BIREYSEL", "TACIR")
CHANNELS = ("MESAJ", "EPOSTA", "ARAMA")
# The national registry refuses consent dates before the İYS cut-off and in the future.
IYS_START = datetime(2015, 5, 1, tzinfo=ISTANBUL)
# Slack for a caller whose clock runs a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=1)
# Enough to fix a batch by; a 5000-record batch of one repeated mistake stays readable.
MAX_PROBLEMS = 50

_DATE_FORMAT = "YYYY-MM-DD HH:MM:SS"
_STAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})")
# A deliberately loose shape check: the registry, not us, decides what a deliverable address is.
_DOMAIN_LABEL = re.compile(r"[^\W_](?:[\w-]*[^\W_])?")
_REFUSED = "İYS refuses the whole batch (422)"
# A date _date_problem accepts, in its commonest spelling (fields in range, no spaces around), so
# that 5,000 records need no datetime each. Fixed-width stamps compare as text exactly as the
# datetimes they name (same fixed offset); the month lengths are checked apart.
_CLEAN_STAMP = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]) "
                          r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]")
_EARLIEST = f"{IYS_START:%Y-%m-%d %H:%M:%S}"


def normalise_email(raw: str) -> str:
    """Trim and lower-case the domain only (the local part may be case-sensitive).

    Raises ``ValueError`` with a plain-English reason when ``raw`` is not an e-mail address.
    """
    text = raw.strip()
    if not text:
        raise ValueError("is empty")
    if any(ch.isspace() for ch in text):
        raise ValueError("contains a space")
    if text.count("@") != 1:
        raise ValueError("needs exactly one '@'")
    local, domain = text.split("@")
    if not local:
        raise ValueError("has nothing before the '@'")
    if len(local) > 64 or len(text) > 254:
        raise ValueError("is longer than an e-mail address can be")
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"has no valid domain after the '@' (like example.com), got {domain!r}")
    if len(labels[-1]) < 2:
        raise ValueError(f"ends in {labels[-1]!r}, which is not a top-level domain")
    return f"{local}@{domain.lower()}"


def _looks_like_email(text: str) -> bool:
    return "@" in text


def _recipient_problem(value: object, channel: str, where: str, api: str) -> tuple[str | None, str | None]:
    """Return (normalised recipient, None) or (None, problem) for one recipient and its channel."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a number typed without quotes
    if not isinstance(value, str):
        return None, f"{where}: {value!r} refused: a recipient must be text; {api}."
    if channel == "EPOSTA":
        try:
            return normalise_email(value), None
        except ValueError as exc:
            hint = ""
            if not _looks_like_email(value) and any(ch.isdigit() for ch in value):
                hint = " If it is a phone number, set type to MESAJ (SMS) or ARAMA (calls)."
            return None, (f"{where}: {value!r} refused: not an e-mail address ({exc}), which type EPOSTA "
                          f"needs; {api}.{hint}")
    if _looks_like_email(value):
        return None, (f"{where}: {value!r} refused: this is an e-mail address, but type {channel} needs a "
                      f"Turkish mobile number (+905XXXXXXXXX); {api}. Use type EPOSTA for e-mail consent.")
    try:
        return "+" + normalise_number(value), None
    except InvalidNumber as exc:
        return None, (f"{where}: {value!r} refused: {exc.reason}. Type {channel} needs a Turkish mobile "
                      f"number (+905XXXXXXXXX); {api}.")


def _choice_problem(record: Mapping[str, Any], field: str, allowed: tuple[str, ...], where: str,
                    api: str) -> str | None:
    value = record.get(field)
    if value in allowed:
        return None
    shown = "missing" if value is None else f"{value!r}"
    return f"{where}.{field} is {shown}; it must be {', '.join(allowed[:-1])} or {allowed[-1]}; {api}."


def _as_istanbul(now: datetime) -> datetime:
    # Same convention as sendDateTime: a naive `now` is Istanbul wall-clock time.
    return now.replace(tzinfo=ISTANBUL) if now.tzinfo is None else now.astimezone(ISTANBUL)


def _date_problem(value: object, where: str, now: datetime) -> str | None:
    """Why ``consentDate`` would be refused, or None. ``now`` is already in Istanbul time."""
    if not isinstance(value, str):
        return (f"{where} must be text in the form {_DATE_FORMAT} (Turkey time), e.g. 2026-05-11 14:20:00; "
                f"{_REFUSED}.")
    text = value.strip()
    match = _STAMP.fullmatch(text)
    if match is None:
        return (f"{where} {value!r} is not in the form {_DATE_FORMAT} (Turkey time), e.g. 2026-05-11 14:20:00; "
                f"{_REFUSED}.")
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    if year < 1:
        return f"{where} {text} is not a real date: there is no year 0000; {_REFUSED}."
    if not 1 <= month <= 12:
        return f"{where} {text} is not a real date: there is no month {month:02d}; {_REFUSED}."
    if day == 0:
        return f"{where} {text} is not a real date: there is no day 00; {_REFUSED}."
    last_day = calendar.monthrange(year, month)[1]
    if day > last_day:
        return (f"{where} {text} is not a real date: {year}-{month:02d} has {last_day} days; "
                f"{_REFUSED}.")
    if hour > 23 or minute > 59 or second > 59:
        return (f"{where} {text} is not a real time of day (00:00:00 to 23:59:59); "
                f"{_REFUSED}.")
    stamp = datetime(year, month, day, hour, minute, second, tzinfo=ISTANBUL)
    if stamp < IYS_START:
        return (f"{where} {text} is before 2015-05-01, the earliest consent date İYS accepts; {_REFUSED}. "
                "Use the date the consent was recorded, not earlier than 2015-05-01 00:00:00.")
    if stamp > now + CLOCK_SKEW:
        return (f"{where} {text} is in the future (it is now {now:%Y-%m-%d %H:%M:%S} in Turkey, UTC+3); "
                f"{_REFUSED}. Use the moment the consent was actually given, in Turkey time.")
    return None


@lru_cache(maxsize=4096)
def _day_exists(day: str) -> bool:
    """"YYYY-MM-DD" (month 01 to 12, day 01 to 31): whether that month has that day."""
    return int(day[8:]) <= calendar.monthrange(int(day[:4]), int(day[5:7]))[1]


def _quick_record(record: dict[str, Any], latest: str) -> dict[str, Any] | None:
    """The normalised copy of a record every check passes, in its commonest spellings; None: check it fully.

    Only ever accepts what the full checks accept, with the same result; ``latest`` is the latest
    acceptable consentDate, formatted like one.
    """
    channel = record.get("type")
    value = record.get("recipient")
    date = record.get("consentDate")
    if (channel not in CHANNELS or record.get("recipientType") not in RECIPIENT_TYPES or type(value) is not str
            or type(date) is not str or _CLEAN_STAMP.fullmatch(date) is None or not _EARLIEST <= date <= latest
            or (date[8:10] > "28" and not _day_exists(date[:10]))):
        return None
    try:
        if channel == "EPOSTA":
            recipient = normalise_email(value)
        elif "@" in value:
            return None
        else:
            recipient = "+" + normalise_number(value)
    except ValueError:  # InvalidNumber included
        return None
    copy = dict(record)
    copy["recipient"] = recipient
    return copy


def _bounded(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    hidden = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], f"… and {hidden} more problem{'s' if hidden != 1 else ''} not shown."]


def check_consent_records(records: list[dict[str, Any]], now: datetime) -> tuple[list[dict[str, Any]], list[str]]:
    """Check an ``iys_register`` batch; return (normalised copies, problems).

    Problems name ``consent.list[i]`` and the field, and say how to fix it. ``now`` is the
    current time (a naive value is read as Istanbul time). The input is not modified.
    """
    current = _as_istanbul(now)
    latest = f"{current + CLOCK_SKEW:%Y-%m-%d %H:%M:%S}"  # a stamp after this is "in the future"
    copies: list[dict[str, Any]] = []
    problems: list[str] = []
    first_seen: dict[tuple[str, str, str], int] = {}
    statuses: dict[int, object] = {}
    for index, record in enumerate(records):
        quick = _quick_record(record, latest) if type(record) is dict else None
        if quick is not None:
            key = (quick["recipient"], record["type"], record["recipientType"])
            if key not in first_seen:
                copies.append(quick)
                first_seen[key] = index
                statuses[index] = record.get("status")
                continue
            # A repeat: the full path below says so.
        where = f"consent.list[{index}]"
        if not isinstance(record, Mapping):
            copies.append(record)
            problems.append(f"{where} is not a record (an object with recipient, type, …); {_REFUSED}.")
            continue
        copy = dict(record)
        copies.append(copy)
        channel_problem = _choice_problem(record, "type", CHANNELS, where, _REFUSED)
        kind_problem = _choice_problem(record, "recipientType", RECIPIENT_TYPES, where, _REFUSED)
        problems.extend(p for p in (channel_problem, kind_problem) if p)

        recipient: str | None = None
        if channel_problem is None:
            recipient, problem = _recipient_problem(record.get("recipient"), record["type"],
                                                    f"{where}.recipient", _REFUSED)
            if problem:
                problems.append(problem)
            else:
                copy["recipient"] = recipient

        raw_date = record.get("consentDate")
        if raw_date is None:
            # The registry makes consentDate optional for merchants (TACIR) only.
            if record.get("recipientType") != "TACIR":
                problems.append(f"{where}.consentDate is missing; give the moment consent was captured as "
                                f"{_DATE_FORMAT} (Turkey time); {_REFUSED}.")
        else:
            problem = _date_problem(raw_date, f"{where}.consentDate", current)
            if problem:
                problems.append(problem)
            elif isinstance(raw_date, str):
                copy["consentDate"] = raw_date.strip()

        if recipient is not None and kind_problem is None:
            key = (recipient, record["type"], record["recipientType"])
            if key in first_seen:
                earlier = first_seen[key]
                hint = ""
                if statuses.get(earlier) != record.get("status"):
                    hint = " To record a change (say ONAY, then RET), send the later record in a separate call."
                problems.append(f"{where} repeats consent.list[{earlier}] (same recipient, type and recipientType); "
                                f"{_REFUSED}. Keep one of them.{hint}")
            else:
                first_seen[key] = index
                statuses[index] = record.get("status")
    return copies, _bounded(problems)


def check_consent_query(consent: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Check an ``iys_check`` lookup; return (a normalised copy, problems).

    Only the recipient's form against ``type`` is checked (and ``type``/``recipientType``
    themselves); ``brandCode`` is the API's business.
    """
    copy = dict(consent)
    api = "the API would answer 422"
    problems: list[str] = []
    channel_problem = _choice_problem(consent, "type", CHANNELS, "consent", api)
    kind_problem = _choice_problem(consent, "recipientType", RECIPIENT_TYPES, "consent", api)
    problems.extend(p for p in (channel_problem, kind_problem) if p)
    if channel_problem is None:
        recipient, problem = _recipient_problem(consent.get("recipient"), consent["type"], "consent.recipient", api)
        if problem:
            problems.append(problem)
        else:
            copy["recipient"] = recipient
    return copy, problems


def canonical_records(records: list[Any]) -> list[str]:
    """``sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records)``, what a confirmation
    binds to, built from one template per set of keys when a record's values are all text."""
    templates: dict[tuple[Any, ...], tuple[Callable[[Any], Any], str]] = {}
    out: list[str] = []
    for record in records:
        if type(record) is dict and len(record) > 1:
            names = tuple(record)
            known = templates.get(names)
            if known is None and all(type(name) is str for name in names):
                ordered = sorted(names)
                fields = ", ".join(f"{encode_basestring(name).replace('%', '%%')}: %s" for name in ordered)
                known = templates[names] = (itemgetter(*ordered), "{" + fields + "}")
            if known is not None:
                try:  # encode_basestring takes text only: a number or a list is left to json.dumps
                    out.append(known[1] % tuple(map(encode_basestring, known[0](record))))
                    continue
                except (TypeError, AttributeError):
                    pass
        out.append(json.dumps(record, sort_keys=True, ensure_ascii=False))
    out.sort()
    return out


def count_revocations(records: list[dict[str, Any]]) -> int:
    """How many records have status RET (opt-outs), for the confirmation rule."""
    # Generous on spelling: over-counting only asks for one more confirmation. The exact spellings
    # are answered first (5,000 records: no string work for each).
    total = 0
    for r in records:
        if type(r) is dict or isinstance(r, Mapping):
            status = r.get("status", "")
            if status == "RET" or (status != "ONAY" and str(status).strip().upper() == "RET"):
                total += 1
    return total
