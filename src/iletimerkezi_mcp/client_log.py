"""Warnings for the person's client as well as for stderr: MCP `notifications/message`.

What this server logs (a manifest fallback, a skipped endpoint, a manifest naming another host, an
unusable ledger) is also sent to every connected client at or above the level that connection set
with `logging/setLevel` (warnings and above until it sets one). What was logged at start, before any
client was connected, is kept (the last `BACKLOG` entries) and sent when a connection first shows up.
Nothing finer than the server's own log level (ILETIMERKEZI_LOG_LEVEL) is produced. Each entry goes
through the credentials redactor and the hidden-character cleaning, as stderr lines do.

On the 2026-07-28 protocol, log delivery is a per-request opt-in and `Connection.log` sends nothing
connection-wide; clients of that era get no start-up warnings this way (stderr still has them).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, get_args

import anyio
import mcp.types as types
from mcp.server.connection import allowed_log_levels

from iletimerkezi_mcp.redact import Redactor
from iletimerkezi_mcp.text import visible

BACKLOG = 50
DEFAULT_LEVEL: types.LoggingLevel = "warning"
MAX_MESSAGE = 1000
PACKAGE_LOGGER = "iletimerkezi_mcp"

LEVELS: tuple[types.LoggingLevel, ...] = get_args(types.LoggingLevel)  # ascending severity (RFC 5424)


def mcp_level(levelno: int) -> types.LoggingLevel:
    if levelno >= logging.CRITICAL:
        return "critical"
    if levelno >= logging.ERROR:
        return "error"
    if levelno >= logging.WARNING:
        return "warning"
    return "info" if levelno >= logging.INFO else "debug"


def at_least(level: types.LoggingLevel, threshold: types.LoggingLevel) -> bool:
    return LEVELS.index(level) >= LEVELS.index(threshold)


@dataclass(frozen=True)
class Entry:
    seq: int
    level: types.LoggingLevel
    logger: str
    message: str


class ClientLog(logging.Handler):
    """Collects the package's log records and hands them to every known connection, once each."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__(level=logging.DEBUG)
        self._redactor = redactor
        self._entries: deque[Entry] = deque(maxlen=BACKLOG)
        self._seq = 0
        # Per connection: the level it asked for, and the last entry it was sent.
        self._levels: weakref.WeakKeyDictionary[Any, types.LoggingLevel] = weakref.WeakKeyDictionary()
        self._sent: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self._guard = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: anyio.Event | None = None

    def emit(self, record: logging.LogRecord) -> None:  # any thread (the manifest is parsed in a worker)
        try:
            text = visible(self._redactor.text(record.getMessage()), keep_newlines=True)[:MAX_MESSAGE]
        except Exception:  # logging must never raise into the code that logged
            return
        with self._guard:
            self._seq += 1
            self._entries.append(Entry(self._seq, mcp_level(record.levelno), record.name, text))
        self.kick()

    def kick(self) -> None:
        """Wake the delivery task (safe from any thread; a no-op before it runs)."""
        loop, wake = self._loop, self._wake
        if loop is None or wake is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(wake.set)
        except RuntimeError:  # the loop closed meanwhile
            pass

    def set_level(self, connection: Any, level: types.LoggingLevel) -> None:
        self._levels[connection] = level

    def pending(self, connection: Any) -> list[Entry]:
        """The entries `connection` has not been sent yet, at or above its level (marked as sent)."""
        threshold = self._levels.get(connection, DEFAULT_LEVEL)
        with self._guard:
            last = self._sent.get(connection, 0)
            fresh = [e for e in self._entries if e.seq > last]
            if fresh:
                self._sent[connection] = fresh[-1].seq
        return [e for e in fresh if at_least(e.level, threshold)]

    async def deliver(self, connections: weakref.WeakSet[Any]) -> None:
        """Run while serving: send what each connection has not had, whenever something new arrives."""
        self._loop = asyncio.get_running_loop()
        while True:
            self._wake = anyio.Event()
            for connection in list(connections):
                # A stateless HTTP request's connection has no channel back: nothing to send it.
                if not getattr(connection, "has_standalone_channel", True):
                    continue
                for entry in self.pending(connection):
                    await _send(connection, entry)
            await self._wake.wait()

    def attach(self) -> None:
        logging.getLogger(PACKAGE_LOGGER).addHandler(self)

    def detach(self) -> None:
        logging.getLogger(PACKAGE_LOGGER).removeHandler(self)

    @contextmanager
    def attached(self) -> Iterator[ClientLog]:
        """Collect the package's records while the block runs."""
        self.attach()
        try:
            yield self
        finally:
            self.detach()


async def _send(connection: Any, entry: Entry) -> None:
    """`Connection.log` without its deprecation warning (it warns on every call): the same check of
    what the connection's protocol allows, then the notification. Best effort, as the SDK's notify
    never raises; a failure is not logged here, which would loop."""
    if entry.level not in allowed_log_levels(connection.protocol_version, None):
        return
    await connection.notify("notifications/message",
                            {"level": entry.level, "data": entry.message, "logger": entry.logger})
