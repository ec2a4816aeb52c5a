"""The ledger of every write: one row per write call, recorded before the request goes out.

Dispatch reserves a row (`Ledger.reserve`) before the HTTP request and settles it afterwards. In
the same transaction the reservation checks the rolling hourly and daily budgets and the hard
daily stop against what went out in that binding (any process, any restart), the duplicate guard
(the same text to the same recipients within 24 h), and spends a confirmation token once. The
ledger keeps the keys it needs (`secret`), so processes agree on them.

Numbers are never stored: a masked form for people and a keyed hash for matching. The SQLite
backend (`SqliteLedger`) is one WAL file shared by all processes; `open_ledger` never fails: an
unusable file gives an `UnavailableLedger`, which has every write confirmed. With a database URL
the ledger is `PostgresLedger` (ledger/postgres.py, imported only then), shared by every replica;
both backends share their checks (`core.SqlLedger`).
"""

from __future__ import annotations

from .base import (
    Assessment,
    Budgets,
    Confirmation,
    HistoryRow,
    Ledger,
    NeedsConfirmation,
    Outcome,
    Reservation,
    Reserved,
    Stopped,
    WriteRecord,
)
from .masking import mask_number
from .opening import LEDGER_FILE, move_aside, open_configured, open_ledger
from .schema import SCHEMA_VERSION, LedgerOpenError
from .sqlite import SqliteLedger
from .unavailable import UnavailableLedger

__all__ = [
    "LEDGER_FILE",
    "SCHEMA_VERSION",
    "Assessment",
    "Budgets",
    "Confirmation",
    "HistoryRow",
    "Ledger",
    "LedgerOpenError",
    "NeedsConfirmation",
    "Outcome",
    "Reservation",
    "Reserved",
    "SqliteLedger",
    "Stopped",
    "UnavailableLedger",
    "WriteRecord",
    "mask_number",
    "move_aside",
    "open_configured",
    "open_ledger",
]
