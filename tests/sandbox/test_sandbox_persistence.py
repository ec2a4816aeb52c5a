"""The fake's state file (atomic JSON) and the standalone runner used by `iletimerkezi-mcp sandbox`."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sandbox_fixtures import envelope, post

from iletimerkezi_mcp.sandbox import SandboxServer, SandboxState

ORDER = {"sender": "SANDBOX", "iys": "0",
         "message": {"text": "Kalici mesaj", "receipents": {"number": ["905301112233", "905301112299"]}}}


def test_round_trip(tmp_path: Path, sandbox_factory) -> None:
    path = tmp_path / "nested" / "state.json"
    first = sandbox_factory(state_file=path, delivery_delay=0.2)
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
    assert [p.name for p in path.parent.iterdir()] == ["state.json"]  # no temp files left behind

    time.sleep(0.3)  # deliveries fall due while the fake is down
    second = sandbox_factory(state_file=path, delivery_delay=0.2)
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


def test_unreadable_state_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="unreadable"):
        SandboxState(state_file=path)
    path.write_text('{"version": 99}', encoding="utf-8")
    with pytest.raises(ValueError, match="version"):
        SandboxState(state_file=path)


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
def test_run_standalone(tmp_path: Path) -> None:
    port, state_file = _free_port(), tmp_path / "standalone.json"
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
