"""Every manifest source and every way one can be bad, against a local HTTP server.

Start-up reads only local copies (`load_local`); `fetch_live` is the network step."""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from corrupt_files import CORRUPT, make_corrupt
from manifest_server import ManifestServer, bundled_manifest
from slow_api import SlowApi

from iletimerkezi_mcp.manifest.cache import cache_path, read_cache, write_cache
from iletimerkezi_mcp.manifest.loader import MAX_REDIRECTS, fetch_live, load_bundled, load_local, needs_refresh
from iletimerkezi_mcp.settings import Settings

pytestmark = pytest.mark.anyio


def settings_for(tmp_path: Path, url: str, **extra) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", manifest_url=url, manifest_timeout=1.0, **extra)


def nothing_cached(settings: Settings) -> bool:
    folder = settings.resolved_cache_dir()
    return not folder.exists() or not any(folder.iterdir())


def changed_manifest() -> dict:
    document = bundled_manifest()
    document["generated_at"] = "2027-01-01T00:00:00.000Z"
    return document


async def test_fresh_cache_is_used_without_a_fetch(tmp_path, manifest_server):
    settings = settings_for(tmp_path, manifest_server.url)
    write_cache(settings.cache_dir, manifest_server.url, changed_manifest())
    loaded, entry = load_local(settings)
    assert loaded.source == "cache" and not needs_refresh(settings, entry)
    assert loaded.parsed.generated_at == "2027-01-01T00:00:00.000Z"
    assert manifest_server.requests == []


async def test_stale_cache_is_refreshed_from_live(tmp_path, manifest_server):
    settings = settings_for(tmp_path, manifest_server.url)
    old = datetime.now(timezone.utc) - timedelta(days=2)
    write_cache(settings.cache_dir, manifest_server.url, changed_manifest(), now=old)
    local, entry = load_local(settings)
    assert local.source == "stale-cache" and needs_refresh(settings, entry)
    loaded = (await fetch_live(settings, entry)).loaded
    assert loaded is not None and loaded.source == "live"
    assert loaded.parsed.generated_at == bundled_manifest()["generated_at"]
    assert len(manifest_server.requests) == 1
    assert read_cache(settings.cache_dir, manifest_server.url).is_fresh(86400)


async def test_live_fetch_is_cached_atomically(tmp_path, manifest_server):
    settings = settings_for(tmp_path, manifest_server.url)
    outcome = await fetch_live(settings, None)
    assert outcome.loaded is not None and outcome.loaded.source == "live"
    path = cache_path(settings.cache_dir, manifest_server.url)
    envelope = json.loads(path.read_text(encoding="utf-8"))
    assert set(envelope) >= {"fetched_at", "manifest"}
    assert envelope["manifest"]["endpoints"][0]["slug"] == "send-sms"
    assert [p.name for p in settings.cache_dir.iterdir()] == [path.name]  # no temp file left behind


async def test_stale_cache_beats_bundled_when_live_fails(tmp_path, manifest_server):
    settings = settings_for(tmp_path, manifest_server.url)
    write_cache(settings.cache_dir, manifest_server.url, changed_manifest(),
                now=datetime.now(timezone.utc) - timedelta(days=3))
    manifest_server.status = 500
    loaded, entry = load_local(settings)
    assert (await fetch_live(settings, entry)).status == "failed"
    assert loaded.source == "stale-cache"
    assert loaded.parsed.generated_at == "2027-01-01T00:00:00.000Z"


@pytest.mark.parametrize("garbage", ["", "{", "null", '{"fetched_at": "yesterday", "manifest": {}}',
                                     '{"fetched_at": "2026-01-01T00:00:00+00:00", "url": "x"'])
async def test_corrupt_or_half_written_cache_is_a_miss(tmp_path, garbage, caplog):
    url = "http://127.0.0.1:9/m.json"
    settings = settings_for(tmp_path, url)
    path = cache_path(settings.cache_dir, url)
    path.parent.mkdir(parents=True)
    path.write_text(garbage)
    with caplog.at_level(logging.WARNING):
        loaded, entry = load_local(settings)
    assert entry is None and loaded.source == "bundled"
    (warning,) = [r.getMessage() for r in caplog.records if str(path) in r.getMessage()]
    assert warning.startswith(f"manifest cache {path} ") and warning.endswith("; ignoring it")


