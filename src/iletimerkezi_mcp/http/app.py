"""`serve-http`: the same `build_server()` over MCP streamable HTTP at /mcp, on uvicorn.

Stateless (the SDK's `stateless=True`): every POST is a fresh transport over the one shared AppState,
so any replica can answer any request and nothing is lost when one restarts; answers are plain JSON,
not SSE. Stateless also means the server cannot ask the client anything (no back channel, so no
elicitation): a write that needs confirmation returns a confirmation token, bound to the payload and
spent in the ledger, so the confirming call may land on another replica.

Routes: /mcp (bearer token required when authorization is configured), /healthz (no auth),
/.well-known/oauth-protected-resource[/mcp] (RFC 9728). DNS-rebinding (Host/Origin) protection is on
for the bound host. SIGTERM stops accepting and lets requests in flight finish (uvicorn's graceful
shutdown) before the state closes.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import mcp.types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser, BearerAuthBackend, RequireAuthMiddleware
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import AnyHttpUrl
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from iletimerkezi_mcp import __version__
from iletimerkezi_mcp.app import AppState, build_state
from iletimerkezi_mcp.contracts import role_allows
from iletimerkezi_mcp.http.auth import SCOPES, BearerVerifier, JwtVerifier, TokenFileError, load_tokens
from iletimerkezi_mcp.http.caller import CALLER, Caller, current_caller
from iletimerkezi_mcp.http.logs import RequestIds
from iletimerkezi_mcp.server import build_server
from iletimerkezi_mcp.settings import Settings, SettingsError

log = logging.getLogger(__name__)

MCP_PATH = "/mcp"
METADATA_PATH = "/.well-known/oauth-protected-resource"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
GRACEFUL_SECONDS = 30  # how long SIGTERM waits for calls in flight


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class HttpPlan:
    """What serve-http will do, checked before anything listens."""

    host: str
    port: int
    resource: str  # this server's /mcp URL: the RFC 9728 `resource`
    verifier: BearerVerifier | None  # None: no authorization (loopback only)

    @property
    def metadata_url(self) -> str:
        path = urlsplit(self.resource).path.rstrip("/")
        parts = urlsplit(self.resource)
        return f"{parts.scheme}://{parts.netloc}{METADATA_PATH}{path}"


def plan(settings: Settings, host: str, port: int) -> HttpPlan:
    """Refuse what cannot be safe: no authorization off loopback, an issuer without an audience."""
    if settings.oauth_issuer and not settings.oauth_audience:
        raise SettingsError("ILETIMERKEZI_OAUTH_ISSUER is set but ILETIMERKEZI_OAUTH_AUDIENCE is not: set it to this "
                            "server's public URL (e.g. https://sms.example.com/mcp), the audience its JWTs name")
    tokens = []
    if settings.http_tokens is not None:
        try:
            tokens = load_tokens(settings.http_tokens)
        except TokenFileError as exc:
            raise SettingsError(str(exc)) from None
        if not tokens:
            log.warning("the tokens file %s has no tokens", settings.http_tokens)
    jwts = JwtVerifier(settings.oauth_issuer, settings.oauth_audience or "") if settings.oauth_issuer else None
    authorized = settings.http_tokens is not None or jwts is not None
    if not authorized and not is_loopback(host):
        raise SettingsError(
            f"serve-http will not listen on {host} without authorization: anyone who reaches it could send SMS "
            "on your account. Create a token (`iletimerkezi-mcp token new NAME --role sender`) and set "
            "ILETIMERKEZI_HTTP_TOKENS to the file, or set ILETIMERKEZI_OAUTH_ISSUER and ILETIMERKEZI_OAUTH_AUDIENCE; "
            "or bind to 127.0.0.1 (the default).")
    shown = f"[{host}]" if ":" in host else host
    audience = settings.oauth_audience or ""
    # The audience is this server's public URL when it is one (behind a proxy the bound address is not).
    resource = audience if audience.startswith(("https://", "http://")) else f"http://{shown}:{port}{MCP_PATH}"
    return HttpPlan(host, port, resource, BearerVerifier(tokens, jwts) if authorized else None)


def security_for(p: HttpPlan) -> TransportSecuritySettings:
    """Host and Origin headers allowed: loopback names, the bound host, and the public URL's host."""
    hosts = {"127.0.0.1", "localhost", "[::1]"}
    if p.host not in ("0.0.0.0", "::"):
        hosts.add(f"[{p.host}]" if ":" in p.host else p.host)
    public = urlsplit(p.resource)
    allowed_hosts = [f"{h}:*" for h in sorted(hosts)]
    allowed_origins = [f"http://{h}:*" for h in sorted(hosts)] + [f"https://{h}:*" for h in sorted(hosts)]
    if public.netloc:
        allowed_hosts += [public.netloc, public.hostname or public.netloc]
        allowed_origins.append(f"{public.scheme}://{public.netloc}")
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=allowed_hosts,
                                     allowed_origins=allowed_origins)


