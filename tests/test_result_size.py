"""A result is for a model's context: bounded whatever the input size, never an echo of the input.

Sizes are asserted (the whole result as the client receives it), never timed.
"""

from __future__ import annotations

import json

import pytest
from conftest import UNREACHABLE
from mcp import Client

from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY
from iletimerkezi_mcp.server import build_server
from iletimerkezi_mcp.settings import load_settings

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

SEND_LIMIT = 4096  # bytes of a send_sms result, whatever the number of recipients


def settings_for(tmp_path, sandbox, **extra: str):
    return load_settings(env={
        "ILETIMERKEZI_BASE_URL": sandbox.url, "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY,
        "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH, "ILETIMERKEZI_MANIFEST": "bundled",
        "ILETIMERKEZI_MANIFEST_URL": UNREACHABLE, "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / "cache"),
        "ILETIMERKEZI_MAX_RECIPIENTS": "50000", "ILETIMERKEZI_MAX_CREDITS_PER_CALL": "100000",
        "ILETIMERKEZI_CONFIRM_ABOVE": "100000", "ILETIMERKEZI_BUDGET_HOUR": "100000",
        "ILETIMERKEZI_BUDGET_DAY": "100000", "ILETIMERKEZI_MAX_CREDITS_PER_DAY": "100000", **extra,
    })


def size(result) -> int:
    wire = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    return len(json.dumps(wire, ensure_ascii=False).encode("utf-8"))


def send(numbers: list[str]) -> dict:
    message = {"text": "Kampanya", "receipents": {"number": numbers}}
    return {"order": {"sender": "SANDBOX", "iys": "0", "message": message}}


@pytest.mark.parametrize("count", [1, 1_000, 50_000])
async def test_a_send_result_stays_small_at_any_number_of_recipients(tmp_path, sandbox_factory, count):
    sandbox = sandbox_factory(credits=200_000)
    numbers = [f"0532{i:07d}" for i in range(count)] + ["+90 532 000 00 00"] * min(20, 50_000 - count)
    async with Client(build_server(settings_for(tmp_path, sandbox)), mode="legacy") as client:
        result = await client.call_tool("send_sms", send(numbers))
    assert result.is_error is False, result.content
    assert size(result) < SEND_LIMIT, size(result)
    assert result.structured_content["preview"]["recipients"]["valid"] == count  # a count, not the list
    if count < 50_000:  # the dropped duplicates are named by example, then counted
        assert "Dropped duplicate numbers: " + ", ".join(["+90 532 000 00 00"] * 10) + " and 10 more" in \
            result.structured_content["notice"]


async def test_a_refusal_of_many_bad_numbers_stays_small(tmp_path, sandbox):
    numbers = [f"0212{i:07d}" for i in range(50_000)]
    async with Client(build_server(settings_for(tmp_path, sandbox)), mode="legacy") as client:
        result = await client.call_tool("send_sms", send(numbers))
    assert result.is_error is True and "nothing was sent" in result.content[0].text
    assert size(result) < 16_384, size(result)
    assert "- … and 49,950 more" in result.content[0].text
    assert sandbox.requests == []


async def test_a_huge_argument_is_not_echoed(tmp_path, sandbox):
    recipient = "5" * 1_000_000
    consent = {"consent": {"brandCode": "1", "recipient": recipient, "recipientType": "BIREYSEL", "type": "MESAJ"}}
    async with Client(build_server(settings_for(tmp_path, sandbox)), mode="legacy") as client:
        result = await client.call_tool("iys_check", consent)
    assert result.is_error is True and "(1,000,000 characters)" in result.content[0].text
    assert size(result) < 4096, size(result)
