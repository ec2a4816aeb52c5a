"""The sentences a person reads when the ledger asks for confirmation or stops a write.

Each says what was spent in the window and on what, with times in Istanbul time, so the person
can tell a runaway loop from a busy morning without opening the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Window = Literal["hour", "day", "hard"]

_WINDOWS: dict[str, tuple[str, str]] = {  # window → (span, what the limit is called)
    "hour": ("the last hour's", "the hourly budget of {limit} (ILETIMERKEZI_BUDGET_HOUR)"),
    "day": ("the last 24 hours'", "the daily budget of {limit} (ILETIMERKEZI_BUDGET_DAY)"),
    "hard": ("the last 24 hours'",
             "the daily hard limit of {limit} (ILETIMERKEZI_MAX_CREDITS_PER_DAY), which no confirmation overrides"),
}
_STATES = {"pending": "not settled yet", "unknown": "outcome unknown: it may have gone out"}


@dataclass(frozen=True)
class Latest:
    """The most recent counted write in a window, or the earlier send a duplicate repeats."""

    at: float
    tool: str
    credits: int
    recipient_count: int
    order_id: str | None
    outcome: str


@dataclass(frozen=True)
class Spending:
    credits: int  # spent (or possibly spent) in the window
    writes: int  # counted writes that cost credits
    latest: Latest | None


def when(at: float, now: float) -> str:
    """`13:02 today`, `23:50 yesterday` or `23:50 on 07/05/2026`, in Istanbul time."""
    from iletimerkezi_mcp.sms import ISTANBUL  # lazy: only needed when there is something to explain

    moment = datetime.fromtimestamp(at, ISTANBUL)
    today = datetime.fromtimestamp(now, ISTANBUL).date()
    clock = moment.strftime("%H:%M")
    if moment.date() == today:
        return f"{clock} today"
    if moment.date() == today - timedelta(days=1):
        return f"{clock} yesterday"
    return f"{clock} on {moment.strftime('%d/%m/%Y')}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def _status(row: Latest) -> str:
    state = _STATES.get(row.outcome, row.outcome)
    return f"order {row.order_id}, {state}" if row.order_id else state


def crossing(window: Window, limit: int, spending: Spending, credits: int, now: float) -> str:
    """Why `credits` more would cross `limit` in `window`."""
    span, name = _WINDOWS[window]
    head = (f"it would take {span} spending to {spending.credits + credits:,} credits, "
            f"over {name.format(limit=f'{limit:,}')}")
    latest = spending.latest
    if spending.writes == 0 or latest is None:
        return f"{head}: nothing went out in that window before this write of {_plural(credits, 'credit')}"
    if latest.outcome == "sent":
        order = f", order {latest.order_id}" if latest.order_id else ""
    else:
        order = f", {_status(latest)}"
    return (f"{head}: {_plural(spending.credits, 'credit')} already went out in {_plural(spending.writes, 'send')}, "
            f"the latest at {when(latest.at, now)} ({latest.tool}, {_plural(latest.credits, 'credit')} to "
            f"{_plural(latest.recipient_count, 'recipient')}{order})")


def duplicate(earlier: Latest, now: float) -> str:
    """Why repeating `earlier` needs a person."""
    who = "the same recipient" if earlier.recipient_count == 1 else f"the same {earlier.recipient_count:,} recipients"
    return f"the same text went to {who} at {when(earlier.at, now)} ({_status(earlier)})"


__all__ = ["Latest", "Spending", "Window", "crossing", "duplicate", "when"]
