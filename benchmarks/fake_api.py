"""Run the sandbox (the fake iletiMerkezi API) until stdin closes; print its URL first.

Started by the benchmark in its own process so the fake never competes for a GIL with the
client being measured, whether that client is our server or plain httpx.
"""

from __future__ import annotations

import logging
import sys

from iletimerkezi_mcp.sandbox import SandboxServer, SandboxState


def main() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    server = SandboxServer(SandboxState(delivery_delay=0.3)).start()
    try:
        print(server.url, flush=True)
        sys.stdin.read()  # returns at EOF: the benchmark closed our stdin
    finally:
        server.stop()


if __name__ == "__main__":
    main()
