"""The ledger in one SQLite file (WAL), shared safely by every process on the machine.

Writers serialise on `BEGIN IMMEDIATE`: a reservation reads the spending, checks the budgets, the
duplicate guard and the token, and inserts its row in one transaction, so two processes can never
both pass a check that only one of them should. One connection per instance, behind a lock.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .base import (
    COUNTED,
    DAY,
    HOUR,
    MASKED_SHOWN,
    SETTLED,
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
from .masking import content_key, keyed, mask_number, safe_binding, unique
from .reasons import Latest, Spending, crossing, duplicate
from .schema import HISTORY_COLUMNS, connect, describe, history_row, opening_problem
from .unavailable import MemoryTokens

log = logging.getLogger(__name__)

_IN = ",".join(f"'{outcome}'" for outcome in COUNTED)


class SqliteLedger:
    def __init__(self, path: Path, *, retention_days: int = 90, clock: Callable[[], float] = time.time) -> None:
        self._path = Path(path)
        self._retention = max(1, int(retention_days)) * DAY  # never under a day: the daily budget reads a day back
        self._clock = clock
        self._lock = threading.Lock()
        self._secrets: dict[str, bytes] = {}  # as kept in the file
        self._process_secrets: dict[str, bytes] = {}  # stand-ins while the file fails
        self._problem: str | None = None
        self._tokens = MemoryTokens()  # single use within this process while the file fails
        self._db = connect(self._path)  # LedgerOpenError when unusable
        try:
            with self._lock, self._transaction():
                self._purge(self._clock())
                self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('opened_at', ?)",
                                 (str(self._clock()),))  # proves the file takes writes
        except BaseException as exc:
            self._db.close()
            if isinstance(exc, (sqlite3.Error, OSError)):
                raise opening_problem(self._path, exc) from None
            raise

    # --- the Ledger interface ----------------------------------------------------------------

    @property
    def problem(self) -> str | None:
        return self._problem

    @property
    def location(self) -> str:
        return str(self._path)

    def secret(self, name: str) -> bytes:
        stored = self._secrets.get(name)
        if stored is not None:
            return stored
        try:
            with self._lock, self._transaction():
                self._db.execute("INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)", (name, os.urandom(32)))
                value = self._db.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()[0]
            if not isinstance(value, bytes) or len(value) != 32:
                raise sqlite3.DatabaseError(f"the stored {name} key is not 32 bytes")
        except Exception as exc:  # the ledger never breaks a write: it asks a person instead
            self._failed(f"reading the {name} key", exc)
            return self._process_secrets.setdefault(name, os.urandom(32))  # works within this process only
        self._ok()
        return self._secrets.setdefault(name, value)

    def assess(self, record: WriteRecord, budgets: Budgets, now: float | None = None) -> Assessment:
        at = self._clock() if now is None else now
        try:
            binding = safe_binding(record.binding)
            content = self._content(record)
            with self._lock, self._reading():
                reasons, stop = self._judge(record, binding, content, budgets, at)
            self._ok()
            return Assessment(reasons=reasons, stop=stop)
        except Exception as exc:  # the ledger never breaks a write: it asks a person instead
            self._failed("reading the spending", exc)
            return Assessment(reasons=[unavailable_reason(self._problem or "it failed")], stop=None)

    def reserve(self, record: WriteRecord, budgets: Budgets, *, confirmation: Confirmation,
                token: tuple[str, float] | None = None, now: float | None = None) -> Reservation:
        at = self._clock() if now is None else now
        # A token this process spent while the file failed must not pass the file's check later.
        if token is not None and self._tokens.spent(token[0], at):
            return Stopped(TOKEN_USED)
        try:
            self._secret_or_fail("numbers")  # a per-process stand-in must never hash into the file
            binding = safe_binding(record.binding)
            numbers = unique(record.recipients)
            content = self._content(record)
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    result = self._reserve(record, binding, content, numbers, budgets, confirmation, token, at)
                    self._db.execute("COMMIT" if isinstance(result, Reserved) else "ROLLBACK")
                except BaseException:
                    self._rollback()
                    raise
            self._ok()
            if token is not None and isinstance(result, Reserved):
                self._tokens.spend(token[0], token[1], at)  # also here, in case the file fails later
            return result
        except Exception as exc:  # the ledger never breaks a write: it asks a person instead
            self._failed("recording a write", exc)
            if token is not None and not self._tokens.spend(token[0], token[1], at):
                return Stopped(TOKEN_USED)
            if confirmation != "not-needed" or record.dry_run:
                return Reserved(None)
            return NeedsConfirmation([unavailable_reason(self._problem or "it failed")])

    def settle(self, row_id: int | None, outcome: Outcome, *, code: int | None = None,
               order_id: str | None = None, now: float | None = None) -> None:
        if row_id is None:
            return
        if outcome not in SETTLED:
            log.warning("send ledger: cannot settle write %s as %r (expected one of %s); ignoring it",
                        row_id, outcome, ", ".join(SETTLED))
            return
        at = self._clock() if now is None else now
        try:
            with self._lock:
                self._db.execute("UPDATE writes SET outcome = ?, code = ?, order_id = ?, settled_at = ? "
                                 "WHERE id = ? AND outcome != 'dry-run'",
                                 (outcome, code, None if order_id is None else str(order_id), at, row_id))
            self._ok()
        except Exception as exc:  # the ledger never breaks a write: it asks a person instead
            self._failed("recording how a write ended", exc)

    def history(self, *, since: float | None = None, tool: str | None = None, outcome: str | None = None,
                limit: int = 50, offset: int = 0) -> tuple[list[HistoryRow], int]:
        where: list[str] = ["1"]
        args: list[object] = []
        for clause, value in (("at >= ?", since), ("tool = ?", tool), ("outcome = ?", outcome)):
            if value is not None:
                where.append(clause)
                args.append(value)
        condition = " AND ".join(where)
        try:
            with self._lock, self._reading():
                total = int(self._db.execute(f"SELECT count(*) FROM writes WHERE {condition}", args).fetchone()[0])
                found = self._db.execute(
                    f"SELECT {HISTORY_COLUMNS} FROM writes WHERE {condition} "
                    "ORDER BY at DESC, id DESC LIMIT ? OFFSET ?", [*args, max(0, int(limit)), max(0, int(offset))],
                ).fetchall()
            self._ok()
        except Exception as exc:  # the ledger never breaks a write: it asks a person instead
            self._failed("reading the history", exc)
            return [], 0
        return [history_row(row) for row in found], total

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.close()

    # --- inside the transaction --------------------------------------------------------------

    def _reserve(self, record: WriteRecord, binding: str, content: str | None, numbers: list[str],
                 budgets: Budgets, confirmation: Confirmation, token: tuple[str, float] | None,
                 at: float) -> Reservation:
        self._purge(at)
        if not record.dry_run:
            reasons, stop = self._judge(record, binding, content, budgets, at)
            if stop is not None:
                return Stopped(stop)
            if token is not None:
                mac, expires = token
                self._db.execute("DELETE FROM spent_tokens WHERE expires < ?", (at - TOKEN_GRACE,))
                spent = self._db.execute("INSERT OR IGNORE INTO spent_tokens (mac, expires) VALUES (?, ?)",
                                         (mac, float(expires)))
                if spent.rowcount != 1:
                    return Stopped(TOKEN_USED)
            if confirmation == "not-needed" and reasons:
                return NeedsConfirmation(reasons)
        row = self._db.execute(
            "INSERT INTO writes (at, tool, binding, digest, dry_run, recipient_count, recipients_masked, content_key, "
            "parts, credits, confirmation, outcome, text, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (at, record.tool, binding, keyed(self._secrets["numbers"], "digest", record.digest), int(record.dry_run),
             len(numbers), json.dumps([mask_number(n) for n in numbers[:MASKED_SHOWN]]), content, int(record.parts),
             int(record.credits), confirmation, "dry-run" if record.dry_run else "pending", record.text, record.actor))
        row_id = row.lastrowid
        assert row_id is not None
        return Reserved(row_id)

    def _judge(self, record: WriteRecord, binding: str, content: str | None, budgets: Budgets,
               at: float) -> tuple[list[str], str | None]:
        reasons: list[str] = []
        stop: str | None = None
        if record.credits > 0:  # a write that costs nothing never crosses a budget
            if budgets.hour is not None:
                hour = self._spending(binding, at - HOUR)
                if hour.credits + record.credits > budgets.hour:
                    reasons.append(crossing("hour", budgets.hour, hour, record.credits, at))
            if budgets.day is not None or budgets.hard_day is not None:
                day = self._spending(binding, at - DAY)
                if budgets.hard_day is not None and day.credits + record.credits > budgets.hard_day:
                    stop = crossing("hard", budgets.hard_day, day, record.credits, at)
                if budgets.day is not None and day.credits + record.credits > budgets.day:
                    reasons.append(crossing("day", budgets.day, day, record.credits, at))
        if content is not None:
            earlier = self._db.execute(
                "SELECT at, tool, credits, recipient_count, order_id, outcome FROM writes WHERE content_key = ? "
                f"AND binding = ? AND at > ? AND outcome IN ({_IN}) ORDER BY at DESC, id DESC LIMIT 1",
                (content, binding, at - DAY)).fetchone()
            if earlier is not None:
                reasons.append(duplicate(Latest(*earlier), at))
        return reasons, stop

    def _spending(self, binding: str, since: float) -> Spending:
        where = f"binding = ? AND at > ? AND outcome IN ({_IN}) AND credits > 0"
        credits, count = self._db.execute(f"SELECT coalesce(sum(credits), 0), count(*) FROM writes WHERE {where}",
                                          (binding, since)).fetchone()
        latest = self._db.execute(
            f"SELECT at, tool, credits, recipient_count, order_id, outcome FROM writes WHERE {where} "
            "ORDER BY at DESC, id DESC LIMIT 1", (binding, since)).fetchone()
        return Spending(int(credits), int(count), Latest(*latest) if latest else None)

    def _purge(self, at: float) -> None:
        cutoff = at - self._retention
        self._db.execute("DELETE FROM write_numbers WHERE write_id IN (SELECT id FROM writes WHERE at < ?)", (cutoff,))
        self._db.execute("DELETE FROM writes WHERE at < ?", (cutoff,))

    # --- plumbing ------------------------------------------------------------------------------

    def _content(self, record: WriteRecord) -> str | None:
        if record.text is None:
            return None
        return content_key(self.secret("numbers"), record.text, record.recipients)

    def _secret_or_fail(self, name: str) -> bytes:
        value = self.secret(name)
        if name not in self._secrets:
            raise sqlite3.OperationalError(self._problem or "no key")  # a per-process key must not hash into the file
        return value

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute("COMMIT")  # a failed COMMIT (disk full) must not leave the transaction open
        except BaseException:
            self._rollback()
            raise

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        self._db.execute("BEGIN")  # one snapshot for every read in the block
        try:
            yield
        finally:
            self._rollback()

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.execute("ROLLBACK")

    def _ok(self) -> None:
        if self._problem is not None:
            log.warning("send ledger %s works again", self._path)
        self._problem = None

    def _failed(self, what: str, exc: BaseException) -> None:
        self._problem = f"{what} in {self._path} failed: {describe(exc)}"
        log.warning("send ledger: %s; every write is confirmed until it works again", self._problem,
                    exc_info=not isinstance(exc, (sqlite3.Error, OSError)))  # anything else is a bug: show where


__all__ = ["SqliteLedger"]
