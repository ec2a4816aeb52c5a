"""Where start-up time goes beyond the floor, timed inside one fresh Python process.

Run by the benchmark as a child with the server's environment; prints one JSON object of
milliseconds per phase. Phases run in start-up order, so each counts only what it adds:
whatever the floor already imported is free for the phases after it.
"""

from __future__ import annotations

import json
import time

_t = time.perf_counter()
phases: dict[str, float] = {}


def mark(name: str) -> None:
    global _t
    now = time.perf_counter()
    phases[name] = (now - _t) * 1000
    _t = now


import httpx  # noqa: E402,F401
import mcp.server.lowlevel  # noqa: E402,F401
import mcp.server.stdio  # noqa: E402,F401
import pydantic  # noqa: E402,F401

mark("floor imports (SDK, httpx, pydantic)")
import jsonschema  # noqa: E402,F401

mark("jsonschema and its dependencies")
import iletimerkezi_mcp.cli  # noqa: E402,F401
import iletimerkezi_mcp.server  # noqa: E402,F401

mark("iletimerkezi_mcp modules")
from iletimerkezi_mcp.app import AppState  # noqa: E402
from iletimerkezi_mcp.manifest.loader import load_local  # noqa: E402
from iletimerkezi_mcp.settings import load_settings  # noqa: E402

settings = load_settings()
manifest, _ = load_local(settings)
mark("settings + manifest load (read, parse, validate)")
state = AppState(settings, manifest)
mark("tool catalog (build_catalog)")
iletimerkezi_mcp.server.build_server(settings, state=state)
mark("build_server (instructions, handlers)")
print(json.dumps(phases))
