"""Background manifest refresh: a changed manifest reaches clients as tools/list_changed, an
unchanged one costs a 304, pinned modes never fetch, an in-flight call keeps the catalog it
started with, and a live manifest we cannot use never takes the server down.

The server runs in-process, driven through the SDK's client; only local HTTP servers (the manifest
server and the sandbox API) are involved. Where the background loop's own timing is not the point,
the test calls `refresh_once` itself instead of waiting for the loop.
"""

from __future__ import annotations

import copy
import json
import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
import mcp.types as types
import pytest
from manifest_server import bundled_manifest, endpoint, too_deep_manifest
from mcp import Client

import iletimerkezi_mcp.app as app_module
import iletimerkezi_mcp.refresh as refresh_module
import iletimerkezi_mcp.server as server_module
from iletimerkezi_mcp.app import build_state
from iletimerkezi_mcp.dispatch import call_tool
from iletimerkezi_mcp.manifest.cache import cache_path, read_cache, write_cache
from iletimerkezi_mcp.refresh import refresh_once
from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY
from iletimerkezi_mcp.server import build_server
from iletimerkezi_mcp.settings import Settings, load_settings

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

NEW_DESCRIPTION = "Account balance (revised description from the live manifest)."


# --- helpers ---------------------------------------------------------------------------------


def changed_manifest() -> dict[str, Any]:
    """get_balance gains a property and a new description; get_inbox is withdrawn."""
    document = bundled_manifest()
    balance = endpoint(document, "get_balance")
    balance["input_schema"].setdefault("properties", {})["currency"] = {
        "type": "string", "description": "Currency to report the balance in."}
    balance["description"] = {"en": NEW_DESCRIPTION, "tr": NEW_DESCRIPTION}
    document["endpoints"] = [ep for ep in document["endpoints"] if ep.get("mcp_tool") != "get_inbox"]
    document["generated_at"] = "2027-02-02T00:00:00.000Z"
    return document


def server_settings(base_env: dict[str, str], url: str, **extra: str) -> Settings:
    """What the server reads from its environment: `base_env` with this manifest URL and a 1 s TTL."""
    return load_settings(env={**base_env, "ILETIMERKEZI_MANIFEST_URL": url, "ILETIMERKEZI_MANIFEST_TTL": "1",
                              **extra})


def without_background_refresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server's background loop does nothing: the test calls `refresh_once` at the moments it chooses."""
    async def idle(state: Any) -> None:
        return None

    monkeypatch.setattr(server_module, "refresh_in_background", idle)


