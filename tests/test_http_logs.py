"""The team server's logs: JSON lines with the request id and the caller, credentials masked."""

from __future__ import annotations

import json
import logging

import anyio

from iletimerkezi_mcp.http.caller import CALLER, Caller
from iletimerkezi_mcp.http.logs import REQUEST_ID, JsonFormatter, RequestIds
from iletimerkezi_mcp.redact import Redactor

KEY = "canary-key-4f1c9a7e2b6d"


def record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("iletimerkezi_mcp.dispatch", logging.WARNING, __file__, 1, message, args, None)


def test_a_line_is_json_with_the_request_and_the_caller_and_no_credential():
    formatter = JsonFormatter(Redactor([KEY]))
    request, caller = REQUEST_ID.set("req-1"), CALLER.set(Caller(name="ayse", role="sender"))
    try:
        line = formatter.format(record("sent with %s \x1b[2J", KEY))
    finally:
        REQUEST_ID.reset(request)
        CALLER.reset(caller)
    entry = json.loads(line)
    assert entry["request_id"] == "req-1" and entry["caller"] == "ayse" and entry["role"] == "sender"
    assert entry["level"] == "WARNING" and entry["message"].startswith("sent with ***")
    assert KEY not in line and "\x1b" not in line


def test_outside_a_request_there_is_no_id_or_caller():
    entry = json.loads(JsonFormatter(Redactor([])).format(record("started")))
    assert "request_id" not in entry and "caller" not in entry


def test_each_request_gets_an_id_seen_by_its_logs_and_its_response():
    seen: list[str | None] = []

    async def app(scope, receive, send):
        seen.append(REQUEST_ID.get())
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def run(headers):
        sent = []

        async def send(message):
            sent.append(message)

        await RequestIds(app)({"type": "http", "headers": headers}, None, send)
        return dict(sent[0]["headers"])[b"x-request-id"].decode()

    kept = anyio.run(run, [(b"x-request-id", b"client-42")])
    made = anyio.run(run, [(b"x-request-id", b"bad id\r\n" * 20)])
    assert kept == "client-42" and seen[0] == "client-42"
    assert made != "client-42" and len(made) == 16 and seen[1] == made
    assert REQUEST_ID.get() is None  # reset after the request
