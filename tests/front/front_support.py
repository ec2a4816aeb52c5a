"""A stdio server in a thread on two pipes, started the way the CLI starts it: `early_start` first
(the front may answer from its snapshot), then `serve` with what the front handed over."""

from __future__ import annotations

import json
import os
import select
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from conftest import UNREACHABLE

from iletimerkezi_mcp.front import Handover, early_start
from iletimerkezi_mcp.front.snapshot import FILE_PREFIX
from iletimerkezi_mcp.server import serve
from iletimerkezi_mcp.settings import load_settings

WAIT = 20.0  # seconds for one answer; a hang fails the test instead of blocking it


def server_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A sandbox server's variables: its own cache and data folders, no network."""
    env = {
        "ILETIMERKEZI_SANDBOX": "1",
        "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / "cache"),
        "ILETIMERKEZI_DATA_DIR": str(tmp_path / "data"),
        "ILETIMERKEZI_MANIFEST_URL": UNREACHABLE,
        "ILETIMERKEZI_SANDBOX_STATE": "memory",
    }
    env.update(extra)
    return env


def snapshot_file(tmp_path: Path) -> Path:
    """The one start snapshot a `server_env(tmp_path)` server has written."""
    found = list((tmp_path / "cache").glob(f"{FILE_PREFIX}*.json"))
    assert len(found) == 1, found
    return found[0]


def initialize(request_id: object, version: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": "initialize",
            "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}


INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def tools_list(request_id: object) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/list"}


@dataclass
class Peer:
    """The client's ends of the pipes, and the thread running the server."""

    to_server: int
    from_server: int
    thread: threading.Thread
    box: dict[str, Any] = field(default_factory=dict)
    pending: bytearray = field(default_factory=bytearray)

    def send(self, *messages: Mapping[str, Any] | bytes) -> None:
        for message in messages:
            data = message if isinstance(message, bytes) else json.dumps(message).encode() + b"\n"
            os.write(self.to_server, data)

    def line(self) -> str:
        """The next line the server wrote, without its newline."""
        while b"\n" not in self.pending:
            ready, _, _ = select.select([self.from_server], [], [], WAIT)
            assert ready, f"no answer within {WAIT} s"
            chunk = os.read(self.from_server, 1 << 16)
            assert chunk, "the server closed its output"
            self.pending += chunk
        end = self.pending.index(b"\n")
        line = self.pending[:end].decode("utf-8")
        del self.pending[:end + 1]
        return line

    def message(self) -> dict[str, Any]:
        return json.loads(self.line())

    @property
    def handover(self) -> Handover | None:
        return self.box.get("handover")

    def close(self) -> None:
        os.close(self.to_server)  # end of input: the server finishes and its thread ends
        self.thread.join(WAIT)
        os.close(self.from_server)
        assert not self.thread.is_alive(), "the server did not stop at the end of its input"
        if "error" in self.box:
            raise self.box["error"]


def start(env: Mapping[str, str], argv: tuple[str, ...] = ()) -> Peer:
    server_reads, client_writes = os.pipe()
    client_reads, server_writes = os.pipe()
    box: dict[str, Any] = {}

    def body() -> None:
        try:
            handover = early_start(list(argv), env, stdin_fd=server_reads, stdout_fd=server_writes, divert=False)
            box["handover"] = handover
            os.close(server_reads)  # the wire holds its own copies now
            os.close(server_writes)
            anyio.run(serve, load_settings(env=env), handover)
        except BaseException as exc:  # reported by close()
            box["error"] = exc

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return Peer(to_server=client_writes, from_server=client_reads, thread=thread, box=box)


def handshake(env: Mapping[str, str], version: str, *, request_id: object = 1) -> tuple[str, str, Handover | None]:
    """initialize, initialized, tools/list on a fresh server; the two answer lines, byte for byte."""
    peer = start(env)
    try:
        peer.send(initialize(request_id, version))
        answer = peer.line()
        peer.send(INITIALIZED, tools_list(2))
        tools = peer.line()
    finally:
        peer.close()
    return answer, tools, peer.handover
