"""`open_ledger`: a working ledger, or one that says why not and confirms every write.

A file that is not a database, or fails `quick_check`, is never emptied: it is moved aside to
`<name>.corrupt-<UTC timestamp>` (with its -wal and -shm) and a fresh ledger starts, with a
warning. Anything else that keeps the file from working (a read-only folder, a directory or FIFO
in its place, a full disk, a newer schema) gives an `UnavailableLedger` naming the problem.

With a database URL (ILETIMERKEZI_DATABASE_URL) the ledger is `PostgresLedger` instead, shared by
every replica; a database that cannot be reached or used at start is an `UnavailableLedger` too,
named without the URL's password.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from iletimerkezi_mcp.localfiles import exclusive_lock

from .base import Ledger
from .schema import LedgerOpenError, describe
from .sqlite import SqliteLedger
from .unavailable import UnavailableLedger

if TYPE_CHECKING:
    from iletimerkezi_mcp.settings import Settings

log = logging.getLogger(__name__)

LEDGER_FILE = "ledger.sqlite3"


def open_ledger(path: Path, retention_days: int = 90, *, clock: Callable[[], float] = time.time,
                database_url: str | None = None) -> Ledger:
    """The ledger at `path`, or in the database at `database_url` when given; never raises.

    Opening happens under a lock file: two first starts would otherwise race on switching a new
    file to WAL (SQLite does not wait for that), and one process moves a damaged file aside while
    another that waited then finds the fresh one.
    """
    if database_url:
        return _open_database(database_url, retention_days, clock)
    path = Path(path)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        with exclusive_lock(path.with_name(path.name + ".lock")):
            try:
                return SqliteLedger(path, retention_days=retention_days, clock=clock)
            except LedgerOpenError as exc:
                if not exc.corrupt:
                    raise
                first = exc
            try:
                aside = move_aside(path)
            except OSError as exc:
                return _unavailable(path, f"{path} is damaged and cannot be moved aside ({describe(exc)})")
            log.warning("send ledger: %s; moved it aside to %s and starting a fresh ledger", first, aside)
            return SqliteLedger(path, retention_days=retention_days, clock=clock)
    except LedgerOpenError as exc:
        return _unavailable(path, str(exc))
    except Exception as exc:  # whatever it is, the server must still start
        return _unavailable(path, f"{path} cannot be opened ({describe(exc)})")


def open_configured(settings: Settings, *, clock: Callable[[], float] = time.time) -> Ledger:
    """The ledger the settings choose: PostgreSQL when a database URL is set, else the SQLite file."""
    url = settings.database_url.get_secret_value() if settings.database_url is not None else None
    return open_ledger(settings.ledger_path(), settings.ledger_days, clock=clock, database_url=url)


def _open_database(url: str, retention_days: int, clock: Callable[[], float]) -> Ledger:
    from .postgres import PostgresLedger, passwords_in, redacted  # lazy: stdio users never load psycopg

    where = redacted(url)
    try:
        return PostgresLedger(url, retention_days=retention_days, clock=clock)
    except LedgerOpenError as exc:
        problem = str(exc)
    except Exception as exc:  # whatever it is, the server must still start
        problem = f"{where} cannot be opened ({describe(exc)})"
    for secret in passwords_in(url):  # belt and braces: the messages above are already scrubbed
        problem = problem.replace(secret, "***")
    log.warning("send ledger unavailable: %s; every write will be confirmed", problem)
    return UnavailableLedger(problem, where)


def move_aside(path: Path) -> Path:
    """Rename a damaged ledger (and its -wal/-shm) to `<name>.corrupt-<UTC timestamp>`; raises OSError."""
    if not stat.S_ISREG(os.lstat(path).st_mode):
        raise OSError(f"{path} is not a regular file")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    count = 1
    while os.path.lexists(target):
        count += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{count}")
    os.rename(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if os.path.lexists(side):
            os.rename(side, target.with_name(target.name + suffix))
    return target


def _unavailable(path: Path, problem: str) -> UnavailableLedger:
    log.warning("send ledger unavailable: %s; every write will be confirmed", problem)
    return UnavailableLedger(problem, str(path))


__all__ = ["LEDGER_FILE", "move_aside", "open_configured", "open_ledger"]
