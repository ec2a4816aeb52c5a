"""Answers for stdio lines the MCP SDK cannot read: a client that sent one must not wait forever.

JSON-RPC 2.0 (https://www.jsonrpc.org/specification#error_object): text that is not JSON gets
-32700 with a null id; JSON that is not a valid request gets -32600, addressed to the request's id
when it has a usable one (a string or a number), else to null. A client's own response (a message
with `result` or `error` and no `method`) is never answered. Pure functions, no MCP imports.
"""

from __future__ import annotations

import json
from typing import Any

from iletimerkezi_mcp.front.snapshot import render

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602
_ID_SCAN_LIMIT = 1 << 20  # a deeply nested line is searched this far for its top-level id


def error_line(request_id: object, code: int, message: str) -> str:
    return render({"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}})


def _usable_id(value: object) -> object:
    return value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None


def reply_to_malformed(line: str) -> str | None:
    """The error line for a line the SDK refused; None when nothing should be answered."""
    text = line.strip()
    if not text:
        return None  # a blank line between messages
    try:
        document = json.loads(text)
    except RecursionError:
        return error_line(_usable_id(top_level_id(text)), INVALID_REQUEST,
                          "Invalid Request: the message is nested too deeply to be read")
    except ValueError:
        return error_line(None, PARSE_ERROR, "Parse error: the line is not valid JSON (one JSON-RPC message per line)")
    if isinstance(document, list):
        return error_line(None, INVALID_REQUEST,
                          "Invalid Request: batches are not supported; send one message per line")
    if not isinstance(document, dict):
        return error_line(None, INVALID_REQUEST, "Invalid Request: a message must be a JSON object")
    if "method" not in document and ("result" in document or "error" in document):
        return None
    return error_line(_usable_id(document.get("id")), INVALID_REQUEST, f"Invalid Request: {_problem(document)}")


def request_read_as_notification(line: str) -> str | None:
    """The SDK reads a request whose id is unusable (null, true, 1.5, an object) as a notification
    and answers nothing; the error line for such a line, None for a true notification."""
    if '"id"' not in line:
        return None
    try:
        document = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or "id" not in document:
        return None
    return error_line(_usable_id(document["id"]), INVALID_REQUEST, f"Invalid Request: {_problem(document)}")


def _problem(document: dict[str, Any]) -> str:
    if document.get("jsonrpc") != "2.0":
        return 'jsonrpc must be "2.0"'
    if "method" not in document:
        return "the message has no method"
    if not isinstance(document["method"], str):
        return "method must be a string"
    if "id" in document and (isinstance(document["id"], bool) or not isinstance(document["id"], (str, int))):
        return "id must be a string or an integer"
    if "params" in document and not isinstance(document["params"], dict):
        return "params must be a JSON object"
    return "the message does not have the shape of an MCP request (or is nested too deeply)"


def arguments_refusal(request_id: object, method: str, params: object) -> str | None:
    """Our own answer for a tools/call whose arguments are not an object (the SDK's says only
    "Invalid request parameters")."""
    if method != "tools/call" or not isinstance(params, dict):
        return None
    arguments = params.get("arguments")
    if arguments is None or isinstance(arguments, dict):
        return None
    kind = {list: "a list", str: "a string", bool: "true/false", int: "a number", float: "a number"}.get(
        type(arguments), "not an object")
    return error_line(request_id, INVALID_PARAMS,
                      f"tools/call arguments must be a JSON object of argument names and values, not {kind}. "
                      f"/ tools/call arguments bir JSON nesnesi (argüman adı → değer) olmalı.")


def top_level_id(text: str) -> object:
    """The value of the top-level "id" key of a JSON object too deep for json.loads, or None.

    A scan that only tracks strings and nesting, so depth costs nothing; the value itself is read
    with the JSON decoder (ids are scalars)."""
    depth = 0
    index = 0
    decoder = json.JSONDecoder()
    end = min(len(text), _ID_SCAN_LIMIT)
    while index < end:
        char = text[index]
        if char == '"':
            try:
                key, after = decoder.raw_decode(text, index)
            except ValueError:
                return None
            if depth == 1 and key == "id":
                rest = text[after:after + 64].lstrip()
                if rest.startswith(":"):
                    colon = text.index(":", after)
                    start = colon + 1
                    while start < end and text[start] in " \t\r\n":
                        start += 1
                    try:
                        return decoder.raw_decode(text, start)[0]
                    except (ValueError, RecursionError):
                        return None
            index = after
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        index += 1
    return None


__all__ = ["INVALID_PARAMS", "INVALID_REQUEST", "PARSE_ERROR", "arguments_refusal", "error_line",
           "reply_to_malformed", "request_read_as_notification", "top_level_id"]
