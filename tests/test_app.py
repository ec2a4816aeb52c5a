"""app.py: the server state's one life, and every connected client hearing that the tools changed."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from manifest_server import bundled_manifest

from iletimerkezi_mcp.app import SANDBOX_BINDING, build_state
from iletimerkezi_mcp.refresh import refresh_once
from iletimerkezi_mcp.settings import Settings

pytestmark = pytest.mark.anyio


class Connection:
    """Stands in for a client connection: counts tools/list_changed, or fails to send it."""

    def __init__(self, broken: bool = False) -> None:
        self.broken, self.told = broken, 0

    async def send_tool_list_changed(self) -> None:
        if self.broken:
            raise ConnectionResetError("client went away")
        self.told += 1


def changed() -> dict[str, Any]:
    document = bundled_manifest()
    document["endpoints"] = [e for e in document["endpoints"] if e.get("mcp_tool") != "get_inbox"]
    return document


async def test_every_connected_client_hears_the_tools_changed(tmp_path, manifest_server):
    state = build_state(Settings(cache_dir=tmp_path, manifest_url=manifest_server.url, manifest_ttl=0))
    first, gone, second = Connection(), Connection(broken=True), Connection()
    for connection in (first, gone, second):
        state.sessions.add(connection)
    manifest_server.serve_json(changed())
    assert await refresh_once(state) is True
    assert (first.told, second.told) == (1, 1)  # a broken one does not stop the others


async def test_a_closed_connection_is_forgotten(tmp_path):
    state = build_state(Settings(cache_dir=tmp_path, manifest_mode="bundled"))
    state.sessions.add(Connection())
    gc.collect()
    assert len(state.sessions) == 0  # nothing keeps a client that went away alive


async def test_the_sandbox_binding_survives_its_random_port(tmp_path):
    settings = Settings(cache_dir=tmp_path, manifest_mode="bundled", sandbox=True, sandbox_state="memory")
    origins = []
    for _ in range(2):
        async with build_state(settings) as state:
            assert state.in_sandbox and state.binding == SANDBOX_BINDING
            origins.append(state.origin)
    assert origins[0] != origins[1]  # a new port each time, one binding for tokens
    async with build_state(Settings(cache_dir=tmp_path, manifest_mode="bundled")) as real:
        assert real.binding == real.origin == "https://api.iletimerkezi.com"


async def test_a_state_is_opened_once(tmp_path):
    state = build_state(Settings(cache_dir=tmp_path, manifest_mode="bundled"))
    async with state:
        with pytest.raises(RuntimeError, match="opened twice"):
            await state.__aenter__()
