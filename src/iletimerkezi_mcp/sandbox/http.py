"""The HTTP layer of the fake: a ThreadingHTTPServer on 127.0.0.1 in a background thread.

It routes the real wire paths to `SandboxState`, wraps payloads in the response envelope,
maps body codes to HTTP statuses (configurable), can return legacy wire types (string codes,
ids and counts), injects faults and records every request it receives.
"""

from __future__ import annotations

import json
import logging
import signal
import socketserver
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import urlsplit

from .codes import ApiError, status_block
from .faults import HTML_502, Faults, wire_path
from .state import ENDPOINTS, SANDBOX_API_HASH, SANDBOX_API_KEY, SandboxState

logger = logging.getLogger(__name__)

STATUS_MODES = ("mirror", "400", "200")
MAX_BODY = 20 * 1024 * 1024  # 50,000 numbers fit comfortably


def http_status(code: int, mode: str) -> int:
    """HTTP status for a body code. 401 is always HTTP 401, as the only observed pairing.

    mirror: HTTP equals the body code; "400": HTTP 400 for the custom 450–474 codes (others
    mirror); "200": always HTTP 200.
    """
    if code in (200, 401):
        return code
    if mode == "200":
        return 200
    if mode == "400" and 450 <= code <= 474:
        return 400
    return code


def legacy_types(body: dict[str, Any]) -> dict[str, Any]:
    """Rewrite a response with the older wire types: string codes, ids, balance and count."""
    response = body["response"]
    response["status"]["code"] = str(response["status"]["code"])
    if isinstance(response.get("order"), dict) and "id" in response["order"]:
        response["order"]["id"] = str(response["order"]["id"])
    for order in response.get("orders", []):
        order["id"] = str(order["id"])
    if isinstance(response.get("balance"), dict):
        response["balance"] = {k: str(v) for k, v in response["balance"].items()}
    if isinstance(response.get("blacklist"), dict) and "count" in response["blacklist"]:
        response["blacklist"]["count"] = str(response["blacklist"]["count"])
    return body


