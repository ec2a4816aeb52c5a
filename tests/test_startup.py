"""Start-up never waits on the network: a manifest URL that accepts connections and never
answers costs no more time to `tools/list` than a closed port does.

Timing is compared, never asserted absolutely: both cases run in the same test, interleaved,
and their medians must agree within a margin far below the manifest timeout (5 s).
"""

from __future__ import annotations

import statistics
import time

import anyio
import pytest
from conftest import stdio_session

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]

RUNS = 3
MARGIN_SECONDS = 1.0  # a blocking fetch would cost the full manifest timeout (5 s) or more
EXPECTED_TOOLS = 13


async def _time_to_tools_list(env: dict[str, str], manifest_server=None) -> float:
    """Seconds from spawning the server to its tools/list answer."""
    fetches_before = len(manifest_server.requests) if manifest_server is not None else 0
    started = time.perf_counter()
    async with stdio_session(env) as session:
        await session.initialize()
        listed = await session.list_tools()
        elapsed = time.perf_counter() - started
        assert len(listed.tools) == EXPECTED_TOOLS, [t.name for t in listed.tools]
        if manifest_server is not None:
            # The comparison only means something if the hanging fetch really was in flight.
            with anyio.fail_after(10):
                while len(manifest_server.requests) <= fetches_before:
                    await anyio.sleep(0.05)
            again = await session.list_tools()  # still serving while the fetch hangs
            assert len(again.tools) == EXPECTED_TOOLS
    return elapsed


async def test_never_answering_manifest_url_does_not_delay_tools_list(base_env, tmp_path, manifest_server,
                                                                       refused_url, monkeypatch):
    monkeypatch.setenv("QUIET_SERVER_STDERR", "1")
    manifest_server.delay = 30  # accepts the connection, answers nothing for 30 s
    offline, hanging = [], []
    for run in range(RUNS):
        # A fresh cache dir per run: with no cache, every start wants to fetch.
        offline_env = {**base_env, "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / f"offline-{run}"),
                       "ILETIMERKEZI_MANIFEST_URL": refused_url}
        hanging_env = {**base_env, "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / f"hanging-{run}"),
                       "ILETIMERKEZI_MANIFEST_URL": manifest_server.url}
        offline.append(await _time_to_tools_list(offline_env))
        hanging.append(await _time_to_tools_list(hanging_env, manifest_server))

    offline_median, hanging_median = statistics.median(offline), statistics.median(hanging)
    print(f"\nstart-up to tools/list, median of {RUNS}: offline (closed port) {offline_median:.3f} s "
          f"{[round(x, 3) for x in offline]}; never-answering manifest URL {hanging_median:.3f} s "
          f"{[round(x, 3) for x in hanging]}; difference {hanging_median - offline_median:+.3f} s")
    assert len(manifest_server.requests) >= RUNS
    assert hanging_median - offline_median < MARGIN_SECONDS
