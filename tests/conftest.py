"""Shared fixtures: a manifest HTTP server, and spawning the real server over stdio.

Everything binds 127.0.0.1; nothing here reaches the internet.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from manifest_server import ManifestServer

pytest_plugins = ["sandbox_fixtures"]

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "src" / "iletimerkezi_mcp" / "manifest" / "manifest.fallback.json"
# A loopback port that refuses connections at once: bound for the whole session but never
# listening, so no other process can take it (a fixed port like 9 may be in use).
_REFUSER = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
_REFUSER.bind(("127.0.0.1", 0))
UNREACHABLE = f"http://127.0.0.1:{_REFUSER.getsockname()[1]}/manifest.json"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def refused_url() -> str:
    return UNREACHABLE


@pytest.fixture
def manifest_server():
    server = ManifestServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a spawned server: isolated cache, no network manifest, no credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ILETIMERKEZI_")}
    env.update({
        "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / "cache"),
        "ILETIMERKEZI_MANIFEST_URL": UNREACHABLE,
        "ILETIMERKEZI_LOG_LEVEL": "INFO",
        "HOME": str(tmp_path / "home"),
    })
    return env


@asynccontextmanager
async def stdio_session(env: dict[str, str], args: list[str] | None = None,
                        message_handler=None) -> AsyncIterator:
    """The real console entry point as a subprocess, driven by the SDK's own stdio client."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "iletimerkezi_mcp", *(args or [])],
                                   env=env, cwd=str(REPO))
    errlog = open(os.devnull, "w") if os.environ.get("QUIET_SERVER_STDERR") else sys.stderr
    async with stdio_client(params, errlog=errlog) as (read, write):
        async with ClientSession(read, write, message_handler=message_handler) as session:
            yield session
