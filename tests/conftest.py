"""Shared fixtures: a manifest HTTP server, and spawning the real server over stdio.

Everything binds 127.0.0.1; nothing here reaches the internet.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from manifest_server import ManifestServer

pytest_plugins = ["sandbox_fixtures"]

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "src" / "iletimerkezi_mcp" / "manifest" / "manifest.fallback.json"
# A closed port on loopback: connection refused at once, never the internet.
UNREACHABLE = "http://127.0.0.1:9/manifest.json"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


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