def watch_background_refresh(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The real background loop; its manifest mode is appended to the returned list when it ends."""
    ended: list[str] = []
    real = server_module.refresh_in_background

    async def watched(state: Any) -> None:
        await real(state)
        ended.append(state.settings.manifest_mode)

    monkeypatch.setattr(server_module, "refresh_in_background", watched)
    return ended


class Notifications:
    """A message_handler that keeps every server notification (1.x wraps them in `.root`)."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    async def __call__(self, message: Any) -> None:
        self.seen.append(getattr(message, "root", message))

    def tools_changed(self) -> int:
        return sum(isinstance(m, types.ToolListChangedNotification) for m in self.seen)


async def wait_until(predicate, timeout: float = 10.0, step: float = 0.05) -> None:
    with anyio.fail_after(timeout):
        while not predicate():
            await anyio.sleep(step)


def in_process_settings(tmp_path: Path, manifest_url: str, **extra: Any) -> Settings:
    # TTL 0: every refresh_once is due, so each call is one fetch (no sleeping on a clock).
    return Settings(cache_dir=tmp_path / "cache", manifest_url=manifest_url, manifest_ttl=0,
                    manifest_timeout=2.0, **extra)


def sandbox_settings(tmp_path: Path, manifest_url: str, sandbox) -> Settings:
    return in_process_settings(tmp_path, manifest_url, base_url=sandbox.url, api_key=SANDBOX_API_KEY,
                               api_hash=SANDBOX_API_HASH, timeout=10.0)


# --- (a) a changed manifest reaches the client -----------------------------------------------


async def test_changed_manifest_sends_list_changed_and_new_schema(base_env, manifest_server, monkeypatch):
    without_background_refresh(monkeypatch)
    handler = Notifications()
    # TTL 0: every refresh_once is due, so each call is one fetch.
    state = build_state(server_settings(base_env, manifest_server.url, ILETIMERKEZI_MANIFEST_TTL="0"))
    async with Client(build_server(state.settings, state=state), mode="legacy", message_handler=handler) as session:
        before = {t.name: t for t in (await session.list_tools()).tools}
        assert "get_inbox" in before
        assert "currency" not in before["get_balance"].input_schema.get("properties", {})
        # The first fetch serves the same tools: no notification for that.
        assert await refresh_once(state) is False
        assert len(manifest_server.requests) == 1 and state.catalog.manifest.source == "live"
        assert handler.tools_changed() == 0

        manifest_server.serve_json(changed_manifest())
        assert await refresh_once(state) is True
        await wait_until(lambda: handler.tools_changed() >= 1, timeout=10)
        assert handler.tools_changed() == 1

        after = {t.name: t for t in (await session.list_tools()).tools}
        assert "get_inbox" not in after
        assert len(after) == len(before) - 1
        assert after["get_balance"].input_schema["properties"]["currency"]["type"] == "string"
        assert after["get_balance"].description.startswith(NEW_DESCRIPTION)
        # Untouched tools and our own safety text survive the swap.
        assert after["send_sms"].input_schema == before["send_sms"].input_schema
        assert "confirmation_token" in after["send_sms"].input_schema["properties"]


# --- (b) an unchanged manifest costs a 304 ---------------------------------------------------


async def test_unchanged_manifest_is_revalidated_with_if_none_match(base_env, manifest_server, tmp_path):
    # The real background loop: a fetch after the first tools/list, then another one TTL (1 s) later.
    manifest_server.serve_json(bundled_manifest(), etag='"v1"')
    handler = Notifications()
    settings = server_settings(base_env, manifest_server.url)
    async with Client(build_server(settings), mode="legacy", message_handler=handler) as session:
        assert len((await session.list_tools()).tools) == 14
        await wait_until(lambda: len(manifest_server.requests) >= 2, timeout=10)
        tools_after = (await session.list_tools()).tools
    first, second = manifest_server.requests[:2]
    assert "if-none-match" not in first
    assert second.get("if-none-match") == '"v1"'  # the manifest server answers that with 304
    assert handler.tools_changed() == 0
    assert len(tools_after) == 14
    entry = read_cache(Path(base_env["ILETIMERKEZI_MCP_CACHE_DIR"]), manifest_server.url)
    assert entry is not None and entry.etag == '"v1"'


async def test_not_modified_keeps_the_same_catalog_object(tmp_path, manifest_server, monkeypatch):
    manifest_server.serve_json(bundled_manifest(), etag='"v7"')
    outcomes = []
    real_fetch = refresh_module.fetch_live

    async def recording_fetch(settings, entry, client=None):
        outcome = await real_fetch(settings, entry, client)
        outcomes.append(outcome)
        return outcome

    monkeypatch.setattr(refresh_module, "fetch_live", recording_fetch)
    state = build_state(in_process_settings(tmp_path, manifest_server.url))
    assert await refresh_once(state) is False  # live = bundled: same tools, nothing to announce
    catalog = state.catalog
    assert catalog.manifest.source == "live"
    assert await refresh_once(state) is False
    assert [o.status for o in outcomes] == ["updated", "not-modified"]
    assert manifest_server.requests[1]["if-none-match"] == '"v7"'
    assert state.catalog is catalog  # a 304 rebuilds nothing


# --- (c) pinned and cache-only modes never fetch ---------------------------------------------


async def test_pinned_modes_never_fetch(base_env, manifest_server, tmp_path, monkeypatch):
    stale = bundled_manifest()
    stale["generated_at"] = "2020-01-01T00:00:00.000Z"
    ended = watch_background_refresh(monkeypatch)

    for mode, served_source in (("bundled", "bundled manifest"),
                                ("cache", "stale-cache manifest generated_at 2020-01-01")):
        cache_dir = tmp_path / f"cache-{mode}"
        # A stale cache: in auto mode this alone would trigger a fetch at once.
        write_cache(cache_dir, manifest_server.url, stale, now=datetime.now(timezone.utc) - timedelta(days=3))
        settings = server_settings(base_env, manifest_server.url, ILETIMERKEZI_MANIFEST=mode,
                                   ILETIMERKEZI_MCP_CACHE_DIR=str(cache_dir))
        async with Client(build_server(settings), mode="legacy") as session:
            assert served_source in session.instructions
            assert len((await session.list_tools()).tools) == 14
            # The background loop ends for good (in auto mode it runs as long as the server does),
            # so nothing can be fetched later either.
            await wait_until(lambda mode=mode: mode in ended, timeout=10)
            assert len((await session.list_tools()).tools) == 14
    assert ended == ["bundled", "cache"]
    assert manifest_server.requests == []


async def test_refresh_once_does_nothing_outside_auto_mode(tmp_path, manifest_server):
    for mode in ("bundled", "cache"):
        state = build_state(in_process_settings(tmp_path, manifest_server.url, manifest_mode=mode))
        catalog = state.catalog
        assert await refresh_once(state) is False
        assert state.catalog is catalog
    assert manifest_server.requests == []


async def test_overlay_still_applies_after_a_live_swap(tmp_path, manifest_server):
    overlay = tmp_path / "overlay.json"
    overlay.write_text(json.dumps({"tools": {"get_balance": {"description": "Overlay text for balance."}}}))
    state = build_state(in_process_settings(tmp_path, manifest_server.url, overlay=overlay))
    assert state.catalog.specs["get_balance"].tool.description.startswith("Overlay text for balance.")
    manifest_server.serve_json(changed_manifest())
    assert await refresh_once(state) is True
    assert "get_inbox" not in state.catalog.specs  # the live manifest is in use
    balance = state.catalog.specs["get_balance"].tool
    assert balance.description.startswith("Overlay text for balance.")
    assert "currency" in balance.input_schema["properties"]


# --- (d) an in-flight call keeps the catalog it started with --------------------------------


async def test_in_flight_call_finishes_after_its_tool_is_withdrawn(tmp_path, manifest_server, sandbox):
    state = build_state(sandbox_settings(tmp_path, manifest_server.url, sandbox))
    withdrawn = bundled_manifest()
    withdrawn["endpoints"] = [ep for ep in withdrawn["endpoints"] if ep.get("mcp_tool") != "get_balance"]
    manifest_server.serve_json(withdrawn)
    sandbox.faults.slow(1.0, "get-balance")
    results: list[types.CallToolResult] = []

    async def slow_call() -> None:
        results.append(await call_tool(state, "get_balance", {}))

    async with state:
        async with anyio.create_task_group() as group:
            group.start_soon(slow_call)
            await wait_until(lambda: sandbox.requests_to("get-balance"), timeout=5)
            assert await refresh_once(state) is True  # swapped while the answer is still pending
            assert "get_balance" not in state.catalog.specs
            assert not results
        (result,) = results
        assert result.is_error is False, result.content
        assert "balance" in result.structured_content
        later = await call_tool(state, "get_balance", {})
        assert later.is_error is True and "get_balance" in later.content[0].text
        assert len(sandbox.requests_to("get-balance")) == 1  # the refused call sent nothing


class _ConfirmingSession:
    """A client that can elicit, and holds the person's answer until the test releases it."""

    def __init__(self) -> None:
        self.client_capabilities = SimpleNamespace(elicitation=SimpleNamespace())
        self.asked = anyio.Event()
        self.release = anyio.Event()

    async def elicit_form(self, message: str, schema: dict[str, Any]) -> Any:
        self.asked.set()
        await self.release.wait()
        return SimpleNamespace(action="accept", content={"confirm": True})


async def test_send_waiting_for_confirmation_uses_the_path_it_started_with(tmp_path, manifest_server, sandbox):
    settings = sandbox_settings(tmp_path, manifest_server.url, sandbox).model_copy(update={"confirm_above": 0})
    state = build_state(settings)
    moved = bundled_manifest()
    endpoint(moved, "send_sms")["path"] = "/v1/send-sms-v2/json"
    manifest_server.serve_json(moved)
    session = _ConfirmingSession()
    arguments = {"order": {"sender": "SANDBOX", "iys": "0",
                           "message": {"text": "Kargo yolda", "receipents": {"number": ["905321234567"]}}}}
    results: list[types.CallToolResult] = []

    async def send() -> None:
        results.append(await call_tool(state, "send_sms", copy.deepcopy(arguments), session))

    async with state, anyio.create_task_group() as group:
        group.start_soon(send)
        with anyio.fail_after(5):
            await session.asked.wait()
        # send_sms now points elsewhere, so the new catalog skips it (a name is bound to its path);
        # the call that is waiting finishes on the catalog and path it started with.
        await refresh_once(state)
        assert "send_sms" not in state.catalog.specs
        session.release.set()
    (result,) = results
    assert result.is_error is False, result.content
    assert len(sandbox.requests_to("send-sms")) == 1
    assert [r.path for r in sandbox.requests if "v2" in r.path] == []


# --- (e) a live manifest we cannot use never takes the server down ---------------------------


async def test_catalog_build_failure_keeps_current_tools(tmp_path, manifest_server, monkeypatch, caplog):
    state = build_state(in_process_settings(tmp_path, manifest_server.url))
    catalog = state.catalog
    manifest_server.serve_json(changed_manifest())
    real_build = app_module.build_catalog

    def failing_build(manifest, settings, overlay=None):
        if manifest.source == "live":
            raise RuntimeError("cannot build tools from this manifest")
        return real_build(manifest, settings, overlay)

    monkeypatch.setattr(app_module, "build_catalog", failing_build)
    with caplog.at_level(logging.WARNING):
        assert await refresh_once(state) is False
    assert state.catalog is catalog
    assert "get_inbox" in state.catalog.specs
    assert "building tools failed" in caplog.text


async def test_a_live_manifest_with_one_unusable_endpoint_serves_the_rest(base_env, manifest_server):
    # The real background loop: its first fetch follows the first tools/list.
    manifest_server.serve_json(too_deep_manifest())
    async with Client(build_server(server_settings(base_env, manifest_server.url)), mode="legacy") as session:
        listed: set[str] = set()
        with anyio.fail_after(10):
            while "send_sms" in listed or not listed:
                listed = {t.name for t in (await session.list_tools()).tools}
                await anyio.sleep(0.02)
        # The broken endpoint is skipped, not the whole manifest; the server keeps serving.
        assert "send_sms" not in listed and len(listed) == 13
        preview = await session.call_tool("preview_sms", {"text": "Merhaba"})
        assert preview.is_error is False
    assert cache_path(Path(base_env["ILETIMERKEZI_MCP_CACHE_DIR"]), manifest_server.url).exists()


async def test_refresh_once_survives_a_too_deeply_nested_manifest(tmp_path, manifest_server):
    state = build_state(in_process_settings(tmp_path, manifest_server.url))
    manifest_server.serve_json(too_deep_manifest())
    assert await refresh_once(state) is True
    assert "send_sms" not in state.catalog.specs and "get_balance" in state.catalog.specs


def test_too_deep_manifest_is_valid_json():
    # Guard for the fixture above: the depth trips the schema checker, not the JSON decoder.
    assert json.loads(json.dumps(too_deep_manifest()))["endpoints"]


async def test_a_huge_hostile_manifest_is_refused_while_calls_go_on(base_env, manifest_server, monkeypatch):
    """10,000 endpoints (about 1.5 MB) once stalled every call for 12.5 s during a refresh and then
    offered 10,013 tools. Now it is checked in a worker thread and refused; calls are answered meanwhile."""
    without_background_refresh(monkeypatch)
    document = bundled_manifest()
    template = document["endpoints"][0]
    document["endpoints"] = [{**copy.deepcopy(template), "slug": f"e{i}", "mcp_tool": {"name": f"tool_{i}"}}
                             for i in range(10_000)]
    manifest_server.serve_json(document)
    state = build_state(server_settings(base_env, manifest_server.url, ILETIMERKEZI_MANIFEST_TTL="0"))
    async with Client(build_server(state.settings, state=state), mode="legacy") as session:
        before = [t.name for t in (await session.list_tools()).tools]
        answered = 0
        async with anyio.create_task_group() as group:
            refreshed: list[bool] = []

            async def refresh() -> None:
                refreshed.append(await refresh_once(state))

            group.start_soon(refresh)
            while not refreshed:
                with anyio.fail_after(2):  # a call waiting on the refresh would stall far longer
                    result = await session.call_tool("preview_sms", {"text": "Merhaba"})
                assert result.is_error is False
                answered += 1
        assert refreshed == [False] and answered >= 1
        assert [t.name for t in (await session.list_tools()).tools] == before
