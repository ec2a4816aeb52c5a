"""confirm.py: asking the person (MCP elicitation) before a write that needs it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from iletimerkezi_mcp.confirm import _SCHEMA, ask_person, confirmation_message, supports_elicitation
from iletimerkezi_mcp.contracts import BY_NAME
from iletimerkezi_mcp.settings import Settings


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def prepared(numbers: list[str], text: str = "Merhaba", schedule: str | None = None):
    order: dict[str, Any] = {"sender": "ACME", "iys": "0", "message": {"text": text, "receipents": {"number": numbers}}}
    if schedule:
        order["sendDateTime"] = schedule
    return BY_NAME["send_sms"].prepare({"order": order}, Settings())


class FakeSession:
    """Stands in for the server session: records what it was asked and answers as told."""

    def __init__(self, *, elicitation: bool = True, action: str = "accept", content: Any = None,
                 error: Exception | None = None) -> None:
        caps = SimpleNamespace(elicitation=SimpleNamespace() if elicitation else None)
        self.client_capabilities = caps
        self.action, self.content, self.error = action, content, error
        self.asked: list[tuple[str, dict]] = []

    async def elicit_form(self, message: str, schema: dict) -> Any:
        self.asked.append((message, schema))
        if self.error is not None:
            raise self.error
        return SimpleNamespace(action=self.action, content=self.content)


# --------------------------------------------------------------------------- capability detection

def test_supports_elicitation_follows_the_client_capabilities() -> None:
    assert supports_elicitation(FakeSession(elicitation=True))
    assert not supports_elicitation(FakeSession(elicitation=False))
    assert not supports_elicitation(SimpleNamespace(client_capabilities=None))
    assert not supports_elicitation(object())


# --------------------------------------------------------------------------- the message shown

def test_message_states_cost_sender_recipients_parts_and_text() -> None:
    call = prepared(["5320000001", "5320000002", "5320000003"], text="Kargonuz yolda")
    text = confirmation_message("send_sms", call, "costs 3 credits, above the confirmation threshold of 2")
    assert text.startswith("send_sms needs your confirmation: costs 3 credits, above the confirmation threshold of 2.")
    assert "Sender: ACME" in text
    assert "To: 905320000001, 905320000002, 905320000003" in text
    assert "Parts: 1 (GSM-7) × 3 = 3 credits" in text
    assert "Text: Kargonuz yolda" in text
    assert "Scheduled" not in text


def test_message_shortens_long_recipient_lists_and_shows_the_schedule() -> None:
    numbers = [f"53200000{i:02d}" for i in range(8)]
    call = prepared(numbers, schedule="15/06/2030 10:30")
    text = confirmation_message("send_sms", call, "costs 8 credits")
    assert "905320000004 and 3 more" in text
    assert "905320000005" not in text
    assert "Scheduled for 15/06/2030 10:30 (Istanbul time)" in text


def test_message_bounds_the_text() -> None:
    call = prepared(["5320000001"], text="a" * 900)
    text = confirmation_message("send_sms", call, "costs 1 credit")
    assert "a" * 500 in text and "a" * 501 not in text


# --------------------------------------------------------------------------- asking

@pytest.mark.anyio
async def test_no_session_or_no_capability_means_use_a_token_instead() -> None:
    call = prepared(["5320000001"])
    assert await ask_person(None, "send_sms", call, "costs 1 credit") is None
    session = FakeSession(elicitation=False)
    assert await ask_person(session, "send_sms", call, "costs 1 credit") is None
    assert session.asked == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("action", "content", "expected"),
    [
        ("accept", {"confirm": True}, "accept"),
        ("accept", {"confirm": False}, "decline"),  # ticking nothing is not a yes
        ("accept", {}, "decline"),
        ("accept", None, "decline"),
        ("accept", {"confirm": "yes"}, "decline"),  # only a real boolean true sends
        ("decline", None, "decline"),
        ("cancel", None, "cancel"),
    ],
)
async def test_answers_map_to_accept_decline_cancel(action: str, content: Any, expected: str) -> None:
    session = FakeSession(action=action, content=content)
    call = prepared(["5320000001", "5320000002"])
    assert await ask_person(session, "send_sms", call, "costs 2 credits") == expected
    (message, schema), = session.asked
    assert "costs 2 credits" in message and "Parts: 1 (GSM-7) × 2 = 2 credits" in message
    assert schema == _SCHEMA
    assert schema["properties"]["confirm"]["type"] == "boolean"
    assert schema["required"] == ["confirm"]


@pytest.mark.anyio
async def test_a_failing_elicitation_falls_back_to_a_token() -> None:
    session = FakeSession(error=RuntimeError("client broke"))
    assert await ask_person(session, "send_sms", prepared(["5320000001"]), "costs 1 credit") is None
    assert len(session.asked) == 1
