"""The raw stdio wire, no SDK client: JSON-RPC lines in lock-step with `python -m iletimerkezi_mcp`.

Every stdout line must be a JSON-RPC 2.0 message with the spec's camelCase keys, and the process
must exit 0 soon after its stdin closes (what hosts do first on shutdown)."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

READ_TIMEOUT = 20.0  # generous for a loaded machine; a healthy server answers in well under a second


class WireServer:
    def __init__(self, env: dict[str, str], stderr_path: Path) -> None:
        self._stderr = open(stderr_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "iletimerkezi_mcp"], cwd=str(REPO), env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
        )
        self.lines: list[str] = []  # every stdout line, for the framing checks
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self._queue.put(raw.decode("utf-8"))
        self._queue.put(None)

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
        self.proc.stdin.flush()

    def response(self, request_id: int) -> dict[str, Any]:
        """Read lines until the response to `request_id` (notifications may come first)."""
        deadline = time.monotonic() + READ_TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no response to request {request_id} within {READ_TIMEOUT}s"
            line = self._queue.get(timeout=remaining)
            assert line is not None, f"server closed stdout before answering request {request_id}"
            self.lines.append(line)
            message = json.loads(line)
            if message.get("id") == request_id and "method" not in message:
                return message

    def rest(self) -> None:
        """Collect whatever the server wrote until it closed stdout."""
        while True:
            line = self._queue.get(timeout=READ_TIMEOUT)
            if line is None:
                return
            self.lines.append(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self._stderr.close()


@pytest.fixture
def wire(base_env: dict[str, str], tmp_path: Path):
    server = WireServer(base_env, tmp_path / "stderr.log")
    try:
        yield server
    finally:
        server.close()


def request(request_id: int, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def walk_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        keys = set(value)
        for item in value.values():
            keys |= walk_keys(item)
        return keys
    if isinstance(value, list):
        return set().union(*(walk_keys(v) for v in value)) if value else set()
    return set()


def test_raw_json_rpc_session(wire: WireServer, tmp_path: Path) -> None:
    wire.send(request(1, "initialize", {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "wire-test", "version": "0.0.1"},
    }))
    init = wire.response(1)
    assert init["result"]["protocolVersion"] == "2025-06-18"
    assert init["result"]["serverInfo"]["name"] == "iletimerkezi"
    assert "tools" in init["result"]["capabilities"]
    assert init["result"]["capabilities"]["tools"]["listChanged"] is True  # a refreshed manifest is announced
    assert isinstance(init["result"]["instructions"], str)

    wire.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    wire.send(request(2, "tools/list"))
    tools = wire.response(2)["result"]["tools"]
    assert len(tools) == 14
    by_name = {t["name"]: t for t in tools}
    for tool in tools:
        assert tool["inputSchema"]["type"] == "object"
        assert isinstance(tool["annotations"]["readOnlyHint"], bool)
        assert "outputSchema" in tool
    assert by_name["get_balance"]["annotations"]["readOnlyHint"] is True
    assert by_name["send_sms"]["annotations"]["readOnlyHint"] is False
    assert by_name["send_sms"]["annotations"]["destructiveHint"] is True

    wire.send(request(3, "tools/call", {"name": "preview_sms",
                                        "arguments": {"text": "Merhaba dünya", "recipients": ["05321112233"]}}))
    preview = wire.response(3)["result"]
    assert preview["isError"] is False
    assert preview["structuredContent"]["recipient_count"] == 1
    assert preview["content"][0]["type"] == "text"

    wire.send(request(4, "tools/call", {"name": "get_balance", "arguments": {}}))
    balance = wire.response(4)["result"]
    assert balance["isError"] is True
    assert "ILETIMERKEZI_API_KEY" in balance["content"][0]["text"]

    # Shutdown the way hosts do it: close stdin, then expect a prompt, clean exit.
    assert wire.proc.stdin is not None
    wire.proc.stdin.close()
    started = time.monotonic()
    assert wire.proc.wait(timeout=10) == 0
    assert time.monotonic() - started < 10
    wire.rest()

    # Every stdout line is one JSON-RPC 2.0 message; nothing else ever reached stdout.
    assert len(wire.lines) >= 4
    for line in wire.lines:
        message = json.loads(line)
        assert message["jsonrpc"] == "2.0", line[:200]
        assert ("id" in message and ("result" in message or "error" in message)) or "method" in message, line[:200]
        assert "error" not in message, line[:300]
    # The spec's camelCase, never the SDK's Python attribute names.
    keys = set().union(*(walk_keys(json.loads(line)) for line in wire.lines))
    assert {"inputSchema", "isError", "structuredContent", "readOnlyHint", "protocolVersion"} <= keys
    assert not keys & {"input_schema", "is_error", "structured_content", "read_only_hint", "output_schema"}
    # Logs went to stderr instead (base_env sets INFO).
    assert "iletimerkezi-mcp" in (tmp_path / "stderr.log").read_text(encoding="utf-8", errors="replace")