@pytest.mark.parametrize("status,body,reason", [
    (200, b"{not json", "invalid manifest"),
    (200, b'{"endpoints": "nope"}', "invalid manifest"),
    (200, b"[1, 2]", "invalid manifest"),
    (200, b'{"endpoints": []}', "invalid manifest"),
    (200, b'{"endpoints": [], "x": NaN}', "NaN is not allowed"),
    (200, b'{"endpoints": [], "x": 1e400}', "out of range"),
    (200, b'{"endpoints": "\xff"}', "invalid manifest"),
    (404, b"not found", "HTTP 404"),
    (503, b"", "HTTP 503"),
])
async def test_bad_live_answers_fall_through(tmp_path, manifest_server, status, body, reason, caplog):
    manifest_server.status, manifest_server.body = status, body
    settings = settings_for(tmp_path, manifest_server.url)
    with caplog.at_level(logging.WARNING):
        outcome = await fetch_live(settings, None)
        loaded, _ = load_local(settings)
    assert outcome.status == "failed" and reason in outcome.reason
    assert loaded.source == "bundled"
    assert not settings.cache_dir.exists() or not any(settings.cache_dir.iterdir())
    assert any(manifest_server.url in r.message for r in caplog.records)


async def test_one_broken_endpoint_is_skipped_not_the_manifest(tmp_path, manifest_server):
    document = bundled_manifest()
    document["endpoints"][1]["input_schema"] = {"type": "object", "properties": {"x": {"type": 12}}}
    document["endpoints"][2]["path"] = "//evil.example/v1/steal/json"
    manifest_server.serve_json(document)
    loaded = (await fetch_live(settings_for(tmp_path, manifest_server.url), None)).loaded
    assert loaded is not None and loaded.source == "live"
    assert len(loaded.parsed.tools()) == 10
    assert {slug for slug, _ in loaded.parsed.skipped} == {document["endpoints"][1]["slug"],
                                                           document["endpoints"][2]["slug"]}


async def test_unreachable_url_serves_bundled(tmp_path, refused_url):
    settings = settings_for(tmp_path, refused_url)
    assert (await fetch_live(settings, None)).status == "failed"
    loaded, _ = load_local(settings)
    assert loaded.source == "bundled" and len(loaded.parsed.tools()) == 12


async def test_unanswered_fetch_times_out(tmp_path, manifest_server):
    manifest_server.delay = 5
    settings = settings_for(tmp_path, manifest_server.url).model_copy(update={"manifest_timeout": 0.3})
    outcome = await fetch_live(settings, None)
    assert outcome.status == "failed" and "no complete answer within 0.3 s" in outcome.reason


async def test_a_trickling_manifest_server_is_cut_at_the_timeout(tmp_path):
    # Each byte arrives well inside the per-read timeout; only a deadline on the whole fetch ends it.
    with SlowApi("drip", interval=0.1) as server:
        settings = settings_for(tmp_path, f"{server.url}/manifest.json").model_copy(update={"manifest_timeout": 0.5})
        started = time.monotonic()
        outcome = await fetch_live(settings, None)
        took = time.monotonic() - started
    assert took < 1.0, f"{took:.2f} s"
    assert outcome.status == "failed" and outcome.reason == "no complete answer within 0.5 s"
    assert nothing_cached(settings)


# --- redirects: followed within the manifest URL's origin only ---------------------------------

@pytest.fixture
def other_host() -> Iterator[ManifestServer]:
    """A second manifest server: another origin (same address, another port) with a different manifest."""
    server = ManifestServer()
    server.serve_json(changed_manifest())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("absolute", [False, True], ids=["relative", "absolute"])
async def test_a_same_origin_redirect_is_followed(tmp_path, manifest_server, status, absolute):
    location = "/v2/manifest.json"
    manifest_server.redirects["/api/manifest.json"] = (status, manifest_server.origin + location if absolute
                                                       else location)
    settings = settings_for(tmp_path, manifest_server.url)
    outcome = await fetch_live(settings, None)
    assert outcome.status == "updated" and outcome.loaded is not None
    assert outcome.loaded.origin == manifest_server.url
    assert manifest_server.paths == ["/api/manifest.json", "/v2/manifest.json"]
    assert read_cache(settings.resolved_cache_dir(), manifest_server.url) is not None  # cached under the configured URL


