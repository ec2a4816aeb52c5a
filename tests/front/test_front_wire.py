"""The wire's line handling: blocking for the front, event-loop driven for the SDK."""

from __future__ import annotations

import os
import threading

import anyio
import pytest

from iletimerkezi_mcp.front.wire import Wire, claim


def pipe_wire() -> tuple[Wire, int, int]:
    """A claimed wire and the client's ends (write to the server, read from it)."""
    server_reads, client_writes = os.pipe()
    client_reads, server_writes = os.pipe()
    wire = claim(server_reads, server_writes, divert=False)
    assert wire is not None
    os.close(server_reads)
    os.close(server_writes)
    return wire, client_writes, client_reads


def test_the_front_reads_whole_lines_and_times_out():
    wire, to_server, _ = pipe_wire()
    os.write(to_server, b'{"a":1}\n{"b"')
    assert wire.next_line(timeout=1) == b'{"a":1}\n'
    assert wire.next_line(timeout=0.05) is None  # half a line is not a line
    os.write(to_server, b':2}\n')
    assert wire.next_line(timeout=1) == b'{"b":2}\n'
    os.close(to_server)
    assert wire.next_line(timeout=1) is None and wire.eof


def test_the_event_loop_reads_long_lines_and_the_rest_after_the_front():
    wire, to_server, _ = pipe_wire()
    long_line = b'{"x":"' + b"5" * 900_000 + b'"}\n'
    os.write(to_server, b"first\nsec")
    assert wire.next_line(timeout=1) == b"first\n"

    def feed() -> None:
        os.write(to_server, b"ond\n" + long_line + b"last-without-newline")
        os.close(to_server)

    async def read_all() -> list[bytes]:
        return [line async for line in wire.lines()]

    writer = threading.Thread(target=feed)
    writer.start()
    lines = anyio.run(read_all)
    writer.join()
    assert lines == [b"second\n", long_line, b"last-without-newline"]


def test_writes_arrive_whole_even_when_larger_than_the_pipe():
    wire, _, from_server = pipe_wire()
    data = b"y" * 1_000_000 + b"\n"
    received = bytearray()

    def drain() -> None:
        while len(received) < len(data):
            received.extend(os.read(from_server, 1 << 16))

    reader = threading.Thread(target=drain)
    reader.start()
    wire.write(data)
    reader.join(10)
    assert bytes(received) == data


@pytest.mark.parametrize("kind", ["file", "null device"])
def test_only_pipes_and_sockets_are_claimed(tmp_path, kind):
    path = tmp_path / "input" if kind == "file" else os.devnull
    if kind == "file":
        (tmp_path / "input").write_text("{}\n")
    fd = os.open(path, os.O_RDONLY)
    try:
        assert claim(fd, 1, divert=False) is None
    finally:
        os.close(fd)
