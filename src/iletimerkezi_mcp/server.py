"""Thin MCP wiring: `build_server()` is what the CLI serves and what the tests drive."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import mcp.types as types
from mcp.server import NotificationOptions, Server, ServerRequestContext
from mcp.shared.exceptions import MCPDeprecationWarning

from iletimerkezi_mcp import __version__
from iletimerkezi_mcp.app import AppState, build_state
from iletimerkezi_mcp.dispatch import call_tool
from iletimerkezi_mcp.guide import completions, prompts, resources
from iletimerkezi_mcp.guide.uris import ERROR_CODES, IYS_RULES, SENDING_RULES
from iletimerkezi_mcp.progress import from_request
from iletimerkezi_mcp.refresh import refresh_in_background
from iletimerkezi_mcp.settings import Settings

if TYPE_CHECKING:
    from iletimerkezi_mcp.front import Handover

log = logging.getLogger(__name__)


def instructions(state: AppState) -> str:
    s = state.settings
    lines = [
        "iletiMerkezi SMS API tools (Turkey). Documentation: https://www.iletimerkezi.com/en/docs/api",
        f"Tools come from the {state.catalog.manifest.describe()}.",
    ]
    if state.overlay is not None:
        lines.append(f"Local {state.overlay.describe()}.")
    if s.uses_builtin_sandbox:
        lines.append("SANDBOX MODE: every call goes to the built-in fake API; no real SMS, no cost. "
                     "Senders APITEST, SANDBOX and ORNEKMAGAZA are approved there.")
    elif not s.has_credentials:
        lines.append("No credentials are set (ILETIMERKEZI_API_KEY, ILETIMERKEZI_API_HASH): API calls will fail "
                     "until they are. To try every tool without an account, start the server with --sandbox.")
    if s.read_only:
        lines.append("Read-only mode: only the read tools are offered.")
    if s.dry_run:
        lines.append("Dry-run mode: tools that change anything return the request they would send and send nothing.")
    # Each tool's description says what it costs and when it needs confirmation; said once here: how the
    # person confirms, the budgets, and where to look before and after a send.
    lines.append(
        "Confirmation: when a write needs it, the client asks the person, or the result carries a confirmation "
        "token; show the person what the call will do and only if they agree repeat the identical call with "
        f"confirmation_token. Sending budget: {s.budget_hour} credits an hour, {s.budget_day} a day. Before "
        "send_sms: preview_sms counts parts and credits, get_sender lists approved senders, get_send_history "
        "shows what this server already sent; afterwards get_reports shows what the provider delivered."
    )
    lines.append(f"The rules, once: resources {SENDING_RULES} (encoding, parts, credits, senders), {IYS_RULES} "
                 f"(consent) and {ERROR_CODES} (every code and what to do).")
    return "\n".join(lines)


def build_server(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None,
                 state: AppState | None = None) -> Server[AppState]:
    state = state or build_state(settings, transport)

    @asynccontextmanager
    async def lifespan(_: Server[AppState]) -> AsyncIterator[AppState]:
        async with state, anyio.create_task_group() as group:
            group.start_soon(refresh_in_background, state)
            group.start_soon(state.client_log.deliver, state.sessions)
            yield state
            group.cancel_scope.cancel()

    def remember(ctx: ServerRequestContext[AppState]) -> Any:
        """The client connection behind a request (it can hear tools/list_changed and log messages)."""
        connection = _connection_of(ctx.session)
        if connection not in state.sessions:
            state.sessions.add(connection)
            state.client_log.kick()  # a new connection: send it what was logged before it came
        return connection

    async def list_tools(ctx: ServerRequestContext[AppState], params: types.PaginatedRequestParams | None
                         ) -> types.ListToolsResult:
        remember(ctx)
        return types.ListToolsResult(tools=state.catalog.listed())

    async def handle_call(ctx: ServerRequestContext[AppState], params: types.CallToolRequestParams
                          ) -> types.CallToolResult:
        remember(ctx)
        progress = from_request(ctx.session, ctx.meta, ctx.request_id)
        return await call_tool(state, params.name, params.arguments, ctx.session, progress)

    async def set_level(ctx: ServerRequestContext[AppState], params: types.SetLevelRequestParams
                        ) -> types.EmptyResult:
        state.client_log.set_level(remember(ctx), params.level)
        state.client_log.kick()
        return types.EmptyResult()

    async def list_resources(ctx: ServerRequestContext[AppState], params: types.PaginatedRequestParams | None
                             ) -> types.ListResourcesResult:
        remember(ctx)
        return types.ListResourcesResult(resources=resources.listed(state))

    async def list_templates(ctx: ServerRequestContext[AppState], params: types.PaginatedRequestParams | None
                             ) -> types.ListResourceTemplatesResult:
        remember(ctx)
        return types.ListResourceTemplatesResult(resource_templates=resources.templates(state))

    async def read_resource(ctx: ServerRequestContext[AppState], params: types.ReadResourceRequestParams
                            ) -> types.ReadResourceResult:
        remember(ctx)
        return await resources.read(state, str(params.uri))

    async def list_prompts(ctx: ServerRequestContext[AppState], params: types.PaginatedRequestParams | None
                           ) -> types.ListPromptsResult:
        remember(ctx)
        return types.ListPromptsResult(prompts=prompts.listed(state.catalog))

    async def get_prompt(ctx: ServerRequestContext[AppState], params: types.GetPromptRequestParams
                         ) -> types.GetPromptResult:
        remember(ctx)
        return prompts.render(state.catalog, params.name, params.arguments)

    async def complete(ctx: ServerRequestContext[AppState], params: types.CompleteRequestParams
                       ) -> types.CompleteResult:
        remember(ctx)
        return types.CompleteResult(completion=await completions.complete(state, params.ref, params.argument))

    with warnings.catch_warnings():
        # The SDK marks logging/setLevel deprecated for the 2026-07-28 protocol; the clients people use
        # speak the earlier ones, where it is how a client chooses what it hears.
        warnings.simplefilter("ignore", MCPDeprecationWarning)
        return Server(
            "iletimerkezi",
            version=__version__,
            title="iletiMerkezi SMS",
            instructions=instructions(state),
            website_url="https://www.iletimerkezi.com/en/docs/api",
            lifespan=lifespan,
            on_list_tools=list_tools,
            on_call_tool=handle_call,
            on_set_logging_level=set_level,
            on_list_resources=list_resources,
            on_list_resource_templates=list_templates,
            on_read_resource=read_resource,
            on_list_prompts=list_prompts,
            on_get_prompt=get_prompt,
            on_completion=complete,
        )


def _connection_of(session: Any) -> Any:
    """The client connection behind a request's session: the SDK hands each request a short-lived
    proxy, while the connection lives as long as the client and can send notifications."""
    return getattr(session, "_connection", None) or session


class Terminated(Exception):
    """SIGTERM arrived: the calls in flight were abandoned (a write among them is `unknown` in the ledger)."""


async def serve(settings: Settings, handover: Handover | None = None) -> None:
    """Serve over stdio: the SDK's transport, or the wire the front claimed (and maybe answered on).

    SIGTERM cancels everything in flight at once, as SIGINT does (the write path records a cancelled
    send as "may have gone out"), and then raises Terminated."""
    state = build_state(settings)
    server = build_server(settings, state=state)
    log.info("serving %d tools from the %s", len(state.catalog.specs), state.catalog.manifest.describe())
    options = server.create_initialization_options(NotificationOptions(tools_changed=True))
    terminated = False
    async with anyio.create_task_group() as group:

        async def watch_sigterm() -> None:
            nonlocal terminated
            with anyio.open_signal_receiver(signal.SIGTERM) as signals:
                async for _ in signals:
                    terminated = True
                    group.cancel_scope.cancel()
                    return

        # Signal handlers belong to the main thread (a server run in a thread, as tests do, has none).
        if sys.platform != "win32" and threading.current_thread() is threading.main_thread():
            group.start_soon(watch_sigterm)
        await _serve_stdio(server, options, state, handover)
        group.cancel_scope.cancel()  # the client closed the session: stop watching
    if terminated:
        raise Terminated


async def _serve_stdio(server: Server[AppState], options: Any, state: AppState, handover: Handover | None) -> None:
    if handover is None:
        from mcp.server.stdio import stdio_server

        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, options)
        return
    if handover.early:
        log.info("answered %s from the start snapshot", " and ".join(handover.early))
    handover.record(state.settings.resolved_cache_dir(), _answers_valid_until(state))
    from iletimerkezi_mcp.stdio import serve_on_wire

    await serve_on_wire(server, options, handover)


def _answers_valid_until(state: AppState) -> float | None:
    """When the instructions' word for the manifest ("cache" vs "stale-cache") changes with time alone."""
    manifest = state.catalog.manifest
    if manifest.fetched_at is None or manifest.source not in ("cache", "stale-cache"):
        return None
    fetched = manifest.fetched_at.timestamp()
    if manifest.source == "cache":
        return fetched + state.settings.manifest_ttl
    return fetched if fetched > time.time() else None  # from the future: it turns fresh then
