"""Child-process bodies for the ledger race tests (spawned: each opens its own SqliteLedger)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from ledger_support import NOW, number, other_write, sms

from iletimerkezi_mcp.ledger import Budgets, SqliteLedger
from iletimerkezi_mcp.ledger.schema import LedgerOpenError, connect


def spend_token(path: str, mac: str, barrier: Any, results: Any) -> None:
    """Reserve one confirmed write with the token `mac`; report the outcome and the confirmation key."""
    ledger = SqliteLedger(Path(path), clock=lambda: NOW)
    try:
        ledger.secret("numbers")
        barrier.wait(timeout=60)
        record = other_write("cancel_order")  # no SMS text: the child never needs the SMS rules (pydantic)
        outcome = ledger.reserve(record, Budgets(None, None, None), confirmation="token", token=(mac, NOW + 300),
                                 now=NOW)
        results.put((mac, type(outcome).__name__, ledger.secret("confirmation").hex()))
    finally:
        ledger.close()


def spend_budget(path: str, worker: int, attempts: int, barrier: Any, results: Any) -> None:
    """Try `attempts` unconfirmed 3-credit sends against an hourly budget of 10."""
    importlib.import_module("iletimerkezi_mcp.sms")  # before the barrier, not during the race
    ledger = SqliteLedger(Path(path), clock=lambda: NOW)
    try:
        ledger.secret("numbers")
        barrier.wait(timeout=60)
        for attempt in range(attempts):
            record = sms([number(worker * 100 + attempt)], text=f"budget race {worker}/{attempt}", credits=3)
            outcome = ledger.reserve(record, Budgets(hour=10, day=None, hard_day=None), confirmation="not-needed",
                                     now=NOW + attempt)
            results.put((worker, type(outcome).__name__))
    finally:
        ledger.close()


def open_fresh_files(folder: str, files: int, barrier: Any, results: Any) -> None:
    """Open `files` new ledgers one after another, every child starting each file at the same moment."""
    failures = []
    for index in range(files):
        barrier.wait(timeout=60)
        try:
            connect(Path(folder) / f"{index}" / "ledger.sqlite3").close()
        except LedgerOpenError as exc:
            failures.append(str(exc))
    results.put(failures)
