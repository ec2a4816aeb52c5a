"""Turkish mobile numbers: normalise to the API form ``905XXXXXXXXX`` and check lists.

The API accepts several spellings (https://www.iletimerkezi.com/en/docs/api/send-sms) but does
not say whether it de-duplicates ``0532…`` against ``+90532…``, so we normalise and de-duplicate
ourselves. Only Turkish mobile numbers are accepted (466 otherwise): ten national digits, a
leading 5, and a ``5XX`` prefix that some operator uses (see ``MOBILE_PREFIXES``). The prefix
table errs on the side of accepting: only blocks nobody is known to use are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import NoReturn

from pydantic import BaseModel, Field

__all__ = [
    "MOBILE_PREFIXES",
    "InvalidNumber",
    "InvalidRecipient",
    "RecipientCheck",
    "check_recipients",
    "normalise_number",
]

_DIGITS = frozenset("0123456789")
# Separators people type inside phone numbers. Other whitespace (tabs, NBSP) is
# handled via str.isspace().
_SEPARATORS = frozenset("-.()/")
_NATIONAL_LENGTH = 10  # 5XX XXX XX XX

# 5XX prefixes in use, and by whom; any other 5XX is refused (the API would answer 466).
# Compiled 2026-05 from:
#   * BTK (the regulator), "Genel Numaralandırma Planı", https://eng.btk.gov.tr/genel-numaralandirma-plani:
#     50X (X: 1, 5, 6, 7) TT Mobil; 510, 516, 561 mobile numbers for virtual operators (SMŞH);
#     512 Türk Telekom paging; 53X Turkcell; 54X Vodafone.
#   * libphonenumber metadata (github.com/google/libphonenumber, region TR): mobile 501 505-507 510
#     516 524 530-549 551-555 559 561 594 596, pager 512, personal 592; older releases also had 522.
#     Its carrier table puts KKTC (Northern Cyprus) Turkcell at 5338[3-7] and KKTC Telsim at
#     5428[5-8]: inside 53X/54X, reached through +90.
#   * Wikipedia, "Telephone numbers in Turkey": Türk Telekom 500-509 and 550-559; Turkcell also
#     at 516 16X and 561 61X.
# Conservative on purpose, because refusing a real subscriber is worse than a 466 from the API:
# the whole 50X and 55X blocks are kept (Türk Telekom is reported to use them all, the regulator's
# page lists only part), and so are 522, 524, 592, 594 and 596, for which no operator is named.
# What is left (511, 513-515, 517-521, 523, 525-529, 560, 562-591, 593, 595, 597-599) appears in
# none of the sources; the provider's own docs give 905999… as a number it refuses.
_PREFIX_ROWS: tuple[tuple[str, str], ...] = (
    ("500-509", "Türk Telekom"),
    ("510", "virtual mobile operators (SMŞH)"),
    ("512", "Türk Telekom paging"),
    ("516", "virtual mobile operators (SMŞH), Turkcell"),
    ("522", "mobile (older libphonenumber data)"),
    ("524", "mobile (libphonenumber)"),
    ("530-539", "Turkcell; 533 also KKTC Turkcell"),
    ("540-549", "Vodafone; 542 and 548 also KKTC Telsim"),
    ("550-559", "Türk Telekom"),
    ("561", "virtual mobile operators (SMŞH), Turkcell"),
    ("592", "personal numbers (libphonenumber)"),
    ("594", "mobile (libphonenumber)"),
    ("596", "mobile (libphonenumber)"),
)


def _expand(rows: tuple[tuple[str, str], ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for span, user in rows:
        first, _, last = span.partition("-")
        for prefix in range(int(first), int(last or first) + 1):
            table[str(prefix)] = user
    return table


# "5XX" -> who uses it, derived from _PREFIX_ROWS above.
MOBILE_PREFIXES: Mapping[str, str] = MappingProxyType(_expand(_PREFIX_ROWS))


class InvalidNumber(ValueError):
    """A number that is not a Turkish mobile number; ``reason`` is plain English."""

    def __init__(self, raw: object, reason: str) -> None:
        self.raw = raw
        self.reason = reason
        super().__init__(f"{raw!r}: {reason}")


class InvalidRecipient(BaseModel):
    raw: str
    reason: str


class RecipientCheck(BaseModel):
    """Outcome of checking a recipient list; ``valid`` keeps the input order."""

    valid: list[str] = Field(default_factory=list, description="Normalised 905XXXXXXXXX numbers, unique.")
    duplicates: list[str] = Field(
        default_factory=list, description="Raw inputs dropped because an earlier entry is the same number."
    )
    invalid: list[InvalidRecipient] = Field(default_factory=list)


# The common spellings, answered without the character-by-character walk below (50,000 numbers in a
# send): ASCII spaces and separators dropped, then one of the accepted prefixes and ten national
# digits. Anything else (a '+' that was not first, letters, other characters, a wrong length or
# prefix) takes the full path, which explains it; so this only ever accepts what that path accepts.
_DROP = str.maketrans(dict.fromkeys(" \t\n\r\f\v-.()/"))


def _national_pattern(prefixes: Mapping[str, str]) -> str:
    """A regular expression for ten national digits whose 5XX prefix is one of ``prefixes``."""
    thirds: dict[str, str] = {}
    for prefix in sorted(prefixes):
        thirds[prefix[1]] = thirds.get(prefix[1], "") + prefix[2]
    return "5(?:" + "|".join(f"{second}[{third}]" for second, third in thirds.items()) + ")[0-9]{7}"


_COMMON = re.compile(rf"(?:\+90|0090|90|0)?({_national_pattern(MOBILE_PREFIXES)})")


def _quick(raw: str) -> str | None:
    """``raw`` as ``905XXXXXXXXX`` when it is a common, valid spelling; None: use the full path."""
    found = _COMMON.fullmatch(raw.replace(" ", ""))  # spaces only: much cheaper than translate()
    if found is None:
        found = _COMMON.fullmatch(raw.translate(_DROP))
        if found is None:
            return None
    if raw[0] != "+" and "+" in raw and raw.lstrip()[0] != "+":  # "(+90) 532…": the full path refuses it
        return None
    return "90" + found[1]


def _digits_only(raw: str) -> tuple[bool, str]:
    """Return (had_leading_plus, digits); raise InvalidNumber for stray characters."""
    text = raw.strip()
    if not text:
        raise InvalidNumber(raw, "is empty")
    if any(ch.isalpha() for ch in text):
        raise InvalidNumber(raw, "contains letters")
    plus = text.startswith("+")
    if plus:
        text = text[1:]
    digits: list[str] = []
    for ch in text:
        if ch in _DIGITS:
            digits.append(ch)
        elif ch in _SEPARATORS or ch.isspace():
            continue
        elif ch == "+":
            raise InvalidNumber(raw, "has a '+' that is not at the start")
        else:
            raise InvalidNumber(raw, f"contains {ch!r}, which is not a digit or a separator")
    if not digits:
        raise InvalidNumber(raw, "contains no digits")
    return plus, "".join(digits)


def normalise_number(raw: str) -> str:
    """Return ``raw`` as ``905XXXXXXXXX`` or raise :class:`InvalidNumber`.

    Accepts ``+90 5xx xxx xx xx``, ``0090…``, ``90 5xx…``, ``0 5xx…`` and ``5xx…``, with
    spaces, dashes, dots, slashes or parentheses between the digits.
    """
    if not isinstance(raw, str):
        raise InvalidNumber(raw, "is not text")
    return (_quick(raw) if raw else None) or _normalise_fully(raw)


def _normalise_fully(raw: str) -> str:
    """normalise_number() the long way, with a reason for every refusal."""
    plus, digits = _digits_only(raw)

    # Work out which part is the 10-digit national number and how the caller wrote the prefix,
    # so the error can say "after +90" / "after the leading 0" in the caller's own terms.
    if plus or digits.startswith("00"):
        international = digits if plus else digits[2:]
        shown = "+" if plus else "00"
        if not international.startswith("90"):
            _raise_foreign(raw, shown, international)
        national, where = international[2:], f"after {shown}90"
        if len(national) == _NATIONAL_LENGTH + 1 and national.startswith("0"):
            national = national[1:]  # "+90 0532 …": a trunk 0 written after the country code
    elif digits.startswith("90") and len(digits) > _NATIONAL_LENGTH:
        # A national mobile number starts with 5, so a leading 90 on a long number is the country code.
        national, where = digits[2:], "after the country code 90"
    elif digits.startswith("0"):
        national, where = digits[1:], "after the leading 0"
    else:
        national, where = digits, ""

    if national and national[0] != "5":
        place = where or "(5XX XXX XX XX)"
        raise InvalidNumber(
            raw, f"not a Turkish mobile number: must start with 5 {place}, but starts with {national[0]}"
        )
    if len(national) != _NATIONAL_LENGTH:
        count = len(national)
        noun = "digit" if count == 1 else "digits"
        place = f" {where}" if where else ""
        raise InvalidNumber(raw, f"has {count} {noun}{place}, needs {_NATIONAL_LENGTH} (5XX XXX XX XX)")
    if national[:3] not in MOBILE_PREFIXES:
        raise InvalidNumber(
            raw,
            f"not a Turkish mobile number: {national[:4]}… is not in a range any Turkish mobile operator uses "
            "(the API would answer 466)",
        )
    return "90" + national


def _raise_foreign(raw: str, shown: str, international: str) -> NoReturn:
    raise InvalidNumber(
        raw,
        f"not a Turkish number: starts with {shown}{international[:3]}… instead of {shown}90; "
        "only Turkish mobile numbers are accepted",
    )


def check_recipients(raw: Iterable[str]) -> RecipientCheck:
    """Normalise every entry; keep the first of each number, report duplicates and invalid ones."""
    valid: list[str] = []
    duplicates: list[str] = []
    invalid: list[InvalidRecipient] = []
    seen: set[str] = set()
    # 50,000 rounds: _quick inlined for its commonest case (only spaces between the digits).
    common, quick, seen_add, valid_add = _COMMON.fullmatch, _quick, seen.add, valid.append
    for item in raw:
        number = None
        if type(item) is str:
            found = common(item.replace(" ", ""))
            if found is not None:
                number = "90" + found[1]
            elif item:
                number = quick(item)
        if number is None:
            try:
                number = normalise_number(item)
            except InvalidNumber as exc:
                invalid.append(InvalidRecipient(raw=str(item), reason=exc.reason))
                continue
        if number in seen:
            duplicates.append(item)
        else:
            seen_add(number)
            valid_add(number)
    # Built from finished lists without re-validating every number (they are ours, all str).
    return RecipientCheck.model_construct(valid=valid, duplicates=duplicates, invalid=invalid)
