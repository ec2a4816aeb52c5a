"""serve-http end to end: the real Starlette app on uvicorn (a thread), the SDK's streamable HTTP client.

One server per module (sandbox, a tokens file with a reader and a sender, a local test issuer for
JWTs) keeps this file to a few seconds.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import httpx2
import jwt
import mcp.types as types
import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from iletimerkezi_mcp.app import build_state
from iletimerkezi_mcp.http.app import build_http_app, plan
from iletimerkezi_mcp.http.auth import new_token
from iletimerkezi_mcp.ledger import open_ledger
from iletimerkezi_mcp.settings import Settings

pytestmark = pytest.mark.anyio
SEND_PATH = "/v1/send-sms/json"
AUDIENCE = "https://sms.example.test/mcp"
SEND = {"order": {"sender": "SANDBOX", "iys": "0", "message": {
    "text": "Siparisiniz kargoya verildi", "receipents": {"number": ["905321112233"]}}}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Issuer:
    """A tiny OAuth authorization server: RFC 8414 metadata and a JWKS, and tokens signed with its key."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                documents = {"/.well-known/oauth-authorization-server": {"issuer": issuer.url,
                                                                          "jwks_uri": issuer.url + "/jwks"},
                             "/jwks": {"keys": [{**jwk, "kid": "test-key", "use": "sig", "alg": "RS256"}]}}
                body = json.dumps(documents.get(self.path)).encode()
                self.send_response(200 if self.path in documents else 404)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def token(self, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": self.url, "aud": AUDIENCE, "sub": "carol@example.test", "scope": "openid sms:sender",
                "iat": now, "exp": now + 300, **claims}
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": "test-key"})


@dataclass
class Running:
    url: str
    settings: Settings
    state: Any
    tokens: dict[str, str]  # name -> token
    issuer: Issuer


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    tmp = tmp_path_factory.mktemp("http")
    tokens, lines = {}, []
    for name, role, extra in (("rita", "reader", {}), ("sam", "sender", {"budget_hour": 1000})):
        tokens[name], line = new_token(name, role, **extra)
        lines.append(line)
    (tmp / "tokens").write_text("# team tokens\n" + "\n".join(lines) + "\n", encoding="utf-8")
    issuer = Issuer()
    settings = Settings(sandbox=True, sandbox_state="memory", manifest_mode="bundled", cache_dir=tmp / "cache",
                        data_dir=tmp / "data", http_tokens=tmp / "tokens", oauth_issuer=issuer.url,
                        oauth_audience=AUDIENCE)
    port = free_port()
    p = plan(settings, "127.0.0.1", port)
    state = build_state(settings)
    server = uvicorn.Server(uvicorn.Config(build_http_app(settings, p, state), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    try:
        yield Running(f"http://127.0.0.1:{port}", settings, state, tokens, issuer)
    finally:
        server.should_exit = True
        thread.join(10)
        issuer.httpd.shutdown()


@asynccontextmanager
async def session(run: Running, token: str) -> AsyncIterator[ClientSession]:
    client = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"})
    async with client, streamable_http_client(run.url + "/mcp", http_client=client) as (read, write):
        async with ClientSession(read, write) as s:
            await s.initialize()
            yield s


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(getattr(c, "text", "") for c in result.content)


async def test_healthz_needs_no_token(running: Running) -> None:
    response = httpx.get(running.url + "/healthz", headers={"X-Request-ID": "probe-7"})
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert response.headers["x-request-id"] == "probe-7"  # the id its log lines carry


async def test_no_token_is_401_naming_the_metadata(running: Running) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = httpx.post(running.url + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                              headers={"accept": "application/json, text/event-stream", **headers})
        assert response.status_code == 401
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith("Bearer ")
        assert 'resource_metadata="https://sms.example.test/.well-known/oauth-protected-resource/mcp"' in challenge


async def test_protected_resource_metadata(running: Running) -> None:
    for path in ("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"):
        meta = httpx.get(running.url + path).json()
        assert meta["resource"] == AUDIENCE
        assert meta["authorization_servers"] == [running.issuer.url]
        assert meta["bearer_methods_supported"] == ["header"]
        assert "sms:sender" in meta["scopes_supported"]


async def test_dns_rebinding_protection(running: Running) -> None:
    def post(**headers: str) -> int:
        return httpx.post(running.url + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                          headers={"Authorization": f"Bearer {running.tokens['sam']}",
                                   "accept": "application/json, text/event-stream", **headers}).status_code

    assert post(Host="evil.example") == 421
    assert post(Origin="http://evil.example") == 403
    assert post(Origin="https://sms.example.test") == 200  # the public URL's own origin


async def test_reader_sees_reads_and_cannot_send(running: Running) -> None:
    sandbox = running.state.sandbox
    sandbox.clear_requests()
    async with session(running, running.tokens["rita"]) as s:
        listed = {t.name: t for t in (await s.list_tools()).tools}
        assert listed and all(t.annotations and t.annotations.read_only_hint for t in listed.values())
        assert "get_balance" in listed and "send_sms" not in listed
        assert (await s.call_tool("get_balance", {})).is_error is False
        refused = await s.call_tool("send_sms", SEND)
    assert refused.is_error is True
    assert "your role is 'reader'" in text_of(refused) and "Nothing was sent" in text_of(refused)
    assert sandbox.requests_to(SEND_PATH) == []


async def test_sender_send_is_in_the_ledger_with_its_name(running: Running) -> None:
    async with session(running, running.tokens["sam"]) as s:
        names = {t.name for t in (await s.list_tools()).tools}
        assert {"send_sms", "preview_sms", "get_send_history"} <= names
        assert "cancel_order" not in names and "add_blacklist" not in names
        sent = await s.call_tool("send_sms", SEND)
        assert sent.is_error is False, text_of(sent)
        blocked = await s.call_tool("add_blacklist", {"blacklist": {"number": "905321112233"}})
        assert blocked.is_error is True and "your role is 'sender'" in text_of(blocked)
    ledger = open_ledger(running.settings.ledger_path(), running.settings.ledger_days)
    try:
        rows, _ = ledger.history(tool="send_sms")
    finally:
        ledger.close()
    assert [(r.actor, r.outcome) for r in rows] == [("sam", "sent")]


async def test_jwt_of_the_issuer_is_accepted(running: Running) -> None:
    async with session(running, running.issuer.token()) as s:
        names = {t.name for t in (await s.list_tools()).tools}
        assert "send_sms" in names and "cancel_order" not in names  # sms:sender
        assert (await s.call_tool("get_balance", {})).is_error is False


@pytest.mark.parametrize("claims", [
    {"aud": "https://other.example.test/mcp"},
    {"exp": int(time.time()) - 600, "iat": int(time.time()) - 900},
    {"iss": "https://not-the-issuer.example.test"},
    {"scope": "openid profile"},
], ids=["wrong-audience", "expired", "wrong-issuer", "no-role"])
async def test_bad_jwts_are_401(running: Running, claims: dict[str, Any]) -> None:
    response = httpx.post(running.url + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                          headers={"Authorization": f"Bearer {running.issuer.token(**claims)}",
                                   "accept": "application/json, text/event-stream"})
    assert response.status_code == 401
    assert "resource_metadata=" in response.headers["www-authenticate"]


async def test_jwt_signed_by_another_key_is_401(running: Running) -> None:
    other = Issuer()
    other.url = running.issuer.url  # same claims, wrong key
    try:
        response = httpx.post(running.url + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                              headers={"Authorization": f"Bearer {other.token()}",
                                       "accept": "application/json, text/event-stream"})
    finally:
        other.httpd.shutdown()
    assert response.status_code == 401
