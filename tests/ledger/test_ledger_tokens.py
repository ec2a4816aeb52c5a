"""Single-use confirmation tokens and the keys the ledger keeps, across instances on one file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ledger_support import NO_BUDGETS, NOW, number, open_at, sms

from iletimerkezi_mcp.ledger import NeedsConfirmation, Reserved, Stopped

USED = Stopped("the confirmation_token was already used; a new token is needed")


def test_a_token_is_spent_once_across_instances(tmp_path: Path) -> None:
    first = open_at(tmp_path / "ledger.sqlite3")
    second = open_at(tmp_path / "ledger.sqlite3")
    token = ("0f" * 16, NOW + 300)
    record = sms([number(1)])
    assert isinstance(first.reserve(record, NO_BUDGETS, confirmation="token", token=token, now=NOW), Reserved)
    assert first.reserve(record, NO_BUDGETS, confirmation="token", token=token, now=NOW + 1) == USED
    assert second.reserve(record, NO_BUDGETS, confirmation="token", token=token, now=NOW + 2) == USED
    other = ("1e" * 16, NOW + 300)
    assert isinstance(second.reserve(record, NO_BUDGETS, confirmation="token", token=other, now=NOW + 3), Reserved)
    assert first.history()[1] == 2
    first.close()
    second.close()


def test_an_unconfirmed_refusal_spends_no_token(tmp_path: Path) -> None:
    ledger = open_at(tmp_path / "ledger.sqlite3")
    ledger.reserve(sms([number(1)], text="x"), NO_BUDGETS, confirmation="not-needed", now=NOW)
    token = ("2d" * 16, NOW + 300)
    refused = ledger.reserve(sms([number(1)], text="x"), NO_BUDGETS, confirmation="not-needed", token=token,
                             now=NOW + 1)
    assert isinstance(refused, NeedsConfirmation)
    assert isinstance(ledger.reserve(sms([number(1)], text="x"), NO_BUDGETS, confirmation="token", token=token,
                                     now=NOW + 2), Reserved)
    ledger.close()


def test_expired_tokens_are_pruned_after_a_grace_hour(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    ledger = open_at(path)
    record = sms([number(1)])
    ledger.reserve(record, NO_BUDGETS, confirmation="token", token=("3c" * 16, NOW + 300), now=NOW)
    ledger.reserve(record, NO_BUDGETS, confirmation="token", token=("4b" * 16, NOW + 4000), now=NOW + 3000)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM spent_tokens").fetchone()[0] == 2
    ledger.reserve(record, NO_BUDGETS, confirmation="token", token=("5a" * 16, NOW + 5000), now=NOW + 3901)
    with sqlite3.connect(path) as db:
        assert sorted(r[0] for r in db.execute("SELECT mac FROM spent_tokens")) == ["4b" * 16, "5a" * 16]
    ledger.close()


def test_secrets_are_created_once_and_shared(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    first = open_at(path)
    second = open_at(path)
    key = first.secret("confirmation")
    assert len(key) == 32 and second.secret("confirmation") == key
    assert first.secret("numbers") != key and len(first.secret("numbers")) == 32
    first.close()
    second.close()
    reopened = open_at(path)
    assert reopened.secret("confirmation") == key and reopened.problem is None
    reopened.close()
