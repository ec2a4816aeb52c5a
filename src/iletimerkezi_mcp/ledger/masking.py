"""Numbers never reach the ledger in full: a masked form for people, a keyed hash for matching.

`mask_number` keeps the country code, the first two national digits (the operator) and the last
two: enough to tell sends apart in a history, too little to call anyone. The keyed hashes
(HMAC-SHA256 under the ledger's "numbers" secret) let the ledger match a number or a whole
recipient set without storing it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from iletimerkezi_mcp.tokens import canonical  # the one JSON text anything here hashes as

_NON_DIGITS = re.compile(r"\D+")


def mask_number(number: str) -> str:
    """`905321234533` → `+90 53* *** ** 33`; anything else keeps at most its last two digits."""
    digits = _NON_DIGITS.sub("", number or "")
    national = None
    if len(digits) == 12 and digits.startswith("90"):
        national = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        national = digits[1:]
    elif len(digits) == 10:
        national = digits
    if national is not None:
        return f"+90 {national[:2]}* *** ** {national[-2:]}"
    if len(digits) < 6:
        return "*" * len(digits) or "?"
    return "*" * (len(digits) - 2) + digits[-2:]


def unique(numbers: Iterable[str]) -> list[str]:
    """The numbers once each, in order of first appearance."""
    return list(dict.fromkeys(numbers))


def content_key(key: bytes, text: str, numbers: Iterable[str]) -> str:
    """One keyed hash for "this text to this set of numbers": order and repeats never matter."""
    from iletimerkezi_mcp.sms.encoding import normalise_text  # lazy: keeps a bare `import ledger` light

    document = canonical([normalise_text(text), sorted(set(numbers))])
    return hmac.new(key, document.encode("utf-8"), hashlib.sha256).hexdigest()


def keyed(key: bytes, label: str, value: str) -> str:
    """A keyed hash of a caller's value (e.g. the payload digest, which a plain hash of one number
    and a known text would let anyone reverse by trying every number)."""
    return hmac.new(key, canonical([label, value]).encode("utf-8"), hashlib.sha256).hexdigest()


def safe_binding(binding: str) -> str:
    """The binding without any user:password part, should an origin ever carry one."""
    if "@" not in binding:
        return binding
    parts = urlsplit(binding)
    if not parts.netloc or "@" not in parts.netloc:
        return binding
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


__all__ = ["content_key", "keyed", "mask_number", "safe_binding", "unique"]
