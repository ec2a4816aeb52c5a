"""The server starts, lists its tools and works with garbage in every local file at once.

Each case puts the same kind of damage into the manifest cache, the overlay, the fallback
manifest, the send ledger and the sandbox account, then drives the
server in-process through the SDK's client: tools are served from the bundled manifest, a read
works, and a confirmed send goes through (tokens still work, in this process at least).
"""

from __future__ import annotations

import logging

import anyio
import pytest
from conftest import UNREACHABLE
from corrupt_files import CORE, make_corrupt
from mcp import Client

from iletimerkezi_mcp.ledger import LEDGER_FILE
from iletimerkezi_mcp.manifest.cache import cache_path
from iletimerkezi_mcp.server import build_server
from iletimerkezi_mcp.settings import load_settings

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]

SEND = {"order": {"sender": "SANDBOX", "iys": "0",
                  "message": {"text": "Kargonuz yolda", "receipents": {"number": ["05321112233", "05331112233"]}}}}


@pytest.mark.parametrize("case", CORE)
async def test_the_server_starts_and_works_with_garbage_in_every_file(tmp_path, case, caplog):
    cache = tmp_path / "cache"
    cache.mkdir()
    overlay, fallback = tmp_path / "overlay.json", tmp_path / "fallback.json"
    data = tmp_path / "data"
    data.mkdir()
    for path in (cache_path(cache, UNREACHABLE), data / LEDGER_FILE, cache / "sandbox-state.json", overlay,
                 fallback):
        make_corrupt(path, case)
    settings = load_settings(env={
        "ILETIMERKEZI_SANDBOX": "1", "ILETIMERKEZI_MCP_CACHE_DIR": str(cache), "ILETIMERKEZI_MANIFEST": "cache",
        "ILETIMERKEZI_MANIFEST_URL": UNREACHABLE, "ILETIMERKEZI_OVERLAY": str(overlay),
        "ILETIMERKEZI_FALLBACK_MANIFEST": str(fallback), "ILETIMERKEZI_CONFIRM_ABOVE": "1",
        "ILETIMERKEZI_DATA_DIR": str(data),
    })
    with caplog.at_level(logging.WARNING), anyio.fail_after(20):
        async with Client(build_server(settings), mode="legacy") as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            balance = await client.call_tool("get_balance", {})
            pending = await client.call_tool("send_sms", SEND)
            token = pending.structured_content["confirmation"]["token"]
            sent = await client.call_tool("send_sms", {**SEND, "confirmation_token": token})
    assert len(names) == 14
    assert balance.is_error is False, balance.content
    assert "fresh" in balance.structured_content["notice"]  # the unusable sandbox account is said
    assert sent.is_error is False and "accepted" in sent.content[0].text, sent.content
    warned = " ".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
    assert "overlay" in warned and "ILETIMERKEZI_FALLBACK_MANIFEST" in warned
