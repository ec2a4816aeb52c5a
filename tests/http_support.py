"""`serve-http --sandbox` as a real process on a free port, for tests that drive it with outside clients."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_http(tmp: Path, **settings: str) -> Iterator[str]:
    """Start it with the bundled manifest, its own folders and `settings` (ILETIMERKEZI_* names); yield
    its base URL once /healthz answers; stop it with SIGTERM."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ILETIMERKEZI_")}
    env.update(HOME=str(tmp), ILETIMERKEZI_MANIFEST="bundled", ILETIMERKEZI_MCP_CACHE_DIR=str(tmp / "cache"),
               ILETIMERKEZI_DATA_DIR=str(tmp / "data"), ILETIMERKEZI_SANDBOX_STATE="memory", **settings)
    port = free_port()
    log_path = tmp / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "iletimerkezi_mcp", "serve-http", "--sandbox",
                                 "--host", "127.0.0.1", "--port", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("serve-http did not start:\n" + log_path.read_text())
                time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
