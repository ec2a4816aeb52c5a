"""The manifest cache file: any unusable copy is a miss with one warning, never a crash at start-up."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from corrupt_files import CORRUPT, make_corrupt
from manifest_server import bundled_manifest, endpoint, too_deep_manifest

from iletimerkezi_mcp.manifest.cache import cache_path, inspect_cache, read_cache, touch_cache, write_cache
from iletimerkezi_mcp.manifest.loader import fetch_live, load_local
from iletimerkezi_mcp.manifest.models import parse_manifest
from iletimerkezi_mcp.settings import Settings
from iletimerkezi_mcp.tools import build_catalog

pytestmark = pytest.mark.timeout(10)

URL = "http://127.0.0.1:9/manifest.json"


def envelope(**changes: object) -> dict:
    good = {"fetched_at": datetime.now(timezone.utc).isoformat(), "url": URL, "etag": '"v1"',
            "last_modified": None, "manifest": bundled_manifest()}
    good.update(changes)
    return good


def test_round_trip(tmp_path):
    path = write_cache(tmp_path, URL, bundled_manifest(), etag='"v1"')
    assert path == cache_path(tmp_path, URL)
    entry = read_cache(tmp_path, URL)
    assert entry is not None and entry.etag == '"v1"' and entry.is_fresh(60)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_missing_cache_is_a_quiet_miss(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        assert read_cache(tmp_path, URL) is None
        assert inspect_cache(tmp_path, URL) == (None, None)
    assert caplog.records == []


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_every_unusable_file_is_a_miss_with_one_warning(tmp_path, caplog, case):
    path = cache_path(tmp_path, URL)
    make_corrupt(path, case)
    with caplog.at_level(logging.WARNING):
        assert read_cache(tmp_path, URL) is None
    (warning,) = [r.getMessage() for r in caplog.records]
    assert warning.startswith(f"manifest cache {path} ") and warning.endswith("; ignoring it")
    entry, problem = inspect_cache(tmp_path, URL)
    assert entry is None and problem and problem in warning


@pytest.mark.parametrize("changes, problem", [
    ({"url": "http://elsewhere.example/m.json"}, "another URL"),
    ({"url": 5}, "another URL"),
    ({"fetched_at": None}, "no fetched_at"),
    ({"fetched_at": 1_700_000_000}, "no fetched_at"),
    ({"fetched_at": ["2026-01-01"]}, "no fetched_at"),
    ({"fetched_at": "yesterday"}, "corrupt"),
    ({"manifest": None}, "corrupt"),
    ({"manifest": []}, "corrupt"),
    ({"manifest": {"endpoints": "all of them"}}, "corrupt"),
    ({"manifest": {"endpoints": [1, "two", None]}}, "corrupt"),
], ids=["other-url", "url-number", "fetched-null", "fetched-number", "fetched-list", "fetched-garbage",
        "manifest-null", "manifest-list", "endpoints-string", "endpoints-garbage"])
def test_an_envelope_with_wrong_field_types_is_a_miss(tmp_path, caplog, changes, problem):
    path = cache_path(tmp_path, URL)
    path.write_text(json.dumps(envelope(**changes)), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert read_cache(tmp_path, URL) is None
    assert any(str(path) in r.getMessage() and problem in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("etag", [5, [], {"x": 1}, "", None])
def test_odd_etag_or_last_modified_values_are_dropped_not_fatal(tmp_path, etag):
    cache_path(tmp_path, URL).write_text(json.dumps(envelope(etag=etag, last_modified=etag)))
    entry = read_cache(tmp_path, URL)
    assert entry is not None and entry.etag is None and entry.last_modified is None


def test_writing_over_a_directory_fails_with_a_warning(tmp_path, caplog):
    make_corrupt(cache_path(tmp_path, URL), "directory")
    with caplog.at_level(logging.WARNING):
        assert write_cache(tmp_path, URL, bundled_manifest()) is None
    assert any("cannot write the manifest cache" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("case", ["fifo", "dangling-symlink", "invalid-utf8", "huge"])
def test_writing_replaces_a_bad_file(tmp_path, case):
    path = cache_path(tmp_path, URL)
    make_corrupt(path, case)
    assert write_cache(tmp_path, URL, bundled_manifest()) == path
    assert read_cache(tmp_path, URL) is not None


# --------------------------------------------------------------------------- what the live check refused

BROKEN = {"iys_check", "get_sender", "cancel_order"}


def with_broken_endpoints() -> dict[str, Any]:
    """The bundled manifest with three endpoints a live fetch refuses, each for another reason."""
    document = bundled_manifest()
    endpoint(document, "iys_check")["input_schema"]["properties"]["typo"] = {"type": "strin"}
    endpoint(document, "get_sender")["input_schema"]["properties"]["bad"] = {"type": "string", "pattern": "("}
    endpoint(document, "cancel_order")["input_schema"] = endpoint(too_deep_manifest(400), "send_sms")["input_schema"]
    return document


def bundled_manifest_tools() -> list[str]:
    return [ep["mcp_tool"] for ep in bundled_manifest()["endpoints"] if "mcp_tool" in ep]


def offered(settings: Settings, loaded: Any) -> set[str]:
    return set(build_catalog(loaded, settings).specs)


@pytest.mark.anyio
async def test_a_restart_never_brings_back_what_the_live_check_refused(tmp_path, manifest_server):
    settings = Settings(cache_dir=tmp_path / "cache", manifest_url=manifest_server.url, manifest_timeout=1.0)
    manifest_server.serve_json(with_broken_endpoints())
    live = (await fetch_live(settings, None)).loaded
    assert live is not None and live.source == "live"
    assert {slug for slug, _ in live.parsed.skipped} == {"iys-check", "get-sender", "cancel-order"}
    envelope = json.loads(cache_path(settings.cache_dir, manifest_server.url).read_text(encoding="utf-8"))
    cached_tools = {ep.get("mcp_tool") for ep in envelope["manifest"]["endpoints"]}
    assert cached_tools.isdisjoint(BROKEN) and "send_sms" in cached_tools

    manifest_server.stop()  # the restart reads only the cache
    restarted, entry = load_local(settings)
    assert restarted.source == "cache" and entry is not None
    assert restarted.parsed.skipped == []  # nothing refused is left to refuse
    expected = set(bundled_manifest_tools()) - BROKEN
    assert set(restarted.parsed.tools()) == expected
    assert offered(settings, restarted) == offered(settings, live)
    assert offered(settings, restarted).isdisjoint(BROKEN) and "send_sms" in offered(settings, restarted)


def test_a_cache_holding_refused_endpoints_is_checked_again_in_full(tmp_path):
    # As an older version wrote it: the raw document, broken endpoints and all.
    cache_path(tmp_path, URL).write_text(json.dumps(envelope(manifest=with_broken_endpoints())), encoding="utf-8")
    entry = read_cache(tmp_path, URL)
    assert entry is not None
    assert {slug for slug, _ in entry.parsed.skipped} == {"iys-check", "get-sender", "cancel-order"}
    assert set(entry.parsed.tools()) == set(bundled_manifest_tools()) - BROKEN


def test_a_cache_edited_to_hold_a_catastrophic_pattern_skips_that_endpoint(tmp_path):
    document = bundled_manifest()
    endpoint(document, "get_report")["input_schema"]["properties"]["order"]["properties"]["id"]["pattern"] = "^(a+)+$"
    cache_path(tmp_path, URL).write_text(json.dumps(envelope(manifest=document)), encoding="utf-8")
    entry = read_cache(tmp_path, URL)
    assert entry is not None and "get_report" not in entry.parsed.tools()
    assert "unsafe pattern" in dict(entry.parsed.skipped)["get-report"]


def test_only_what_passed_is_written_and_a_304_keeps_it_so(tmp_path):
    # What loader.fetch_live writes: the parsed manifest's raw document.
    path = write_cache(tmp_path, URL, parse_manifest(with_broken_endpoints()).raw, etag='"v1"',
                       now=datetime.now(timezone.utc) - timedelta(days=2))
    assert path is not None
    written = json.loads(path.read_text(encoding="utf-8"))["manifest"]
    assert {ep.get("mcp_tool") for ep in written["endpoints"]}.isdisjoint(BROKEN)
    entry = read_cache(tmp_path, URL)
    assert entry is not None and entry.parsed.skipped == []
    touch_cache(entry)
    touched = read_cache(tmp_path, URL)
    assert touched is not None and touched.is_fresh(60) and touched.parsed.raw == written
