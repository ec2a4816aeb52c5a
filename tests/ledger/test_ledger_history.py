"""Settling outcomes, reading the history back, retention, and the masking of numbers."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from ledger_support import BACKENDS, NO_BUDGETS, NOW, number, open_at, open_backend, other_write, sms

from iletimerkezi_mcp.ledger import Reserved, SqliteLedger, mask_number


@pytest.fixture(params=BACKENDS)
def ledger(request: pytest.FixtureRequest, tmp_path: Path):
    ledger = open_backend(request, tmp_path)
    yield ledger
    ledger.close()


def reserve(ledger: SqliteLedger, record, at: float, confirmation: str = "not-needed") -> int:
    result = ledger.reserve(record, NO_BUDGETS, confirmation=confirmation, now=at)  # type: ignore[arg-type]
    assert isinstance(result, Reserved) and result.row_id is not None
    return result.row_id


@pytest.mark.parametrize(("raw", "masked"), [
    ("905321234533", "+90 53* *** ** 33"),
    ("+90 532 123 45 33", "+90 53* *** ** 33"),
    ("05321234533", "+90 53* *** ** 33"),
    ("5321234533", "+90 53* *** ** 33"),
    ("4915112345678", "***********78"),
    ("12345", "*****"),
    ("", "?"),
])
def test_mask_number(raw: str, masked: str) -> None:
    assert mask_number(raw) == masked


def test_settle_records_the_outcome(ledger: SqliteLedger) -> None:
    sent = reserve(ledger, sms([number(1)], text="a"), NOW)
    refused = reserve(ledger, sms([number(2)], text="b"), NOW + 1)
    unknown = reserve(ledger, sms([number(3)], text="c"), NOW + 2)
    ledger.settle(sent, "sent", order_id="50000123", now=NOW + 5)
    ledger.settle(refused, "refused", code=401, now=NOW + 6)
    ledger.settle(unknown, "unknown", now=NOW + 7)
    ledger.settle(None, "sent")  # an unavailable ledger's row: nothing to do
    rows = {row.id: row for row in ledger.history()[0]}
    assert (rows[sent].outcome, rows[sent].order_id, rows[sent].code, rows[sent].settled_at) == (
        "sent", "50000123", None, NOW + 5)
    assert (rows[refused].outcome, rows[refused].code, rows[refused].order_id) == ("refused", 401, None)
    assert (rows[unknown].outcome, rows[unknown].settled_at) == ("unknown", NOW + 7)


def test_settle_refuses_a_bad_outcome_and_leaves_dry_runs_alone(ledger: SqliteLedger,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    row = reserve(ledger, sms([number(1)]), NOW)
    dry = reserve(ledger, sms([number(2)], dry_run=True), NOW)
    with caplog.at_level(logging.WARNING):
        ledger.settle(row, "dry-run")
        ledger.settle(row, "bogus")  # type: ignore[arg-type]
    assert "cannot settle write" in caplog.text
    ledger.settle(dry, "sent", order_id="1")
    rows = {r.id: r for r in ledger.history()[0]}
    assert rows[row].outcome == "pending" and rows[dry].outcome == "dry-run" and rows[dry].order_id is None


def test_history_rows_carry_what_was_done(ledger: SqliteLedger) -> None:
    numbers = [number(i) for i in range(25)]
    reserve(ledger, sms(numbers, text="Kampanya", parts=2, binding="sandbox", actor="ayse"), NOW, "elicitation")
    rows, total = ledger.history()
    assert total == 1
    row = rows[0]
    assert (row.tool, row.binding, row.sandbox, row.dry_run, row.recipient_count, row.parts, row.credits,
            row.confirmation, row.outcome, row.text, row.actor, row.at, row.settled_at) == (
        "send_sms", "sandbox", True, False, 25, 2, 50, "elicitation", "pending", "Kampanya", "ayse", NOW, None)
    assert row.recipients_masked == [mask_number(n) for n in numbers[:10]]
    reserve(ledger, other_write(recipients=[number(1)]), NOW + 1)
    blacklist = ledger.history(limit=1)[0][0]
    assert (blacklist.text, blacklist.parts, blacklist.recipients_masked) == (None, 0, ["+90 53* *** ** 01"])


def test_history_filters_pages_and_totals(ledger: SqliteLedger) -> None:
    ids = []
    for i in range(12):
        tool = "send_sms" if i % 3 else "cancel_order"
        record = sms([number(i)], text=f"m{i}") if tool == "send_sms" else other_write(tool)
        ids.append(reserve(ledger, record, NOW + i * 60))
        if i % 2:
            ledger.settle(ids[-1], "sent")
    rows, total = ledger.history()
    assert total == 12 and [r.id for r in rows] == ids[::-1]  # newest first
    page, total = ledger.history(limit=5, offset=5)
    assert total == 12 and [r.id for r in page] == ids[::-1][5:10]
    assert ledger.history(limit=5, offset=10)[0] == [r for r in rows[10:]]
    assert ledger.history(since=NOW + 6 * 60)[1] == 6
    assert ledger.history(tool="cancel_order")[1] == 4
    sent, total = ledger.history(outcome="sent", tool="send_sms", limit=2)
    assert total == 4 and [r.id for r in sent] == [ids[11], ids[7]]
    assert ledger.history(tool="nothing") == ([], 0)
    assert ledger.history(limit=0) == ([], 12)


def test_old_rows_are_purged_on_reserve_and_on_open(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    ledger = open_at(path, retention_days=2)
    reserve(ledger, sms([number(i) for i in range(50)], text="old"), NOW - 3 * 86400)
    reserve(ledger, sms([number(1)], text="recent"), NOW - 86400)
    assert ledger.history()[1] == 2  # the old one goes when a write is reserved
    reserve(ledger, other_write(), NOW)
    assert [r.text for r in ledger.history()[0]] == [None, "recent"]
    with sqlite3.connect(path) as db:  # no per-number hashes are kept at all: the content key does the matching
        assert db.execute("SELECT count(*) FROM write_numbers").fetchone()[0] == 0
    ledger.close()

    later = open_at(path, NOW + 86400 + 1, retention_days=2)  # opening purges too
    assert [r.text for r in later.history()[0]] == [None]
    later.close()
    empty = open_at(path, NOW + 5 * 86400, retention_days=2)
    assert empty.history() == ([], 0)
    empty.close()
