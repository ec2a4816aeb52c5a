"""SIGTERM and SIGINT end the stdio server promptly; a send in flight is left in the ledger as
"may have gone out" (unknown), never as pending."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO
from slow_api import SlowApi

from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY

pytestmark = pytest.mark.timeout(60)
SEND = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "send_sms", "arguments": {
    "order": {"sender": "ORNEKMAGAZA", "iys": "0",
              "message": {"text": "Kargonuz yolda", "receipents": {"number": ["5321112233"]}}}}}}


@pytest.mark.parametrize(("sent", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_ends_the_server_and_a_send_in_flight_is_unknown(base_env, cli, sent, exit_code):
    with SlowApi("hang") as api:
        env = {**base_env, "ILETIMERKEZI_BASE_URL": api.url, "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY,
               "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH, "ILETIMERKEZI_TIMEOUT": "50"}
        server = subprocess.Popen([sys.executable, "-m", "iletimerkezi_mcp"], cwd=REPO, env=env,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert server.stdin is not None and server.stdout is not None
        server.stdin.write(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}).encode()
            + b"\n" + b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n' + json.dumps(SEND).encode() + b"\n")
        server.stdin.flush()
        assert json.loads(server.stdout.readline())["id"] == 1
        waited = time.monotonic()
        while not api.requests:  # the send has reached the (silent) API: it is in flight
            assert time.monotonic() - waited < 30, "the send never reached the API"
            time.sleep(0.02)
        signalled = time.monotonic()
        server.send_signal(sent)
        code = server.wait(timeout=20)
        stopped = time.monotonic() - signalled
        server.stdin.close()
    assert code == exit_code, server.stderr.read().decode() if server.stderr else ""
    assert stopped < 10  # not the 50 s API timeout
    run = cli(env, "history", "--json", "--since", "1h")
    rows = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert [(row["tool"], row["outcome"]) for row in rows] == [("send_sms", "unknown")], run.stdout
