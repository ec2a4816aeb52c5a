"""Confirmation tokens: single-use, bound to one exact payload, valid for a few minutes.

The signing key and the list of spent tokens live in the cache dir, so a token issued by
one server process is honoured by the next (the CLI and one-shot clients start a process
per call). If the cache dir is unusable, both stay in memory for this process only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CONFIRMATION_TTL = 300.0  # seconds; long enough to ask a person, short enough to go stale
KEY_FILE = "confirmation.key"
SPENT_FILE = "confirmation-spent.json"


class ConfirmationBook:
    def __init__(self, ttl: float = CONFIRMATION_TTL, clock: Any = time.time, store: Path | None = None) -> None:
        self._ttl = ttl
        self._clock = clock
        self._store = store
        self._secret = self._load_secret()
        self._spent: dict[str, float] = {}

    @staticmethod
    def digest(tool: str, arguments: dict[str, Any]) -> str:
        canonical = json.dumps([tool, arguments], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def issue(self, digest: str) -> tuple[str, float]:
        expires = int(self._clock() + self._ttl)
        return f"{expires}.{self._mac(expires, digest)}", float(expires)

    def check(self, token: str, digest: str) -> str | None:
        """None when the token authorises this payload; otherwise why not, in plain words."""
        token = token.strip()
        expires_text, _, mac = token.partition(".")
        if not expires_text.isdigit() or not mac:
            return "the confirmation_token is malformed; use the exact token from the preview result"
        expires = int(expires_text)
        if not hmac.compare_digest(mac, self._mac(expires, digest)):
            return ("the confirmation_token does not match this payload (the text, recipients, sender, "
                    "schedule or options changed); a new token is needed")
        if self._clock() > expires:
            return "the confirmation_token has expired; a new token is needed"
        if token in self._read_spent():
            return "the confirmation_token was already used; a new token is needed"
        return None

    def spend(self, token: str) -> None:
        spent = self._read_spent()
        spent[token.strip()] = float(token.partition(".")[0] or 0)
        now = self._clock()
        self._spent = {t: exp for t, exp in spent.items() if exp >= now}  # expired ones can never pass again
        if self._store is not None:
            self._write(self._store / SPENT_FILE, json.dumps(self._spent).encode())

    def _mac(self, expires: int, digest: str) -> str:
        return hmac.new(self._secret, f"{expires}|{digest}".encode(), hashlib.sha256).hexdigest()[:32]

    def _read_spent(self) -> dict[str, float]:
        if self._store is None:
            return self._spent
        try:
            on_disk = json.loads((self._store / SPENT_FILE).read_text(encoding="utf-8"))
            if isinstance(on_disk, dict):
                self._spent.update({str(k): float(v) for k, v in on_disk.items()})
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError) as exc:
            log.warning("spent-token list unreadable (%s); keeping this process's list", str(exc)[:100])
        return self._spent

    def _load_secret(self) -> bytes:
        if self._store is None:
            return os.urandom(32)
        path = self._store / KEY_FILE
        try:
            existing = bytes.fromhex(path.read_text(encoding="ascii").strip())
            if len(existing) == 32:
                return existing
        except (OSError, ValueError):
            pass
        secret = os.urandom(32)
        if not self._write(path, secret.hex().encode()):
            self._store = None  # an unusable dir: tokens work within this process only
        return secret

    def _write(self, path: Path, data: bytes) -> bool:
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".confirm-", dir=path.parent)  # created 0600
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
            return True
        except OSError as exc:
            log.warning("cannot keep confirmation data in %s (%s); tokens last for this process only",
                        path.parent, exc.strerror or exc)
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            return False
