"""The ledger in one SQLite file (WAL), shared safely by every process on the machine.

Writers serialise on `BEGIN IMMEDIATE`: a reservation reads the spending, checks the budgets, the
duplicate guard and the token, and inserts its row in one transaction, so two processes can never
both pass a check that only one of them should. One connection per instance, behind a lock; the
checks themselves are shared with PostgreSQL (`core.SqlLedger`).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from .core import SqlLedger, Transaction
from .schema import connect, describe, opening_problem


class SqliteLedger(SqlLedger):
    def __init__(self, path: Path, *, retention_days: int = 90, clock: Callable[[], float] = time.time) -> None:
        super().__init__(retention_days=retention_days, clock=clock, errors=(sqlite3.Error,))
        self._path = Path(path)
        self._lock = threading.Lock()
        self._db = connect(self._path)  # LedgerOpenError when unusable
        try:
            with self._writing() as tx:
                self._purge(tx, self._clock())
                tx.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('opened_at', ?)",
                       (str(self._clock()),))  # proves the file takes writes
        except BaseException as exc:
            self._db.close()
            if isinstance(exc, (sqlite3.Error, OSError)):
                raise opening_problem(self._path, exc) from None
            raise

    @property
    def location(self) -> str:
        return str(self._path)

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.close()

    def _run(self, sql: str, args: Sequence[object]) -> sqlite3.Cursor:
        return self._db.execute(sql, tuple(args))

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Transaction]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            tx = Transaction(self._run)
            try:
                yield tx
                self._db.execute("COMMIT" if tx.keep else "ROLLBACK")  # a failed COMMIT must not leave it open
            except BaseException:
                self._rollback()
                raise

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Transaction]:
        with self._lock:
            self._db.execute("BEGIN")  # one snapshot for every read in the block
            try:
                yield Transaction(self._run)
            finally:
                self._rollback()

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.execute("ROLLBACK")

    def _describe(self, exc: BaseException) -> str:
        return describe(exc)


__all__ = ["SqliteLedger"]
