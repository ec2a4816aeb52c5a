"""The ledger in PostgreSQL, shared by every replica of a team server.

The checks are the SQLite ledger's (`core.SqlLedger`); only the transactions differ. Every write
transaction first takes one transaction-scoped advisory lock (`pg_advisory_xact_lock`), so writers
on every replica run one at a time, as `BEGIN IMMEDIATE` makes them on one SQLite file: a
reservation's reads (spending, duplicates, spent tokens) and its insert can never interleave with
another's. Under READ COMMITTED each statement after the lock sees every earlier commit.

psycopg is imported only here, and this module only when a database URL is set, so stdio users
never load it. The URL's password is never logged or shown: `location` drops it and every error
text has it replaced.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar
from urllib.parse import quote, unquote, urlsplit

from .core import SqlLedger, Transaction
from .pg_schema import LOCK_CLASS, PG_SCHEMA, WRITE_LOCK, migrate
from .schema import LedgerOpenError, describe

CONNECT_TIMEOUT = 5  # seconds for one connection attempt; an unreachable database must not hold up a start
POOL_TIMEOUT = 10.0  # seconds a call waits for a free connection before the write is confirmed instead
POOL_MAX = 4
LOCK_TIMEOUT_MS = 10_000  # as SQLite's BUSY_TIMEOUT


def _import_psycopg() -> tuple[Any, Any]:
    try:
        import psycopg
        import psycopg_pool
    except ImportError:
        raise LedgerOpenError("ILETIMERKEZI_DATABASE_URL is set but psycopg is not installed "
                              "(install iletimerkezi-mcp[team])") from None
    return psycopg, psycopg_pool


def passwords_in(url: str) -> list[str]:
    """The password a URL or key=value conninfo carries, as written and decoded (to scrub from text)."""
    found: list[str] = []
    with contextlib.suppress(ValueError):
        password = urlsplit(url).password
        if password:
            found += [password, unquote(password), quote(password, safe="")]
    for match in re.finditer(r"password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", url):
        value = match.group(1)
        found += [value, value.strip("'")]
    return sorted({p for p in found if p}, key=len, reverse=True)


def redacted(url: str) -> str:
    """Where the database is, without the password: `postgresql://user@host:port/db`."""
    text = url.strip()
    if re.match(r"postgres(ql)?://", text):
        with contextlib.suppress(ValueError):
            parts = urlsplit(text)
            user = f"{parts.username}@" if parts.username else ""
            port = f":{parts.port}" if parts.port else ""
            return f"{parts.scheme}://{user}{parts.hostname or ''}{port}{parts.path}"
        return "the PostgreSQL database"
    pairs = {key: value.strip("'") for key, value in re.findall(r"(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", text)}
    if not pairs:
        return "the PostgreSQL database"
    user = f"{pairs['user']}@" if "user" in pairs else ""
    port = f":{pairs['port']}" if "port" in pairs else ""
    return f"postgresql://{user}{pairs.get('host', pairs.get('hostaddr', ''))}{port}/{pairs.get('dbname', '')}"


class PostgresLedger(SqlLedger):
    _INSERT_IGNORE: ClassVar[str] = "INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT DO NOTHING"

    def __init__(self, url: str, *, retention_days: int = 90, clock: Callable[[], float] = time.time,
                 pool_max: int = POOL_MAX) -> None:
        self._scrub_values = passwords_in(url)
        self._location = redacted(url)
        psycopg, pool_module = _import_psycopg()
        super().__init__(retention_days=retention_days, clock=clock, errors=(psycopg.Error, pool_module.PoolTimeout))
        # lock_timeout: a writer stuck behind another replica's lock gives up like SQLite's busy timeout,
        # and the write is confirmed instead of hanging.
        options = {"connect_timeout": CONNECT_TIMEOUT,
                   "options": f"-c search_path={PG_SCHEMA} -c lock_timeout={LOCK_TIMEOUT_MS}"}
        try:  # one direct connection first: its error says why (a pool's timeout would not)
            with psycopg.connect(url, **options) as conn:
                migrate(conn, self._location)
        except LedgerOpenError:
            raise
        except Exception as exc:
            raise LedgerOpenError(f"{self._location} cannot be opened ({self._describe(exc)})") from None
        self._pool = pool_module.ConnectionPool(url, min_size=1, max_size=max(1, pool_max), kwargs=options,
                                                timeout=POOL_TIMEOUT, open=False, name="iletimerkezi-ledger",
                                                check=pool_module.ConnectionPool.check_connection)
        try:
            self._pool.open(wait=False)
            with self._writing() as tx:
                self._purge(tx, self._clock())
                tx.run("INSERT INTO meta (key, value) VALUES ('opened_at', ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(self._clock()),))
        except Exception as exc:
            self._pool.close()
            raise LedgerOpenError(f"{self._location} cannot be written ({self._describe(exc)})") from None

    @property
    def location(self) -> str:
        return self._location

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._pool.close()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Transaction]:
        with self._pool.connection() as conn:
            try:
                conn.execute(f"SELECT pg_advisory_xact_lock({LOCK_CLASS}, {WRITE_LOCK})")  # released at the end
                tx = Transaction(self._runner(conn))
                yield tx
                if tx.keep:
                    conn.commit()
                else:
                    conn.rollback()
            except BaseException:
                with contextlib.suppress(Exception):
                    conn.rollback()
                raise

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Transaction]:
        with self._pool.connection() as conn:
            try:
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")  # one snapshot for the block
                yield Transaction(self._runner(conn))
            finally:
                with contextlib.suppress(Exception):
                    conn.rollback()

    @staticmethod
    def _runner(conn: Any) -> Callable[[str, Sequence[object]], Any]:
        def run(sql: str, args: Sequence[object]) -> Any:
            return conn.execute(sql.replace("?", "%s"), tuple(args))  # the shared SQL's placeholders
        return run

    def _inserted_id(self, tx: Transaction, sql: str, args: Sequence[object]) -> int:
        return int(tx.run(sql + " RETURNING id", args).fetchone()[0])

    def _describe(self, exc: BaseException) -> str:
        """One line, never the password (libpq may quote a malformed conninfo back)."""
        text = " ".join(describe(exc).split())
        for secret in self._scrub_values:
            text = text.replace(secret, "***")
        return text


__all__ = ["PostgresLedger", "passwords_in", "redacted"]