async def test_a_redirect_keeps_the_conditional_request(tmp_path, manifest_server):
    manifest_server.serve_json(bundled_manifest(), etag='"v1"')
    manifest_server.redirects["/api/manifest.json"] = (302, "/v2/manifest.json")
    settings = settings_for(tmp_path, manifest_server.url)
    assert (await fetch_live(settings, None)).status == "updated"
    second = await fetch_live(settings, read_cache(settings.resolved_cache_dir(), manifest_server.url))
    assert second.status == "not-modified"
    assert manifest_server.requests[-1]["if-none-match"] == '"v1"'


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_to_another_host_is_refused(tmp_path, manifest_server, other_host, status, caplog):
    manifest_server.redirects["/api/manifest.json"] = (status, other_host.url)
    settings = settings_for(tmp_path, manifest_server.url)
    with caplog.at_level(logging.WARNING):
        outcome = await fetch_live(settings, None)
    assert outcome.status == "failed" and outcome.loaded is None
    assert outcome.reason == (f"HTTP {status} redirect to another origin ({other_host.origin}); not followed")
    assert other_host.requests == []  # not even asked
    assert nothing_cached(settings)
    assert load_local(settings)[0].source == "bundled"
    assert any("another origin" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("location", [
    "//evil.test.invalid/manifest.json",  # scheme-relative: another host
    "https://127.0.0.1:{port}/api/manifest.json",  # same host and port, another scheme
    "http://localhost:{port}/api/manifest.json",  # the same machine by another name is another origin
    "http://127.0.0.1/api/manifest.json",  # default port
    "file:///etc/passwd",
])
async def test_any_change_of_scheme_host_or_port_is_refused(tmp_path, manifest_server, location):
    port = manifest_server.origin.rsplit(":", 1)[1]
    manifest_server.redirects["/api/manifest.json"] = (302, location.format(port=port))
    outcome = await fetch_live(settings_for(tmp_path, manifest_server.url), None)
    assert outcome.status == "failed" and "another origin" in outcome.reason
    assert manifest_server.paths == ["/api/manifest.json"]


async def test_a_redirect_from_a_later_hop_to_another_host_is_refused(tmp_path, manifest_server, other_host):
    manifest_server.redirects["/api/manifest.json"] = (302, "/step")
    manifest_server.redirects["/step"] = (302, other_host.url)
    outcome = await fetch_live(settings_for(tmp_path, manifest_server.url), None)
    assert outcome.status == "failed" and "another origin" in outcome.reason
    assert manifest_server.paths == ["/api/manifest.json", "/step"] and other_host.requests == []


async def test_a_callers_client_that_follows_redirects_is_not_trusted_to(tmp_path, manifest_server, other_host):
    manifest_server.redirects["/api/manifest.json"] = (302, other_host.url)
    async with httpx.AsyncClient(follow_redirects=True) as client:
        outcome = await fetch_live(settings_for(tmp_path, manifest_server.url), None, client=client)
    assert outcome.status == "failed" and "another origin" in outcome.reason
    assert other_host.requests == []


async def test_a_redirect_loop_stops_after_a_few_hops(tmp_path, manifest_server):
    manifest_server.redirects["/api/manifest.json"] = (302, "/again")
    manifest_server.redirects["/again"] = (302, "/api/manifest.json")
    settings = settings_for(tmp_path, manifest_server.url)
    outcome = await fetch_live(settings, None)
    assert outcome.status == "failed" and outcome.reason == f"more than {MAX_REDIRECTS} redirects; not followed"
    assert len(manifest_server.paths) == MAX_REDIRECTS + 1
    assert nothing_cached(settings)


async def test_a_redirect_to_an_unparsable_location_fails_cleanly(tmp_path, manifest_server):
    manifest_server.redirects["/api/manifest.json"] = (302, "http://[::1")
    outcome = await fetch_live(settings_for(tmp_path, manifest_server.url), None)
    assert outcome.status == "failed" and "location" in outcome.reason.lower()  # httpx itself refuses it
    assert manifest_server.paths == ["/api/manifest.json"]


async def test_unchanged_manifest_costs_a_304(tmp_path, manifest_server):
    manifest_server.serve_json(bundled_manifest(), etag='"v1"')
    settings = settings_for(tmp_path, manifest_server.url)
    first = await fetch_live(settings, None)
    assert first.status == "updated"
    entry = read_cache(settings.resolved_cache_dir(), manifest_server.url)
    assert entry.etag == '"v1"'
    second = await fetch_live(settings, entry)
    assert second.status == "not-modified"
    assert manifest_server.requests[-1]["if-none-match"] == '"v1"'


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
async def test_unwritable_cache_dir_is_not_fatal(tmp_path, manifest_server):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    outcome = await fetch_live(Settings(cache_dir=ro / "sub", manifest_url=manifest_server.url), None)
    assert outcome.status == "updated"


async def test_cache_dir_that_is_a_file_is_not_fatal(tmp_path, manifest_server, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with caplog.at_level(logging.WARNING):
        outcome = await fetch_live(Settings(cache_dir=blocker, manifest_url=manifest_server.url), None)
    assert outcome.status == "updated"
    assert any("cannot write the manifest cache" in r.message for r in caplog.records)


async def test_cache_is_keyed_by_url(tmp_path, manifest_server):
    settings = settings_for(tmp_path, manifest_server.url)
    write_cache(settings.cache_dir, "http://127.0.0.1:9/other.json", changed_manifest())
    loaded, entry = load_local(settings)
    assert entry is None and loaded.source == "bundled"


async def test_future_timestamp_is_not_fresh(tmp_path):
    url = "http://127.0.0.1:9/m.json"
    settings = settings_for(tmp_path, url)
    write_cache(settings.cache_dir, url, changed_manifest(), now=datetime.now(timezone.utc) + timedelta(days=1))
    loaded, entry = load_local(settings)
    assert entry is not None and loaded.source == "stale-cache"


async def test_bundled_mode_never_reads_cache(tmp_path, manifest_server):
    settings = settings_for(tmp_path, manifest_server.url, manifest_mode="bundled")
    write_cache(settings.cache_dir, manifest_server.url, changed_manifest())
    loaded, entry = load_local(settings)
    assert loaded.source == "bundled" and entry is None and not needs_refresh(settings, entry)
    assert manifest_server.requests == []


async def test_user_fallback_file_replaces_bundled_and_bad_one_is_ignored(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(changed_manifest()))
    settings = settings_for(tmp_path, "http://127.0.0.1:9/m.json", fallback_manifest=good)
    assert load_local(settings)[0].parsed.generated_at == "2027-01-01T00:00:00.000Z"
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    settings = settings_for(tmp_path, "http://127.0.0.1:9/m.json", fallback_manifest=bad)
    assert load_local(settings)[0].parsed.generated_at == bundled_manifest()["generated_at"]


@pytest.mark.parametrize("case", sorted(CORRUPT))
async def test_any_bad_fallback_file_is_a_warning_and_the_packaged_copy_is_used(tmp_path, case, caplog):
    bad = tmp_path / "fallback.json"
    make_corrupt(bad, case)
    settings = settings_for(tmp_path, "http://127.0.0.1:9/m.json", fallback_manifest=bad, manifest_mode="bundled")
    with caplog.at_level(logging.WARNING):
        loaded = load_bundled(settings)
    assert loaded.origin != str(bad) and len(loaded.parsed.tools()) == 12
    (warning,) = [r.getMessage() for r in caplog.records if str(bad) in r.getMessage()]
    assert warning.startswith(f"ILETIMERKEZI_FALLBACK_MANIFEST {bad}") and warning.endswith("using the packaged copy")


async def test_a_missing_fallback_file_is_named(tmp_path, caplog):
    missing = tmp_path / "nowhere.json"
    with caplog.at_level(logging.WARNING):
        loaded = load_bundled(settings_for(tmp_path, "http://127.0.0.1:9/m.json", fallback_manifest=missing))
    assert loaded.source == "bundled"
    assert any(f"{missing} does not exist" in r.getMessage() for r in caplog.records)


def test_load_blocking_is_gone():
    from iletimerkezi_mcp.manifest import loader

    assert not hasattr(loader, "load_blocking")
    assert "load_blocking" not in (loader.__doc__ or "")
