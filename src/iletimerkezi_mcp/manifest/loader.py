"""Which manifest is served, and from where.

Start-up never touches the network: `load_local` picks the best local copy (fresh cache,
stale cache, bundled). `fetch_live` is the network step, run in the background by the
server (conditional request: an unchanged manifest costs one 304) or on demand by the CLI.
A bad local file of any kind (cache, ILETIMERKEZI_FALLBACK_MANIFEST) is a warning and the
next copy in line is used.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Literal

import anyio
import httpx
from pydantic import BaseModel, ConfigDict

from iletimerkezi_mcp.localfiles import LocalFileError, load_json, parse_json
from iletimerkezi_mcp.manifest.cache import CacheEntry, read_cache, touch_cache, write_cache
from iletimerkezi_mcp.manifest.models import ManifestError, ParsedManifest, parse_manifest
from iletimerkezi_mcp.settings import Settings

log = logging.getLogger(__name__)

MAX_MANIFEST_BYTES = 4 * 1024 * 1024  # the real one is tens of KB; refuse anything absurd
MAX_REDIRECTS = 3  # a moved file needs one or two; more is a loop or a misconfiguration
_DEFAULT_PORTS = {"http": 80, "https": 443}
Source = Literal["cache", "stale-cache", "live", "bundled"]


class LoadedManifest(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    source: Source
    parsed: ParsedManifest
    origin: str  # file path or URL it came from
    fetched_at: datetime | None = None

    def describe(self) -> str:
        generated = self.parsed.generated_at or "unknown"
        when = f", fetched {self.fetched_at.isoformat(timespec='seconds')}" if self.fetched_at else ""
        return f"{self.source} manifest generated_at {generated}{when} ({len(self.parsed.tools())} tools)"


class FetchOutcome(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    status: Literal["updated", "not-modified", "failed"]
    loaded: LoadedManifest | None = None
    reason: str = ""


def bundled_path() -> Path:
    return Path(str(resources.files("iletimerkezi_mcp.manifest").joinpath("manifest.fallback.json")))


def load_bundled(settings: Settings) -> LoadedManifest:
    """The user's fallback file if set and valid, else the copy shipped in the package."""
    if settings.fallback_manifest is not None:
        try:
            parsed = parse_manifest_file(settings.fallback_manifest)
            return LoadedManifest(source="bundled", parsed=parsed, origin=str(settings.fallback_manifest))
        except ManifestError as exc:
            log.warning("ILETIMERKEZI_FALLBACK_MANIFEST %s; using the packaged copy", _short(exc))
    path = bundled_path()
    return LoadedManifest(source="bundled", parsed=parse_manifest_file(path, check_schemas=False),
                          origin=str(path))


def load_local(settings: Settings, now: datetime | None = None) -> tuple[LoadedManifest, CacheEntry | None]:
    """Best local copy, no network. Returns it with the cache entry (for conditional refresh)."""
    if settings.manifest_mode == "bundled":
        return load_bundled(settings), None
    entry = read_cache(settings.resolved_cache_dir(), settings.manifest_url)
    if entry is not None:
        fresh = entry.is_fresh(settings.manifest_ttl, now)
        return _from_cache(entry, fresh), entry
    return load_bundled(settings), None


def needs_refresh(settings: Settings, entry: CacheEntry | None, now: datetime | None = None) -> bool:
    if settings.manifest_mode != "auto":
        return False
    return entry is None or not entry.is_fresh(settings.manifest_ttl, now)


async def fetch_live(
    settings: Settings, entry: CacheEntry | None, client: httpx.AsyncClient | None = None
) -> FetchOutcome:
    """GET the live manifest (conditionally when we hold a cached copy) and cache it if valid.

    `settings.manifest_timeout` bounds the whole fetch, redirects and every byte included: a server
    that trickles its answer cannot hold a refresh open. Redirects are followed only within the
    manifest URL's own origin, whatever the client's setting."""
    url = settings.manifest_url
    headers = {"Accept": "application/json"}
    if entry is not None:
        if entry.etag:
            headers["If-None-Match"] = entry.etag
        if entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
    own_client = client is None
    client = client or httpx.AsyncClient(timeout=settings.manifest_timeout)
    answer: tuple[bytes, str | None, str | None] | FetchOutcome | None = None
    try:
        with anyio.move_on_after(settings.manifest_timeout):
            answer = await _get(client, url, headers, settings.manifest_timeout, entry)
    finally:
        if own_client:
            await client.aclose()
    if answer is None:
        return _failed(url, f"no complete answer within {settings.manifest_timeout:g} s")
    if isinstance(answer, FetchOutcome):
        return answer
    body, etag, last_modified = answer
    try:
        # In a worker thread: checking a large hostile document takes a few hundred ms that must not
        # pause the calls being served meanwhile.
        parsed = await anyio.to_thread.run_sync(_parse_body, body)
    except LocalFileError as exc:
        return _failed(url, f"invalid manifest: the body {exc}")
    except (ValueError, RecursionError) as exc:
        return _failed(url, f"invalid manifest: {_short(exc)}")
    for slug, reason in parsed.skipped:
        log.warning("live manifest: endpoint %s skipped: %s", slug, reason)
    now = datetime.now(timezone.utc)
    write_cache(settings.resolved_cache_dir(), url, parsed.raw, etag=etag, last_modified=last_modified, now=now)
    loaded = LoadedManifest(source="live", parsed=parsed, origin=url, fetched_at=now)
    return FetchOutcome(status="updated", loaded=loaded)


