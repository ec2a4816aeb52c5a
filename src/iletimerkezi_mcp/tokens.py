"""Confirmation tokens: bound to one tool, one API origin (or the sandbox) and one exact payload,
valid for a few minutes, and single-use.

A token reads `v1.<expires>.<nonce>.<tool>.<binding>.<parts>.<mac>`: besides the full HMAC over
everything, it carries a 4-hex-digit keyed MAC of the tool, of the binding and of each payload
part, so a refusal can say *what* changed ("the recipients and text changed") without the
token revealing anything about the payload.

This module only signs and checks. The signing key and the spent tokens live in the ledger, which
spends a token in the same transaction that reserves the write (so two processes can never both
use one token, and a token issued by one process is honoured, once, by the next).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

CONFIRMATION_TTL = 300.0  # seconds; long enough to ask a person, short enough to go stale

_VERSION = "v1"
_SHORT = 4  # hex digits per sub-MAC: enough to name what changed; the full MAC does the guarding
_FULL = 32  # hex digits (128 bits) of the full MAC; also the key in the spent list
_TOKEN = re.compile(
    rf"{_VERSION}\.(\d{{1,12}})\.([0-9a-f]{{8}})\.([0-9a-f]{{{_SHORT}}})\.([0-9a-f]{{{_SHORT}}})"
    rf"\.((?:[0-9a-f]{{{_SHORT}}})*)\.([0-9a-f]{{{_FULL}}})"
)
_NEW = "a new token is needed"


def canonical(value: Any) -> str:
    """The one JSON text a value hashes as: key order and spacing never matter."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class Checked(NamedTuple):
    """A token's verdict: `problem` is None when it authorises the call; `mac` and `expires` are
    what the ledger records to spend it."""

    problem: str | None
    mac: str = ""
    expires: float = 0.0


class ConfirmationBook:
    def __init__(self, secret: bytes, ttl: float = CONFIRMATION_TTL, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._ttl = ttl
        self._clock = clock

    # --- the API used by dispatch ------------------------------------------------------------

    def issue(self, tool: str, binding: str, parts: Mapping[str, Any]) -> tuple[str, float]:
        """A token for exactly this tool, binding and payload parts; returns (token, expiry epoch)."""
        expires = int(self._clock() + self._ttl)
        nonce = secrets.token_hex(4)  # tokens for one payload differ, and so do their sub-MACs
        items = sorted(parts.items())
        fields = [
            _VERSION,
            str(expires),
            nonce,
            self._short(nonce, "tool", tool),
            self._short(nonce, "binding", binding),
            "".join(self._short(nonce, "part", [label, value]) for label, value in items),
            self._full(expires, nonce, tool, binding, items),
        ]
        return ".".join(fields), float(expires)

    def check(self, token: str, tool: str, binding: str, parts: Mapping[str, Any]) -> Checked:
        """Whether the token authorises exactly this call; spending it is the ledger's job.

        A reason is plain English, without a final period.
        """
        match = _TOKEN.fullmatch(token.strip().lower()) if isinstance(token, str) else None
        if match is None:
            return Checked("the confirmation_token is malformed; use the exact token from the preview result")
        expires_text, nonce, tool_mac, binding_mac, part_macs, mac = match.groups()
        expires = int(expires_text)
        if not hmac.compare_digest(mac, self._full(expires, nonce, tool, binding, sorted(parts.items()))):
            return Checked(self._mismatch(nonce, tool_mac, binding_mac, part_macs, tool, binding, parts))
        if self._clock() > expires:
            return Checked(f"the confirmation_token has expired; {_NEW}")
        return Checked(None, mac, float(expires))

    # --- why a token does not fit ------------------------------------------------------------

    def _mismatch(self, nonce: str, tool_mac: str, binding_mac: str, part_macs: str, tool: str,
                  binding: str, parts: Mapping[str, Any]) -> str:
        tool_ok = hmac.compare_digest(tool_mac, self._short(nonce, "tool", tool))
        binding_ok = hmac.compare_digest(binding_mac, self._short(nonce, "binding", binding))
        given = [part_macs[i:i + _SHORT] for i in range(0, len(part_macs), _SHORT)]
        items = sorted(parts.items())
        changed: list[str] | None = None
        if len(given) == len(items):
            unchanged = {label for (label, value), got in zip(items, given, strict=True)
                         if hmac.compare_digest(got, self._short(nonce, "part", [label, value]))}
            changed = [label for label in parts if label not in unchanged]  # in the caller's order
        if not tool_ok and not binding_ok and (changed is None or len(changed) == len(items)):
            return ("the confirmation_token was not issued by this server (or its key was renewed since); "
                    f"{_NEW}")
        if not tool_ok:
            return f"the confirmation_token was issued for another tool, not {tool}; {_NEW}"
        if not binding_ok:
            return (f"the confirmation_token was issued for another API origin (this call goes to {binding}); "
                    f"{_NEW}")
        if changed is None:
            return f"the confirmation_token was issued for a different payload; {_NEW}"
        if changed:
            return f"the confirmation_token was issued for a different payload: the {_join(changed)} changed; {_NEW}"
        return f"the confirmation_token does not match this payload (it was altered); {_NEW}"

    # --- MACs --------------------------------------------------------------------------------

    def _hmac(self, value: Any) -> str:
        return hmac.new(self._secret, canonical(value).encode("utf-8"), hashlib.sha256).hexdigest()

    def _short(self, nonce: str, kind: str, value: Any) -> str:
        return self._hmac([kind, nonce, value])[:_SHORT]

    def _full(self, expires: int, nonce: str, tool: str, binding: str, items: list[tuple[str, Any]]) -> str:
        return self._hmac([_VERSION, expires, nonce, tool, binding, [list(item) for item in items]])[:_FULL]


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


__all__ = ["CONFIRMATION_TTL", "Checked", "ConfirmationBook", "canonical"]
