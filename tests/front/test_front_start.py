"""The start front: answers from a snapshot are byte-identical to a full start's, and every doubt
means a full start. Servers run in a thread on real pipes, started as the CLI starts them."""

from __future__ import annotations

import json
import os
import time

import pytest
from front_support import INITIALIZED, handshake, initialize, server_env, snapshot_file, start, tools_list
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS

from iletimerkezi_mcp.front.snapshot import compute_key, path_for

pytestmark = pytest.mark.timeout(90)
FULL = ("initialize", "tools/list")


@pytest.mark.parametrize("version", HANDSHAKE_PROTOCOL_VERSIONS)
def test_answers_from_the_snapshot_are_byte_identical_to_a_full_start(tmp_path, version):
    env = server_env(tmp_path)
    first = handshake(env, version, request_id=7)
    assert first[2] is not None and first[2].early == ()
    assert snapshot_file(tmp_path).is_file()
    second = handshake(env, version, request_id=7)
    assert second[2] is not None and second[2].early == FULL
    assert second[:2] == first[:2]
    assert json.loads(second[0])["result"]["protocolVersion"] == version


def test_the_answer_is_addressed_to_the_clients_request_id(tmp_path):
    env = server_env(tmp_path)
    handshake(env, "2025-06-18", request_id=1)
    answer, _, handover = handshake(env, "2025-06-18", request_id="abc-1")
    assert handover is not None and handover.early == FULL
    assert json.loads(answer)["id"] == "abc-1"


def test_after_the_front_the_server_serves_everything_else(tmp_path):
    env = server_env(tmp_path)
    handshake(env, "2025-06-18")
    peer = start(env)
    try:
        peer.send(initialize(1, "2025-06-18"))
        peer.line()
        peer.send(INITIALIZED, tools_list(2))
        listed = peer.message()
        peer.send(tools_list(3))
        again = peer.message()
        peer.send({"jsonrpc": "2.0", "id": 4, "method": "tools/call",
                   "params": {"name": "preview_sms", "arguments": {"text": "Merhaba"}}})
        called = peer.message()
    finally:
        peer.close()
    assert peer.handover is not None and peer.handover.early == FULL
    assert again["id"] == 3 and again["result"] == listed["result"]  # the SDK's own answer, not held back
    assert called["id"] == 4 and called["result"]["isError"] is False


def test_a_tool_call_straight_after_initialize(tmp_path):
    env = server_env(tmp_path)
    handshake(env, "2025-06-18")
    peer = start(env)
    try:
        peer.send(initialize(1, "2025-06-18"))
        peer.line()
        peer.send(INITIALIZED, {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                                "params": {"name": "preview_sms", "arguments": {"text": "Merhaba"}}})
        called = peer.message()
    finally:
        peer.close()
    assert peer.handover is not None and peer.handover.early == ("initialize",)
    assert called["id"] == 2 and called["result"]["isError"] is False


def edit_snapshot(tmp_path, change):
    """Apply `change` to the snapshot document on disk (its key untouched); the file's path."""
    path = snapshot_file(tmp_path)
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    return path


def full_start_after(env, version="2025-06-18"):
    """The handshake's answers and what the front answered of them."""
    answer, tools, handover = handshake(env, version)
    assert handover is not None
    return answer, tools, handover.early


def test_a_changed_setting_is_a_full_start_with_the_new_answer(tmp_path):
    env = server_env(tmp_path)
    before = full_start_after(env)
    changed = server_env(tmp_path, ILETIMERKEZI_BUDGET_DAY="150")
    after = full_start_after(changed)
    assert after[2] == ()
    assert "150 a day" in json.loads(after[0])["result"]["instructions"]
    assert after[0] != before[0]
    assert full_start_after(changed)[2] == FULL  # and the new start's answers are the snapshot now


def test_a_protocol_version_not_yet_seen_is_a_full_start(tmp_path):
    env = server_env(tmp_path)
    full_start_after(env, "2025-06-18")
    assert full_start_after(env, "2025-03-26")[2] == ()
    assert full_start_after(env, "2025-03-26")[2] == FULL
    assert full_start_after(env, "2025-06-18")[2] == FULL  # both versions are kept


