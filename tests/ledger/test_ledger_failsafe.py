"""A ledger that cannot work says why and has every write confirmed; a corrupt file is moved aside."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import pytest
from corrupt_files import CORRUPT, make_corrupt
from ledger_support import NO_BUDGETS, NOW, number, open_at, sms

from iletimerkezi_mcp.ledger import (
    Assessment,
    Budgets,
    NeedsConfirmation,
    Reserved,
    SqliteLedger,
    Stopped,
    UnavailableLedger,
    open_ledger,
)

RECORD = sms([number(1)])


def unavailable_reason(ledger) -> str:
    return f"the send ledger is unavailable ({ledger.problem}), so every write is confirmed"


def assert_unavailable(ledger, *, mentions: str) -> None:
    assert isinstance(ledger, UnavailableLedger)
    assert ledger.problem is not None and mentions in ledger.problem
    reason = unavailable_reason(ledger)
    assert ledger.assess(RECORD, NO_BUDGETS, now=NOW) == Assessment(reasons=[reason], stop=None)
    assert ledger.reserve(RECORD, NO_BUDGETS, confirmation="not-needed", now=NOW) == NeedsConfirmation([reason])
    assert ledger.reserve(RECORD, NO_BUDGETS, confirmation="elicitation", now=NOW) == Reserved(None)
    token = ("ab" * 16, NOW + 300)
    assert ledger.reserve(RECORD, NO_BUDGETS, confirmation="token", token=token, now=NOW) == Reserved(None)
    assert isinstance(ledger.reserve(RECORD, NO_BUDGETS, confirmation="token", token=token, now=NOW), Stopped)
    assert ledger.reserve(sms(dry_run=True), NO_BUDGETS, confirmation="not-needed", now=NOW) == Reserved(None)
    ledger.settle(None, "sent")
    ledger.settle(1, "sent")
    assert ledger.history() == ([], 0)
    key = ledger.secret("confirmation")
    assert len(key) == 32 and ledger.secret("confirmation") == key
    ledger.close()


def test_sqlite_refusing_to_open_gives_an_unavailable_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    def refuse(*args: object, **kwargs: object) -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(sqlite3, "connect", refuse)
    path = tmp_path / "ledger.sqlite3"
    with caplog.at_level(logging.WARNING):
        ledger = open_ledger(path)
    assert ledger.location == str(path)
    assert "send ledger unavailable" in caplog.text
    assert_unavailable(ledger, mentions="unable to open database file")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores directory permissions")
@pytest.mark.parametrize("existing", [False, True])
def test_a_read_only_data_dir(tmp_path: Path, existing: bool) -> None:
    data = tmp_path / "data"
    data.mkdir()
    if existing:
        SqliteLedger(data / "ledger.sqlite3").close()
    data.chmod(0o500)
    try:
        assert_unavailable(open_ledger(data / "ledger.sqlite3"), mentions="not writable")
    finally:
        data.chmod(0o700)


def test_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder")
    assert_unavailable(open_ledger(tmp_path / "data" / "ledger.sqlite3"), mentions="cannot be created")


@pytest.mark.parametrize("case", ["directory", "fifo", "symlink-to-fifo", "symlink-to-directory", "dangling-symlink"])
def test_something_else_in_its_place_is_left_alone(tmp_path: Path, case: str) -> None:
    path = tmp_path / "ledger.sqlite3"
    make_corrupt(path, case)
    ledger = open_ledger(path)  # a FIFO must not block
    assert_unavailable(ledger, mentions=str(path))
    assert os.path.lexists(path) and not list(tmp_path.glob("*.corrupt-*"))


@pytest.mark.parametrize("case", ["random-bytes", "text", *[c for c in ("invalid-utf8", "truncated-json", "nan",
                                                                      "huge") if c in CORRUPT]])
def test_a_file_that_is_not_a_database_is_moved_aside(tmp_path: Path, case: str,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "ledger.sqlite3"
    if case == "random-bytes":
        path.write_bytes(os.urandom(8192))
        path.with_name(path.name + "-wal").write_bytes(os.urandom(100))
    elif case == "text":
        path.write_text("these are my notes, not a database\n" * 50)
    else:
        make_corrupt(path, case)
    before = path.read_bytes() if case != "huge" else None
    with caplog.at_level(logging.WARNING):
        ledger = open_ledger(path, clock=lambda: NOW)
    assert isinstance(ledger, SqliteLedger) and ledger.problem is None
    aside = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert len(aside) == 1 and "moved it aside" in caplog.text
    if before is not None:
        assert aside[0].read_bytes() == before  # kept, never emptied
    if case == "random-bytes":
        assert aside[0].with_name(aside[0].name + "-wal").exists()
    assert isinstance(ledger.reserve(RECORD, NO_BUDGETS, confirmation="not-needed", now=NOW), Reserved)
    assert ledger.history()[1] == 1
    ledger.close()


def test_a_damaged_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    ledger = open_at(path)
    for i in range(30):
        ledger.reserve(sms([number(i)], text=f"row {i} " * 400), NO_BUDGETS, confirmation="elicitation", now=NOW)
    ledger.close()
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    data[2 * page:len(data) - page] = os.urandom(len(data) - 3 * page)  # keep the header, wreck the pages
    path.write_bytes(bytes(data))
    fresh = open_ledger(path, clock=lambda: NOW)
    assert isinstance(fresh, SqliteLedger) and fresh.history() == ([], 0)
    assert len(list(tmp_path.glob("ledger.sqlite3.corrupt-*"))) == 1
    fresh.close()


def test_an_empty_file_is_simply_a_new_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    path.touch()
    ledger = open_ledger(path)
    assert isinstance(ledger, SqliteLedger) and not list(tmp_path.glob("*.corrupt-*"))
    ledger.close()


def test_a_newer_schema_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    open_at(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    assert_unavailable(open_ledger(path), mentions="newer iletimerkezi-mcp (schema version 99")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 99
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_another_programs_database_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
    assert_unavailable(open_ledger(path), mentions="another program's SQLite database")


def test_a_full_disk_at_runtime_never_raises(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    ledger = open_at(tmp_path / "ledger.sqlite3")
    ledger.secret("numbers")
    pages = ledger._db.execute("PRAGMA page_count").fetchone()[0]
    ledger._db.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow: SQLITE_FULL
    big = sms([number(i) for i in range(30)], text="big " * 50_000, credits=1)  # a row the file has no room for
    with caplog.at_level(logging.WARNING):
        unconfirmed = ledger.reserve(big, NO_BUDGETS, confirmation="not-needed", now=NOW)
    assert ledger.problem is not None and "full" in ledger.problem
    assert unconfirmed == NeedsConfirmation([unavailable_reason(ledger)])
    assert "every write is confirmed" in caplog.text
    assert ledger.reserve(big, NO_BUDGETS, confirmation="elicitation", now=NOW) == Reserved(None)
    assert ledger.assess(big, Budgets(hour=None, day=None, hard_day=None), now=NOW).reasons == []  # reads still work
    ledger._db.execute("PRAGMA max_page_count = 1073741823")
    result = ledger.reserve(big, NO_BUDGETS, confirmation="not-needed", now=NOW)
    assert isinstance(result, Reserved) and result.row_id is not None and ledger.problem is None
    ledger.close()


def test_a_closed_ledger_never_raises(tmp_path: Path) -> None:
    ledger = open_at(tmp_path / "ledger.sqlite3")
    ledger.close()
    assert isinstance(ledger.reserve(RECORD, NO_BUDGETS, confirmation="not-needed", now=NOW), NeedsConfirmation)
    assert ledger.reserve(RECORD, NO_BUDGETS, confirmation="elicitation", now=NOW) == Reserved(None)
    assert ledger.assess(RECORD, NO_BUDGETS, now=NOW).reasons == [unavailable_reason(ledger)]
    assert ledger.history() == ([], 0)
    ledger.settle(1, "sent")
    assert len(ledger.secret("confirmation")) == 32


def test_a_bad_record_never_raises(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    ledger = open_at(tmp_path / "ledger.sqlite3")
    broken = sms([12345])  # type: ignore[list-item]
    with caplog.at_level(logging.WARNING):
        assert isinstance(ledger.reserve(broken, NO_BUDGETS, confirmation="not-needed", now=NOW), NeedsConfirmation)
    assert "Traceback" in caplog.text or caplog.records[-1].exc_info  # a bug shows where it is
    assert isinstance(ledger.reserve(RECORD, NO_BUDGETS, confirmation="not-needed", now=NOW), Reserved)
    assert ledger.problem is None
    ledger.close()


def test_a_token_spent_while_the_file_failed_stays_spent_when_it_works_again(tmp_path: Path) -> None:
    ledger = open_at(tmp_path / "ledger.sqlite3")
    ledger.secret("numbers")
    pages = ledger._db.execute("PRAGMA page_count").fetchone()[0]
    ledger._db.execute(f"PRAGMA max_page_count = {pages}")  # the next row does not fit
    big = sms([number(1)], text="big " * 50_000, credits=1)
    token = ("a" * 32, NOW + 300)
    assert ledger.reserve(big, NO_BUDGETS, confirmation="token", token=token, now=NOW) == Reserved(None)
    ledger._db.execute("PRAGMA max_page_count = 1073741823")  # the file works again
    again = ledger.reserve(big, NO_BUDGETS, confirmation="token", token=token, now=NOW + 1)
    assert isinstance(again, Stopped) and "already used" in again.reason
    ledger.close()
