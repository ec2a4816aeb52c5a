"""The SQLite file: how it is opened, checked and migrated.

`connect` refuses what is not a regular file before SQLite touches it (a FIFO would block the
first read forever), creates a new file 0600 in a 0700 directory (SQLite gives -wal and -shm
the database's own mode), runs `quick_check`, and brings the schema up to `SCHEMA_VERSION`
(kept in `PRAGMA user_version`). Every failure is a `LedgerOpenError` whose text is one plain
sentence and which says whether the file is corrupt (then it may be moved aside).
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import stat
import time
from pathlib import Path

from iletimerkezi_mcp.localfiles import kind_of

BUSY_TIMEOUT = 10.0  # seconds another process may hold the write lock before we give up
APPLICATION_ID = 0x494C4544  # "ILED": marks the file as ours
_HEADER = b"SQLite format 3\x00"

# MIGRATIONS[n] takes the schema from version n to n + 1. Append; never edit a shipped step.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE writes (
            id INTEGER PRIMARY KEY,
            at REAL NOT NULL,                 -- epoch seconds, when reserved
            tool TEXT NOT NULL,
            binding TEXT NOT NULL,            -- API origin or 'sandbox'
            digest TEXT NOT NULL,             -- keyed hash of the caller's payload digest
            dry_run INTEGER NOT NULL,
            recipient_count INTEGER NOT NULL,
            recipients_masked TEXT NOT NULL,  -- JSON list of at most 10 masked numbers
            content_key TEXT,                 -- keyed hash of [text, recipient set]; NULL unless an SMS
            parts INTEGER NOT NULL,
            credits INTEGER NOT NULL,
            confirmation TEXT NOT NULL,
            outcome TEXT NOT NULL,
            code INTEGER,
            order_id TEXT,
            text TEXT,
            actor TEXT,
            settled_at REAL
        )""",
        "CREATE INDEX writes_by_binding ON writes (binding, at)",
        "CREATE INDEX writes_by_at ON writes (at)",
        "CREATE INDEX writes_by_content ON writes (content_key) WHERE content_key IS NOT NULL",
        # One row per recipient: a keyed hash, never the number. No index on the hash yet (it would
        # triple the cost of a 50,000-recipient send); a migration adds one when a lookup needs it.
        "CREATE TABLE write_numbers (write_id INTEGER NOT NULL, number_hash TEXT NOT NULL)",
        "CREATE INDEX write_numbers_by_write ON write_numbers (write_id)",
        "CREATE TABLE spent_tokens (mac TEXT PRIMARY KEY, expires REAL NOT NULL) WITHOUT ROWID",
        "CREATE TABLE secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID",
        f"PRAGMA application_id = {APPLICATION_ID}",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)


class LedgerOpenError(Exception):
    """The ledger file cannot be used; str() is one plain sentence naming the file."""

    def __init__(self, problem: str, *, corrupt: bool = False) -> None:
        super().__init__(problem)
        self.corrupt = corrupt  # not a database, or damaged: may be moved aside and replaced


def describe(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    return str(exc) or type(exc).__name__


def is_corrupt(exc: BaseException) -> bool:
    """SQLITE_CORRUPT or SQLITE_NOTADB (the error code where Python gives it, else the message)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (11, 26)
    text = str(exc)
    return "not a database" in text or "malformed" in text


def _prepare_file(path: Path) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise LedgerOpenError(f"the folder {path.parent} cannot be created ({describe(exc)})") from None
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise LedgerOpenError(f"{path} is a symbolic link to a file that does not exist") from None
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600))
        except FileExistsError:
            return  # another process created it just now
        except OSError as exc:
            raise LedgerOpenError(f"{path} cannot be created ({describe(exc)}{_hint(path, exc)})") from None
        return
    except OSError as exc:
        raise LedgerOpenError(f"{path} cannot be examined ({describe(exc)})") from None
    if not stat.S_ISREG(info.st_mode):
        raise LedgerOpenError(f"{path} is {kind_of(info.st_mode)}, not a database file")
    if info.st_size:
        try:
            with open(path, "rb") as handle:
                header = handle.read(len(_HEADER))
        except OSError as exc:
            raise LedgerOpenError(f"{path} cannot be read ({describe(exc)})") from None
        if header != _HEADER:  # caught before SQLite opens it, which could discard a stray -wal
            raise LedgerOpenError(f"{path} is not a database (it does not start with the SQLite header)",
                                  corrupt=True)
    if info.st_mode & 0o077:
        with contextlib.suppress(OSError):
            os.chmod(path, 0o600)  # earlier or foreign files: the ledger's text is nobody else's business


def opening_problem(path: Path, exc: BaseException) -> LedgerOpenError:
    corrupt = is_corrupt(exc)
    if corrupt:
        return LedgerOpenError(f"{path} is not a usable database ({describe(exc)})", corrupt=True)
    return LedgerOpenError(f"{path} cannot be opened for writing ({describe(exc)}{_hint(path, exc)})")


def _hint(path: Path, exc: BaseException) -> str:
    if not os.access(path.parent, os.W_OK):
        return "; its folder is not writable"
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "; the disk is full"
    return ""


def connect(path: Path) -> sqlite3.Connection:
    """A checked, migrated connection in autocommit mode (transactions are explicit)."""
    _prepare_file(path)
    try:
        db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
    except (sqlite3.Error, OSError) as exc:
        raise opening_problem(path, exc) from None
    try:
        _switch_to_wal(db)
        for pragma in ("synchronous = FULL", "secure_delete = ON", "temp_store = MEMORY"):
            db.execute(f"PRAGMA {pragma}")
        rows = db.execute("PRAGMA quick_check(5)").fetchall()
        if [tuple(row) for row in rows] != [("ok",)]:
            found = "; ".join(str(row[0]) for row in rows)[:200]
            raise LedgerOpenError(f"{path} is damaged (quick_check: {found})", corrupt=True)
        _migrate(db, path)
    except LedgerOpenError:
        db.close()
        raise
    except (sqlite3.Error, OSError) as exc:
        db.close()
        raise opening_problem(path, exc) from None
    return db


def _is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF == 5 if isinstance(code, int) else "locked" in str(exc)


def _switch_to_wal(db: sqlite3.Connection) -> None:
    """SQLite answers SQLITE_BUSY to a journal-mode change at once, without its busy handler, while
    another process is opening the same new file (two clients starting together): wait for it here."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    pause = 0.005
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    if _version(db) == SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")  # two first starts: one migrates, the other waits and finds it done
    try:
        version = _version(db)
        if version > SCHEMA_VERSION:
            raise LedgerOpenError(f"{path} was written by a newer iletimerkezi-mcp (schema version {version}; "
                                  f"this one knows up to {SCHEMA_VERSION})")
        if version == 0 and db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise LedgerOpenError(f"{path} holds another program's SQLite database, not a send ledger")
        for step in MIGRATIONS[version:]:
            for statement in step:
                db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            db.execute("ROLLBACK")
        raise


__all__ = ["BUSY_TIMEOUT", "MIGRATIONS", "SCHEMA_VERSION", "LedgerOpenError", "connect", "describe", "is_corrupt",
           "opening_problem"]
