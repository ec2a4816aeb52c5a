"""A misbehaving HTTP API on 127.0.0.1, for deadline tests: raw sockets and threads, no framework.

Each request gets the next answer of a script (the last one repeats):

* `"hang"`: the request is read, then nothing is ever sent back;
* `"drip"`: a status line and headers announcing a large JSON body, then one body byte every `interval`;
* `"drip-head"`: the status line itself, one byte every `interval` (the headers never end);
* `(status, body)`: a complete answer at once (with `Connection: close`).

Dripping and hanging go on until the server is stopped. `requests` holds every request body received.
"""

from __future__ import annotations

import socket
import threading
from typing import Literal

Answer = Literal["hang", "drip", "drip-head"] | tuple[int, bytes]


class SlowApi:
    def __init__(self, *script: Answer, interval: float = 0.3) -> None:
        self.script: list[Answer] = list(script) or ["hang"]
        self.interval = interval
        self.requests: list[bytes] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self._acceptor: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._listener is not None
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def start(self) -> SlowApi:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        listener.settimeout(0.05)  # the accept loop polls so that stop() ends it promptly
        self._listener = listener
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            for connection in self._connections:
                connection.close()

    def __enter__(self) -> SlowApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(None)
            with self._lock:
                self._connections.append(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            body = _read_request(connection)
            if body is None:
                return
            with self._lock:
                self.requests.append(body)
                answer = self.script[min(len(self.requests), len(self.script)) - 1]
            if answer == "hang":
                self._stopping.wait()
            elif answer == "drip":
                head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 1000000\r\n\r\n{")
                connection.sendall(head)
                self._drip(connection, b" ")
            elif answer == "drip-head":
                self._drip(connection, b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1_000_000)
            else:
                status, content = answer
                connection.sendall(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                                   b"Connection: close\r\n\r\n%s" % (status, len(content), content))
        except OSError:
            pass  # the client gave up and closed: exactly what these tests expect
        finally:
            connection.close()

    def _drip(self, connection: socket.socket, data: bytes) -> None:
        for i in range(len(data)):
            if self._stopping.wait(self.interval):
                return
            connection.sendall(data[i:i + 1])
        while not self._stopping.wait(self.interval):  # data ran out: keep dripping spaces
            connection.sendall(b" ")


def _read_request(connection: socket.socket) -> bytes | None:
    """The body of one HTTP/1.1 request (Content-Length framing); None if the client left early."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        body += chunk
    return body
