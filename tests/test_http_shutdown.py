"""serve-http as a real process: it starts from the CLI, and SIGTERM lets a call in flight finish."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from iletimerkezi_mcp.http.auth import new_token
from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY, SandboxServer, SandboxState

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_sigterm_lets_the_call_in_flight_finish(base_env: dict[str, str], tmp_path: Path) -> None:
    api = SandboxServer(SandboxState()).start()  # a separate fake, so its answer can be slowed down
    token, line = new_token("ops", "reader")
    (tmp_path / "tokens").write_text(line + "\n", encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**base_env, "ILETIMERKEZI_BASE_URL": api.url, "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY,
           "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH, "ILETIMERKEZI_MANIFEST": "bundled",
           "ILETIMERKEZI_HTTP_TOKENS": str(tmp_path / "tokens"), "ILETIMERKEZI_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([sys.executable, "-m", "iletimerkezi_mcp", "serve-http", "--port", str(port)],
                            env=env, cwd=str(REPO), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(url + "/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr and proc.stderr.read()
            time.sleep(0.05)
        api.faults.slow(1.0, "get-balance")
        answer: dict[str, Any] = {}

        def call() -> None:
            response = httpx.post(url + "/mcp", timeout=10, json={
                "jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "get_balance", "arguments": {}}},
                headers={"Authorization": f"Bearer {token}", "accept": "application/json, text/event-stream",
                         "mcp-protocol-version": "2025-06-18"})
            answer["status"], answer["body"] = response.status_code, response.text

        caller = threading.Thread(target=call)
        caller.start()
        time.sleep(0.4)  # the call is waiting on the slow API
        os.kill(proc.pid, signal.SIGTERM)
        caller.join(10)
        assert proc.wait(10) == -signal.SIGTERM  # uvicorn re-raises the signal once shut down: the shell sees 143
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        api.stop()
    assert answer["status"] == 200
    assert '"id":7' in answer["body"] and '"isError":false' in answer["body"], answer["body"][:500]
