"""The fake's transport behaviour: routing, envelopes, auth, status modes, legacy types, faults."""

from __future__ import annotations

import time

import httpx
import pytest
from sandbox_fixtures import SANDBOX_AUTH, envelope, post

from iletimerkezi_mcp.sandbox import ENDPOINTS, MESSAGES, SandboxServer, SandboxState, http_status

SEND = {
    "sender": "SANDBOX",
    "iys": "0",
    "message": {"text": "Siparisiniz hazir", "receipents": {"number": ["905301112233"]}},
}


def test_url_and_lifecycle() -> None:
    server = SandboxServer(SandboxState())
    with server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.port > 0
        assert post(server, "get-balance").status_code == 200
    with pytest.raises(httpx.TransportError):
        httpx.post(server.url + "/v1/get-balance/json", json=envelope(), timeout=1)


def test_every_real_path_is_served(sandbox: SandboxServer) -> None:
    assert len(ENDPOINTS) == 12
    for path in ENDPOINTS:
        response = httpx.post(sandbox.url + path, json=envelope(), timeout=5)
        code = response.json()["response"]["status"]["code"]
        assert code != 404, path  # routed (validation errors are fine)


@pytest.mark.parametrize("path", ["/v1/send-sms", "/v1/get-balance/xml", "/consent/check/json", "/"])
def test_unknown_path_is_404(sandbox: SandboxServer, path: str) -> None:
    response = httpx.post(sandbox.url + path, json=envelope(), timeout=5)
    assert response.status_code == 404
    assert response.json() == {"response": {"status": {"code": 404, "message": MESSAGES[404]}}}
    assert MESSAGES[404] == "API istek yapılan yönteme sahip değil"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_non_post_is_404(sandbox: SandboxServer, method: str) -> None:
    response = httpx.request(method, sandbox.url + "/v1/get-balance/json", timeout=5)
    assert response.status_code == 404
    assert response.json()["response"]["status"]["code"] == 404


@pytest.mark.parametrize(
    "content", [b"not json", b"", b"[1, 2]", b'{"authentication": {}}', b'{"request": "x"}']
)
def test_unparseable_request_is_400(sandbox: SandboxServer, content: bytes) -> None:
    response = httpx.post(
        sandbox.url + "/v1/get-balance/json", content=content,
        headers={"Content-Type": "application/json"}, timeout=5,
    )
    assert response.status_code == 400
    assert response.json() == {"response": {"status": {"code": 400, "message": "İstek çözümlenemedi"}}}


@pytest.mark.parametrize(
    "auth",
    [
        {"key": "sandbox-key", "hash": "wrong"},
        {"key": "wrong", "hash": "sandbox-hash"},
        {"key": "sandbox-key"},
        None,
    ],
)
def test_bad_credentials_are_401(sandbox: SandboxServer, auth: object) -> None:
    body = {"request": {"authentication": auth}} if auth is not None else {"request": {}}
    response = httpx.post(sandbox.url + "/v1/get-balance/json", json=body, timeout=5)
    assert response.status_code == 401
    assert response.json() == {"response": {"status": {"code": 401, "message": "Üyelik bilgileri hatalı"}}}


@pytest.mark.parametrize("switch", ["api_access_enabled", "ip_allowed"])
def test_account_switches_give_the_same_401(sandbox: SandboxServer, switch: str) -> None:
    setattr(sandbox.state, switch, False)
    response = post(sandbox, "get-balance")
    assert response.status_code == 401
    assert response.json()["response"]["status"]["code"] == 401
    setattr(sandbox.state, switch, True)
    assert post(sandbox, "get-balance").status_code == 200


def test_auth_is_checked_before_business_rules(sandbox: SandboxServer) -> None:
    body = {"request": {"authentication": {"key": "x", "hash": "y"}, "order": {"sender": ""}}}
    response = httpx.post(sandbox.url + "/v1/send-sms/json", json=body, timeout=5)
    assert response.json()["response"]["status"]["code"] == 401


def test_success_and_error_envelopes(sandbox: SandboxServer) -> None:
    ok = post(sandbox, "get-balance")
    assert ok.headers["content-type"].startswith("application/json")
    assert ok.json()["response"]["status"] == {"code": 200, "message": "İşlem başarılı"}
    assert "İşlem başarılı".encode() in ok.content  # raw UTF-8, not \u escapes
    error = post(sandbox, "send-sms", order={**SEND, "sender": "NOPE"})
    assert error.json() == {
        "response": {"status": {"code": 450, "message": "Gönderilen başlık kullanıma uygun değil"}}
    }


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("mirror", {450: 450, 402: 402, 401: 401, 404: 404, 200: 200}),
     ("400", {450: 400, 402: 402, 401: 401, 404: 404, 200: 200}),
     ("200", {450: 200, 402: 200, 401: 401, 404: 200, 200: 200})],
)
def test_status_modes(sandbox_factory, mode: str, expected: dict[int, int]) -> None:
    server = sandbox_factory(status_mode=mode, credits=0)
    cases = {
        450: lambda: post(server, "send-sms", order={**SEND, "sender": "NOPE"}),
        402: lambda: post(server, "send-sms", order=SEND),
        401: lambda: httpx.post(server.url + "/v1/get-balance/json", json={"request": {}}, timeout=5),
        404: lambda: httpx.post(server.url + "/v1/nope/json", json=envelope(), timeout=5),
        200: lambda: post(server, "get-balance"),
    }
    for body_code, call in cases.items():
        response = call()
        assert response.json()["response"]["status"]["code"] == body_code
        assert response.status_code == expected[body_code], (mode, body_code)
    for code in range(450, 475):
        assert http_status(code, mode) == {"mirror": code, "400": 400, "200": 200}[mode]


