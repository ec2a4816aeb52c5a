"""What went out: the ledger's rows for a person (a table) and for a model (a bounded page).

Used by `iletimerkezi-mcp history` and by the local `get_send_history` tool.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from iletimerkezi_mcp.ledger import HistoryRow
from iletimerkezi_mcp.sms import ISTANBUL

PAGE_SIZE = 20
_SPAN = re.compile(r"(\d{1,5})\s*([mhd])")
_UNITS = {"m": 60, "h": 3600, "d": 86400}


class SinceError(ValueError):
    """A `since` value we cannot read; the message says what is accepted."""


def parse_since(value: str | None, now: float) -> float | None:
    """Epoch seconds from '30m', '24h', '7d', or a date/time in Istanbul time ('2026-11-28', '2026-11-28 09:00')."""
    if value is None or not value.strip():
        return None
    text = value.strip().lower()
    span = _SPAN.fullmatch(text)
    if span:
        return now - int(span.group(1)) * _UNITS[span.group(2)]
    try:
        moment = datetime.fromisoformat(text.replace("t", " "))
    except ValueError:
        raise SinceError(f"since {value!r} is not a span like 30m, 24h, 7d or a date like 2026-11-28") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ISTANBUL)
    return moment.timestamp()


def when(epoch: float) -> str:
    """Istanbul time, the way the provider's reports show it."""
    return datetime.fromtimestamp(epoch, ISTANBUL).strftime("%Y-%m-%d %H:%M:%S")


def row_json(row: HistoryRow) -> dict[str, Any]:
    """One row for a model or a script: what was done, to how many, at what cost, and who confirmed it."""
    item: dict[str, Any] = {
        "id": row.id, "at": when(row.at), "tool": row.tool, "outcome": row.outcome,
        "recipients": row.recipient_count, "credits": row.credits, "confirmation": row.confirmation,
    }
    optional = {"order_id": row.order_id, "code": row.code, "parts": row.parts or None,
                "numbers": list(row.recipients_masked) or None, "actor": row.actor,
                "text": (row.text[:160] + "…" if row.text and len(row.text) > 160 else row.text)}
    item.update({k: v for k, v in optional.items() if v is not None})
    if row.sandbox:
        item["sandbox"] = True
    if row.dry_run:
        item["dry_run"] = True
    return item


def render_table(rows: list[HistoryRow], total: int) -> str:
    header = ("TIME (Istanbul)", "TOOL", "RECIPIENTS", "CREDITS", "OUTCOME", "ORDER", "CONFIRMED")
    lines: list[tuple[str, ...]] = [header]
    for row in rows:
        outcome = row.outcome + (f" {row.code}" if row.code else "")
        tags = " (sandbox)" if row.sandbox else (" (dry run)" if row.dry_run else "")
        lines.append((when(row.at), row.tool + tags, f"{row.recipient_count:,}", f"{row.credits:,}", outcome,
                      row.order_id or "", row.confirmation))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    table = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip() for line in lines]
    shown = f"{len(rows)} of {total}" if total > len(rows) else str(total)
    return "\n".join([*table, "", f"{shown} write(s)."])


def span_text(since: float | None, now: float) -> str:
    if since is None:
        return "everything the ledger keeps"
    return f"since {when(since)} (Istanbul time)" if now - since > 0 else "from now"


def page_summary(rows: list[HistoryRow], total: int, page: int, pages: int) -> str:
    if total == 0:
        return "No writes recorded for these filters."
    credits = sum(r.credits for r in rows if r.outcome in ("sent", "unknown", "pending"))
    unsure = sum(1 for r in rows if r.outcome in ("unknown", "pending"))
    line = (f"{total:,} write(s); page {page} of {pages} shows {len(rows)}, {credits:,} credit(s) spent or "
            "possibly spent.")
    if unsure:
        line += f" {unsure} may have gone out (outcome unknown): check get_reports before repeating them."
    return line


def pages_for(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))
