"""The fake's state file (atomic JSON, shared safely between processes, never fatal when unusable)
and the standalone runner used by `iletimerkezi-mcp sandbox`."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from corrupt_files import CORRUPT, make_corrupt, snapshot
from sandbox_fixtures import envelope, post

from iletimerkezi_mcp import localfiles
from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY, ApiError, SandboxServer, SandboxState
from iletimerkezi_mcp.sandbox import state as state_module
from iletimerkezi_mcp.sandbox.state import check_state_file

ORDER = {"sender": "SANDBOX", "iys": "0",
         "message": {"text": "Kalici mesaj", "receipents": {"number": ["905301112233", "905301112299"]}}}


def test_round_trip(tmp_path: Path, sandbox_factory) -> None:
    path = tmp_path / "nested" / "state.json"
    now = [time.time()]  # one clock for both runs, standing still until the test moves it

    def clock() -> float:
        return now[0]

    first = sandbox_factory(state_file=path, delivery_delay=0.2, clock=clock)
    assert json.loads(path.read_text(encoding="utf-8"))["credits"] == 1000  # written at start
    order_id = post(first, "send-sms", order=ORDER).json()["response"]["order"]["id"]
    post(first, "add-blacklist", blacklist={"number": "905441112233"})
    consent = {"brandCode": 123456, "list": [{
        "recipient": "+905301112233", "recipientType": "BIREYSEL", "type": "MESAJ",
        "status": "ONAY", "source": "HS_WEB", "consentDate": "2026-01-02 03:04:05"}]}
    assert post(first, "consent/create", consent=consent).json()["response"]["status"]["code"] == 200
    first.state.iys_code_configured = False
    first.state.save()
    first.stop()
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.json", "state.json.lock"]  # no temp files
    assert first.state.reset_note is None

    now[0] += 0.3  # deliveries fall due while the fake is down
    second = sandbox_factory(state_file=path, delivery_delay=0.2, clock=clock)
    assert second.state.iys_code_configured is False
    report = post(second, "get-report", order={"id": order_id}).json()["response"]["order"]
    assert (report["status"], report["delivered"], report["undelivered"]) == (114, 1, 1)
    assert post(second, "get-balance").json()["response"]["balance"]["sms"] == 999  # refund applied
    assert "+905441112233" in post(second, "get-blacklist").json()["response"]["blacklist"]["number"]
    shown = post(second, "consent/show", consent={
        "brandCode": "123456", "recipient": "+905301112233", "recipientType": "BIREYSEL", "type": "MESAJ"})
    assert shown.json()["response"]["consent"]["consentDate"] == "2026-01-02 03:04:05"
    assert post(second, "send-sms", order=ORDER).json()["response"]["status"]["code"] == 451  # still recent
    new_order = {**ORDER, "message": {**ORDER["message"], "text": "Yeni"}}
    new_id = post(second, "send-sms", order=new_order).json()["response"]["order"]["id"]
    assert int(new_id) == int(order_id) + 1


def test_without_state_file_nothing_is_written(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with SandboxServer(SandboxState()) as server:
        post(server, "send-sms", order=ORDER)
    assert list(tmp_path.iterdir()) == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM semantics")
@pytest.mark.parametrize("corrupt", [False, True], ids=["fresh", "corrupt-state-file"])
def test_run_standalone(tmp_path: Path, corrupt: bool) -> None:
    port, state_file = _free_port(), tmp_path / "standalone.json"
    if corrupt:
        state_file.write_bytes(b'{"version": 1, "credits": \xff')
    code = (
        "from iletimerkezi_mcp.sandbox import run_standalone; "
        f"run_standalone({port}, {str(state_file)!r}, 0.1)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        url = f"http://127.0.0.1:{port}/v1/get-balance/json"
        deadline, response = time.monotonic() + 15, None
        while time.monotonic() < deadline and response is None:
            try:
                response = httpx.post(url, json=envelope(), timeout=2)
            except httpx.TransportError:
                time.sleep(0.1)
        assert response is not None and response.json()["response"]["balance"]["sms"] == 1000
        sent = httpx.post(url.replace("get-balance", "send-sms"), json=envelope(order=ORDER), timeout=2)
        assert sent.json()["response"]["status"]["code"] == 200
        proc.terminate()  # SIGTERM
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert out == ""  # stdout is left alone
    assert f"ILETIMERKEZI_BASE_URL=http://127.0.0.1:{port}" in err
    assert "ILETIMERKEZI_API_KEY=sandbox-key" in err and "ILETIMERKEZI_API_HASH=sandbox-hash" in err
    assert len(SandboxState(state_file=state_file).orders) == 1
    kept = [p.name for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    if corrupt:
        (aside,) = kept
        assert (tmp_path / aside).read_bytes() == b'{"version": 1, "credits": \xff'
        assert f"kept as {aside}" in err and "a fresh sandbox account was started" in err
    else:
        assert kept == []


# --------------------------------------------------------------------------- unusable state files

AUTH = {"key": SANDBOX_API_KEY, "hash": SANDBOX_API_HASH}


def send(state: SandboxState, text: str) -> int:
    order = {**ORDER, "message": {**ORDER["message"], "text": text}}
    return int(state.handle("/v1/send-sms/json", {"authentication": AUTH, "order": order})["order"]["id"])


def corrupt_copies(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if p.name.startswith(path.name + ".corrupt-"))


def valid_state(**changes: object) -> dict:
    state = SandboxState().to_json()
    state.update(changes)
    return state


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_an_unusable_state_file_is_kept_aside_and_a_fresh_account_starts(tmp_path, caplog, case):
    path = tmp_path / "state.json"
    make_corrupt(path, case)
    before = snapshot(path)
    with caplog.at_level(logging.WARNING):
        state = SandboxState(state_file=path)
    assert state.reset_note is not None and state.reset_note in [r.getMessage() for r in caplog.records]
    assert send(state, "after the reset") == 50_000_001 and state.credits == 998
    if case in ("directory", "fifo"):  # never renamed: someone else's folder or pipe stays where it is
        assert state.state_file is None and snapshot(path) == before and corrupt_copies(path) == []
        assert "was left as it is (it is not a regular file)" in state.reset_note
        assert state.reset_note.endswith("a fresh sandbox account runs in memory only, so nothing is saved.")
        return
    (aside,) = corrupt_copies(path)
    if isinstance(before, tuple) and before[0] == "file":
        assert aside.read_bytes() == before[2]  # nothing is lost
    assert state.state_file == path and len(state.orders) == 1
    assert json.loads(path.read_text(encoding="utf-8"))["credits"] == 998  # a fresh file in its place
    note = state.reset_note
    assert note.startswith(f"The sandbox account file {path} ")
    assert note.endswith(f"it was kept as {aside.name} and a fresh sandbox account was started.")
    assert "\n" not in note


@pytest.mark.parametrize("changes, problem", [
    ({"version": 99}, "unsupported version"),
    ({"credits": "lots"}, "credits"),
    ({"credits": True}, "credits"),
    ({"senders": "APITEST"}, "senders"),
    ({"senders": [1, 2]}, "senders"),
    ({"test_number": 905000000000}, "test_number"),
    ({"next_order_id": None}, "next_order_id"),
    ({"orders": {"1": {}}}, "orders"),
    ({"orders": [{"id": "1"}]}, "order.id"),
    ({"orders": [{"id": 1, "sender": "X", "submit_at": "now"}]}, "order.submit_at"),
    ({"orders": [1]}, "an order"),
    ({"blacklist": ["905321234599"]}, "blacklist"),
    ({"blacklist": {"905321234599": "yesterday"}}, "blacklist"),
    ({"iys": None}, "iys"),
    ({"iys": {"records": [{"brandCode": 1}]}}, "iys record"),
    ({"inbox": [1, 2]}, "inbox"),
    ({"recent_sends": [["abc"]]}, "recent_sends"),
    ({"recent_sends": [[1, 2]]}, "recent_sends"),
    ({"switches": {"ip_allowed": "no"}}, "switches.ip_allowed"),
    ({"switches": []}, "switches"),
])
def test_a_state_file_with_wrong_field_types_is_set_aside(tmp_path, changes, problem):
    path = tmp_path / "state.json"
    path.write_text(json.dumps(valid_state(**changes)), encoding="utf-8")
    assert problem in (check_state_file(path) or "")
    state = SandboxState(state_file=path)
    assert state.reset_note is not None and problem in state.reset_note
    assert len(corrupt_copies(path)) == 1
    assert check_state_file(path) is None  # the fresh file in its place is fine


def test_a_good_file_has_no_note_and_a_low_next_order_id_never_repeats_ids(tmp_path):
    path = tmp_path / "state.json"
    first = SandboxState(state_file=path)
    assert first.reset_note is None and check_state_file(path) is None
    sent = send(first, "one")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["next_order_id"] = 1  # hand-edited
    path.write_text(json.dumps(data), encoding="utf-8")
    second = SandboxState(state_file=path)
    assert second.reset_note is None
    assert send(second, "two") == sent + 1


def test_when_the_bad_file_cannot_be_moved_the_account_runs_in_memory(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    path.write_text("{ half written")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(state_module.os, "rename", refuse)
    state = SandboxState(state_file=path)
    assert state.state_file is None and path.read_text() == "{ half written"
    assert state.reset_note is not None and "was left as it is (Permission denied)" in state.reset_note
    assert "in memory only" in state.reset_note
    assert send(state, "in memory") == 50_000_001
    assert path.read_text() == "{ half written"


def test_an_unwritable_state_path_is_a_warning_and_memory_only(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with caplog.at_level(logging.WARNING):
        state = SandboxState(state_file=blocker / "sub" / "state.json")
        assert send(state, "still works") == 50_000_001
    assert any("cannot write the sandbox account file" in r.getMessage() for r in caplog.records)
    assert blocker.read_text() == "not a directory"


def test_a_failed_save_during_a_call_is_a_warning_not_an_error(tmp_path, monkeypatch, caplog):
    path = tmp_path / "state.json"
    state = SandboxState(state_file=path)

    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(state_module, "replace_file", full)
    with caplog.at_level(logging.WARNING):
        assert send(state, "disk full") == 50_000_001
    assert any("No space left on device" in r.getMessage() for r in caplog.records)
    assert state.orders[50_000_001].messages  # kept in memory


# --------------------------------------------------------------------------- two processes, one file

def test_two_states_on_one_file_interleave_without_losing_orders(tmp_path):
    path = tmp_path / "state.json"
    a, b = SandboxState(state_file=path), SandboxState(state_file=path)
    ids = []
    for i in range(6):
        ids.append(send(a if i % 2 == 0 else b, f"message {i}"))
    assert ids == list(range(50_000_001, 50_000_007))  # distinct and in order
    on_disk = SandboxState(state_file=path)
    assert sorted(on_disk.orders) == ids
    balance = {"authentication": AUTH}
    credits = [s.handle("/v1/get-balance/json", balance)["balance"]["sms"] for s in (a, b, on_disk)]
    assert credits == [1000 - 6 * 2] * 3
    # Each sees the other's orders in reports, too.
    assert a.order(ids[1]) is not None and b.order(ids[0]) is not None


def test_two_states_on_one_file_from_threads(tmp_path):
    path = tmp_path / "state.json"
    states = [SandboxState(state_file=path) for _ in range(4)]
    ids: list[int] = []
    lock = threading.Lock()

    def work(state: SandboxState, n: int) -> None:
        for i in range(5):
            order_id = send(state, f"worker {n} message {i}")
            with lock:
                ids.append(order_id)

    threads = [threading.Thread(target=work, args=(s, n)) for n, s in enumerate(states)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(ids) == list(range(50_000_001, 50_000_021))
    assert sorted(SandboxState(state_file=path).orders) == sorted(ids)


def test_a_switch_saved_by_another_process_is_seen(tmp_path):
    path = tmp_path / "state.json"
    a, b = SandboxState(state_file=path), SandboxState(state_file=path)
    b.api_access_enabled = False
    b.save()
    with pytest.raises(ApiError) as refused:
        a.handle("/v1/get-balance/json", {"authentication": AUTH})
    assert refused.value.code == 401


def test_garbage_written_by_someone_else_mid_run_keeps_this_process_account(tmp_path, caplog):
    path = tmp_path / "state.json"
    state = SandboxState(state_file=path)
    first = send(state, "before")
    path.write_text("garbage")
    with caplog.at_level(logging.WARNING):
        second = send(state, "after")
    assert second == first + 1 and state.state_file == path
    assert state.reset_note is not None and "this process's copy of the account was saved" in state.reset_note
    assert sorted(SandboxState(state_file=path).orders) == [first, second]
    assert corrupt_copies(path)[0].read_text() == "garbage"


def test_without_fcntl_state_files_still_work(tmp_path, monkeypatch):
    monkeypatch.setattr(localfiles, "fcntl", None)
    path = tmp_path / "state.json"
    a, b = SandboxState(state_file=path), SandboxState(state_file=path)
    assert (send(a, "x"), send(b, "y")) == (50_000_001, 50_000_002)