def test_status_mode_is_validated() -> None:
    with pytest.raises(ValueError):
        SandboxServer(status_mode="418")


def test_legacy_types(sandbox_factory) -> None:
    server = sandbox_factory(legacy_types=True)
    balance = post(server, "get-balance").json()["response"]
    assert balance["status"]["code"] == "200"
    assert balance["balance"] == {"amount": "250.0", "sms": "1000"}
    order_id = post(server, "send-sms", order=SEND).json()["response"]["order"]["id"]
    assert isinstance(order_id, str)
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 3 * 3600))
    reports = post(server, "get-reports", filter={"start": today, "end": today}).json()["response"]
    assert reports["orders"][0]["id"] == order_id
    blacklist = post(server, "get-blacklist").json()["response"]["blacklist"]
    assert blacklist["count"] == "1"
    error = post(server, "send-sms", order={**SEND, "sender": ""}).json()["response"]
    assert error == {"status": {"code": "459", "message": "Başlık kısmı boş olamaz"}}


def test_live_types_by_default(sandbox: SandboxServer) -> None:
    post(sandbox, "send-sms", order=SEND)
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 3 * 3600))
    response = post(sandbox, "get-reports", filter={"start": today, "end": today}).json()["response"]
    assert isinstance(response["orders"][0]["id"], int)
    assert isinstance(response["status"]["code"], int)


def test_fault_503_one_shot_per_path(sandbox: SandboxServer) -> None:
    sandbox.faults.fail_503("get-balance")
    assert post(sandbox, "get-sender").status_code == 200  # other paths unaffected
    first = post(sandbox, "get-balance")
    assert first.status_code == 503
    unavailable = {"code": 503, "message": "Sunucu geçici olarak servis dışı"}
    assert first.json() == {"response": {"status": unavailable}}
    assert post(sandbox, "get-balance").status_code == 200  # used up
    assert sandbox.faults.pending == []


def test_fault_sticky_global_and_clear(sandbox: SandboxServer) -> None:
    sandbox.faults.fail_503(sticky=True)
    assert [post(sandbox, e).status_code for e in ("get-balance", "get-sender", "get-balance")] == [503] * 3
    sandbox.faults.clear()
    assert post(sandbox, "get-balance").status_code == 200


def test_fault_503_does_not_touch_state(sandbox: SandboxServer) -> None:
    sandbox.faults.fail_503("send-sms")
    assert post(sandbox, "send-sms", order=SEND).status_code == 503
    assert sandbox.state.orders == {}
    assert sandbox.state.credits == 1000


def test_fault_html_502(sandbox: SandboxServer) -> None:
    sandbox.faults.html_502("/v1/get-balance/json")
    response = post(sandbox, "get-balance")
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in response.text
    with pytest.raises(ValueError):
        response.json()


def test_fault_slow_times_out_but_the_send_happened(sandbox: SandboxServer) -> None:
    sandbox.faults.slow(2.0, "send-sms")
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        post(sandbox, "send-sms", order=SEND, timeout=0.3)
    assert time.monotonic() - started < 1.5
    assert len(sandbox.state.orders) == 1  # the dangerous case: timed out, yet sent
    again = post(sandbox, "send-sms", order=SEND)
    assert again.json()["response"]["status"]["code"] == 451


def test_fault_slow_answers_after_the_delay(sandbox: SandboxServer) -> None:
    sandbox.faults.slow(0.3)
    started = time.monotonic()
    response = post(sandbox, "get-balance")
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200


def test_unknown_fault_kind_is_rejected(sandbox: SandboxServer) -> None:
    with pytest.raises(ValueError):
        sandbox.faults.add("teapot")


def test_requests_are_recorded(sandbox: SandboxServer) -> None:
    assert sandbox.requests == []
    post(sandbox, "send-sms", order=SEND)
    httpx.get(sandbox.url + "/v1/get-balance/json", timeout=5)
    httpx.post(sandbox.url + "/v1/get-sender/json", content=b"{oops", timeout=5)
    first, second, third = sandbox.requests
    assert (first.method, first.path) == ("POST", "/v1/send-sms/json")
    assert first.body == {"request": {"order": SEND, "authentication": SANDBOX_AUTH}}
    assert first.headers["content-type"] == "application/json"
    assert (second.method, second.body) == ("GET", None)
    assert (third.body, third.raw) == (None, b"{oops")
    assert [r.path for r in sandbox.requests_to("send-sms")] == ["/v1/send-sms/json"]
    sandbox.clear_requests()
    assert sandbox.requests == []


def test_concurrent_requests(sandbox: SandboxServer) -> None:
    import concurrent.futures

    def one(i: int) -> int:
        order = {**SEND, "message": {"text": f"Mesaj {i}", "receipents": {"number": ["5301112233"]}}}
        return post(sandbox, "send-sms", order=order).json()["response"]["status"]["code"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(one, range(24)))
    assert codes == [200] * 24
    assert len(sandbox.state.orders) == 24
    assert sandbox.state.credits == 1000 - 24