@dataclass
class RecordedRequest:
    """One request as the fake received it, for tests that assert the exact wire body."""

    method: str
    path: str
    body: Any  # parsed JSON, or None when the body was not JSON
    raw: bytes
    headers: dict[str, str] = field(default_factory=dict)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default backlog of 5 stalls bursts of parallel clients for 1 s
    sandbox: SandboxServer

    def server_bind(self) -> None:
        # Skip HTTPServer.server_bind's getfqdn(): a reverse DNS lookup can stall offline.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers after stop()

    def _dispatch(self) -> None:
        # socketserver types `server` as BaseServer; this handler only ever runs inside _HTTPServer.
        cast(_HTTPServer, self.server).sandbox._serve(self, self.command)

    # Every method goes through the same path; anything but POST answers 404.
    def do_POST(self) -> None:
        self._dispatch()

    def do_GET(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet by default: access lines go to the module logger at DEBUG, never to stdout.
        logger.debug("sandbox: " + format, *args)


class SandboxServer:
    """The fake iletiMerkezi API over real HTTP. Use `.start()`/`.stop()` or `with`."""

    def __init__(
        self,
        state: SandboxState | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        status_mode: str = "mirror",
        legacy_types: bool = False,
    ) -> None:
        if status_mode not in STATUS_MODES:
            raise ValueError(f"status_mode must be one of {STATUS_MODES}, got {status_mode!r}")
        self.state = state if state is not None else SandboxState()
        self.host, self._port = host, port
        self.status_mode = status_mode  # may be changed while running
        self.legacy_types = legacy_types
        self.faults = Faults()
        self._requests: list[RecordedRequest] = []
        self._requests_lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> SandboxServer:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _HTTPServer((self.host, self._port), _Handler)
        httpd.sandbox = self
        self._httpd = httpd
        self._port = int(httpd.server_address[1])
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
            name="iletimerkezi-sandbox", daemon=True,
        )
        self._thread.start()
        logger.info("sandbox: listening on %s", self.url)
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()  # wakes handlers sleeping on a "slow" fault
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        logger.info("sandbox: stopped")

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. "http://127.0.0.1:8765"."""
        return f"http://{self.host}:{self._port}"

    # --- recorded requests -----------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, in arrival order."""
        with self._requests_lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Recorded requests for one endpoint ("send-sms" or "/v1/send-sms/json")."""
        target = wire_path(path)
        return [r for r in self.requests if r.path == target]

    def clear_requests(self) -> None:
        with self._requests_lock:
            self._requests.clear()

    # --- request handling ------------------------------------------------------------------

    def _serve(self, handler: _Handler, method: str) -> None:
        path = urlsplit(handler.path).path
        raw = self._read_body(handler)
        try:
            parsed: Any = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, ValueError):
            parsed = None
        with self._requests_lock:
            self._requests.append(
                RecordedRequest(method, path, parsed, raw, {k.lower(): v for k, v in handler.headers.items()})
            )
        fault = self.faults.take(path)
        if fault is not None and fault.kind == "html502":
            self._write(handler, 502, HTML_502.encode(), "text/html; charset=utf-8")
            return
        if fault is not None and fault.kind == "503":
            self._write_json(handler, 503, self._envelope(503, {}))
            return
        code, payload = self._dispatch(method, path, parsed)
        body = self._envelope(code, payload)
        if fault is not None and fault.kind == "slow":
            self._stopping.wait(fault.seconds)
        self._write_json(handler, http_status(code, self.status_mode), body)

    def _dispatch(self, method: str, path: str, parsed: Any) -> tuple[int, dict[str, Any]]:
        """Routing (404) → JSON shape (400) → the state's auth and business rules."""
        if method != "POST" or path not in ENDPOINTS:
            return 404, {}
        if not isinstance(parsed, dict) or not isinstance(parsed.get("request"), dict):
            return 400, {}
        try:
            return 200, self.state.handle(path, parsed["request"])
        except ApiError as exc:
            logger.debug("sandbox: %s → %s", path, exc)
            return exc.code, {}
        except Exception:  # a bug in the fake must not kill the handler thread silently
            logger.exception("sandbox: internal error on %s", path)
            return 503, {}

    def _envelope(self, code: int, payload: dict[str, Any]) -> dict[str, Any]:
        # Error responses carry `status` only, never a payload.
        response: dict[str, Any] = {"status": status_block(code)}
        if code == 200:
            response.update(payload)
        body = {"response": response}
        return legacy_types(body) if self.legacy_types else body

    @staticmethod
    def _read_body(handler: _Handler) -> bytes:
        try:
            length = int(handler.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length <= 0:
            return b""
        return handler.rfile.read(min(length, MAX_BODY))

    def _write_json(self, handler: _Handler, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self._write(handler, status, data, "application/json; charset=utf-8")

    @staticmethod
    def _write(handler: _Handler, status: int, data: bytes, content_type: str) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("sandbox: client went away before the answer")  # e.g. a timed-out client


def run_standalone(port: int, state_file: str | None, delivery_delay: float) -> None:
    """Serve the fake on 127.0.0.1:`port` until Ctrl-C or SIGTERM. Everything goes to stderr."""
    state = SandboxState(delivery_delay=delivery_delay, state_file=state_file)
    server = SandboxServer(state, port=port).start()
    stop = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    lines = [
        f"iletiMerkezi sandbox (a local fake: no real SMS, no cost) on {server.url}",
        f"Test credentials: key={SANDBOX_API_KEY} hash={SANDBOX_API_HASH}",
        "Point iletimerkezi-mcp at it with:",
        f"  ILETIMERKEZI_BASE_URL={server.url}",
        f"  ILETIMERKEZI_API_KEY={SANDBOX_API_KEY}",
        f"  ILETIMERKEZI_API_HASH={SANDBOX_API_HASH}",
        f"Senders: {', '.join(state.senders)}; APITEST test number +{state.test_number}; "
        "İYS brand code 123456",
        f"Messages become final after {delivery_delay:g}s; numbers ending in 99 are undelivered.",
        f"State: {state_file or 'in memory (lost on exit)'}",
        *([state.reset_note] if state.reset_note else []),
        "Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), file=sys.stderr, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        print("sandbox stopped", file=sys.stderr, flush=True)
