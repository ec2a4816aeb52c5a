"""Confirmation tokens: single-use, bound to one tool, one API origin (or the sandbox) and one
exact payload, valid for a few minutes.

A token reads `v1.<expires>.<nonce>.<tool>.<binding>.<parts>.<mac>`: besides the full HMAC over
everything, it carries a 4-hex-digit keyed MAC of the tool, of the binding and of each payload
part, so a refusal can say *what* changed ("the recipients and text changed") without the
token revealing anything about the payload.

The signing key and the list of spent tokens live in `store` (the cache dir), so a token issued
by one process is honoured, once, by the next (the CLI and one-shot clients start a process per
call). Redeeming takes an exclusive file lock around read-check-write of the spent list, so two
processes cannot both accept one token. An unusable store means memory only for this process;
an unreadable spent list counts as empty (with a warning), since tokens expire within minutes.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import math
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from iletimerkezi_mcp.localfiles import (
    SMALL_FILE_LIMIT,
    LocalFileError,
    exclusive_lock,
    load_json,
    load_text,
    read_json_file,
    read_text_file,
    warn_unusable,
    write_atomic,
)

log = logging.getLogger(__name__)

CONFIRMATION_TTL = 300.0  # seconds; long enough to ask a person, short enough to go stale
KEY_FILE = "confirmation.key"
SPENT_FILE = "confirmation-spent.json"
LOCK_FILE = "confirmation.lock"

_VERSION = "v1"
_SHORT = 4  # hex digits per sub-MAC: enough to name what changed; the full MAC does the guarding
_FULL = 32  # hex digits (128 bits) of the full MAC; also the key in the spent list
_TOKEN = re.compile(
    rf"{_VERSION}\.(\d{{1,12}})\.([0-9a-f]{{8}})\.([0-9a-f]{{{_SHORT}}})\.([0-9a-f]{{{_SHORT}}})"
    rf"\.((?:[0-9a-f]{{{_SHORT}}})*)\.([0-9a-f]{{{_FULL}}})"
)
_SPENT_KEY = re.compile(rf"[0-9a-f]{{{_FULL}}}")
_KEY_TEXT = re.compile(r"[0-9a-fA-F]{64}")
_NEW = "a new token is needed"


def canonical(value: Any) -> str:
    """The one JSON text a value hashes as: key order and spacing never matter."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class ConfirmationBook:
    def __init__(self, ttl: float = CONFIRMATION_TTL, clock: Callable[[], float] = time.time,
                 store: Path | None = None) -> None:
        self._ttl = ttl
        self._clock = clock
        self._store = store
        self._lock = threading.Lock()
        self._spent: dict[str, float] = {}  # full MAC → expiry; the file's copy merged in on each read
        self._secret = self._load_secret()

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

    def redeem(self, token: str, tool: str, binding: str, parts: Mapping[str, Any]) -> str | None:
        """None when the token authorises this call, and it is now spent; otherwise why not.

        A refused token is never spent: the reason is plain English, without a final period.
        """
        match = _TOKEN.fullmatch(token.strip().lower()) if isinstance(token, str) else None
        if match is None:
            return "the confirmation_token is malformed; use the exact token from the preview result"
        expires_text, nonce, tool_mac, binding_mac, part_macs, mac = match.groups()
        expires = int(expires_text)
        items = sorted(parts.items())
        if not hmac.compare_digest(mac, self._full(expires, nonce, tool, binding, items)):
            return self._mismatch(nonce, tool_mac, binding_mac, part_macs, tool, binding, parts)
        if self._clock() > expires:
            return f"the confirmation_token has expired; {_NEW}"
        with self._lock, self._store_lock():
            spent = self._read_spent()
            if mac in spent:
                return f"the confirmation_token was already used; {_NEW}"
            spent[mac] = float(expires)
            now = self._clock()
            self._spent = {m: exp for m, exp in spent.items() if exp >= now}  # expired ones never pass again
            self._write_spent()
        return None

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

    # --- the store ---------------------------------------------------------------------------

    def _store_lock(self) -> contextlib.AbstractContextManager[object]:
        if self._store is None:
            return contextlib.nullcontext()
        return exclusive_lock(self._store / LOCK_FILE)

    def _read_spent(self) -> dict[str, float]:
        if self._store is None:
            return self._spent
        path = self._store / SPENT_FILE
        on_disk = read_json_file(path, limit=SMALL_FILE_LIMIT, what="spent-token list",
                                 consequence="treating it as empty (tokens still expire within minutes)")
        if on_disk is not None:
            entries, problem = _spent_entries(on_disk)
            if problem is not None:
                warn_unusable("spent-token list", path, problem,
                              "ignoring those entries (tokens still expire within minutes)")
            for mac, expires in entries.items():
                self._spent[mac] = max(expires, self._spent.get(mac, expires))
        return self._spent

    def _write_spent(self) -> None:
        if self._store is not None:
            write_atomic(self._store / SPENT_FILE, json.dumps(self._spent, sort_keys=True).encode("ascii"),
                         what="spent-token list", consequence="tokens are single-use within this process only")

    def _load_secret(self) -> bytes:
        if self._store is None:
            return os.urandom(32)
        path = self._store / KEY_FILE
        with exclusive_lock(self._store / LOCK_FILE):  # two first starts must agree on one key
            text = read_text_file(path, limit=SMALL_FILE_LIMIT, what="confirmation key",
                                  consequence="making a new one (earlier confirmation tokens stop working)")
            if text is not None:
                if _KEY_TEXT.fullmatch(text.strip()):
                    return bytes.fromhex(text.strip())
                warn_unusable("confirmation key", path, "is not a 64-digit hex key",
                              "making a new one (earlier confirmation tokens stop working)")
            secret = os.urandom(32)
            if not write_atomic(path, secret.hex().encode("ascii"), 0o600, what="confirmation key",
                                consequence="confirmation tokens work within this process only"):
                self._store = None  # an unusable dir: key and spent list stay in memory
            return secret


