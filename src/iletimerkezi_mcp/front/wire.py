"""The stdio wire: private copies of stdin/stdout, a blocking line reader for the front, and the
async line source and sink the SDK's `stdio_server` is given once the full server runs.

Only pipes and sockets (what MCP clients give a server) are served this way, on POSIX: the event
loop reads them directly, so a message costs no worker-thread hop. Anything else (a terminal, a
file, Windows) keeps the SDK's own stdio transport.
"""

from __future__ import annotations

import os
import select
import stat
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

CHUNK = 1 << 16


@dataclass
class Wire:
    read_fd: int
    write_fd: int
    buffer: bytearray = field(default_factory=bytearray)  # read but not yet split into lines
    eof: bool = False
    gone: bool = False  # the client stopped reading (a write failed)

    def next_line(self, timeout: float | None) -> bytes | None:
        """The next whole line (blocking, for the front); None at end of input or after `timeout` s."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                line = bytes(self.buffer[:end + 1])
                del self.buffer[:end + 1]
                return line
            if self.eof:
                return None
            if deadline is not None:
                ready, _, _ = select.select([self.read_fd], [], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    return None
            chunk = _read_some(self.read_fd)
            if chunk:
                self.buffer += chunk
            else:
                self.eof = True

    def write(self, data: bytes) -> None:
        """All of `data`, waiting for the reader when the pipe is full."""
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.write_fd, view):]
            except BlockingIOError:  # the descriptor is shared with a non-blocking reader
                select.select([], [self.write_fd], [])

    async def lines(self) -> AsyncIterator[bytes]:
        """Every remaining line, read by the event loop itself (no thread); the last may lack its newline."""
        import asyncio  # here: the front answers before the event loop exists

        loop = asyncio.get_running_loop()
        readable = asyncio.Event()
        watching = False
        try:
            while True:
                end = self.buffer.find(b"\n")
                if end >= 0:
                    line = bytes(self.buffer[:end + 1])
                    del self.buffer[:end + 1]
                    yield line
                    continue
                if self.eof:
                    break
                try:
                    chunk = os.read(self.read_fd, CHUNK)
                except BlockingIOError:
                    if not watching:
                        loop.add_reader(self.read_fd, readable.set)
                        watching = True
                    await readable.wait()
                    readable.clear()
                    continue
                if chunk:
                    self.buffer += chunk
                else:
                    self.eof = True
        finally:
            if watching:
                loop.remove_reader(self.read_fd)
        if self.buffer:
            rest = bytes(self.buffer)
            self.buffer.clear()
            yield rest


def _read_some(fd: int) -> bytes:
    while True:
        try:
            return os.read(fd, CHUNK)
        except BlockingIOError:
            select.select([fd], [], [])


def claim(stdin_fd: int = 0, stdout_fd: int = 1, *, divert: bool = True) -> Wire | None:
    """Private duplicates of the client's pipes, or None where this transport does not apply.

    With `divert`, fd 0 then reads the null device and fd 1 writes to stderr, so nothing printed
    by a library can reach (and corrupt) the protocol stream.
    """
    if sys.platform == "win32":
        return None
    try:
        kinds = [os.fstat(fd).st_mode for fd in (stdin_fd, stdout_fd)]
    except OSError:
        return None
    if not (stat.S_ISFIFO(kinds[0]) or stat.S_ISSOCK(kinds[0])):
        return None
    import fcntl

    try:
        read_fd = fcntl.fcntl(stdin_fd, fcntl.F_DUPFD_CLOEXEC, 3)
    except OSError:
        return None
    try:
        write_fd = fcntl.fcntl(stdout_fd, fcntl.F_DUPFD_CLOEXEC, 3)
    except OSError:
        os.close(read_fd)
        return None
    os.set_blocking(read_fd, False)  # the loop's reader; writes stay blocking unless the fd is shared
    if divert:
        _divert(stdin_fd, os.devnull, os.O_RDONLY)
        _divert(stdout_fd, None, os.O_WRONLY)
    return Wire(read_fd, write_fd)


def _divert(fd: int, path: str | None, flags: int) -> None:
    """Point `fd` at `path`, or at stderr when `path` is None (the null device if stderr is unusable)."""
    try:
        if path is None:
            os.dup2(2, fd)
            return
    except OSError:
        path = os.devnull
    try:
        target = os.open(path, flags)
    except OSError:
        return  # the wire has its own copy; a stray write then fails instead of corrupting it
    try:
        os.dup2(target, fd)
    except OSError:
        pass
    finally:
        os.close(target)


class LineSource:
    """What `stdio_server(stdin=…)` iterates: lines as text, each first shown to `watch`."""

    def __init__(self, wire: Wire, replay: list[bytes], watch: Callable[[bytes], None]) -> None:
        self._wire = wire
        self._replay = replay
        self._watch = watch

    async def __aiter__(self) -> AsyncIterator[str]:
        for line in self._replay:
            self._watch(line)
            yield line.decode("utf-8", "replace")
        async for line in self._wire.lines():
            self._watch(line)
            yield line.decode("utf-8", "replace")


class LineSink:
    """What `stdio_server(stdout=…)` writes to: each line passes `screen`, which may drop or replace it;
    `after` runs once it is written (work that must not delay the answer)."""

    def __init__(self, wire: Wire, screen: Callable[[str], str | None], after: Callable[[], None]) -> None:
        self._wire = wire
        self._screen = screen
        self._after = after

    async def write(self, text: str) -> None:
        shown = self._screen(text)
        if shown and not self._wire.gone:
            try:
                self._wire.write(shown.encode("utf-8", "replace"))  # a lone surrogate must not end the session
            except OSError:  # the client closed its end: drop the rest; its input ends too
                self._wire.gone = True
        self._after()

    async def flush(self) -> None:
        return None


__all__ = ["LineSink", "LineSource", "Wire", "claim"]
