"""A tiny HTTP server on 127.0.0.1 that serves a manifest with whatever status, body, delay or
ETag a test sets, and counts the requests it received.

`redirects` maps a request path to (status, Location): that path answers with the redirect instead;
every other path serves the manifest. `paths` lists the path of every request received."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

BUNDLED = Path(__file__).resolve().parents[1] / "src" / "iletimerkezi_mcp" / "manifest" / "manifest.fallback.json"


def bundled_manifest() -> dict[str, Any]:
    return json.loads(BUNDLED.read_text(encoding="utf-8"))


def endpoint(document: dict[str, Any], tool: str) -> dict[str, Any]:
    """The endpoint entry of `document` whose mcp_tool is `tool`."""
    return next(ep for ep in document["endpoints"] if ep.get("mcp_tool") == tool)


def too_deep_manifest(depth: int = 150) -> dict[str, Any]:
    """Valid JSON whose send_sms schema nests deeper than the schema checker can recurse."""
    schema: dict[str, Any] = {"type": "object"}
    node = schema
    for _ in range(depth):
        child: dict[str, Any] = {"type": "object"}
        node["properties"] = {"a": child}
        node = child
    document = bundled_manifest()
    endpoint(document, "send_sms")["input_schema"] = schema
    return document


class ManifestServer:
    def __init__(self) -> None:
        self.status = 200
        self.body: bytes = json.dumps(bundled_manifest()).encode()
        self.etag: str | None = None
        self.delay = 0.0
        self.requests: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.redirects: dict[str, tuple[int, str]] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._stopping = threading.Event()  # wakes handlers waiting out `delay` when the server stops

    def serve_json(self, document: Any, etag: str | None = None) -> None:
        self.body = json.dumps(document, ensure_ascii=False).encode()
        self.etag = etag
        self.status = 200

    @property
    def origin(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.origin}/api/manifest.json"

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                owner.requests.append({k.lower(): v for k, v in self.headers.items()})
                owner.paths.append(self.path)
                if owner.delay and owner._stopping.wait(owner.delay):
                    return  # stopped while delaying: close the connection unanswered
                if self.path in owner.redirects:
                    status, location = owner.redirects[self.path]
                    self.send_response(status)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if owner.etag and self.headers.get("If-None-Match") == owner.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(owner.status)
                self.send_header("Content-Type", "application/json")
                if owner.etag:
                    self.send_header("ETag", owner.etag)
                self.send_header("Content-Length", str(len(owner.body)))
                self.end_headers()
                try:
                    self.wfile.write(owner.body)
                except OSError:
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self._stopping.clear()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown() waits for the serve loop's next poll (0.5 s by default).
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._stopping.set()
            self._httpd.shutdown()
            self._httpd.server_close()
