"""What one running server holds: settings, the current tool catalog, the HTTP client.

The catalog is replaced whole (never edited in place), so a call that started on one
manifest version finishes on it even if a background refresh swaps in another.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from iletimerkezi_mcp.executor import ApiClient, Credentials
from iletimerkezi_mcp.manifest.loader import LoadedManifest
from iletimerkezi_mcp.overlay import Overlay, load_overlay
from iletimerkezi_mcp.policy import check_tool_filter
from iletimerkezi_mcp.settings import PROVIDER_API_ORIGIN, Settings
from iletimerkezi_mcp.tokens import ConfirmationBook
from iletimerkezi_mcp.tools import Catalog, build_catalog

log = logging.getLogger(__name__)


class AppState:
    def __init__(
        self,
        settings: Settings,
        manifest: LoadedManifest,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.overlay: Overlay | None = load_overlay(settings.overlay) if settings.overlay else None
        check_tool_filter(settings, set(manifest.parsed.tools()))
        if self.overlay is not None:
            for name in sorted(set(self.overlay.tools) - set(manifest.parsed.tools())):
                log.warning("%s names tool %r, which the manifest does not have; that entry does nothing",
                            self.overlay.path, name)
        self.catalog: Catalog = self.build(manifest)
        self.confirmations = ConfirmationBook(store=settings.resolved_cache_dir())
        self.sandbox: Any = None  # a started SandboxServer in --sandbox mode
        self.session: Any = None  # last session seen, for tools/list_changed
        self._transport = transport
        self._client: ApiClient | None = None
        warn_unpinned_hosts(manifest, None if settings.uses_builtin_sandbox else self.api_origin())

    def start_sandbox(self) -> None:
        """In --sandbox mode (without an explicit base URL), start the fake API in-process.

        Its account is kept in a file so orders, balance and reports survive a restart (and
        separate CLI runs); an unusable file means a fresh in-memory account, never a crash.
        """
        if not self.settings.uses_builtin_sandbox or self.sandbox is not None:
            return
        from iletimerkezi_mcp.sandbox import SandboxServer, SandboxState

        path = self.settings.sandbox_state_path()
        try:
            account = SandboxState(state_file=path)
        except (ValueError, OSError) as exc:
            log.warning("sandbox state %s unusable (%s); using a fresh in-memory account", path, str(exc)[:200])
            account = SandboxState()
        self.sandbox = SandboxServer(account).start()
        log.info("sandbox API listening on %s (state: %s)", self.sandbox.url, path or "in memory")

    def stop_sandbox(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()

    def build(self, manifest: LoadedManifest) -> Catalog:
        return build_catalog(manifest, self.settings, self.overlay)

    def api_origin(self) -> str:
        """Credentials go only here: the user's explicit base URL, the sandbox, or the provider."""
        if self.settings.base_url:
            return self.settings.base_url
        if self.sandbox is not None:
            return str(self.sandbox.url)
        return PROVIDER_API_ORIGIN

    @property
    def in_sandbox(self) -> bool:
        return self.sandbox is not None and self.settings.uses_builtin_sandbox

    def credentials(self) -> Credentials | None:
        if self.in_sandbox:
            from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY

            return Credentials(key=SANDBOX_API_KEY, hash=SANDBOX_API_HASH)  # type: ignore[arg-type]
        if not self.settings.has_credentials:
            return None
        return Credentials(key=self.settings.api_key, hash=self.settings.api_hash)  # type: ignore[arg-type]

    def client(self) -> ApiClient:
        if self._client is None:
            self._client = ApiClient(self.api_origin(), self.settings.timeout, transport=self._transport)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def warn_unpinned_hosts(manifest: LoadedManifest, origin: str | None) -> None:
    """A manifest naming another host never moves our requests; say so on stderr."""
    if origin is None:
        return
    named = {manifest.parsed.base_url} | {ep.base_url for ep in manifest.parsed.endpoints}
    named |= {ep.full_url.rsplit("/v1/", 1)[0] for ep in manifest.parsed.endpoints if ep.full_url}
    for other in sorted(u.rstrip("/") for u in named if u):
        if other != PROVIDER_API_ORIGIN and other != origin:
            log.warning("manifest names API host %s; ignored, requests go only to %s", other[:100], origin)
