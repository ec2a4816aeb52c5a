"""What one running server holds: settings, the current tool catalog, the HTTP client, the sessions.

A state has one life: `async with build_state(settings) as state:` starts the built-in sandbox
when asked for, fixes the API origin once, opens the send ledger, and closes the client, the
ledger and the sandbox once on exit.
The catalog is replaced whole (never edited in place), so a call that started on one manifest
version finishes on it even if a background refresh swaps in another.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr

from iletimerkezi_mcp.client_log import ClientLog
from iletimerkezi_mcp.contracts import ALL, check_tool_filter
from iletimerkezi_mcp.executor import ApiClient, Credentials
from iletimerkezi_mcp.ledger import Budgets, Ledger, open_configured
from iletimerkezi_mcp.manifest.loader import LoadedManifest, load_local
from iletimerkezi_mcp.overlay import Overlay, load_overlay_or_warn
from iletimerkezi_mcp.redact import Redactor, secrets_of
from iletimerkezi_mcp.settings import PROVIDER_API_ORIGIN, Settings
from iletimerkezi_mcp.tokens import ConfirmationBook
from iletimerkezi_mcp.tools import Catalog, build_catalog

log = logging.getLogger(__name__)

# What a confirmation token is bound to in sandbox mode: the sandbox listens on a new port each
# start, and a token must survive a restart there, yet never confirm a real send.
SANDBOX_BINDING = "sandbox"
T = TypeVar("T")


class StateClosed(RuntimeError):
    """The state was used outside its `async with` block."""


class AppState:
    def __init__(
        self,
        settings: Settings,
        manifest: LoadedManifest,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        client_log: ClientLog | None = None,
    ) -> None:
        self.settings = settings
        self.redactor = Redactor(secrets_of(settings))
        # What is logged also reaches the clients (see client_log.py); build_state starts it earlier.
        self.client_log = client_log if client_log is not None else ClientLog(self.redactor)
        self.overlay: Overlay | None = load_overlay_or_warn(settings.overlay) if settings.overlay else None
        check_tool_filter(settings, {c.name for c in ALL} | set(manifest.parsed.tools()))
        if self.overlay is not None:
            for name in sorted(set(self.overlay.tools) - set(manifest.parsed.tools())):
                log.warning("%s names tool %r, which the manifest does not have; that entry does nothing",
                            self.overlay.path, name)
        self.catalog: Catalog = self.build(manifest)
        self.budgets = Budgets(hour=settings.budget_hour, day=settings.budget_day,
                               hard_day=settings.max_credits_per_day)
        # Every connected session, so a tools/list_changed reaches them all; gone ones drop out.
        self.sessions: weakref.WeakSet[Any] = weakref.WeakSet()
        self.sandbox: Any = None  # a started SandboxServer while open in --sandbox mode
        self._transport = transport
        self._client: ApiClient | None = None
        self._origin: str | None = None
        self._ledger: Ledger | None = None
        self._book: ConfirmationBook | None = None
        warn_unpinned_hosts(manifest, None if settings.uses_builtin_sandbox else configured_origin(settings))

    async def __aenter__(self) -> AppState:
        if self._origin is not None:
            raise RuntimeError("a server state has one life: it cannot be opened twice")
        self.client_log.attach()
        if self.settings.uses_builtin_sandbox:
            self._start_sandbox()
        self._origin = str(self.sandbox.url) if self.sandbox is not None else configured_origin(self.settings)
        self._client = ApiClient(self._origin, self.settings.timeout, transport=self._transport)
        self._ledger = open_configured(self.settings)  # PostgreSQL when a database URL is set
        if self._ledger.problem:
            log.warning("send ledger unavailable (%s): every write will need confirmation", self._ledger.problem)
        # The signing key lives in the ledger, so every process (and the next run) agrees on it.
        self._book = ConfirmationBook(self._ledger.secret("confirmation"))
        return self

    async def __aexit__(self, *exc: object) -> None:
        client, self._client = self._client, None
        try:
            if client is not None:
                await client.aclose()
        finally:
            if self._ledger is not None:
                self._ledger.close()
            if self.sandbox is not None:
                self.sandbox.stop()
                self.sandbox = None
            self.client_log.detach()

    def _start_sandbox(self) -> None:
        """The fake API in-process; its account file lets orders survive restarts and CLI runs."""
        from iletimerkezi_mcp.sandbox import SandboxServer, SandboxState

        path = self.settings.sandbox_state_path()
        self.sandbox = SandboxServer(SandboxState(state_file=path, history=True)).start()
        log.info("sandbox API listening on %s (state: %s)", self.sandbox.url, path or "in memory")

    def build(self, manifest: LoadedManifest) -> Catalog:
        return build_catalog(manifest, self.settings, self.overlay)

    @property
    def origin(self) -> str:
        """Where requests and credentials go: the explicit base URL, the sandbox, or the provider."""
        return _opened(self._origin)

    @property
    def ledger(self) -> Ledger:
        return _opened(self._ledger)

    @property
    def confirmations(self) -> ConfirmationBook:
        return _opened(self._book)

    @property
    def binding(self) -> str:
        """What confirmations are bound to: a sandbox token never confirms a real send."""
        return SANDBOX_BINDING if self.in_sandbox else self.origin

    @property
    def client(self) -> ApiClient:
        return _opened(self._client)

    @property
    def in_sandbox(self) -> bool:
        return self.sandbox is not None

    def sandbox_note(self) -> str | None:
        """Said in results when the sandbox account had to be started afresh."""
        return getattr(self.sandbox.state, "reset_note", None) if self.sandbox is not None else None

    def credentials(self) -> Credentials | None:
        if self.in_sandbox:
            from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY

            return Credentials(key=SecretStr(SANDBOX_API_KEY), hash=SecretStr(SANDBOX_API_HASH))
        if self.settings.api_key is None or self.settings.api_hash is None:
            return None
        return Credentials(key=self.settings.api_key, hash=self.settings.api_hash)


def _opened(value: T | None) -> T:
    if value is None:
        raise StateClosed("the server state is not open; use `async with`")
    return value


def build_state(settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> AppState:
    """A state on the best local manifest: start-up never waits on the network. What loading logs
    (a fallback, a skipped endpoint) is kept for the clients that connect later."""
    client_log = ClientLog(Redactor(secrets_of(settings)))
    with client_log.attached():
        manifest, _ = load_local(settings)
        return AppState(settings, manifest, transport=transport, client_log=client_log)


def configured_origin(settings: Settings) -> str:
    return settings.base_url or PROVIDER_API_ORIGIN


def warn_unpinned_hosts(manifest: LoadedManifest, origin: str | None) -> None:
    """A manifest naming another host never moves our requests; say so on stderr."""
    if origin is None:
        return
    named = {manifest.parsed.base_url} | {ep.base_url for ep in manifest.parsed.endpoints}
    named |= {ep.full_url.rsplit("/v1/", 1)[0] for ep in manifest.parsed.endpoints if ep.full_url}
    for other in sorted(u.rstrip("/") for u in named if u):
        if other != PROVIDER_API_ORIGIN and other != origin:
            log.warning("manifest names API host %s; ignored, requests go only to %s", other[:100], origin)
