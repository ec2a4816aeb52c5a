"""`iletimerkezi-mcp manifest show|refresh|diff` through the CLI entry point, in-process (the `cli`
fixture: exit code, stdout, stderr as a shell sees them), against a local manifest server."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import CliRun
from manifest_server import bundled_manifest, endpoint, too_deep_manifest

from iletimerkezi_mcp.manifest.cache import cache_path, read_cache, write_cache

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def manifest_cli(cli):
    def run(env: dict[str, str], action: str) -> CliRun:
        if "TMPDIR" not in env:  # keep `diff`'s scratch copies inside the test's own tmp_path
            scratch = cache_dir_of(env).parent / "tmp"
            scratch.mkdir(parents=True, exist_ok=True)
            env = {**env, "TMPDIR": str(scratch)}
        return cli(env, "manifest", action)
    return run


def field(done: CliRun, name: str) -> str:
    """The value of a `name:   value` line of `manifest show`."""
    for line in done.stdout.splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {name!r} line in:\n{done.stdout}")


def dated(generated_at: str) -> dict[str, Any]:
    document = bundled_manifest()
    document["generated_at"] = generated_at
    return document


def cache_dir_of(env: dict[str, str]) -> Path:
    return Path(env["ILETIMERKEZI_MCP_CACHE_DIR"])


# --- manifest show ---------------------------------------------------------------------------


def test_show_bundled_mode_says_pinned(manifest_cli, base_env, manifest_server):
    # Even with a fresh cache present, bundled mode serves the shipped copy.
    env = {**base_env, "ILETIMERKEZI_MANIFEST": "bundled", "ILETIMERKEZI_MANIFEST_URL": manifest_server.url}
    write_cache(cache_dir_of(env), manifest_server.url, dated("2027-03-03T00:00:00.000Z"))
    done = manifest_cli(env, "show")
    assert done.code == 0, done.stderr
    assert field(done, "served").startswith("bundled manifest")
    assert field(done, "from").endswith("manifest.fallback.json")
    assert field(done, "mode").startswith("bundled")
    assert "ILETIMERKEZI_MANIFEST=bundled" in field(done, "why") and "nothing is fetched" in field(done, "why")
    assert manifest_server.requests == []


def test_show_without_cache_serves_bundled_and_says_why(manifest_cli, base_env, manifest_server):
    env = {**base_env, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url}
    done = manifest_cli(env, "show")
    assert done.code == 0, done.stderr
    assert field(done, "served").startswith("bundled manifest")
    assert field(done, "mode").startswith("auto")
    why = field(done, "why")
    assert "no usable cache" in why and manifest_server.url in why and "background" in why
    assert manifest_server.requests == []  # show is local only


def test_show_fresh_cache(manifest_cli, base_env, manifest_server):
    env = {**base_env, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url}
    path = write_cache(cache_dir_of(env), manifest_server.url, dated("2027-03-03T00:00:00.000Z"))
    done = manifest_cli(env, "show")
    assert done.code == 0, done.stderr
    served = field(done, "served")
    assert served.startswith("cache manifest generated_at 2027-03-03T00:00:00.000Z")
    assert field(done, "from") == str(path)
    assert "fresh" in field(done, "why") and "no fetch" in field(done, "why")
    assert manifest_server.requests == []


def test_show_stale_cache(manifest_cli, base_env, manifest_server):
    env = {**base_env, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url, "ILETIMERKEZI_MANIFEST_TTL": "3600"}
    write_cache(cache_dir_of(env), manifest_server.url, dated("2026-01-01T00:00:00.000Z"),
                now=datetime.now(timezone.utc) - timedelta(hours=2))
    done = manifest_cli(env, "show")
    assert done.code == 0, done.stderr
    assert field(done, "served").startswith("stale-cache manifest generated_at 2026-01-01T00:00:00.000Z")
    assert "TTL 3600 s" in field(done, "mode")
    why = field(done, "why")
    assert "older than the TTL" in why and "background" in why
    assert manifest_server.requests == []


def test_show_lists_skipped_endpoints(manifest_cli, base_env, manifest_server):
    document = dated("2027-03-03T00:00:00.000Z")
    endpoint(document, "get_inbox")["path"] = "//evil.example/v1/inbox/json"
    env = {**base_env, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url}
    write_cache(cache_dir_of(env), manifest_server.url, document)
    done = manifest_cli(env, "show")
    skipped = field(done, "skipped")
    assert skipped.startswith("inbox:") and "path" in skipped
    assert "(11 tools)" in field(done, "served")


# --- manifest refresh ------------------------------------------------------------------------


def test_refresh_writes_the_cache(manifest_cli, base_env, manifest_server):
    env = {**base_env, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url}
    manifest_server.serve_json(dated("2027-04-04T00:00:00.000Z"), etag='"r1"')
    done = manifest_cli(env, "refresh")
    assert done.code == 0, done.stdout + done.stderr
    assert done.stdout.startswith("updated: live manifest generated_at 2027-04-04T00:00:00.000Z")
    entry = read_cache(cache_dir_of(env), manifest_server.url)
    assert entry is not None and entry.etag == '"r1"'
    assert entry.parsed.generated_at == "2027-04-04T00:00:00.000Z"
    assert len(manifest_server.requests) == 1

    again = manifest_cli(env, "refresh")  # the cached ETag makes the second one conditional
    assert again.code == 0
    assert again.stdout.startswith("not-modified:")
    assert manifest_server.requests[1]["if-none-match"] == '"r1"'


@pytest.mark.parametrize("failure", ["http-500", "not-json", "no-tools", "unreachable"])
def test_failed_refresh_exits_1_and_leaves_the_cache(manifest_cli, base_env, manifest_server, refused_url, failure):
    url = refused_url if failure == "unreachable" else manifest_server.url
    env = {**base_env, "ILETIMERKEZI_MANIFEST_URL": url}
    # A stale cache, so a refresh would normally replace it.
    write_cache(cache_dir_of(env), url, dated("2026-05-05T00:00:00.000Z"),
                now=datetime.now(timezone.utc) - timedelta(days=3))
    path = cache_path(cache_dir_of(env), url)
    before = path.read_bytes()
    if failure == "http-500":
        manifest_server.status = 500
    elif failure == "not-json":
        manifest_server.body = b"<html>maintenance</html>"
    elif failure == "no-tools":
        manifest_server.serve_json({"schema_version": "1", "endpoints": []})
    done = manifest_cli(env, "refresh")
    assert done.code == 1
    assert done.stdout.startswith("refresh failed:") and "unchanged" in done.stdout
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == before
    assert [p.name for p in cache_dir_of(env).iterdir()] == [path.name]  # no temp file left


def test_failed_refresh_without_a_cache_creates_none(manifest_cli, base_env, manifest_server):
    manifest_server.status = 404
    env = {**base_env, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url}
    done = manifest_cli(env, "refresh")
    assert done.code == 1 and "HTTP 404" in done.stdout
    assert not cache_path(cache_dir_of(env), manifest_server.url).exists()


def test_refresh_skips_a_too_deeply_nested_endpoint_cleanly(manifest_cli, base_env, manifest_server):
    env = {**base_env, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url}
    manifest_server.serve_json(too_deep_manifest())
    done = manifest_cli(env, "refresh")
    assert done.code == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "send-sms skipped" in done.stderr and "nested too deeply" in done.stderr
    assert "(11 tools)" in done.stdout


# --- manifest diff ---------------------------------------------------------------------------


def live_with_changes() -> dict[str, Any]:
    """A tool added (get_credit_history), one removed (get_inbox), fields added and changed."""
    document = dated("2027-06-06T00:00:00.000Z")
    document["endpoints"] = [ep for ep in document["endpoints"] if ep.get("mcp_tool") != "get_inbox"]
    document["endpoints"].append({
        "slug": "get-credit-history", "method": "POST", "path": "/v1/get-credit-history/json",
        "mcp_tool": "get_credit_history", "summary": {"en": "Credit history."},
        "input_schema": {"type": "object", "properties": {}},
    })
    sender = endpoint(document, "send_sms")["input_schema"]["properties"]["order"]["properties"]["sender"]
    sender["maxLength"] = 15
    sender["description"] = "A new description only; not a field change."
    balance = endpoint(document, "get_balance")["input_schema"]
    balance.setdefault("properties", {})["currency"] = {"type": "string"}
    return document


def test_diff_bundled_vs_live_names_tools_and_fields(manifest_cli, base_env, manifest_server, tmp_path):
    manifest_server.serve_json(live_with_changes())
    env = {**base_env, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url}
    done = manifest_cli(env, "diff")
    assert done.code == 0, done.stdout + done.stderr
    out = done.stdout.splitlines()
    assert "bundled → live:" in out
    assert "cached → live:" not in out  # no cache, so only two sources
    assert "  + tool get_credit_history" in out
    assert "  - tool get_inbox" in out
    assert "  send_sms: ~ field order.sender changed" in out
    assert "  get_balance: + field currency" in out
    # A description-only edit is not reported as a field change; untouched tools are silent.
    assert not any("get_sender" in line or "iys_check" in line for line in out)
    assert sum("send_sms" in line for line in out) == 1
    # The diff never replaces the served cache.
    assert not cache_dir_of(env).exists() or not any(cache_dir_of(env).iterdir())


def test_diff_includes_the_cached_copy(manifest_cli, base_env, manifest_server):
    cached = dated("2026-12-12T00:00:00.000Z")
    cached["endpoints"] = [ep for ep in cached["endpoints"] if ep.get("mcp_tool") != "cancel_order"]
    env = {**base_env, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url}
    path = write_cache(cache_dir_of(env), manifest_server.url, cached)
    before = path.read_bytes()
    done = manifest_cli(env, "diff")  # live = bundled
    out = done.stdout.splitlines()
    assert out.index("bundled → cached:") < out.index("bundled → live:") < out.index("cached → live:")
    section = out[out.index("bundled → live:") + 1]
    assert section == "  no differences in tools or schemas"
    assert out[out.index("bundled → cached:") + 1] == "  - tool cancel_order"
    assert out[out.index("cached → live:") + 1] == "  + tool cancel_order"
    assert path.read_bytes() == before


def test_diff_with_live_unavailable_says_so(manifest_cli, base_env, refused_url):
    done = manifest_cli({**base_env, "ILETIMERKEZI_MANIFEST_URL": refused_url}, "diff")
    assert done.code == 0
    assert done.stdout.splitlines()[0].startswith("live: unavailable (")
    assert "→" not in done.stdout  # nothing to compare the bundled copy with


def test_diff_leaves_no_scratch_dir_behind(manifest_cli, base_env, manifest_server, tmp_path):
    scratch = tmp_path / "diff-tmp"
    scratch.mkdir()
    env = {**base_env, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url, "TMPDIR": str(scratch)}
    done = manifest_cli(env, "diff")
    assert done.code == 0
    assert list(scratch.iterdir()) == []


def test_show_output_is_plain_text_on_stdout(manifest_cli, base_env):
    done = manifest_cli(base_env, "show")
    assert done.code == 0
    assert all(":" in line for line in done.stdout.splitlines() if line.strip())
    with pytest.raises(ValueError):
        json.loads(done.stdout)  # a report for people, not JSON-RPC


def test_show_cache_mode_says_it_never_fetches(manifest_cli, base_env, manifest_server):
    env = {**base_env, "ILETIMERKEZI_MANIFEST": "cache", "ILETIMERKEZI_MANIFEST_URL": manifest_server.url}
    write_cache(cache_dir_of(env), manifest_server.url, dated("2027-03-03T00:00:00.000Z"))
    done = manifest_cli(env, "show")
    assert done.code == 0, done.stderr
    assert "2027-03-03" in field(done, "served")
    assert "never fetches" in field(done, "why")
    assert manifest_server.requests == []
