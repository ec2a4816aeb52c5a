"""The MCP Inspector CLI against serve-http over streamable HTTP with a bearer token (a real third-party
client of the HTTP transport); without the token it cannot connect."""

from __future__ import annotations

import hashlib
import json
import secrets
import subprocess

import pytest
from http_support import REPO, serve_http
from test_inspector import inspector

pytestmark = [pytest.mark.inspector, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def token_and_url(tmp_path_factory: pytest.TempPathFactory):
    inspector()  # skip before starting anything
    tmp = tmp_path_factory.mktemp("http-inspector")
    token = "imcp_" + secrets.token_hex(32)
    (tmp / "tokens.txt").write_text(f"sam sender {hashlib.sha256(token.encode()).hexdigest()}\n")
    with serve_http(tmp, ILETIMERKEZI_HTTP_TOKENS=str(tmp / "tokens.txt")) as base:
        yield token, base + "/mcp"


def run(url: str, *args: str, token: str | None = None) -> subprocess.CompletedProcess:
    headers = ["--header", f"Authorization: Bearer {token}"] if token else []
    return subprocess.run([*inspector(), "--cli", "-q", "--format", "json", "--transport", "http", "--server-url", url,
                           *headers, *args], capture_output=True, text=True, timeout=90, cwd=REPO)


def test_lists_and_calls_tools_over_http_with_a_token(token_and_url):
    token, url = token_and_url
    listed = run(url, "--method", "tools/list", token=token)
    assert listed.returncode == 0, listed.stderr
    names = {tool["name"] for tool in json.loads(listed.stdout)["result"]["tools"]}
    assert "send_sms" in names and "get_balance" in names and "delete_blacklist" not in names  # a sender
    called = run(url, "--method", "tools/call", "--tool-name", "get_balance", "--tool-args-json", "{}", token=token)
    assert called.returncode == 0, called.stderr
    result = json.loads(called.stdout)["result"]
    assert result["isError"] is False and result["structuredContent"]["balance"]["sms"] == 1000


def test_without_the_token_the_client_is_turned_away(token_and_url):
    _, url = token_and_url
    refused = run(url, "--method", "tools/list")
    assert refused.returncode != 0
    assert "send_sms" not in refused.stdout
