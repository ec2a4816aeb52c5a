"""Two serve-http replicas sharing one PostgreSQL ledger and one fake API: what one replica knows, the other does.

Each replica is the real Starlette app on its own uvicorn (a thread, its own port, its own state and
ledger connection pool), as two processes behind a load balancer would be; the client is the SDK's
streamable HTTP client. PostgreSQL comes from tests/ledger/pg_server.py (skipped when unavailable,
a failure under CI), emptied for every test.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import mcp.types as types
import pytest
import uvicorn
from conftest import UNREACHABLE
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from iletimerkezi_mcp.app import build_state
from iletimerkezi_mcp.cli import main
from iletimerkezi_mcp.http.app import build_http_app, plan
from iletimerkezi_mcp.http.auth import new_token
from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY, SandboxServer, SandboxState
from iletimerkezi_mcp.settings import Settings, load_settings

sys.path.insert(0, str(Path(__file__).resolve().parent / "ledger"))  # pg_server, as the ledger tests import it
from pg_server import PASSWORD, fresh_url  # noqa: E402

pytest.importorskip("psycopg", reason="psycopg is in the dev group (uv sync)")
pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

SEND_PATH = "/v1/send-sms/json"
CONFIRM_ABOVE = 1  # credits: a one-number send goes straight out, a two-number one needs confirmation
BUDGET_HOUR = 5


def send(text: str, *numbers: str) -> dict[str, Any]:
    return {"order": {"sender": "SANDBOX", "iys": "0", "message": {
        "text": text, "receipents": {"number": list(numbers)}}}}


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Replicas:
    urls: list[str]  # replica A, replica B
    database_url: str
    sandbox: SandboxServer
    tokens: dict[str, str]  # name -> token

    def sends(self) -> int:
        return len(self.sandbox.requests_to(SEND_PATH))


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(SandboxState(delivery_delay=0)).start()
    yield server
    server.stop()


@pytest.fixture
def replicas(tmp_path: Path, sandbox: SandboxServer) -> Iterator[Replicas]:
    database_url = fresh_url()
    sandbox.clear_requests()
    tokens, lines = {}, []
    for name, role in (("rita", "reader"), ("sam", "sender")):
        tokens[name], line = new_token(name, role)
        lines.append(line)
    (tmp_path / "tokens").write_text("\n".join(lines) + "\n", encoding="utf-8")
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []
    urls = []
    try:
        for replica in ("a", "b"):
            settings: Settings = load_settings(env={
                "ILETIMERKEZI_BASE_URL": sandbox.url, "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY,
                "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH, "ILETIMERKEZI_MANIFEST": "bundled",
                "ILETIMERKEZI_MANIFEST_URL": UNREACHABLE, "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / replica / "c"),
                "ILETIMERKEZI_DATA_DIR": str(tmp_path / replica / "d"), "ILETIMERKEZI_DATABASE_URL": database_url,
                "ILETIMERKEZI_HTTP_TOKENS": str(tmp_path / "tokens"),
                "ILETIMERKEZI_CONFIRM_ABOVE": str(CONFIRM_ABOVE), "ILETIMERKEZI_BUDGET_HOUR": str(BUDGET_HOUR)})
            port = free_port()
            app = build_http_app(settings, plan(settings, "127.0.0.1", port), build_state(settings))
            server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                                   lifespan="on"))
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            servers.append((server, thread))
            deadline = time.monotonic() + 10
            while not server.started and thread.is_alive() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert server.started, f"replica {replica} did not start"
            urls.append(f"http://127.0.0.1:{port}")
        yield Replicas(urls, database_url, sandbox, tokens)
    finally:
        for server, _ in servers:
            server.should_exit = True
        for _, thread in servers:
            thread.join(10)


@asynccontextmanager
async def session(url: str, token: str) -> AsyncIterator[ClientSession]:
    client = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"})
    async with client, streamable_http_client(url + "/mcp", http_client=client) as (read, write):
        async with ClientSession(read, write) as s:
            await s.initialize()
            yield s


def confirmation_token(result: types.CallToolResult) -> str:
    assert "CONFIRMATION NEEDED" in text_of(result), text_of(result)
    assert result.structured_content is not None
    return result.structured_content["confirmation"]["token"]


async def test_a_confirmation_token_is_spent_once_across_replicas(replicas: Replicas) -> None:
    a, b = replicas.urls
    token = replicas.tokens["sam"]
    first = send("Kargonuz yolda 1", "905321110001", "905321110002")  # 2 credits: over CONFIRM_ABOVE
    second = send("Kargonuz yolda 2", "905321110003", "905321110004")
    async with session(a, token) as on_a, session(b, token) as on_b:
        # Obtained on A and spent on A: B refuses it.
        spent_on_a = confirmation_token(await on_a.call_tool("send_sms", first))
        assert "accepted" in text_of(await on_a.call_tool("send_sms", {**first, "confirmation_token": spent_on_a}))
        again = await on_b.call_tool("send_sms", {**first, "confirmation_token": spent_on_a})
        assert again.is_error is True and "already used" in text_of(again), text_of(again)
        # Obtained on A, spent on B: once.
        for_b = confirmation_token(await on_a.call_tool("send_sms", second))
        assert replicas.sends() == 1
        done = await on_b.call_tool("send_sms", {**second, "confirmation_token": for_b})
        assert done.is_error is False and "accepted" in text_of(done), text_of(done)
        for s in (on_b, on_a):
            replay = await s.call_tool("send_sms", {**second, "confirmation_token": for_b})
            assert replay.is_error is True and "already used" in text_of(replay), text_of(replay)
    assert replicas.sends() == 2


async def test_concurrent_sends_on_both_replicas_stay_within_the_hourly_budget(replicas: Replicas) -> None:
    token = replicas.tokens["sam"]
    results: list[str] = []
    async with session(replicas.urls[0], token) as on_a, session(replicas.urls[1], token) as on_b:

        async def one(i: int) -> None:
            s = (on_a, on_b)[i % 2]
            result = await s.call_tool("send_sms", send(f"Randevu hatirlatma {i}", f"90533222{i:04d}"))
            results.append(text_of(result))

        async with anyio.create_task_group() as tg:
            for i in range(4 * BUDGET_HOUR):
                tg.start_soon(one, i)
    accepted = sum("accepted" in r for r in results)
    assert replicas.sends() == accepted  # every 1-credit send that went out was reported as sent
    assert 0 < replicas.sends() <= BUDGET_HOUR, results
    assert sum("CONFIRMATION NEEDED" in r for r in results) == len(results) - accepted


async def test_history_shows_the_sends_of_both_replicas_with_the_token_name(replicas: Replicas, capsys) -> None:
    token = replicas.tokens["sam"]
    for i, url in enumerate(replicas.urls):
        async with session(url, token) as s:
            result = await s.call_tool("send_sms", send(f"Faturaniz hazir {i}", f"90534333{i:04d}"))
            assert "accepted" in text_of(result), text_of(result)
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["--database-url", replicas.database_url, "history", "--json", "--tool", "send_sms"])
    out = capsys.readouterr()
    assert done.value.code in (0, None)
    rows = [json.loads(line) for line in out.out.splitlines()]
    assert len(rows) == 2 and {row["actor"] for row in rows} == {"sam"}, rows
    assert PASSWORD not in out.out + out.err


async def test_a_reader_cannot_send_on_either_replica(replicas: Replicas) -> None:
    for url in replicas.urls:
        async with session(url, replicas.tokens["rita"]) as s:
            names = {t.name for t in (await s.list_tools()).tools}
            assert "send_sms" not in names and "get_balance" in names
            refused = await s.call_tool("send_sms", send("Okuyucu", "905351110000"))
            assert refused.is_error is True and "your role is 'reader'" in text_of(refused), text_of(refused)
    assert replicas.sends() == 0
