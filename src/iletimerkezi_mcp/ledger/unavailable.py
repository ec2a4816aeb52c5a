"""The ledger when its file cannot be used: every write is confirmed, nothing is recorded."""

from __future__ import annotations

import logging
import os
import threading
import time

from .base import (
    TOKEN_GRACE,
    TOKEN_USED,
    Assessment,
    Budgets,
    Confirmation,
    HistoryRow,
    NeedsConfirmation,
    Outcome,
    Reservation,
    Reserved,
    Stopped,
    WriteRecord,
    unavailable_reason,
)

log = logging.getLogger(__name__)



class MemoryTokens:
    """Spent tokens for this process alone: at least here a token stays single-use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spent: dict[str, float] = {}

    def spent(self, mac: str, now: float) -> bool:
        with self._lock:
            expires = self._spent.get(mac)
            return expires is not None and expires >= now - TOKEN_GRACE

    def spend(self, mac: str, expires: float, now: float) -> bool:
        """True when `mac` was not spent before (and now is)."""
        with self._lock:
            self._spent = {m: exp for m, exp in self._spent.items() if exp >= now - TOKEN_GRACE}
            if mac in self._spent:
                return False
            self._spent[mac] = float(expires)
            return True


class UnavailableLedger:
    def __init__(self, problem: str, location: str) -> None:
        self._problem = problem
        self._location = location
        self._secrets: dict[str, bytes] = {}
        self._tokens = MemoryTokens()

    @property
    def problem(self) -> str | None:
        return self._problem

    @property
    def location(self) -> str:
        return self._location

    def secret(self, name: str) -> bytes:
        return self._secrets.setdefault(name, os.urandom(32))  # per process: tokens die with it

    def assess(self, record: WriteRecord, budgets: Budgets, now: float | None = None) -> Assessment:
        return Assessment(reasons=[unavailable_reason(self._problem)], stop=None)

    def reserve(self, record: WriteRecord, budgets: Budgets, *, confirmation: Confirmation,
                token: tuple[str, float] | None = None, now: float | None = None) -> Reservation:
        if token is not None and not self._tokens.spend(token[0], token[1], time.time() if now is None else now):
            return Stopped(TOKEN_USED)
        if confirmation != "not-needed" or record.dry_run:
            return Reserved(None)
        return NeedsConfirmation([unavailable_reason(self._problem)])

    def settle(self, row_id: int | None, outcome: Outcome, *, code: int | None = None,
               order_id: str | None = None, now: float | None = None) -> None:
        return None

    def history(self, *, since: float | None = None, tool: str | None = None, outcome: str | None = None,
                limit: int = 50, offset: int = 0) -> tuple[list[HistoryRow], int]:
        return [], 0

    def close(self) -> None:
        return None


__all__ = ["MemoryTokens", "UnavailableLedger"]
