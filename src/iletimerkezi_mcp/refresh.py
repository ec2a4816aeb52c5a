"""Keeping the tool set current without ever making start-up wait for the network.

When the served copy is older than the TTL, the live manifest is fetched in the background
(conditionally: an unchanged manifest costs one 304). If the tools that clients would see
change, the new catalog is swapped in whole and clients get `tools/list_changed`.
"""

from __future__ import annotations

import logging

from iletimerkezi_mcp.app import AppState, configured_origin, warn_unpinned_hosts
from iletimerkezi_mcp.manifest.cache import read_cache
from iletimerkezi_mcp.manifest.loader import fetch_live, needs_refresh

log = logging.getLogger(__name__)

# The first check waits (at most this long) for the client's first tools/list, so the
# handshake never shares the CPU with TLS set-up and cache parsing.
STARTUP_GRACE = 2.0


async def refresh_once(state: AppState) -> bool:
    """Fetch if due; swap and notify when the offered tools changed. True when swapped."""
    settings = state.settings
    entry = read_cache(settings.resolved_cache_dir(), settings.manifest_url) if settings.manifest_mode != "bundled" \
        else None
    if not needs_refresh(settings, entry):
        return False
    outcome = await fetch_live(settings, entry)
    if outcome.loaded is None or outcome.status == "not-modified":
        return False
    try:
        catalog = state.build(outcome.loaded)
    except Exception as exc:  # a manifest we cannot build tools from must not take the server down
        log.warning("live manifest not used: building tools failed (%s)", str(exc)[:200])
        return False
    warn_unpinned_hosts(outcome.loaded, None if settings.uses_builtin_sandbox else configured_origin(settings))
    if catalog.fingerprint == state.catalog.fingerprint:
        state.catalog = catalog  # same tools; keep provenance current
        return False
    state.catalog = catalog
    log.info("tool set updated from the %s", catalog.manifest.describe())
    for session in list(state.sessions):
        try:
            await session.send_tool_list_changed()
        except Exception as exc:  # a session that went away must not stop the others hearing it
            log.warning("could not send tools/list_changed (%s)", type(exc).__name__)
    return True


async def refresh_in_background(state: AppState) -> None:
    """Check now, then again every TTL (at most hourly, at least every second) while serving."""
    import anyio

    interval = min(max(state.settings.manifest_ttl, 1.0), 3600.0)
    with anyio.move_on_after(STARTUP_GRACE):
        while not state.sessions:  # filled by the first tools/list or tools/call
            await anyio.sleep(0.02)
    while state.settings.manifest_mode == "auto":
        try:
            await refresh_once(state)
        except Exception:
            log.exception("background manifest refresh failed; keeping the current tools")
        await anyio.sleep(interval)
