"""Sender ID (başlık) shape check, before ``send_sms`` goes out.

The API refuses an empty sender with 459 and one longer than 11 characters or with Turkish
letters with 460 (https://www.iletimerkezi.com/en/docs/api/send-sms). Whether the sender is
*approved* (450) only the API knows, so this checks the shape and nothing else: short senders
such as ``APITEST`` pass, and case and spaces are left exactly as given, because the API
matches the approved name exactly.
"""

from __future__ import annotations

import unicodedata

__all__ = ["MAX_SENDER_LENGTH", "TURKISH_LETTERS", "check_sender"]

MAX_SENDER_LENGTH = 11
# The letters of the Turkish alphabet that are not in ASCII. The capital of ı is the ASCII I,
# so it is not here.
TURKISH_LETTERS = frozenset("çÇğĞıİöÖşŞüÜ")

_FIX = "Use the exact approved name from get_sender (at most 11 characters, no Turkish letters)."


def _unique(chars: str) -> list[str]:
    """Characters in order of first appearance, each once."""
    return list(dict.fromkeys(chars))


def check_sender(sender: str) -> str | None:
    """Return why the API would refuse ``sender`` (459 or 460), or None when its shape is fine."""
    if not isinstance(sender, str) or not sender.strip():
        return f"sender is empty; the API refuses it with 459. {_FIX}"
    # NFC so that a decomposed "İ" (I + combining dot) counts and reads as one letter.
    text = unicodedata.normalize("NFC", sender)
    reasons: list[str] = []
    if len(text) > MAX_SENDER_LENGTH:
        reasons.append(f"is {len(text)} characters long (at most {MAX_SENDER_LENGTH})")
    turkish = _unique("".join(ch for ch in text if ch in TURKISH_LETTERS))
    if turkish:
        reasons.append(f"contains Turkish letters ({', '.join(turkish)})")
    other = _unique("".join(ch for ch in text if not ch.isascii() and ch not in TURKISH_LETTERS))
    if other:
        shown = ", ".join(ch if ch.isprintable() else f"U+{ord(ch):04X}" for ch in other)
        reasons.append(f"contains characters outside plain ASCII ({shown})")
    if not reasons:
        return None
    joined = reasons[0] if len(reasons) == 1 else ", ".join(reasons[:-1]) + " and " + reasons[-1]
    return f"sender '{text}' {joined}; the API refuses it with 460. {_FIX}"
