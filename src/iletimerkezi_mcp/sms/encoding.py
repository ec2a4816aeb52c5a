"""SMS encoding tables and the part counter (GSM-7, its Turkish national tables, UCS-2).

Everything here is pure: text in, numbers out. The counter always counts ``text + " B186"``
because the provider appends that operator code to every SMS and its published first-part
limits (155 / 150 / 65) only add up if the suffix is counted inside the message.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

from pydantic import BaseModel

__all__ = [
    "API_MAX_PARTS",
    "CAPACITIES",
    "Encoding",
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "Model",
    "SUFFIX",
    "SegmentCount",
    "TURKISH_SHIFT_LETTERS",
    "count_segments",
    "detect_encoding",
    "normalise_text",
]

SUFFIX = " B186"
API_MAX_PARTS = 7  # longer texts get 453

Encoding = Literal["GSM-7", "GSM-7 Turkish", "UCS-2"]
# Counting models: the Turkish encoding has two, because it is not known whether
# the provider uses the single-shift or the locking-shift table.
Model = Literal["gsm7", "turkish_single", "turkish_locking", "ucs2"]

# 3GPP TS 23.038 default alphabet, row by row (0x1B ESC left out).
# Greek capitals are written as escapes so a Latin look-alike can never sneak in;
# \u00a7 is the section sign.
GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039eÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ\u00a7"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# Extension table (3GPP TS 23.038): ESC + code, 2 septets each.
GSM7_EXTENSION: frozenset[str] = frozenset("\f^{}\\[~]|€")
# Turkish letters missing from the default alphabet (3GPP TS 23.038 annex A, Turkish tables).
# Ç Ö ö Ü ü are in the basic table.
TURKISH_SHIFT_LETTERS: frozenset[str] = frozenset("çğĞıİşŞ")
# The Turkish locking-shift table puts € ı Ğ ğ Ş ş İ ç at 1 septet, at the places of these,
# which then cannot be sent at all under that table.
_LOCKING_DISPLACED: frozenset[str] = frozenset("èìØøÆæ¡¿")
_LOCKING_ONE_SEPTET: frozenset[str] = TURKISH_SHIFT_LETTERS | {"€"}

# (single part, per part when concatenated with an 8-bit reference), for a 140-octet payload.
# The 8-bit reference is the common case; whether the provider ever uses the 16-bit one is
# unknown (it would be 1 less).
CAPACITIES: dict[Model, tuple[int, int]] = {
    "gsm7": (160, 153),
    "turkish_single": (155, 149),
    "turkish_locking": (155, 149),
    "ucs2": (70, 67),
}


class SegmentCount(BaseModel):
    """How ``text + SUFFIX`` splits into parts under one counting model."""

    model: Model
    parts: int
    units: int  # septets or UTF-16 code units, suffix included
    chars_left_in_last_part: int  # 1-unit characters that still fit without adding a part
    near_boundary: bool  # one unit more or less would change ``parts``


def normalise_text(text: str) -> str:
    """NFC and CRLF→LF; never changes case (Turkish İ/ı would not survive it)."""
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n")


def detect_encoding(text: str) -> tuple[Encoding, list[str]]:
    """Pick the encoding for already-normalised text and list the characters that forced it.

    The list holds each forcing character once, in order of first appearance: the Turkish
    letters for "GSM-7 Turkish", the characters outside every GSM-7 table for "UCS-2".
    """
    turkish: list[str] = []
    unicode_only: list[str] = []
    for ch in text:
        if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
            continue
        if ch in TURKISH_SHIFT_LETTERS:
            if ch not in turkish:
                turkish.append(ch)
        elif ch not in unicode_only:
            unicode_only.append(ch)
    if unicode_only:
        return "UCS-2", unicode_only
    if turkish:
        return "GSM-7 Turkish", turkish
    return "GSM-7", []


def _cost(ch: str, model: Model) -> int | None:
    """Units one character costs under ``model``; None if the model cannot send it."""
    if model == "ucs2":
        return len(ch.encode("utf-16-le")) // 2
    if model == "turkish_locking":
        if ch in _LOCKING_ONE_SEPTET:
            return 1
        if ch in _LOCKING_DISPLACED:
            return None
    if ch in GSM7_BASIC:
        return 1
    if ch in GSM7_EXTENSION:
        return 2
    if model == "turkish_single" and ch in TURKISH_SHIFT_LETTERS:
        return 2
    return None


def _layout(costs: list[int], single: int, multi: int) -> tuple[int, int]:
    """Return (parts, units in the last part).

    Each cost is one indivisible unit group (an escape pair or a surrogate pair costs 2):
    when it does not fit, the part closes early and the group opens the next one.
    """
    total = sum(costs)
    if total == 0:
        return 0, 0
    if total <= single:
        return 1, total
    parts, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            parts += 1
            used = 0
        used += cost
    return parts, used


def count_segments(text: str, model: Model) -> SegmentCount | None:
    """Count parts of ``text + SUFFIX`` (text already normalised); None if ``model`` cannot encode it."""
    costs: list[int] = []
    for ch in text + SUFFIX:
        cost = _cost(ch, model)
        if cost is None:
            return None
        costs.append(cost)
    single, multi = CAPACITIES[model]
    parts, last = _layout(costs, single, multi)
    left = (single if parts == 1 else multi) - last
    # ±1 check: the last cost is always a 1-unit suffix character, so dropping it is
    # the same count as a text one unit shorter.
    fewer, _ = _layout(costs[:-1], single, multi)
    more, _ = _layout(costs + [1], single, multi)
    return SegmentCount(
        model=model,
        parts=parts,
        units=sum(costs),
        chars_left_in_last_part=left,
        near_boundary=fewer != parts or more != parts,
    )
