"""Asking the person (MCP elicitation) before a write that needs it, where the client can."""

from __future__ import annotations

import logging
from typing import Any, Literal

from iletimerkezi_mcp.safety import PreparedCall

log = logging.getLogger(__name__)

Answer = Literal["accept", "decline", "cancel"]
MESSAGE_LIMIT = 2000

_SCHEMA = {
    "type": "object",
    "properties": {
        "confirm": {
            "type": "boolean",
            "title": "Go ahead? / Devam edilsin mi?",
            "description": "Tick to go ahead. Leave unticked or decline and nothing is done.",
        }
    },
    "required": ["confirm"],
}


def supports_elicitation(session: Any) -> bool:
    caps = getattr(session, "client_capabilities", None)
    return caps is not None and getattr(caps, "elicitation", None) is not None


def confirmation_message(tool: str, prepared: PreparedCall, reason: str) -> str:
    text = "\n".join([f"{tool} needs your confirmation: {reason}.", *prepared.lines])
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


async def ask_person(session: Any, tool: str, prepared: PreparedCall, reason: str) -> Answer | None:
    """The person's answer, or None when the client cannot ask (then a token is used instead)."""
    if session is None or not supports_elicitation(session):
        return None
    try:
        result = await session.elicit_form(confirmation_message(tool, prepared, reason), _SCHEMA)
    except Exception as exc:  # a client that advertised elicitation but failed: fall back to a token
        log.warning("elicitation failed (%s); falling back to a confirmation token", type(exc).__name__)
        return None
    if result.action == "accept":
        return "accept" if (result.content or {}).get("confirm") is True else "decline"
    return "decline" if result.action == "decline" else "cancel"
