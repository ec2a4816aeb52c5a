"""What every SQL backend of the ledger shares: the checks, the reservation and the failure rules.

A backend (`SqliteLedger`, `PostgresLedger`) supplies only transactions: `_writing()` must
serialise writers (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: an advisory lock), `_reading()` gives
one snapshot. SQL here uses `?` placeholders and syntax both engines accept; a backend adapts the
few statements that differ (`_INSERT_IGNORE`, `_inserted_id`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Protocol

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
from .unavailable import MemoryTokens

log = logging.getLogger(__name__)

_IN = ",".join(f"'{outcome}'" for outcome in COUNTED)
HISTORY_COLUMNS = ("id, at, tool, binding, dry_run, recipient_count, recipients_masked, parts, credits, confirmation, "
                   "outcome, code, order_id, text, actor, settled_at")


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


Run = Callable[[str, Sequence[object]], Cursor]


class Transaction:
    """What a backend's `_writing()`/`_reading()` yields: run statements; `keep = False` rolls back."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.keep = True


class LedgerError(Exception):
    """A ledger-level failure with a plain message (a bad stored key, a missing per-file key)."""


def history_row(row: Sequence[Any]) -> HistoryRow:
    """A `SELECT HISTORY_COLUMNS` row as a HistoryRow."""
    (id_, at, tool, binding, dry_run, count, masked, parts, credits, confirmation, outcome, code, order_id, text,
     actor, settled_at) = row
    try:
        shown = [str(m) for m in json.loads(masked)][:MASKED_SHOWN]
    except (ValueError, TypeError):
        shown = []
    return HistoryRow(id=id_, at=at, tool=tool, binding=binding, sandbox=binding == "sandbox", dry_run=bool(dry_run),
                      recipient_count=count, recipients_masked=shown, parts=parts, credits=credits,
                      confirmation=confirmation, outcome=outcome, code=code, order_id=order_id, text=text, actor=actor,
                      settled_at=settled_at)


