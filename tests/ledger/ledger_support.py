"""Shared by the ledger tests: a fixed clock, record makers and ledger openers (not a test module)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from iletimerkezi_mcp.ledger import Budgets, Ledger, SqliteLedger, WriteRecord

NOW = 1_780_000_000.0  # 2026-05-28 23:26:40 Istanbul time (a Thursday)
ORIGIN = "https://api.iletimerkezi.com"
NO_BUDGETS = Budgets(hour=None, day=None, hard_day=None)


def number(i: int) -> str:
    return f"90532{i:07d}"


def sms(recipients: Sequence[str] | None = None, text: str = "Siparişiniz yola çıktı", *, credits: int | None = None,
        binding: str = ORIGIN, dry_run: bool = False, parts: int = 1, tool: str = "send_sms",
        actor: str | None = None) -> WriteRecord:
    numbers = list(recipients) if recipients is not None else [number(1)]
    return WriteRecord(tool=tool, binding=binding, digest="ab" * 32, recipients=numbers, text=text, parts=parts,
                       credits=len(numbers) * parts if credits is None else credits, dry_run=dry_run, actor=actor)


def other_write(tool: str = "add_blacklist", recipients: Sequence[str] = (), binding: str = ORIGIN) -> WriteRecord:
    return WriteRecord(tool=tool, binding=binding, digest="cd" * 32, recipients=list(recipients), text=None, parts=0,
                       credits=0)


def open_at(path: Path, clock_value: float = NOW, retention_days: int = 90) -> SqliteLedger:
    return SqliteLedger(path, retention_days=retention_days, clock=lambda: clock_value)


BACKENDS = ["sqlite", "postgres"]  # `@pytest.fixture(params=BACKENDS)`: the same cases on both


def open_backend(request: Any, tmp_path: Path, clock_value: float = NOW) -> Ledger:
    """A fresh ledger of the backend `request.param` names (PostgreSQL: pg_server.py's, emptied)."""
    if request.param == "sqlite":
        return open_at(tmp_path / "ledger.sqlite3", clock_value)
    from pg_server import fresh_url

    from iletimerkezi_mcp.ledger.postgres import PostgresLedger

    return PostgresLedger(fresh_url(), clock=lambda: clock_value, pool_max=2)
