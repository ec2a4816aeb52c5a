"""What the start snapshot is keyed on, and how it reads a file it cannot trust."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from iletimerkezi_mcp.front import snapshot
from iletimerkezi_mcp.front.snapshot import FILE_PREFIX, KEPT, Snapshot, compute_key, load, path_for, snapshot_dir

ENV = {"ILETIMERKEZI_SANDBOX": "1", "HOME": "/home/someone", "TERM": "xterm"}


def key(tmp_path: Path, argv: list[str] | None = None, env: dict[str, str] | None = None) -> str:
    return compute_key(argv or [], ENV if env is None else env, tmp_path / "cache")


def test_the_same_start_has_the_same_key(tmp_path):
    assert key(tmp_path) == key(tmp_path)


@pytest.mark.parametrize("change", [
    {"argv": ["--read-only"]},
    {"env": {**ENV, "ILETIMERKEZI_BUDGET_DAY": "10"}},
    {"env": {**ENV, "ILETIMERKEZI_API_KEY": "other"}},
    {"env": {**ENV, "XDG_CACHE_HOME": "/elsewhere"}},
])
def test_every_setting_is_in_the_key(tmp_path, change):
    assert key(tmp_path, **change) != key(tmp_path)


def test_unrelated_variables_are_not(tmp_path):
    assert key(tmp_path, env={**ENV, "TERM": "dumb", "COLUMNS": "80"}) == key(tmp_path)


def test_a_file_a_setting_names_counts_by_its_content(tmp_path):
    overlay = tmp_path / "overlay.json"
    overlay.write_text("{}")
    env = {**ENV, "ILETIMERKEZI_OVERLAY": str(overlay)}
    before = key(tmp_path, env=env)
    overlay.write_text('{"a": 1}')
    assert key(tmp_path, env=env) != before
    flagged = key(tmp_path, argv=[f"--overlay={overlay}"])
    overlay.write_text('{"a": 22}')
    assert key(tmp_path, argv=[f"--overlay={overlay}"]) != flagged


def test_manifest_copies_in_the_cache_folder_count(tmp_path):
    (tmp_path / "cache").mkdir()
    before = key(tmp_path)
    (tmp_path / "cache" / "sandbox-state.json").write_text("{}")  # changes on every sandbox call: not in it
    assert key(tmp_path) == before
    (tmp_path / "cache" / "manifest-00.json").write_text("{}")
    assert key(tmp_path) != before


def test_an_edited_package_file_changes_the_key(tmp_path, monkeypatch):
    package = tmp_path / "package"
    package.mkdir()
    (package / "tools.py").write_text("A = 1\n")
    monkeypatch.setattr(snapshot, "_PACKAGE_DIR", package)
    before = key(tmp_path)
    (package / "tools.py").write_text("A = 12\n")
    assert key(tmp_path) != before


def test_an_installed_version_change_changes_the_key(tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "mcp-2.3.0.dist-info").mkdir(parents=True)
    monkeypatch.setattr("sys.path", [str(site)])
    before = key(tmp_path)
    (site / "mcp-2.3.0.dist-info").rename(site / "mcp-2.4.0.dist-info")
    assert key(tmp_path) != before


def test_the_cache_folder_is_found_as_the_settings_find_it(tmp_path):
    assert snapshot_dir(["--cache-dir", "/a", "--cache-dir=/b"], {}) == Path("/b")
    assert snapshot_dir([], {"ILETIMERKEZI_MCP_CACHE_DIR": "/c"}) == Path("/c")
    assert snapshot_dir(["--cache-dir", "/a"], {"ILETIMERKEZI_MCP_CACHE_DIR": "/c"}) == Path("/a")
    assert snapshot_dir([], {"ILETIMERKEZI_MCP_CACHE_DIR": " ", "XDG_CACHE_HOME": str(tmp_path)}).name \
        == "iletimerkezi-mcp"


def test_a_snapshot_under_another_key_is_not_used(tmp_path):
    key_one, key_two = "1" * 64, "2" * 64
    Snapshot(path_for(tmp_path, key_one), key_one,
             answers={"2025-06-18": {"initialize": {"jsonrpc": "2.0", "id": None}}}).save()
    assert load(tmp_path, key_one).answers
    assert load(tmp_path, key_two).answers == {}
    assert load(tmp_path, key_two).key == key_two
    path_for(tmp_path, key_one).rename(path_for(tmp_path, key_two))  # a file under another key's name
    assert load(tmp_path, key_two).answers == {}


def test_each_configuration_keeps_its_own_snapshot_and_old_ones_go(tmp_path):
    keys = [str(index) * 64 for index in range(KEPT + 2)]
    for index, key in enumerate(keys):
        path = path_for(tmp_path, key)
        Snapshot(path, key).save()
        os.utime(path, ns=(index * 10**9, index * 10**9))
    kept = sorted(p.name for p in tmp_path.glob(f"{FILE_PREFIX}*"))
    assert kept == sorted(path_for(tmp_path, key).name for key in keys[-KEPT:])


def test_a_snapshot_file_is_private(tmp_path):
    path = path_for(tmp_path / "new", "1" * 64)
    Snapshot(path, "1" * 64).save()
    assert os.stat(path).st_mode & 0o077 == 0


def test_answers_are_re_addressed_and_unknown_ones_are_none(tmp_path):
    stored = Snapshot(path_for(tmp_path, "k"), "k", answers={"v": {"initialize": {"jsonrpc": "2.0", "id": None,
                                                                             "result": {"ş": 1}}}})
    assert stored.answer("v", "initialize", 5) == '{"jsonrpc":"2.0","id":5,"result":{"ş":1}}'
    assert stored.answer("v", "tools", 5) is None
    assert stored.answer("w", "initialize", 5) is None