class SqlLedger:
    """The Ledger interface over any SQL backend; never raises from the interface methods."""

    _INSERT_IGNORE: ClassVar[str] = "INSERT OR IGNORE INTO {table} ({columns}) VALUES ({values})"

    def __init__(self, *, retention_days: int, clock: Callable[[], float],
                 errors: tuple[type[BaseException], ...] = ()) -> None:
        self._errors = (OSError, LedgerError, *errors)  # the backend's expected failures: logged without a traceback
        self._retention = max(1, int(retention_days)) * DAY  # never under a day: the daily budget reads a day back
        self._clock = clock
        self._secrets: dict[str, bytes] = {}  # as kept in the database
        self._process_secrets: dict[str, bytes] = {}  # stand-ins while the database fails
        self._problem: str | None = None
        self._tokens = MemoryTokens()  # single use within this process while the database fails

    # --- what a backend supplies ---------------------------------------------------------------

    @property
    def location(self) -> str:
        raise NotImplementedError

    def _writing(self) -> contextlib.AbstractContextManager[Transaction]:
        raise NotImplementedError

    def _reading(self) -> contextlib.AbstractContextManager[Transaction]:
        raise NotImplementedError

    def _inserted_id(self, tx: Transaction, sql: str, args: Sequence[object]) -> int:
        cursor: Any = tx.run(sql, args)
        return int(cursor.lastrowid)

    def _describe(self, exc: BaseException) -> str:
        if isinstance(exc, OSError):
            return exc.strerror or str(exc) or type(exc).__name__
        return str(exc) or type(exc).__name__

    # --- the Ledger interface ----------------------------------------------------------------

    @property
    def problem(self) -> str | None:
        return self._problem

    def secret(self, name: str) -> bytes:
        stored = self._secrets.get(name)
        if stored is not None:
            return stored
        try:
            with self._writing() as tx:
                tx.run(self._ignore("secrets", "name, value"), (name, os.urandom(32)))
                value = tx.run("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()[0]
            value = bytes(value) if isinstance(value, (bytes, bytearray, memoryview)) else value
            if not isinstance(value, bytes) or len(value) != 32:
                raise LedgerError(f"the stored {name} key is not 32 bytes")
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
            with self._reading() as tx:
                reasons, stop = self._judge(tx, record, binding, content, budgets, at)
            self._ok()
            return Assessment(reasons=reasons, stop=stop)
        except Exception as exc:  # the ledger never breaks a write: it asks a person instead
            self._failed("reading the spending", exc)
            return Assessment(reasons=[unavailable_reason(self._problem or "it failed")], stop=None)

    def reserve(self, record: WriteRecord, budgets: Budgets, *, confirmation: Confirmation,
                token: tuple[str, float] | None = None, now: float | None = None) -> Reservation:
        at = self._clock() if now is None else now
        # A token this process spent while the database failed must not pass the database's check later.
        if token is not None and self._tokens.spent(token[0], at):
            return Stopped(TOKEN_USED)
        try:
            self._secret_or_fail("numbers")  # a per-process stand-in must never hash into the database
            binding = safe_binding(record.binding)
            numbers = unique(record.recipients)
            content = self._content(record)
            with self._writing() as tx:
                result = self._reserve(tx, record, binding, content, numbers, budgets, confirmation, token, at)
                tx.keep = isinstance(result, Reserved)
            self._ok()
            if token is not None and isinstance(result, Reserved):
                self._tokens.spend(token[0], token[1], at)  # also here, in case the database fails later
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
            with self._writing() as tx:
                tx.run("UPDATE writes SET outcome = ?, code = ?, order_id = ?, settled_at = ? "
                       "WHERE id = ? AND outcome != 'dry-run'",
                       (outcome, code, None if order_id is None else str(order_id), at, row_id))
            self._ok()
        except Exception as exc:  # the ledger never breaks a write: it asks a person instead
            self._failed("recording how a write ended", exc)

    def history(self, *, since: float | None = None, tool: str | None = None, outcome: str | None = None,
                limit: int = 50, offset: int = 0) -> tuple[list[HistoryRow], int]:
        where: list[str] = ["1 = 1"]
        args: list[object] = []
        for clause, value in (("at >= ?", since), ("tool = ?", tool), ("outcome = ?", outcome)):
            if value is not None:
                where.append(clause)
                args.append(value)
        condition = " AND ".join(where)
        try:
            with self._reading() as tx:
                total = int(tx.run(f"SELECT count(*) FROM writes WHERE {condition}", args).fetchone()[0])
                found = tx.run(f"SELECT {HISTORY_COLUMNS} FROM writes WHERE {condition} "
                               "ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
                               [*args, max(0, int(limit)), max(0, int(offset))]).fetchall()
            self._ok()
        except Exception as exc:  # the ledger never breaks a write: it asks a person instead
            self._failed("reading the history", exc)
            return [], 0
        return [history_row(row) for row in found], total

    # --- inside the transaction --------------------------------------------------------------

    def _reserve(self, tx: Transaction, record: WriteRecord, binding: str, content: str | None, numbers: list[str],
                 budgets: Budgets, confirmation: Confirmation, token: tuple[str, float] | None,
                 at: float) -> Reservation:
        self._purge(tx, at)
        if not record.dry_run:
            reasons, stop = self._judge(tx, record, binding, content, budgets, at)
            if stop is not None:
                return Stopped(stop)
            if token is not None:
                mac, expires = token
                tx.run("DELETE FROM spent_tokens WHERE expires < ?", (at - TOKEN_GRACE,))
                spent = tx.run(self._ignore("spent_tokens", "mac, expires"), (mac, float(expires)))
                if spent.rowcount != 1:
                    return Stopped(TOKEN_USED)
            if confirmation == "not-needed" and reasons:
                return NeedsConfirmation(reasons)
        row_id = self._inserted_id(
            tx, "INSERT INTO writes (at, tool, binding, digest, dry_run, recipient_count, recipients_masked, "
            "content_key, parts, credits, confirmation, outcome, text, actor) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (at, record.tool, binding, keyed(self._secrets["numbers"], "digest", record.digest), int(record.dry_run),
             len(numbers), json.dumps([mask_number(n) for n in numbers[:MASKED_SHOWN]]), content, int(record.parts),
             int(record.credits), confirmation, "dry-run" if record.dry_run else "pending", record.text, record.actor))
        return Reserved(row_id)

    def _judge(self, tx: Transaction, record: WriteRecord, binding: str, content: str | None, budgets: Budgets,
               at: float) -> tuple[list[str], str | None]:
        reasons: list[str] = []
        stop: str | None = None
        if record.credits > 0:  # a write that costs nothing never crosses a budget
            if budgets.hour is not None:
                hour = self._spending(tx, binding, at - HOUR)
                if hour.credits + record.credits > budgets.hour:
                    reasons.append(crossing("hour", budgets.hour, hour, record.credits, at))
            if budgets.day is not None or budgets.hard_day is not None:
                day = self._spending(tx, binding, at - DAY)
                if budgets.hard_day is not None and day.credits + record.credits > budgets.hard_day:
                    stop = crossing("hard", budgets.hard_day, day, record.credits, at)
                if budgets.day is not None and day.credits + record.credits > budgets.day:
                    reasons.append(crossing("day", budgets.day, day, record.credits, at))
        if content is not None:
            earlier = tx.run(
                "SELECT at, tool, credits, recipient_count, order_id, outcome FROM writes WHERE content_key = ? "
                f"AND binding = ? AND at > ? AND outcome IN ({_IN}) ORDER BY at DESC, id DESC LIMIT 1",
                (content, binding, at - DAY)).fetchone()
            if earlier is not None:
                reasons.append(duplicate(Latest(*earlier), at))
        return reasons, stop

    def _spending(self, tx: Transaction, binding: str, since: float) -> Spending:
        where = f"binding = ? AND at > ? AND outcome IN ({_IN}) AND credits > 0"
        credits, count = tx.run(f"SELECT coalesce(sum(credits), 0), count(*) FROM writes WHERE {where}",
                                (binding, since)).fetchone()
        latest = tx.run(f"SELECT at, tool, credits, recipient_count, order_id, outcome FROM writes WHERE {where} "
                        "ORDER BY at DESC, id DESC LIMIT 1", (binding, since)).fetchone()
        return Spending(int(credits), int(count), Latest(*latest) if latest else None)

    def _purge(self, tx: Transaction, at: float) -> None:
        cutoff = at - self._retention
        tx.run("DELETE FROM write_numbers WHERE write_id IN (SELECT id FROM writes WHERE at < ?)", (cutoff,))
        tx.run("DELETE FROM writes WHERE at < ?", (cutoff,))

    # --- plumbing ------------------------------------------------------------------------------

    def _ignore(self, table: str, columns: str) -> str:
        values = ", ".join("?" for _ in columns.split(","))
        return self._INSERT_IGNORE.format(table=table, columns=columns, values=values)

    def _content(self, record: WriteRecord) -> str | None:
        if record.text is None:
            return None
        return content_key(self.secret("numbers"), record.text, record.recipients)

    def _secret_or_fail(self, name: str) -> bytes:
        value = self.secret(name)
        if name not in self._secrets:
            raise LedgerError(self._problem or "no key")  # a per-process key must not hash into the database
        return value

    def _ok(self) -> None:
        if self._problem is not None:
            log.warning("send ledger %s works again", self.location)
        self._problem = None

    def _failed(self, what: str, exc: BaseException) -> None:
        self._problem = f"{what} in {self.location} failed: {self._describe(exc)}"
        log.warning("send ledger: %s; every write is confirmed until it works again", self._problem,
                    exc_info=not isinstance(exc, self._errors))  # anything else is a bug: show where


__all__ = ["HISTORY_COLUMNS", "LedgerError", "SqlLedger", "Transaction", "history_row"]
