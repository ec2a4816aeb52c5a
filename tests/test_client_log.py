"""What the server logs reaches the client too: `notifications/message` at the level it set.

The warnings are the real ones: a fallback manifest whose endpoint is broken (skipped) and which
names another API host (ignored), logged at start before any client is connected.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import anyio
import mcp.types as types
import pytest
from conftest import BUNDLED
from mcp import Client

from iletimerkezi_mcp.app import build_state
from iletimerkezi_mcp.client_log import ClientLog, at_least, mcp_level
from iletimerkezi_mcp.redact import Redactor
from iletimerkezi_mcp.server import build_server

# The SDK's client warns that logging/setLevel is deprecated for the 2026-07-28 protocol.
pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore:The logging capability")]


def noisy_manifest(tmp_path: Path) -> Path:
    doc = json.loads(BUNDLED.read_text(encoding="utf-8"))
    doc["endpoints"][0]["input_schema"] = "not a schema"  # skipped, with a warning
    doc["base_url"] = "https://elsewhere.example"  # ignored, with a warning
    path = tmp_path / "noisy.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


class Heard:
    def __init__(self) -> None:
        self.messages: list[types.LoggingMessageNotificationParams] = []

    async def __call__(self, params: types.LoggingMessageNotificationParams) -> None:
        self.messages.append(params)

    async def wait_for(self, count: int) -> None:
        with anyio.fail_after(5):
            while len(self.messages) < count:
                await anyio.sleep(0.01)

    def texts(self) -> list[str]:
        return [str(m.data) for m in self.messages]


async def test_start_warnings_reach_a_client_that_connects_later(base_env: dict[str, str], argv_settings,
                                                                tmp_path: Path) -> None:
    # Not the sandbox: a manifest's other host is only worth a warning where requests go to the provider.
    settings = argv_settings(base_env, "--fallback-manifest", str(noisy_manifest(tmp_path)))
    heard = Heard()
    async with Client(build_server(settings), mode="legacy", logging_callback=heard) as client:
        await client.list_tools()
        await heard.wait_for(2)
        texts = heard.texts()
        assert any("skipped" in t for t in texts), texts
        assert any("elsewhere.example" in t and "ignored" in t for t in texts), texts
        assert {m.level for m in heard.messages} == {"warning"}
        assert all(m.logger and m.logger.startswith("iletimerkezi_mcp") for m in heard.messages)
        await client.list_tools()  # each entry is sent once per connection
        await anyio.sleep(0.1)
        assert len(set(heard.texts())) == len(heard.texts()), heard.texts()


async def test_a_level_above_warning_keeps_the_warnings_back(base_env: dict[str, str], argv_settings,
                                                           tmp_path: Path) -> None:
    settings = argv_settings(base_env, "--sandbox", "--fallback-manifest", str(noisy_manifest(tmp_path)))
    heard = Heard()
    state = build_state(settings)
    async with Client(build_server(settings, state=state), mode="legacy", logging_callback=heard) as client:
        await client.set_logging_level("error")
        await client.list_tools()
        await anyio.sleep(0.1)
        assert heard.messages == []
        # A live error still arrives: the level is a threshold, not a switch.
        logging.getLogger("iletimerkezi_mcp.refresh").error("live manifest refused: test")
        await heard.wait_for(1)
        assert [(m.level, m.data) for m in heard.messages] == [("error", "live manifest refused: test")]


async def test_info_level_hears_info_when_the_server_logs_it(base_env: dict[str, str], argv_settings) -> None:
    settings = argv_settings(base_env, "--sandbox")
    heard = Heard()
    package = logging.getLogger("iletimerkezi_mcp")
    old = package.level
    package.setLevel(logging.INFO)  # what ILETIMERKEZI_LOG_LEVEL=INFO gives
    try:
        async with Client(build_server(settings), mode="legacy", logging_callback=heard) as client:
            await client.set_logging_level("info")
            await client.list_tools()
            await heard.wait_for(1)
            assert "info" in {m.level for m in heard.messages}
    finally:
        package.setLevel(old)


def test_credentials_and_hidden_characters_never_reach_the_client() -> None:
    log = ClientLog(Redactor(["s3cr3t-key"]))
    connection: Any = type("Conn", (), {})()
    record = logging.LogRecord("iletimerkezi_mcp.x", logging.WARNING, __file__, 1,
                               "key s3cr3t-key in \x1b[31mred\u202e", None, None)
    log.emit(record)
    [entry] = log.pending(connection)
    assert "s3cr3t-key" not in entry.message and "\x1b" not in entry.message and "\u202e" not in entry.message
    assert log.pending(connection) == []  # sent once


def test_the_backlog_is_bounded() -> None:
    log = ClientLog(Redactor([]))
    for i in range(500):
        log.emit(logging.LogRecord("iletimerkezi_mcp.x", logging.WARNING, __file__, 1, "w%d " + "x" * 5000,
                                   (i,), None))
    connection: Any = type("Conn", (), {})()
    entries = log.pending(connection)
    assert len(entries) == 50 and entries[-1].message.startswith("w499")
    assert all(len(e.message) <= 1000 for e in entries)


def test_levels_map_and_order() -> None:
    assert [mcp_level(n) for n in (10, 20, 30, 40, 50)] == ["debug", "info", "warning", "error", "critical"]
    assert at_least("error", "warning") and not at_least("info", "warning") and at_least("warning", "warning")
