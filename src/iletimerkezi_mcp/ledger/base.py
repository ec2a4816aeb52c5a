"""The ledger's vocabulary and its interface, kept small so another backend (PostgreSQL) fits it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, get_args

Outcome = Literal["pending", "sent", "refused", "failed", "unknown", "dry-run"]
#   sent: the API said 200; refused: the API answered an error code (kept in `code`); failed: nothing
#   went out (refused locally, or a transport error before sending); unknown: it may have gone out
#   (timeout, 5xx); pending: reserved, not settled yet; dry-run: never sent, no budget effect.
Confirmation = Literal["not-needed", "elicitation", "token"]

OUTCOMES: tuple[str, ...] = get_args(Outcome)
CONFIRMATIONS: tuple[str, ...] = get_args(Confirmation)
SETTLED: tuple[str, ...] = ("sent", "refused", "failed", "unknown")  # what settle() accepts
COUNTED: tuple[str, ...] = ("pending", "sent", "unknown")  # outcomes that spend budget and guard duplicates

HOUR = 3600.0
DAY = 86400.0
MASKED_SHOWN = 10  # masked numbers kept per row for display
TOKEN_GRACE = HOUR  # a spent token is kept this long past its expiry (the clocks of two processes may differ)
TOKEN_USED = "the confirmation_token was already used; a new token is needed"


@dataclass(frozen=True)
class WriteRecord:
    tool: str
    binding: str  # API origin ("https://api.iletimerkezi.com") or "sandbox": budgets and duplicates are per binding
    digest: str  # hex digest of the normalised payload (computed by the caller)
    recipients: Sequence[str]  # normalised numbers "905XXXXXXXXX"; never stored in full
    text: str | None  # the SMS text, stored as is (None for non-SMS writes)
    parts: int  # SMS parts per recipient (0 for non-SMS)
    credits: int  # estimated credits: what counts toward budgets
    dry_run: bool = False
    actor: str | None = None  # who asked (later: the HTTP user); None locally


@dataclass(frozen=True)
class Budgets:
    hour: int | None  # rolling 60-minute budget in credits; None = no budget
    day: int | None  # rolling 24-hour budget
    hard_day: int | None  # rolling 24-hour hard stop nothing overrides


@dataclass(frozen=True)
class Assessment:
    reasons: list[str]  # why the person must confirm this write (empty = no ledger objection)
    stop: str | None  # set when the hard daily stop refuses it outright


@dataclass(frozen=True)
class Reserved:
    """The write may go out; settle(row_id, …) afterwards."""

    row_id: int | None  # None when the ledger is unavailable


@dataclass(frozen=True)
class NeedsConfirmation:
    """An unconfirmed write would cross a budget or repeat a recent send (checked inside the transaction)."""

    reasons: list[str]


@dataclass(frozen=True)
class Stopped:
    """The hard daily stop, or the confirmation token was already spent."""

    reason: str


Reservation = Reserved | NeedsConfirmation | Stopped


@dataclass(frozen=True)
class HistoryRow:
    id: int
    at: float  # epoch seconds when it was reserved
    tool: str
    binding: str
    sandbox: bool  # binding == "sandbox"
    dry_run: bool
    recipient_count: int
    recipients_masked: list[str]  # at most MASKED_SHOWN, e.g. "+90 53* *** ** 33"
    parts: int
    credits: int
    confirmation: str
    outcome: str
    code: int | None
    order_id: str | None
    text: str | None
    actor: str | None
    settled_at: float | None


class Ledger(Protocol):
    @property
    def problem(self) -> str | None:
        """None when working; otherwise why the ledger is unavailable, in one plain sentence."""
        ...

    @property
    def location(self) -> str:
        """Where it lives (the database path), for the doctor and history."""
        ...

    def secret(self, name: str) -> bytes:
        """A 32-byte key created once (atomically across processes) and kept in the ledger."""
        ...

    def assess(self, record: WriteRecord, budgets: Budgets, now: float | None = None) -> Assessment:
        """What the write would meet if it went out for real (dry_run is ignored); changes nothing."""
        ...

    def reserve(self, record: WriteRecord, budgets: Budgets, *, confirmation: Confirmation,
                token: tuple[str, float] | None = None, now: float | None = None) -> Reservation:
        """Record the write before it goes out, in one transaction; never raises."""
        ...

    def settle(self, row_id: int | None, outcome: Outcome, *, code: int | None = None,
               order_id: str | None = None, now: float | None = None) -> None:
        """Record how a reserved write ended; never raises."""
        ...

    def history(self, *, since: float | None = None, tool: str | None = None, outcome: str | None = None,
                limit: int = 50, offset: int = 0) -> tuple[list[HistoryRow], int]:
        """Rows newest first, and the total number matching the filters."""
        ...

    def close(self) -> None: ...


def unavailable_reason(problem: str) -> str:
    return f"the send ledger is unavailable ({problem}), so every write is confirmed"


__all__ = [
    "CONFIRMATIONS",
    "COUNTED",
    "DAY",
    "HOUR",
    "MASKED_SHOWN",
    "OUTCOMES",
    "SETTLED",
    "TOKEN_GRACE",
    "TOKEN_USED",
    "Assessment",
    "Budgets",
    "Confirmation",
    "HistoryRow",
    "Ledger",
    "NeedsConfirmation",
    "Outcome",
    "Reservation",
    "Reserved",
    "Stopped",
    "WriteRecord",
    "unavailable_reason",
]
