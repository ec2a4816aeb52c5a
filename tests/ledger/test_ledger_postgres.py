"""The PostgreSQL ledger: the SQLite ledger's behaviour, shared by replicas, and a password never shown.

The budget, duplicate and history test files also run on PostgreSQL (their `ledger` fixture is
parametrized); these are the rest. The server comes from pg_server.py.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from ledger_support import NO_BUDGETS, NOW, number, other_write, sms
from pg_server import PASSWORD, fresh_url
from pydantic import SecretStr

from iletimerkezi_mcp.ledger import (
    Budgets,
    Ledger,
    NeedsConfirmation,
    Reserved,
    SqliteLedger,
    Stopped,
    UnavailableLedger,
    open_configured,
    open_ledger,
)
from iletimerkezi_mcp.ledger.pg_schema import PG_SCHEMA, PG_SCHEMA_VERSION
from iletimerkezi_mcp.ledger.postgres import PostgresLedger
from iletimerkezi_mcp.settings import Settings

psycopg = pytest.importorskip("psycopg", reason="psycopg is in the dev group (uv sync)")

USED = Stopped("the confirmation_token was already used; a new token is needed")


@pytest.fixture
def url() -> str:
    return fresh_url()  # pg_server.py: this process's throwaway server, with the ledger's schema dropped


def opened(url: str, at: float = NOW, retention_days: int = 90) -> PostgresLedger:
    return PostgresLedger(url, retention_days=retention_days, clock=lambda: at, pool_max=2)


@pytest.fixture
def ledger(url: str) -> Iterator[PostgresLedger]:
    ledger = opened(url)
    yield ledger
    ledger.close()


def transcript(ledger: Ledger) -> list[object]:
    """A run through budgets, the hard stop, duplicates, tokens, settling and history."""
    said: list[object] = []
    budgets = Budgets(hour=5, day=8, hard_day=10)
    for i in range(4):
        result = ledger.reserve(sms([number(i)], text=f"t{i}", credits=2), budgets, confirmation="not-needed",
                                now=NOW - 900 + i)
        said.append(type(result).__name__)
        if isinstance(result, Reserved):
            ledger.settle(result.row_id, "sent" if i % 2 == 0 else "unknown", order_id=f"5000{i}", now=NOW - 800)
    said.append(ledger.assess(sms([number(1)], text="t1", credits=1), budgets, now=NOW))
    said.append(ledger.reserve(sms([number(9)], text="x", credits=5), budgets, confirmation="elicitation", now=NOW))
    said.append(ledger.reserve(sms([number(1)], text="t1", credits=1), NO_BUDGETS, confirmation="not-needed",
                               now=NOW))
    token = ("aa" * 16, NOW + 300)
    said.append(type(ledger.reserve(sms([number(7)], text="y"), NO_BUDGETS, confirmation="token", token=token,
                                    now=NOW)).__name__)
    said.append(ledger.reserve(sms([number(7)], text="z"), NO_BUDGETS, confirmation="token", token=token, now=NOW))
    said.append(type(ledger.reserve(sms([number(8)], dry_run=True), budgets, confirmation="not-needed",
                                    now=NOW)).__name__)
    said.append(type(ledger.reserve(other_write(recipients=[number(3)]), budgets, confirmation="not-needed",
                                    now=NOW)).__name__)
    rows, total = ledger.history(limit=3, offset=1)
    said.append((total, [(r.tool, r.outcome, r.dry_run, r.recipients_masked, r.credits, r.order_id) for r in rows]))
    said.append(ledger.history(outcome="unknown", since=NOW - 1000)[1])
    return said


def test_it_behaves_like_the_sqlite_ledger(ledger: PostgresLedger, tmp_path: Path) -> None:
    sqlite = SqliteLedger(tmp_path / "ledger.sqlite3", clock=lambda: NOW)
    try:
        expected = transcript(sqlite)
    finally:
        sqlite.close()
    assert transcript(ledger) == expected
    assert expected[:4] == ["Reserved", "Reserved", "NeedsConfirmation", "NeedsConfirmation"]  # a real run
    assert ledger.problem is None


def test_old_rows_are_purged_on_reserve_and_on_open(url: str) -> None:
    early = opened(url, NOW - 3 * 86400, retention_days=1)
    early.reserve(sms([number(1)]), NO_BUDGETS, confirmation="elicitation")
    early.reserve(sms([number(2)]), NO_BUDGETS, confirmation="elicitation", now=NOW - 10)
    early.close()
    later = opened(url, NOW, retention_days=1)
    assert [row.at for row in later.history()[0]] == [NOW - 10]
    later.reserve(sms([number(3)]), NO_BUDGETS, confirmation="elicitation", now=NOW + 2 * 86400)
    assert later.history()[1] == 1
    later.close()


def test_two_replicas_share_tokens_secrets_and_spending(url: str) -> None:
    first, second = opened(url), opened(url)
    try:
        assert first.secret("confirmation") == second.secret("confirmation")
        token = ("0f" * 16, NOW + 300)
        assert isinstance(first.reserve(sms(), NO_BUDGETS, confirmation="token", token=token, now=NOW), Reserved)
        assert second.reserve(sms(), NO_BUDGETS, confirmation="token", token=token, now=NOW + 1) == USED
        assert isinstance(second.assess(sms(), NO_BUDGETS, now=NOW + 2).reasons[0], str)  # first's send is seen
    finally:
        first.close()
        second.close()


def test_racing_unconfirmed_sends_on_two_replicas_never_pass_a_budget(url: str) -> None:
    replicas = [opened(url), opened(url)]
    budget = Budgets(hour=7, day=None, hard_day=None)
    results: list[object] = []
    start = threading.Barrier(16)

    def send(i: int) -> None:
        start.wait()
        record = sms([number(100 + i)], text=f"race {i}", credits=1)
        results.append(replicas[i % 2].reserve(record, budget, confirmation="not-needed", now=NOW))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert sum(isinstance(r, Reserved) for r in results) == 7
        assert sum(isinstance(r, NeedsConfirmation) for r in results) == 9
        assert replicas[0].history()[1] == 7
    finally:
        for replica in replicas:
            replica.close()


def test_replicas_starting_together_migrate_once(url: str) -> None:
    ledgers: list[PostgresLedger] = []
    start = threading.Barrier(4)

    def open_one() -> None:
        start.wait()
        ledgers.append(opened(url))

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ledgers) == 4 and all(ledger.problem is None for ledger in ledgers)
    for ledger in ledgers:
        ledger.close()
    with psycopg.connect(url) as conn:
        assert conn.execute(f"SELECT version FROM {PG_SCHEMA}.schema_version").fetchall() == [(PG_SCHEMA_VERSION,)]


def test_a_newer_schema_is_not_touched(url: str) -> None:
    opened(url).close()
    with psycopg.connect(url) as conn:
        conn.execute(f"UPDATE {PG_SCHEMA}.schema_version SET version = 99")
    ledger = open_ledger(Path("unused"), database_url=url)
    assert isinstance(ledger, UnavailableLedger) and "newer iletimerkezi-mcp (schema version 99" in str(ledger.problem)


def assert_hidden(*texts: object) -> None:
    for text in texts:
        assert PASSWORD not in str(text)


def test_an_unreachable_database_confirms_every_write_and_hides_the_password(
        caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://someone:{PASSWORD}@127.0.0.1:{port}/ledger"
    with caplog.at_level(logging.DEBUG):
        ledger = open_configured(Settings(database_url=SecretStr(url)))
        assert isinstance(ledger, UnavailableLedger)
        assert ledger.location == f"postgresql://someone@127.0.0.1:{port}/ledger"
        assert "cannot be opened" in str(ledger.problem) and "someone@127.0.0.1" in str(ledger.problem)
        needs = ledger.reserve(sms(), NO_BUDGETS, confirmation="not-needed")
        assert isinstance(needs, NeedsConfirmation) and "send ledger is unavailable" in needs.reasons[0]
    assert_hidden(ledger.problem, ledger.location, needs, caplog.text, *(r.getMessage() for r in caplog.records))
    for broken in (f"postgresql://u:{PASSWORD}@127.0.0.1:notaport/x", f"host=127.0.0.1 port=x password={PASSWORD}"):
        odd = open_ledger(Path("unused"), database_url=broken)
        assert isinstance(odd, UnavailableLedger)
        assert_hidden(odd.problem, odd.location, caplog.text)


def test_a_database_failing_at_runtime_confirms_and_hides_the_password(
        ledger: PostgresLedger, url: str, caplog: pytest.LogCaptureFixture) -> None:
    ledger.secret("numbers")
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA {PG_SCHEMA} CASCADE")
    with caplog.at_level(logging.DEBUG):
        needs = ledger.reserve(sms(), NO_BUDGETS, confirmation="not-needed", now=NOW)
        token = ("77" * 16, NOW + 300)
        assert isinstance(ledger.reserve(sms(), NO_BUDGETS, confirmation="token", token=token, now=NOW), Reserved)
        assert ledger.reserve(sms(), NO_BUDGETS, confirmation="token", token=token, now=NOW) == USED
    assert isinstance(needs, NeedsConfirmation) and "recording a write" in needs.reasons[0]
    assert ledger.problem is not None and ledger.location in ledger.problem
    assert ledger.history() == ([], 0)
    assert_hidden(ledger.problem, needs, caplog.text, *(r.getMessage() for r in caplog.records))


def test_selection_follows_the_database_url(url: str, tmp_path: Path) -> None:
    chosen = open_configured(Settings(data_dir=tmp_path, database_url=SecretStr(url)))
    assert isinstance(chosen, PostgresLedger) and PASSWORD not in chosen.location
    chosen.close()
    default = open_configured(Settings(data_dir=tmp_path))
    assert isinstance(default, SqliteLedger)
    default.close()


def test_nothing_imports_psycopg_without_a_database_url() -> None:
    code = ("import sys, tempfile, pathlib, iletimerkezi_mcp.ledger as l; "
            "l.open_ledger(pathlib.Path(tempfile.mkdtemp()) / 'l.sqlite3').close(); "
            "print(any(m.split('.')[0] in ('psycopg', 'psycopg_pool') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"

