"""Structured logs for the team server: one JSON object per line on stderr, with the request's id and
the caller's name, so a log collector can follow one call across replicas.

Every line still goes through the redactor (the configured credentials become ***) and never holds a
bearer token: the caller is named by its token's name or its JWT subject, never by the token.
"""

from __future__ import annotations

import contextvars
import json
import logging
import secrets
import time
from typing import Any

from iletimerkezi_mcp.http.caller import current_caller
from iletimerkezi_mcp.redact import Redactor

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("iletimerkezi_request_id", default=None)
_HEADER = b"x-request-id"
_ID_LIMIT = 64  # a client's own id is kept when it is short and plain; anything else gets ours


class JsonFormatter(logging.Formatter):
    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id:
            entry["request_id"] = request_id
        caller = current_caller()
        if caller is not None:
            entry["caller"] = caller.name
            entry["role"] = caller.role
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        # json.dumps escapes every control character, so nothing in a message can drive a terminal.
        return self._redactor.text(json.dumps(entry, ensure_ascii=False))


def use_json_logs(redactor: Redactor) -> None:
    """Every handler of the root logger writes JSON lines from now on (uvicorn's own loggers propagate)."""
    for handler in logging.getLogger().handlers:
        handler.setFormatter(JsonFormatter(redactor))
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True


class RequestIds:
    """ASGI middleware: each HTTP request gets an id (the client's X-Request-ID when plain, else a new
    one), set for its logs and echoed in the response's X-Request-ID header."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(_HEADER, b"").decode("ascii", "replace")
        request_id = given if given and len(given) <= _ID_LIMIT and given.replace("-", "").isalnum() \
            else secrets.token_hex(8)
        token = REQUEST_ID.set(request_id)

        async def send_with_id(message: Any) -> None:
            if message.get("type") == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (_HEADER, request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)


__all__ = ["REQUEST_ID", "JsonFormatter", "RequestIds", "use_json_logs"]