def _spent_entries(document: object) -> tuple[dict[str, float], str | None]:
    """The well-formed entries of a spent list, and a problem sentence when some or all are not."""
    if not isinstance(document, dict):
        return {}, f"is a JSON {type(document).__name__}, not an object"
    good = {mac: float(exp) for mac, exp in document.items()
            if isinstance(mac, str) and _SPENT_KEY.fullmatch(mac)
            and isinstance(exp, (int, float)) and not isinstance(exp, bool) and math.isfinite(exp)}
    bad = len(document) - len(good)
    return good, (f"has {bad} malformed entr{'y' if bad == 1 else 'ies'}" if bad else None)


def store_problems(store: Path) -> list[tuple[str, Path, str]]:
    """(what, path, problem) for each unusable confirmation file in `store`; changes nothing."""
    found: list[tuple[str, Path, str]] = []
    key = store / KEY_FILE
    try:
        text = load_text(key, limit=SMALL_FILE_LIMIT)
        if text is not None and not _KEY_TEXT.fullmatch(text.strip()):
            found.append(("confirmation key", key, "is not a 64-digit hex key"))
    except LocalFileError as exc:
        found.append(("confirmation key", key, str(exc)))
    spent = store / SPENT_FILE
    try:
        document = load_json(spent, limit=SMALL_FILE_LIMIT)
        problem = None if document is None else _spent_entries(document)[1]
        if problem is not None:
            found.append(("spent-token list", spent, problem))
    except LocalFileError as exc:
        found.append(("spent-token list", spent, str(exc)))
    return found


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


__all__ = ["CONFIRMATION_TTL", "KEY_FILE", "LOCK_FILE", "SPENT_FILE", "ConfirmationBook", "canonical",
           "store_problems"]
