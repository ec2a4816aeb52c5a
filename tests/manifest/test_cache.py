"""The manifest cache file: any unusable copy is a miss with one warning, never a crash at start-up."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

import pytest
from corrupt_files import CORRUPT, make_corrupt
from manifest_server import bundled_manifest

from iletimerkezi_mcp.manifest.cache import cache_path, inspect_cache, read_cache, write_cache

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
