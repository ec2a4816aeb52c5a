"""The manifest's disk cache: one file per manifest URL, written atomically.

Envelope: {"fetched_at", "url", "etag", "last_modified", "manifest"}. Only what passed
validation is ever written (the accepted document, without the endpoints it refused, so a
restart cannot bring them back), everything read back is checked again in full, and a half-written, garbage or otherwise
unusable file (directory, FIFO, huge, wrong types) reads as a miss with one warning.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from iletimerkezi_mcp.localfiles import LocalFileError, load_json, warn_unusable, write_atomic
from iletimerkezi_mcp.manifest.models import ParsedManifest, parse_manifest

CACHE_LIMIT = 8 * 1024 * 1024  # the envelope of a real manifest is tens of KB


class CacheEntry(BaseModel):
    model_config = {"arbitrary_types_allowed": True}

    path: Path
    url: str
    fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    parsed: ParsedManifest

    def age_seconds(self, now: datetime | None = None) -> float:
        now = now or datetime.now(timezone.utc)
        return (now - self.fetched_at).total_seconds()

    def is_fresh(self, ttl: float, now: datetime | None = None) -> bool:
        age = self.age_seconds(now)
        # A timestamp from the future (clock skew, tampering) does not count as fresh.
        return 0 <= age < ttl


def cache_path(cache_dir: Path, url: str) -> Path:
    # Keyed by URL: changing ILETIMERKEZI_MANIFEST_URL must not serve the old URL's copy.
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    return cache_dir / f"manifest-{digest}.json"


def read_cache(cache_dir: Path, url: str) -> CacheEntry | None:
    """The cached manifest for `url`, or None (with one line on stderr saying why) when unusable."""
    entry, problem = inspect_cache(cache_dir, url)
    if problem is not None:
        warn_unusable("manifest cache", cache_path(cache_dir, url), problem)
    return entry


def inspect_cache(cache_dir: Path, url: str) -> tuple[CacheEntry | None, str | None]:
    """(entry, None) when usable; (None, None) when absent; (None, problem) when unusable."""
    path = cache_path(cache_dir, url)
    try:
        envelope = load_json(path, limit=CACHE_LIMIT)
    except LocalFileError as exc:
        return None, str(exc)
    if envelope is None:
        return None, None
    try:
        if not isinstance(envelope, dict):
            raise ValueError(f"a JSON {type(envelope).__name__} instead of a cache envelope")
        if envelope.get("url") != url:
            raise ValueError("an envelope for another URL")
        stamp = envelope.get("fetched_at")
        if not isinstance(stamp, str):
            raise ValueError("no fetched_at time")
        fetched_at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        if fetched_at.tzinfo is None:
            fetched_at = fetched_at.replace(tzinfo=timezone.utc)
        # Checked in full, schemas included, although it was checked before writing: a file on disk
        # can be edited or damaged, or written by an older version that checked less.
        parsed = parse_manifest(envelope.get("manifest"), check_schemas=True)
        entry = CacheEntry(path=path, url=url, fetched_at=fetched_at, etag=_opt(envelope.get("etag")),
                           last_modified=_opt(envelope.get("last_modified")), parsed=parsed)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError) as exc:
        # ManifestError and pydantic's ValidationError are ValueErrors too.
        return None, f"is corrupt ({_short(exc)})"
    return entry, None


def write_cache(
    cache_dir: Path,
    url: str,
    manifest: dict[str, Any],
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    now: datetime | None = None,
) -> Path | None:
    """Atomically store a validated manifest. Returns the path, or None if the dir is unwritable.

    Callers pass `ParsedManifest.raw`, the document as accepted: an endpoint the check skipped is
    not in it, so it cannot come back from the cache."""
    parse_manifest(manifest, check_schemas=True)  # never cache something we would refuse to load
    envelope = {
        "fetched_at": (now or datetime.now(timezone.utc)).isoformat(),
        "url": url,
        "etag": etag,
        "last_modified": last_modified,
        "manifest": manifest,
    }
    path = cache_path(cache_dir, url)
    data = json.dumps(envelope, ensure_ascii=False, indent=2).encode("utf-8")
    if not write_atomic(path, data, what="manifest cache", consequence="continuing without it"):
        return None
    return path


def touch_cache(entry: CacheEntry, now: datetime | None = None) -> None:
    """After a 304 Not Modified: restart the TTL clock without changing the manifest."""
    write_cache(entry.path.parent, entry.url, entry.parsed.raw, etag=entry.etag,
                last_modified=entry.last_modified, now=now)


def _opt(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _short(exc: BaseException) -> str:
    return str(exc).replace("\n", " ")[:200]
