"""Rolling budgets and the hard daily stop, within one instance and across instances on one file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from ledger_support import BACKENDS, NO_BUDGETS, NOW, ORIGIN, number, open_at, open_backend, other_write, sms

from iletimerkezi_mcp.ledger import Budgets, NeedsConfirmation, Reserved, SqliteLedger, Stopped
from iletimerkezi_mcp.sms import ISTANBUL

HOURLY = Budgets(hour=10, day=None, hard_day=None)
DAILY = Budgets(hour=None, day=20, hard_day=None)


@pytest.fixture(params=BACKENDS)
def ledger(request: pytest.FixtureRequest, tmp_path: Path):
    ledger = open_backend(request, tmp_path)
    yield ledger
    ledger.close()


def spend(ledger: SqliteLedger, credits: int, at: float, *, tag: str = "", outcome: str | None = "sent",
          binding: str = ORIGIN, dry_run: bool = False) -> int | None:
    record = sms([number(int(at) % 10_000)], text=f"spend {tag}{at}", credits=credits, binding=binding,
                 dry_run=dry_run)
    result = ledger.reserve(record, NO_BUDGETS, confirmation="elicitation", now=at)
    assert isinstance(result, Reserved) and result.row_id is not None
    if outcome is not None and not dry_run:
        ledger.settle(result.row_id, outcome, order_id="50000001", now=at)  # type: ignore[arg-type]
    return result.row_id


def test_hourly_budget_is_crossed_only_over_the_limit(ledger: SqliteLedger) -> None:
    for i in range(4):
        spend(ledger, 2, NOW - 600 + i)  # 8 credits in the last hour
    assert ledger.assess(sms([number(900)], credits=2), HOURLY, now=NOW).reasons == []  # exactly 10
    over = ledger.assess(sms([number(900)], credits=3), HOURLY, now=NOW)
    assert over.stop is None and len(over.reasons) == 1
    assert over.reasons[0].startswith("it would take the last hour's spending to 11 credits, over the hourly "
                                      "budget of 10 (ILETIMERKEZI_BUDGET_HOUR): 8 credits already went out in 4 sends")

    unconfirmed = ledger.reserve(sms([number(900)], credits=3), HOURLY, confirmation="not-needed", now=NOW)
    assert unconfirmed == NeedsConfirmation(over.reasons)
    assert ledger.history()[1] == 4  # nothing stored
    confirmed = ledger.reserve(sms([number(900)], credits=3), HOURLY, confirmation="elicitation", now=NOW)
    assert isinstance(confirmed, Reserved) and confirmed.row_id is not None


def test_the_reason_names_the_spending_and_the_latest_send(ledger: SqliteLedger) -> None:
    at = datetime(2026, 5, 28, 14, 5, tzinfo=ISTANBUL).timestamp()
    for i in range(27):
        spend(ledger, 2, at - (26 - i) * 60)
    latest = ledger.history(limit=1)[0][0]
    ledger.settle(latest.id, "sent", order_id="50000123", now=at)
    reasons = ledger.assess(sms([number(999)], credits=2), Budgets(hour=50, day=None, hard_day=None),
                            now=at + 60).reasons
    assert reasons == [
        "it would take the last hour's spending to 56 credits, over the hourly budget of 50 "
        "(ILETIMERKEZI_BUDGET_HOUR): 54 credits already went out in 27 sends, the latest at 14:05 today "
        "(send_sms, 2 credits to 1 recipient, order 50000123)"]


def test_a_first_send_over_the_budget_says_nothing_went_out(ledger: SqliteLedger) -> None:
    reasons = ledger.assess(sms([number(1)], credits=12), HOURLY, now=NOW).reasons
    assert reasons == ["it would take the last hour's spending to 12 credits, over the hourly budget of 10 "
                       "(ILETIMERKEZI_BUDGET_HOUR): nothing went out in that window before this write of 12 credits"]


def test_daily_budget_counts_the_last_24_hours_only(ledger: SqliteLedger) -> None:
    spend(ledger, 9, NOW - 86400)  # exactly 24 h ago: outside the window
    spend(ledger, 9, NOW - 90000)
    spend(ledger, 9, NOW - 86399)  # inside
    spend(ledger, 9, NOW - 7200)
    assert ledger.assess(sms([number(900)], credits=2), DAILY, now=NOW).reasons == []
    reasons = ledger.assess(sms([number(900)], credits=3), DAILY, now=NOW).reasons
    assert len(reasons) == 1
    assert reasons[0].startswith("it would take the last 24 hours' spending to 21 credits, over the daily budget "
                                 "of 20 (ILETIMERKEZI_BUDGET_DAY): 18 credits already went out in 2 sends")


def test_rows_outside_the_hour_do_not_count_towards_it(ledger: SqliteLedger) -> None:
    spend(ledger, 9, NOW - 3600)  # exactly an hour ago: outside
    spend(ledger, 9, NOW - 5000)
    assert ledger.assess(sms([number(900)], credits=10), HOURLY, now=NOW).reasons == []
    spend(ledger, 1, NOW - 3599)
    assert len(ledger.assess(sms([number(900)], credits=10), HOURLY, now=NOW).reasons) == 1


@pytest.mark.parametrize("outcome", ["refused", "failed"])
def test_refused_and_failed_writes_do_not_count(ledger: SqliteLedger, outcome: str) -> None:
    spend(ledger, 9, NOW - 60, outcome=outcome)
    assert ledger.assess(sms([number(900)], credits=10), HOURLY, now=NOW).reasons == []


def test_dry_runs_do_not_count_and_reserve_without_checks(ledger: SqliteLedger) -> None:
    spend(ledger, 50, NOW - 60, dry_run=True)
    assert ledger.assess(sms([number(900)], credits=10), HOURLY, now=NOW).reasons == []
    big = sms([number(900)], credits=500, dry_run=True)
    result = ledger.reserve(big, Budgets(hour=1, day=1, hard_day=1), confirmation="not-needed", now=NOW)
    assert isinstance(result, Reserved) and result.row_id is not None
    assert ledger.history(limit=1)[0][0].outcome == "dry-run"


@pytest.mark.parametrize("outcome", ["pending", "sent", "unknown"])
def test_pending_sent_and_unknown_writes_count(ledger: SqliteLedger, outcome: str) -> None:
    spend(ledger, 9, NOW - 60, outcome=None if outcome == "pending" else outcome)
    assert len(ledger.assess(sms([number(900)], credits=2), HOURLY, now=NOW).reasons) == 1


def test_budgets_are_per_binding(ledger: SqliteLedger) -> None:
    spend(ledger, 9, NOW - 60, binding="sandbox")
    assert ledger.assess(sms([number(900)], credits=2), HOURLY, now=NOW).reasons == []
    assert len(ledger.assess(sms([number(900)], credits=2, binding="sandbox"), HOURLY, now=NOW).reasons) == 1


def test_both_windows_can_object_at_once(ledger: SqliteLedger) -> None:
    spend(ledger, 9, NOW - 60)
    reasons = ledger.assess(sms([number(900)], credits=5), Budgets(hour=10, day=12, hard_day=None), now=NOW).reasons
    assert [r.split(",")[1].split("(")[0].strip() for r in reasons] == [
        "over the hourly budget of 10", "over the daily budget of 12"]


def test_a_zero_budget_confirms_every_send_but_not_free_writes(ledger: SqliteLedger) -> None:
    zero = Budgets(hour=0, day=0, hard_day=0)
    assert ledger.assess(other_write(recipients=[number(3)]), zero, now=NOW).reasons == []
    result = ledger.reserve(other_write(), zero, confirmation="not-needed", now=NOW)
    assert isinstance(result, Reserved)
    assessed = ledger.assess(sms([number(1)], credits=1), zero, now=NOW)
    assert len(assessed.reasons) == 2 and assessed.stop is not None


def test_the_hard_stop_refuses_even_with_confirmation(ledger: SqliteLedger) -> None:
    hard = Budgets(hour=None, day=None, hard_day=10)
    spend(ledger, 8, NOW - 3 * 3600)
    record = sms([number(900)], credits=3)
    assessed = ledger.assess(record, hard, now=NOW)
    assert assessed.reasons == [] and assessed.stop is not None
    assert assessed.stop.startswith("it would take the last 24 hours' spending to 11 credits, over the daily hard "
                                    "limit of 10 (ILETIMERKEZI_MAX_CREDITS_PER_DAY), which no confirmation overrides")
    for confirmation in ("not-needed", "elicitation"):
        assert ledger.reserve(record, hard, confirmation=confirmation, now=NOW) == Stopped(assessed.stop)
    token = ("a" * 32, NOW + 300)
    assert ledger.reserve(record, hard, confirmation="token", token=token, now=NOW) == Stopped(assessed.stop)
    assert ledger.history()[1] == 1  # nothing stored
    # The token was not spent by the refusal: a write that fits still takes it.
    fits = ledger.reserve(sms([number(900)], credits=2), hard, confirmation="token", token=token, now=NOW)
    assert isinstance(fits, Reserved)


def test_two_instances_on_one_file_see_the_same_spending(tmp_path: Path) -> None:
    first = open_at(tmp_path / "ledger.sqlite3")
    second = open_at(tmp_path / "ledger.sqlite3")
    try:
        assert isinstance(first.reserve(sms([number(1)], credits=8), HOURLY, confirmation="not-needed", now=NOW),
                          Reserved)
        assert len(second.assess(sms([number(2)], credits=3), HOURLY, now=NOW).reasons) == 1
        assert isinstance(second.reserve(sms([number(2)], credits=3), HOURLY, confirmation="not-needed", now=NOW),
                          NeedsConfirmation)
        assert isinstance(second.reserve(sms([number(2)], credits=2), HOURLY, confirmation="not-needed", now=NOW),
                          Reserved)
        assert isinstance(first.reserve(sms([number(3)], credits=1), HOURLY, confirmation="not-needed", now=NOW),
                          NeedsConfirmation)
    finally:
        first.close()
        second.close()
    reopened = open_at(tmp_path / "ledger.sqlite3")  # and after a restart
    assert len(reopened.assess(sms([number(4)], credits=1), HOURLY, now=NOW + 60).reasons) == 1
    reopened.close()


def test_assess_ignores_dry_run_so_a_preview_tells_what_a_real_send_would_meet(ledger: SqliteLedger) -> None:
    spend(ledger, 9, NOW - 60)
    assert len(ledger.assess(sms([number(900)], credits=5, dry_run=True), HOURLY, now=NOW).reasons) == 1
