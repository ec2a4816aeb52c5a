"""The duplicate guard: the same text to the same recipient set within 24 hours needs a person."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from ledger_support import BACKENDS, NO_BUDGETS, NOW, ORIGIN, number, open_backend, other_write, sms

from iletimerkezi_mcp.ledger import NeedsConfirmation, Reserved, SqliteLedger
from iletimerkezi_mcp.sms import normalise_number

TEXT = "Siparişiniz kargoya verildi. İyi günler!"
NUMBERS = ["905321234533", "905551112233", "905059998877"]


@pytest.fixture(params=BACKENDS)
def ledger(request: pytest.FixtureRequest, tmp_path: Path):
    ledger = open_backend(request, tmp_path)
    yield ledger
    ledger.close()


def sent_earlier(ledger: SqliteLedger, *, at: float = NOW - 3600, outcome: str | None = "sent",
                 recipients: list[str] | None = None, text: str = TEXT, binding: str = ORIGIN,
                 dry_run: bool = False) -> None:
    record = sms(recipients or NUMBERS, text=text, dry_run=dry_run, binding=binding)
    result = ledger.reserve(record, NO_BUDGETS, confirmation="not-needed", now=at)
    assert isinstance(result, Reserved)
    if outcome is not None and not dry_run:
        ledger.settle(result.row_id, outcome, order_id="50000120", now=at)  # type: ignore[arg-type]


def test_the_same_numbers_in_another_order_and_format_are_a_duplicate(ledger: SqliteLedger) -> None:
    sent_earlier(ledger, at=NOW - 37 * 60)  # 22:49 Istanbul time
    written = ["0 505 999 88 77", "+90 (532) 123-45-33", "5551112233", "+905321234533"]
    again = sms([normalise_number(raw) for raw in written], text=TEXT)
    reasons = ledger.assess(again, NO_BUDGETS, now=NOW).reasons
    assert reasons == ["the same text went to the same 3 recipients at 22:49 today (order 50000120, sent)"]
    result = ledger.reserve(again, NO_BUDGETS, confirmation="not-needed", now=NOW)
    assert result == NeedsConfirmation(reasons)
    assert isinstance(ledger.reserve(again, NO_BUDGETS, confirmation="elicitation", now=NOW), Reserved)


def test_text_is_compared_after_normalisation(ledger: SqliteLedger) -> None:
    sent_earlier(ledger, text="Çağrı\r\nmerkezi")
    decomposed = unicodedata.normalize("NFD", "Çağrı\nmerkezi")
    assert len(ledger.assess(sms(NUMBERS, text=decomposed), NO_BUDGETS, now=NOW).reasons) == 1


def test_yesterday_is_named(ledger: SqliteLedger) -> None:
    sent_earlier(ledger, at=NOW - 60, recipients=[NUMBERS[0]])  # 23:25 Istanbul time
    reasons = ledger.assess(sms([NUMBERS[0]], text=TEXT), NO_BUDGETS, now=NOW).reasons
    assert reasons == ["the same text went to the same recipient at 23:25 today (order 50000120, sent)"]
    reasons = ledger.assess(sms([NUMBERS[0]], text=TEXT), NO_BUDGETS, now=NOW + 3600).reasons
    assert reasons == ["the same text went to the same recipient at 23:25 yesterday (order 50000120, sent)"]


@pytest.mark.parametrize("change", ["text", "fewer", "more", "binding"])
def test_a_different_text_or_set_or_binding_is_not_a_duplicate(ledger: SqliteLedger, change: str) -> None:
    sent_earlier(ledger)
    record = {
        "text": sms(NUMBERS, text=TEXT + " "),
        "fewer": sms(NUMBERS[:2], text=TEXT),
        "more": sms([*NUMBERS, number(4)], text=TEXT),
        "binding": sms(NUMBERS, text=TEXT, binding="sandbox"),
    }[change]
    assert ledger.assess(record, NO_BUDGETS, now=NOW).reasons == []
    assert isinstance(ledger.reserve(record, NO_BUDGETS, confirmation="not-needed", now=NOW), Reserved)


@pytest.mark.parametrize("age", [86400, 86400 + 1, 3 * 86400])
def test_older_than_24_hours_is_not_a_duplicate(ledger: SqliteLedger, age: int) -> None:
    sent_earlier(ledger, at=NOW - age)
    assert ledger.assess(sms(NUMBERS, text=TEXT), NO_BUDGETS, now=NOW).reasons == []


@pytest.mark.parametrize("outcome", ["refused", "failed"])
def test_refused_or_failed_sends_are_not_duplicates(ledger: SqliteLedger, outcome: str) -> None:
    sent_earlier(ledger, outcome=outcome)
    assert ledger.assess(sms(NUMBERS, text=TEXT), NO_BUDGETS, now=NOW).reasons == []


def test_a_dry_run_is_not_a_duplicate(ledger: SqliteLedger) -> None:
    sent_earlier(ledger, dry_run=True)
    assert ledger.assess(sms(NUMBERS, text=TEXT), NO_BUDGETS, now=NOW).reasons == []


@pytest.mark.parametrize(("outcome", "said"), [
    (None, "(not settled yet)"),
    ("unknown", "(order 50000120, outcome unknown: it may have gone out)"),
])
def test_pending_and_unknown_sends_are_duplicates(ledger: SqliteLedger, outcome: str | None, said: str) -> None:
    sent_earlier(ledger, outcome=outcome, at=NOW - 60)
    reasons = ledger.assess(sms(NUMBERS, text=TEXT), NO_BUDGETS, now=NOW).reasons
    assert reasons == [f"the same text went to the same 3 recipients at 23:25 today {said}"]


def test_non_sms_writes_are_never_duplicates(ledger: SqliteLedger) -> None:
    for _ in range(3):
        result = ledger.reserve(other_write(recipients=[NUMBERS[0]]), NO_BUDGETS, confirmation="not-needed", now=NOW)
        assert isinstance(result, Reserved)
