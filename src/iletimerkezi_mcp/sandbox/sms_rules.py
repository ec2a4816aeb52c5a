"""Pure rules the fake applies to SMS requests: numbers, senders, parts, dates.

This is deliberately independent of the project's `sms` package: the fake is the yardstick
the client is tested against, so it must not share the client's bugs.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone

from .codes import ApiError

# Turkey has used a fixed UTC+3 since 2016; a fixed offset avoids needing tzdata on Windows.
TR_TZ = timezone(timedelta(hours=3), "TRT")
STAMP_FORMAT = "%Y-%m-%d %H:%M:%S"  # response timestamps: submitAt, sendAt, consentDate


def tr_now(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, TR_TZ)


def stamp(epoch: float) -> str:
    """`YYYY-MM-DD HH:MM:SS` in Turkey local time, as the API prints timestamps."""
    return tr_now(epoch).strftime(STAMP_FORMAT)


def parse_stamp(value: object) -> float | None:
    """Parse `YYYY-MM-DD HH:MM:SS` (Turkey time) to epoch seconds; None when malformed."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", value):
        return None
    try:
        return datetime.strptime(value, STAMP_FORMAT).replace(tzinfo=TR_TZ).timestamp()
    except ValueError:
        return None


# --- phone numbers ---------------------------------------------------------------------------

# Our rule for "Turkish mobile": 10 national digits starting 50x, 53x, 54x, 55x or 561.
# Made-up prefixes such as 599 or 520 are rejected (905999… is a known invalid example).
_MOBILE = re.compile(r"5(0\d|3\d|4\d|5\d|61)\d{7}")


def normalise_number(raw: object) -> str | None:
    """Return a Turkish mobile number as `905XXXXXXXXX`, or None when it is not one.

    Accepts 905…, +905…, "+90 5XX XXX XX XX", 5…, 05… and 0090…; spaces, dashes and
    parentheses are ignored. Integers (legacy clients) are accepted too.
    """
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        return None
    digits = re.sub(r"[\s\-().]", "", str(raw))
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("0090"):
        digits = digits[2:]
    if not digits.isdigit():
        return None
    if len(digits) == 12 and digits.startswith("90"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    if len(digits) != 10 or not _MOBILE.fullmatch(digits):
        return None
    return "90" + digits


def display_number(canonical: str) -> str:
    """Reports and lists always show numbers with the `+90` prefix."""
    return "+" + canonical


# --- senders ---------------------------------------------------------------------------------

TURKISH_LETTERS = set("çğıöşüÇĞİÖŞÜ")


def check_sender(sender: object, approved: list[str]) -> str:
    """Return the sender or raise 459 (empty), 460 (too long / Turkish letters), 450 (not approved).

    Approval is an exact match, case and spaces included, as on the real API.
    """
    if sender is None or (isinstance(sender, str) and not sender.strip()):
        raise ApiError(459, "empty sender")
    if not isinstance(sender, str):
        raise ApiError(450, "sender is not a string")
    if len(sender) > 11 or any(ch in TURKISH_LETTERS for ch in sender):
        raise ApiError(460, f"sender {sender!r} too long or has Turkish letters")
    if sender not in approved:
        raise ApiError(450, f"sender {sender!r} is not approved")
    return sender


# --- message parts ---------------------------------------------------------------------------

# GSM-7 basic table (3GPP TS 23.038), one septet each. ESC (0x1B) is left out on purpose.
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ\u00a7¿abcdefghijklmnopqrstuvwxyzäöñüà"  # \u00a7: section sign
)
GSM7_EXTENSION = set("\f^{}\\[~]|€")  # two septets each (ESC + code)
TURKISH_EXTRA = set("çğĞıİşŞ")  # reachable only through the Turkish national tables
OPERATOR_SUFFIX = " B186"  # BTK operator code the provider appends to every SMS
MAX_PARTS = 7

# (single-part capacity, per-part capacity when concatenated), 8-bit concatenation reference.
_CAPACITY = {"GSM7": (160, 153), "TURKISH": (155, 149), "UCS2": (70, 67)}


def count_parts(text: str) -> tuple[str, int]:
    """Return (encoding, parts) for `text` as the fake bills and caps it.

    Model: NFC, CRLF→LF, then count `text + " B186"`.
    * GSM7: every character in the basic or extension table (extension costs 2 septets).
    * TURKISH: also has ç ğ Ğ ı İ ş Ş. We use the *optimistic* locking-shift model, where the
      Turkish letters cost 1 septet, so the fake never rejects a text the real API might accept.
    * UCS2: anything else; count UTF-16 code units (astral characters cost 2).
    Characters are never split across parts, which keeps escape and surrogate pairs whole.
    """
    full = unicodedata.normalize("NFC", text.replace("\r\n", "\n")) + OPERATOR_SUFFIX
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION or ch in TURKISH_EXTRA for ch in full):
        encoding = "TURKISH" if any(ch in TURKISH_EXTRA for ch in full) else "GSM7"
        costs = [2 if ch in GSM7_EXTENSION else 1 for ch in full]
    else:
        encoding = "UCS2"
        costs = [2 if ord(ch) > 0xFFFF else 1 for ch in full]
    single, per_part = _CAPACITY[encoding]
    if sum(costs) <= single:
        return encoding, 1
    parts, used = 1, 0
    for cost in costs:
        if used + cost > per_part:
            parts, used = parts + 1, 0
        used += cost
    return encoding, parts


# --- sendDateTime ----------------------------------------------------------------------------

_SEND_AT = re.compile(r"(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2})(:[0-5]\d)?")


def parse_send_datetime(value: object, now: float) -> float | None:
    """Return the scheduled epoch, or None to send now; raise 457 on a bad format.

    * missing, "" or [] → send now; ["dd/MM/yyyy HH:mm"] (docs) and the plain string (SDKs) both work.
    * The seconds trap: a value *with* seconds is accepted but the schedule is ignored.
    * A time that is not in the future sends now (the real behaviour is unknown).
    """
    if isinstance(value, list):
        if not value:
            return None
        value = value[0]
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ApiError(457, "sendDateTime is not a string")
    match = _SEND_AT.fullmatch(value)
    if not match:
        raise ApiError(457, f"bad sendDateTime {value!r}")
    day, month, year, hour, minute, seconds = match.groups()
    try:
        when = datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=TR_TZ)
    except ValueError:
        raise ApiError(457, f"impossible sendDateTime {value!r}") from None
    if seconds is not None:
        return None  # the trap: seconds make the backend send at once
    epoch = when.timestamp()
    return epoch if epoch > now else None


# --- request scalars -------------------------------------------------------------------------


def int_param(value: object, default: int) -> int:
    """`page`/`rowCount` arrive as strings (docs) or integers (SDKs); anything else is 400."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise ApiError(400, "boolean where a number was expected")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise ApiError(400, f"not an integer: {value!r}")


def paging(block: dict, default_rows: int = 1000, max_rows: int = 1000) -> tuple[int, int]:
    """Return (page, rowCount): page < 1 is 464; rowCount is capped at `max_rows`."""
    page = int_param(block.get("page"), 1)
    if page < 1:
        raise ApiError(464, f"page {page}")
    rows = int_param(block.get("rowCount"), default_rows)
    if rows < 1:
        raise ApiError(400, f"rowCount {rows}")
    return page, min(rows, max_rows)