def test_an_unexpected_first_message_is_a_full_start(tmp_path):
    env = server_env(tmp_path)
    handshake(env, "2025-06-18")
    peer = start(env)
    try:
        peer.send({"jsonrpc": "2.0", "id": 1, "method": "ping"})
        pong = peer.message()
        peer.send(initialize(2, "2025-06-18"))
        answer = peer.message()
    finally:
        peer.close()
    assert peer.handover is not None and peer.handover.early == ()
    assert pong["id"] == 1
    assert answer["id"] == 2 and "result" in answer


def test_a_changed_manifest_cache_is_a_full_start(tmp_path):
    env = server_env(tmp_path)
    full_start_after(env)
    (tmp_path / "cache" / "manifest-0123456789abcdef.json").write_text("{}")
    assert full_start_after(env)[2] == ()


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"format": 1, "key": "x", "answers": {}}', b"\xff\xfe" * 10,
                                     b"[" * 100_000])
def test_a_damaged_snapshot_is_a_full_start_and_is_replaced(tmp_path, content):
    env = server_env(tmp_path)
    good = full_start_after(env)
    path = snapshot_file(tmp_path)
    path.write_bytes(content)
    assert full_start_after(env) == (good[0], good[1], ())
    assert full_start_after(env)[2] == FULL


def test_a_fifo_in_place_of_the_snapshot_does_not_hang_the_start(tmp_path):
    env = server_env(tmp_path)
    (tmp_path / "cache").mkdir()
    os.mkfifo(path_for(tmp_path / "cache", compute_key([], env, tmp_path / "cache")))
    assert full_start_after(env)[2] == ()


def test_a_snapshot_past_its_validity_is_a_full_start(tmp_path):
    env = server_env(tmp_path)
    full_start_after(env)
    edit_snapshot(tmp_path, lambda document: document.update(valid_until=time.time() - 1))
    assert full_start_after(env)[2] == ()


def test_a_stale_tool_list_is_corrected_by_list_changed(tmp_path):
    env = server_env(tmp_path)
    full_start_after(env)
    path = edit_snapshot(tmp_path, lambda document: document["answers"]["2025-06-18"]["tools"]["result"]["tools"].pop())
    peer = start(env)
    try:
        peer.send(initialize(1, "2025-06-18"))
        peer.line()
        peer.send(INITIALIZED, tools_list(2))
        stale = peer.message()
        notice = peer.message()
        peer.send(tools_list(3))
        fresh = peer.message()
    finally:
        peer.close()
    assert notice == {"jsonrpc": "2.0", "method": "notifications/tools/list_changed"}
    assert len(fresh["result"]["tools"]) == len(stale["result"]["tools"]) + 1
    assert not path.exists()  # dropped: the next start is a full one


def test_credentials_never_reach_the_snapshot(tmp_path):
    env = server_env(tmp_path, ILETIMERKEZI_SANDBOX="0", ILETIMERKEZI_API_KEY="key-4f1c9a7e2b",
                     ILETIMERKEZI_API_HASH="hash-8d3e6b0a5c", ILETIMERKEZI_BASE_URL="http://127.0.0.1:9")
    full_start_after(env)
    stored = (snapshot_file(tmp_path)).read_text()
    assert "key-4f1c9a7e2b" not in stored and "hash-8d3e6b0a5c" not in stored
    assert full_start_after(env)[2] == FULL


def test_a_snapshot_of_a_fresh_cache_holds_until_the_cache_turns_stale(tmp_path):
    from datetime import datetime, timedelta, timezone

    from conftest import BUNDLED, UNREACHABLE

    from iletimerkezi_mcp.manifest.cache import write_cache

    ttl = 86400
    fetched = datetime.now(timezone.utc) - timedelta(seconds=ttl - 120)  # stale in two minutes
    assert write_cache(tmp_path / "cache", UNREACHABLE, json.loads(BUNDLED.read_text()), now=fetched) is not None
    env = server_env(tmp_path)
    answer, _, _ = full_start_after(env)
    assert "cache manifest" in json.loads(answer)["result"]["instructions"]
    valid_until = json.loads(snapshot_file(tmp_path).read_text())["valid_until"]
    assert valid_until == pytest.approx(fetched.timestamp() + ttl, abs=1)
