"""English labels for report status codes (https://www.iletimerkezi.com/en/docs/api/get-report).

The one table of these labels: they are part of the ``status_text`` field of report results.
"""

from __future__ import annotations

from typing import Any

from .coerce import to_int

# 114 means "every message is final", not "all delivered".
STATUS_TEXT: dict[int, str] = {
    110: "queued",
    111: "delivered",
    112: "not delivered",
    113: "sending",
    114: "finished",
    115: "failed or cancelled",
}


def status_text(code: int) -> str:
    """English label of a report status code (110–115)."""
    return STATUS_TEXT.get(code, f"unknown ({code})")


def with_status_text(entry: dict[str, Any]) -> dict[str, Any]:
    """Copy of a report entry with ``status`` as int and ``status_text`` right after it."""
    code = to_int(entry.get("status"))
    if code is None:
        return dict(entry)
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if key == "status_text":
            continue
        out[key] = code if key == "status" else value
        if key == "status":
            out["status_text"] = status_text(code)
    return out