class CallerMiddleware:
    """Puts the authenticated caller in the CALLER contextvar for the request (dispatch reads it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user")
        caller = (user.access_token.claims or {}).get("caller") if isinstance(user, AuthenticatedUser) else None
        if not isinstance(caller, Caller):
            await self.app(scope, receive, send)
            return
        reset = CALLER.set(caller)
        try:
            await self.app(scope, receive, send)
        finally:
            CALLER.reset(reset)


def filter_list_by_role(server: Server[AppState], state: AppState) -> None:
    """tools/list shows a caller only their role's tools (tools/call is refused in dispatch)."""
    entry = server.get_request_handler("tools/list")
    assert entry is not None
    inner = entry.handler

    async def listed(ctx: ServerRequestContext[AppState], params: Any) -> Any:
        result = await inner(ctx, params)
        caller = current_caller()
        if caller is None or not isinstance(result, types.ListToolsResult):
            return result
        specs = state.catalog.specs
        tools = [t for t in result.tools if t.name in specs and role_allows(specs[t.name].contract, caller.role)]
        return result.model_copy(update={"tools": tools})

    server.add_request_handler("tools/list", entry.params_type, listed)


def build_http_app(settings: Settings, p: HttpPlan, state: AppState | None = None) -> Starlette:
    state = state or build_state(settings)
    server = build_server(settings, state=state)
    filter_list_by_role(server, state)
    # JSON answers, not SSE: a stateless server has nothing to stream besides the one result, and an SSE
    # response is cut at SIGTERM by sse-starlette instead of being allowed to finish.
    manager = StreamableHTTPSessionManager(app=server, stateless=True, json_response=True,
                                           security_settings=security_for(p))
    mcp_app: ASGIApp = StreamableHTTPASGIApp(manager)
    if p.verifier is not None:
        # Outermost first: authenticate, put the caller in context, refuse (401) when there is none.
        mcp_app = RequireAuthMiddleware(mcp_app, [], AnyHttpUrl(p.metadata_url))
        mcp_app = CallerMiddleware(mcp_app)
        mcp_app = AuthenticationMiddleware(mcp_app, backend=BearerAuthBackend(p.verifier))

    metadata: dict[str, Any] = {
        "resource": p.resource,
        "bearer_methods_supported": ["header"],
        "scopes_supported": list(SCOPES),
        "resource_name": "iletiMerkezi SMS (iletimerkezi-mcp)",
    }
    if settings.oauth_issuer:
        metadata["authorization_servers"] = [settings.oauth_issuer]

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    async def protected_resource(request: Request) -> JSONResponse:
        return JSONResponse(metadata, headers={"Access-Control-Allow-Origin": "*"})

    resource_path = urlsplit(p.resource).path.rstrip("/")
    routes = [
        Route(MCP_PATH, endpoint=mcp_app),
        Route("/healthz", endpoint=healthz, methods=["GET"]),
        Route(METADATA_PATH, endpoint=protected_resource, methods=["GET"]),
    ]
    if resource_path:
        routes.append(Route(METADATA_PATH + resource_path, endpoint=protected_resource, methods=["GET"]))
    # Outermost: every request, /healthz and refusals included, has an id in its logs and its answer.
    return Starlette(routes=routes, middleware=[Middleware(RequestIds)], lifespan=lambda app: manager.run())


async def serve_http(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    p = plan(settings, host, port)
    if p.verifier is None:
        log.warning("serve-http without authorization: every local user and process can call every tool; set "
                    "ILETIMERKEZI_HTTP_TOKENS or ILETIMERKEZI_OAUTH_ISSUER to require tokens")
    app = build_http_app(settings, p)
    config = uvicorn.Config(app, host=host, port=port, log_level=settings.log_level.lower(), access_log=False,
                            timeout_graceful_shutdown=GRACEFUL_SECONDS, lifespan="on")
    log.info("serving MCP over streamable HTTP at %s (metadata: %s)", p.resource, p.metadata_url)
    await uvicorn.Server(config).serve()
