"""Tools that run here, without the API: preview_sms."""

from __future__ import annotations

from typing import Any

from iletimerkezi_mcp.results.schemas import STRING_ITEMS, arr, preview_properties, prop
from iletimerkezi_mcp.sms import preview_sms

from .base import ToolContract

_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "text": {"type": "string", "description": "The SMS text exactly as it would be sent."},
        "recipients": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Optional phone numbers (any common Turkish format) to count credits for.",
        },
    },
    "required": ["text"],
}


def _run_preview(arguments: dict[str, Any]) -> tuple[dict[str, Any], str]:
    preview = preview_sms(arguments["text"], arguments.get("recipients"))
    summary = (f"{preview.encoding}, {preview.characters} characters → {preview.parts} part(s); "
               f"{preview.recipient_count} recipient(s) → {preview.credits} credit(s).")
    if preview.warnings:
        summary += "\n" + "\n".join(f"Warning: {w}" for w in preview.warnings)
    return preview.model_dump(mode="json"), summary


PREVIEW_SMS = ToolContract(
    name="preview_sms",
    path=None,
    read_only=True, destructive=False, idempotent=True, open_world=False,
    local=_run_preview,
    offered_with="send_sms",  # the preview belongs to sending
    input_schema=_SCHEMA,
    title="Preview SMS cost",
    description=(
        "Preview an SMS before sending, locally (no API call, no credentials, no cost): encoding (GSM-7, "
        "Turkish or UCS-2) and the characters that forced it, characters, parts (the provider caps a message "
        "at 7), characters left in the last part, the ' B186' operator code the provider appends, recipients "
        "after normalisation, and credits = parts x recipients."),
    # The preview object itself (sms/preview.py); only fields that are never null are typed.
    output={
        **preview_properties(),
        "parts_optimistic": prop("integer", "Parts under the least conservative model."),
        "max_parts": prop("integer", "Part cap."),
        "over_cap": prop("boolean", "True means the text is too long to send."),
        "recipient_count": prop("integer", "Unique valid recipients."),
        "credits_per_recipient": prop("integer", "Credits per recipient."),
        "warnings": arr("Warnings.", STRING_ITEMS),
        "notes": arr("Assumptions behind the counts.", STRING_ITEMS),
    },
)

CONTRACTS = (PREVIEW_SMS,)
