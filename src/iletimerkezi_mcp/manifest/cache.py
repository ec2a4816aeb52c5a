"""The manifest's disk cache: one file per manifest URL, written atomically.

Envelope: {"fetched_at", "url", "etag", "last_modified", "manifest"}. Only a manifest that
passed validation is ever written, and a half-written or garbage file reads as a miss.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from iletimerkezi_mcp.manifest.models import ManifestError, ParsedManifest, parse_manifest

log = logging.getLogger(__name__)


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
    path = cache_path(cache_dir, url)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("manifest cache %s unreadable (%s); ignoring it", path, exc.strerror or exc)
        return None
    try:
        envelope = json.loads(text)
        if not isinstance(envelope, dict) or envelope.get("url") != url:
            raise ManifestError("not a cache envelope for this URL")
        fetched_at = datetime.fromisoformat(str(envelope["fetched_at"]).replace("Z", "+00:00"))
        if fetched_at.tzinfo is None:
            fetched_at = fetched_at.replace(tzinfo=timezone.utc)
        parsed = parse_manifest(envelope.get("manifest"), check_schemas=False)  # checked before writing
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        log.warning("manifest cache %s is corrupt (%s); ignoring it", path, str(exc)[:200])
        return None
    return CacheEntry(
        path=path,
        url=url,
        fetched_at=fetched_at,
        etag=_opt(envelope.get("etag")),
        last_modified=_opt(envelope.get("last_modified")),
        parsed=parsed,
    )


def write_cache(
    cache_dir: Path,
    url: str,
    manifest: dict[str, Any],
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    now: datetime | None = None,
) -> Path | None:
    """Atomically store a validated manifest. Returns the path, or None if the dir is unwritable."""
    parse_manifest(manifest)  # never cache something we would refuse to load
    envelope = {
        "fetched_at": (now or datetime.now(timezone.utc)).isoformat(),
        "url": url,
        "etag": etag,
        "last_modified": last_modified,
        "manifest": manifest,
    }
    path = cache_path(cache_dir, url)
    tmp_name = None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".manifest-", suffix=".tmp", dir=cache_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(envelope, handle, ensure_ascii=False, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
        return path
    except OSError as exc:
        log.warning("cannot write the manifest cache in %s (%s); continuing without it", cache_dir,
                    exc.strerror or exc)
        return None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass


def touch_cache(entry: CacheEntry, now: datetime | None = None) -> None:
    """After a 304 Not Modified: restart the TTL clock without changing the manifest."""
    write_cache(entry.path.parent, entry.url, entry.parsed.raw, etag=entry.etag,
                last_modified=entry.last_modified, now=now)


def _opt(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
