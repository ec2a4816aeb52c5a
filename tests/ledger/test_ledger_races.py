"""Processes racing on one ledger file (spawned, so each child opens its own SqliteLedger)."""

from __future__ import annotations

import multiprocessing
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import ledger_race_workers as workers
import pytest
from ledger_support import NO_BUDGETS, NOW, number, open_at, sms

from iletimerkezi_mcp.ledger import Reserved, Stopped

CONTEXT = multiprocessing.get_context("spawn")


@pytest.fixture(autouse=True)
def light_children(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spawned children re-run the parent's main script unless it has no __file__: under pytest that is
    pytest's own entry point, about a second of imports per child. They need none of it."""
    monkeypatch.delattr(sys.modules["__main__"], "__file__", raising=False)


def run(target: Any, argsets: list[tuple[Any, ...]], expected: int) -> list[Any]:
    """Start one child per argument tuple (plus a shared barrier and queue); collect `expected` results."""
    barrier = CONTEXT.Barrier(len(argsets))
    results = CONTEXT.Queue()
    children = [CONTEXT.Process(target=target, args=(*args, barrier, results)) for args in argsets]
    started = time.perf_counter()
    for child in children:
        child.start()
    try:
        found = [results.get(timeout=60) for _ in range(expected)]
    finally:
        for child in children:
            child.join(timeout=60)
    print(f"{len(children)} processes: {time.perf_counter() - started:.2f} s")  # shown with -s
    assert all(child.exitcode == 0 for child in children)
    return found


def test_one_token_raced_by_eight_processes_is_used_once(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    open_at(path).close()
    mac = "7e" * 16
    outcomes = run(workers.spend_token, [(str(path), mac)] * 8, expected=8)
    assert sorted(name for _, name, _ in outcomes) == ["Reserved"] + ["Stopped"] * 7
    ledger = open_at(path)
    assert ledger.history()[1] == 1
    ledger.close()


def test_ten_processes_spending_ten_tokens_on_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "ledger.sqlite3"  # the children race to create it, too
    macs = [f"{i:02x}" * 16 for i in range(10)]
    outcomes = run(workers.spend_token, [(str(path), mac) for mac in macs], expected=10)
    assert sorted(name for _, name, _ in outcomes) == ["Reserved"] * 10
    assert len({key for _, _, key in outcomes}) == 1  # every process read the same confirmation key
    fresh = open_at(path)
    for mac in macs:
        again = fresh.reserve(sms([number(9)]), NO_BUDGETS, confirmation="token", token=(mac, NOW + 300), now=NOW)
        assert again == Stopped("the confirmation_token was already used; a new token is needed")
    assert fresh.secret("confirmation").hex() == outcomes[0][2]
    fresh.close()


def test_processes_opening_new_files_together_all_succeed(tmp_path: Path) -> None:
    """Two clients starting on a fresh data dir: SQLite refuses the switch to WAL at once (no busy wait)
    while another process is opening the file; connect must wait for it, not fail."""
    outcomes = run(workers.open_fresh_files, [(str(tmp_path), 15)] * 8, expected=8)
    assert outcomes == [[]] * 8


def test_unconfirmed_sends_racing_against_a_budget_never_exceed_it(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    open_at(path).close()
    attempts = 3
    outcomes = run(workers.spend_budget, [(str(path), worker, attempts) for worker in range(4)],
                   expected=4 * attempts)
    reserved = [name for _, name in outcomes if name == Reserved.__name__]
    assert len(reserved) == 3  # 3 × 3 credits fit in 10; a fourth would make 12
    with sqlite3.connect(path) as db:
        spent = db.execute("SELECT coalesce(sum(credits), 0) FROM writes "
                           "WHERE confirmation = 'not-needed' AND outcome = 'pending'").fetchone()[0]
    assert spent == 9 <= 10