async def _get(client: httpx.AsyncClient, url: str, headers: dict[str, str], timeout: float,
               entry: CacheEntry | None) -> tuple[bytes, str | None, str | None] | FetchOutcome:
    """(body, ETag, Last-Modified) of a 200, following same-origin redirects; a FetchOutcome otherwise."""
    target = httpx.URL(url)
    try:
        for _ in range(MAX_REDIRECTS + 1):
            request = client.build_request("GET", target, headers=headers, timeout=timeout)
            # Redirects by hand: the manifest decides which tools exist, so it must come from the
            # configured origin, never from wherever that origin (or a caller's client) points.
            response = await client.send(request, stream=True, follow_redirects=False)
            try:
                if response.has_redirect_location:
                    try:
                        following = target.join(response.headers["location"])
                    except httpx.InvalidURL:  # httpx refuses most of these itself (RemoteProtocolError)
                        return _failed(url, f"HTTP {response.status_code} to an invalid location; not followed")
                    if _origin(following) != _origin(target):
                        return _failed(url, f"HTTP {response.status_code} redirect to another origin "
                                            f"({_show_origin(following)}); not followed")
                    target = following
                    continue
                if response.status_code == 304 and entry is not None:
                    touch_cache(entry)
                    return FetchOutcome(status="not-modified", loaded=_from_cache(entry, True), reason="304")
                if response.status_code != 200:
                    return _failed(url, f"HTTP {response.status_code}")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > MAX_MANIFEST_BYTES:
                        return _failed(url, f"response larger than {MAX_MANIFEST_BYTES} bytes")
                return bytes(body), response.headers.get("etag"), response.headers.get("last-modified")
            finally:
                await response.aclose()
    except httpx.TimeoutException:
        return _failed(url, f"no complete answer within {timeout:g} s")
    except httpx.HTTPError as exc:
        return _failed(url, f"{type(exc).__name__}: {_short(exc)}")
    return _failed(url, f"more than {MAX_REDIRECTS} redirects; not followed")


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or _DEFAULT_PORTS.get(url.scheme)


def _show_origin(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.netloc.decode('ascii', errors='replace')}"[:200]


def _parse_body(body: bytes) -> ParsedManifest:
    # Same strict JSON as local files: a NaN or 1e400 cached now would be refused on every start.
    return parse_manifest(parse_json(body.decode("utf-8")))


def _from_cache(entry: CacheEntry, fresh: bool) -> LoadedManifest:
    return LoadedManifest(source="cache" if fresh else "stale-cache", parsed=entry.parsed,
                          origin=str(entry.path), fetched_at=entry.fetched_at)


def parse_manifest_file(path: Path, *, check_schemas: bool = True) -> ParsedManifest:
    """A manifest from a local file; ManifestError naming the file and the problem otherwise."""
    try:
        document = load_json(path, limit=MAX_MANIFEST_BYTES)
    except LocalFileError as exc:
        raise ManifestError(f"{path} {exc}") from None
    if document is None:
        raise ManifestError(f"{path} does not exist")
    try:
        parsed = parse_manifest(document, check_schemas=check_schemas)
    except RecursionError:
        raise ManifestError(f"{path}: a schema is nested too deeply") from None
    except ValueError as exc:  # ManifestError, or a pydantic error it did not wrap
        raise ManifestError(f"{path}: {_short(exc)}") from None
    for slug, reason in parsed.skipped:
        log.warning("manifest %s: endpoint %s skipped: %s", path.name, slug, reason)
    return parsed


def _failed(url: str, reason: str) -> FetchOutcome:
    log.warning("live manifest %s unavailable (%s); keeping the local copy", url, reason)
    return FetchOutcome(status="failed", reason=reason)


def _short(exc: BaseException) -> str:
    return str(exc).replace("\n", " ")[:200]
