"""Pytest fixtures for the built-in fake iletiMerkezi API (`iletimerkezi_mcp.sandbox`).

Loaded as a plugin (`pytest_plugins = ["sandbox_fixtures"]` with `tests` on the path):

* `sandbox`: a started `SandboxServer` with fresh state and `delivery_delay=0.3`, stopped after.
* `sandbox_factory(**options)`: build more servers, e.g. `sandbox_factory(status_mode="400")`,
  `sandbox_factory(legacy_types=True)`, `sandbox_factory(state_file=tmp_path / "s.json")`.
  Server options: status_mode, legacy_types, state; anything else goes to `SandboxState`.

Helpers `envelope(**blocks)` and `post(server, endpoint, **blocks)` build and send a request
with the sandbox credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY, SandboxServer, SandboxState

SANDBOX_AUTH = {"key": SANDBOX_API_KEY, "hash": SANDBOX_API_HASH}


def envelope(**blocks: Any) -> dict[str, Any]:
    """`{"request": {<blocks>, "authentication": {...sandbox credentials...}}}`."""
    return {"request": {**blocks, "authentication": dict(SANDBOX_AUTH)}}


_client: httpx.Client | None = None


def _shared_client() -> httpx.Client:
    # One client for all helpers: building an httpx.Client (and its TLS context) per call is slow.
    global _client
    if _client is None:
        _client = httpx.Client(trust_env=False)
    return _client


def post(server: SandboxServer, endpoint: str, *, timeout: float = 5.0, **blocks: Any) -> httpx.Response:
    """POST `envelope(**blocks)` to `/v1/<endpoint>/json` (endpoint like "send-sms")."""
    url = f"{server.url}/v1/{endpoint}/json"
    return _shared_client().post(url, json=envelope(**blocks), timeout=timeout)


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., SandboxServer]]:
    servers: list[SandboxServer] = []

    def make(
        *,
        status_mode: str = "mirror",
        legacy_types: bool = False,
        state: SandboxState | None = None,
        delivery_delay: float = 0.3,
        **state_options: Any,
    ) -> SandboxServer:
        if state is None:
            state = SandboxState(delivery_delay=delivery_delay, **state_options)
        server = SandboxServer(state, status_mode=status_mode, legacy_types=legacy_types)
        servers.append(server)
        return server.start()

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., SandboxServer]) -> SandboxServer:
    return sandbox_factory()
