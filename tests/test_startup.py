"""Start-up never waits on the network: with a manifest URL that accepts the connection and never
answers, the server answers tools/list, and keeps answering it and tool calls, while that fetch is
still pending.

Proven by order of events, never by timing: the manifest server holds the fetch open (it answers
nothing until the test ends), so every answer asserted below arrived while the fetch was in flight.
"""

from __future__ import annotations

import anyio
import pytest
from mcp import Client

from iletimerkezi_mcp.server import build_server
from iletimerkezi_mcp.settings import load_settings

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

EXPECTED_TOOLS = 14


FETCH_TIMEOUT = 60.0  # the fetch can neither answer nor give up while the test runs
BOUND = 10.0  # the whole test; a start-up that waited for the fetch would take FETCH_TIMEOUT


async def test_never_answering_manifest_url_does_not_delay_tools_list(tmp_path, manifest_server):
    manifest_server.delay = 600  # accepts the connection, answers nothing until the server stops
    # No cache at all, so this start wants to fetch (auto mode).
    settings = load_settings(env={"ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / "cache"),
                                  "ILETIMERKEZI_MANIFEST_URL": manifest_server.url},
                             overrides={"manifest_timeout": FETCH_TIMEOUT})
    assert settings.manifest_mode == "auto"
    with anyio.fail_after(BOUND):
        async with Client(build_server(settings), mode="legacy") as client:
            first = await client.list_tools()
            assert len(first.tools) == EXPECTED_TOOLS, [t.name for t in first.tools]
            # The background fetch starts once a client has listed the tools, and then hangs:
            # everything below is answered while it is pending.
            while not manifest_server.requests:
                await anyio.sleep(0.01)
            for _ in range(3):
                again = await client.list_tools()
                assert len(again.tools) == EXPECTED_TOOLS
                preview = await client.call_tool("preview_sms", {"text": "Merhaba"})
                assert preview.is_error is False
            assert len(manifest_server.requests) == 1
    # The fetch never finished, so nothing was cached.
    assert not any((tmp_path / "cache").rglob("*.json"))
