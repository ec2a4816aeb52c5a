"""Tools that run here, without the API: preview_sms and get_send_history."""

from __future__ import annotations

import time
from typing import Any

from iletimerkezi_mcp import history
from iletimerkezi_mcp.ledger import Ledger
from iletimerkezi_mcp.results.schemas import STRING_ITEMS, arr, obj, preview_properties, prop
from iletimerkezi_mcp.safety import Refusal
from iletimerkezi_mcp.sms import preview_sms

from .base import ToolContract

_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        # Seven Unicode parts are under 500 characters; far longer is a mistake, not a message.
        "text": {"type": "string", "maxLength": 10_000, "description": "Exactly as it would be sent."},
        "recipients": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Optional phone numbers to count credits for.",
        },
    },
    "required": ["text"],
}


def _run_preview(arguments: dict[str, Any], ledger: Ledger) -> tuple[dict[str, Any], str]:
    preview = preview_sms(arguments["text"], arguments.get("recipients"))
    summary = (f"{preview.encoding}, {preview.characters} characters → {preview.parts} part(s); "
               f"{preview.recipient_count} recipient(s) → {preview.credits} credit(s).")
    if preview.warnings:
        summary += "\n" + "\n".join(f"Warning: {w}" for w in preview.warnings)
    return preview.for_result(), summary


PREVIEW_SMS = ToolContract(
    name="preview_sms",
    path=None,
    read_only=True, destructive=False, idempotent=True, open_world=False,
    local=_run_preview,
    offered_with="send_sms",  # the preview belongs to sending
    input_schema=_SCHEMA,
    title="Preview SMS cost",
    description=(
        "Count an SMS locally, no API call: encoding (and the characters forcing it), parts including the "
        "' B186' suffix, characters left, credits."),
    # The preview object itself (sms/preview.py); only fields that are never null are typed.
    output={
        **preview_properties(),
        "parts_optimistic": prop("integer", "Parts under the least conservative model."),
        "max_parts": prop("integer"),
        "over_cap": prop("boolean", "True: too long to send."),
        "recipient_count": prop("integer", "Unique valid recipients."),
        "credits_per_recipient": prop("integer"),
        "warnings": arr("", STRING_ITEMS),
        "notes": arr("Assumptions behind the counts.", STRING_ITEMS),
    },
)

_HISTORY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "since": {"type": "string", "description": "30m, 24h (default), 7d or a date (2026-11-28)."},
        "tool": {"type": "string", "description": "Only this tool, e.g. send_sms."},
        "outcome": {"type": "string", "enum": ["sent", "refused", "unknown", "pending", "dry-run"],
                    "description": "unknown: it may have gone out."},
        "page": {"type": "integer", "minimum": 1, "maximum": 100_000,
                 "description": f"{history.PAGE_SIZE} rows a page."},
    },
}


def _run_history(arguments: dict[str, Any], ledger: Ledger) -> tuple[dict[str, Any], str]:
    now = time.time()
    try:
        since = history.parse_since(arguments.get("since", "24h"), now)
    except history.SinceError as exc:
        raise Refusal("get_send_history", [str(exc)]) from None
    page = int(arguments.get("page", 1))
    rows, total = ledger.history(since=since, tool=arguments.get("tool"), outcome=arguments.get("outcome"),
                                 limit=history.PAGE_SIZE, offset=(page - 1) * history.PAGE_SIZE)
    pages = history.pages_for(total)
    structured: dict[str, Any] = {"writes": [history.row_json(r) for r in rows], "total": total, "page": page,
                                  "pages": pages}
    summary = history.page_summary(rows, total, page, pages)
    if ledger.problem:
        structured["notice"] = f"The send ledger is unavailable ({ledger.problem}); nothing is recorded."
        summary = structured["notice"]
    elif page < pages:
        structured["notice"] = f"Pass page={page + 1} for older writes."
    return structured, summary


GET_SEND_HISTORY = ToolContract(
    name="get_send_history",
    path=None,
    read_only=True, destructive=False, idempotent=True, open_world=False,
    local=_run_history,
    offered_with="send_sms",  # so a model can check what it already did before doing it again
    input_schema=_HISTORY_SCHEMA,
    title="What this server already sent",
    description=(
        "What this server already sent or changed from this machine, newest first (local ledger, no API "
        "call). Check it before repeating a send, above all after a timeout."),
    output={
        "writes": arr("Newest first.", obj("", {
            "id": prop("integer"),
            "at": prop("string", "Istanbul time."),
            "tool": prop("string"),
            "outcome": prop("string", "unknown: may have gone out."),
            "recipients": prop("integer"),
            "credits": prop("integer", "Estimated."),
            "confirmation": prop("string", "not-needed, elicitation or token."),
            "order_id": prop("string"),
            "code": prop("integer", "The provider's code when it refused."),
            "numbers": arr("A few recipients, masked.", STRING_ITEMS),
            "text": prop("string", "Cut at 160 characters."),
        })),
        "total": prop("integer", "Writes matching the filters."),
        "page": prop("integer"),
        "pages": prop("integer"),
        "notice": prop("string", "Paging hint, or why the ledger is unavailable."),
    },
)

CONTRACTS = (PREVIEW_SMS, GET_SEND_HISTORY)
