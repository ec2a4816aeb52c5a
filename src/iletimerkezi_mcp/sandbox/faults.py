"""On-demand fault injection for the fake: a 503 body, a slow answer, an HTML 502 page.

A fault applies to one path or to every path (path=None). A one-shot fault is used up by
the first matching request; a sticky fault stays until `clear()`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

KINDS = ("503", "slow", "html502")

HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def wire_path(path: str) -> str:
    """Accept "send-sms", "consent/create" or the full "/v1/send-sms/json"."""
    if path.startswith("/"):
        return path
    return f"/v1/{path.strip('/')}/json"


@dataclass
class Fault:
    kind: str  # one of KINDS
    path: str | None  # full wire path, or None for every path
    sticky: bool = False
    seconds: float = 0.0  # for "slow": the request is processed, then the answer waits this long


class Faults:
    """Thread-safe registry of pending faults, shared by a `SandboxServer`'s handler threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []

    def add(self, kind: str, path: str | None = None, *, sticky: bool = False, seconds: float = 0.0) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {KINDS}")
        fault = Fault(kind, wire_path(path) if path else None, sticky, float(seconds))
        with self._lock:
            self._pending.append(fault)
        return fault

    def fail_503(self, path: str | None = None, *, sticky: bool = False) -> Fault:
        """Answer HTTP 503 with body code 503 `Sunucu geçici olarak servis dışı`."""
        return self.add("503", path, sticky=sticky)

    def html_502(self, path: str | None = None, *, sticky: bool = False) -> Fault:
        """Answer HTTP 502 with a proxy's HTML page (not JSON)."""
        return self.add("html502", path, sticky=sticky)

    def slow(self, seconds: float, path: str | None = None, *, sticky: bool = False) -> Fault:
        """Process the request normally but wait `seconds` before answering.

        The request takes effect even if the client times out, which is the dangerous case
        for sends.
        """
        return self.add("slow", path, sticky=sticky, seconds=seconds)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._pending)

    def take(self, path: str) -> Fault | None:
        """Return the first fault matching `path`, removing it unless it is sticky."""
        with self._lock:
            for fault in self._pending:
                if fault.path is None or fault.path == path:
                    if not fault.sticky:
                        self._pending.remove(fault)
                    return fault
        return None
