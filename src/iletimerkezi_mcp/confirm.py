"""Asking the person (MCP elicitation) before an expensive send, where the client can."""

from __future__ import annotations

import logging
from typing import Any, Literal

from iletimerkezi_mcp.safety import PreparedCall

log = logging.getLogger(__name__)

Answer = Literal["accept", "decline", "cancel"]

_SCHEMA = {
    "type": "object",
    "properties": {
        "confirm": {
            "type": "boolean",
            "title": "Send now? / Şimdi gönderilsin mi?",
            "description": "Tick to send these messages. Leave unticked or decline to send nothing.",
        }
    },
    "required": ["confirm"],
}


def supports_elicitation(session: Any) -> bool:
    caps = getattr(session, "client_capabilities", None)
    return caps is not None and getattr(caps, "elicitation", None) is not None


def confirmation_message(tool: str, prepared: PreparedCall, threshold: int) -> str:
    order = prepared.arguments.get("order", {})
    messages = order.get("message")
    messages = messages if isinstance(messages, list) else [messages]
    lines = [f"{tool} costs {prepared.credits} SMS credits (above {threshold}) — please confirm.",
             f"Sender: {order.get('sender')}",
             f"Recipients: {prepared.recipients}"]
    for message, preview in zip(messages, prepared.previews, strict=True):
        numbers = message["receipents"]["number"]
        shown = ", ".join(numbers[:5]) + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else "")
        lines += [f"To: {shown}",
                  f"Parts: {preview.parts} ({preview.encoding}) × {preview.recipient_count} = {preview.credits} credits",
                  f"Text: {message['text'][:500]}"]
    if order.get("sendDateTime"):
        lines.append(f"Scheduled for {order['sendDateTime']} (Istanbul time)")
    return "\n".join(lines)


async def ask_person(session: Any, tool: str, prepared: PreparedCall, threshold: int) -> Answer | None:
    """The person's answer, or None when the client cannot ask (then a token is used instead)."""
    if session is None or not supports_elicitation(session):
        return None
    try:
        result = await session.elicit_form(confirmation_message(tool, prepared, threshold), _SCHEMA)
    except Exception as exc:  # a client that advertised elicitation but failed: fall back to a token
        log.warning("elicitation failed (%s); falling back to a confirmation token", type(exc).__name__)
        return None
    if result.action == "accept":
        return "accept" if (result.content or {}).get("confirm") is True else "decline"
    return "decline" if result.action == "decline" else "cancel"
