"""executor.py: classification (HTTP status vs body code), the envelope, retries
and keeping credentials out of every outcome. Offline: httpx.MockTransport or the sandbox on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import httpx
import pytest
from slow_api import SlowApi

from iletimerkezi_mcp import errors, executor
from iletimerkezi_mcp.contracts import BY_NAME
from iletimerkezi_mcp.executor import (
    MASK,
    MAX_ATTEMPTS,
    ApiClient,
    Credentials,
    Outcome,
    build_envelope,
    classify,
    execute,
    masked_envelope,
)
from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY, SandboxServer

SECRET_KEY = "k3y-5ecret-0a1b2c3d4e5f"
SECRET_HASH = "h4sh-5ecret-9f8e7d6c5b4a"
SECRETS = (SECRET_KEY, SECRET_HASH)
CREDS = Credentials(key=SECRET_KEY, hash=SECRET_HASH)  # type: ignore[arg-type]
SANDBOX_CREDS = Credentials(key=SANDBOX_API_KEY, hash=SANDBOX_API_HASH)  # type: ignore[arg-type]
BALANCE = "/v1/get-balance/json"
SEND = "/v1/send-sms/json"
SEND_ARGS = {"order": {"sender": "SANDBOX", "iys": "0",
                       "message": {"text": "Kargonuz yolda", "receipents": {"number": ["905301112233"]}}}}


def body(code: Any, message: str = "x", **payload: Any) -> bytes:
    return json.dumps({"response": {"status": {"code": code, "message": message}, **payload}}).encode()


def assert_no_secret(*texts: object) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in str(text), f"credential leaked into {str(text)[:200]!r}"


# --- classify: every row of the rule -----------------------------------------------------------

def test_success_needs_2xx_and_code_200() -> None:
    out = classify(200, body(200, "İşlem başarılı", balance={"amount": 1.5, "sms": 6}))
    assert out.kind == "ok" and out.code == 200 and out.http_status == 200
    assert out.provider_message == "İşlem başarılı"
    assert out.response == {"status": {"code": 200, "message": "İşlem başarılı"}, "balance": {"amount": 1.5, "sms": 6}}


@pytest.mark.parametrize("code", ["200", " 200 "])
def test_string_code_200_is_coerced_to_success(code: str) -> None:
    out = classify(200, body(code))
    assert out.kind == "ok" and out.code == 200


def test_string_error_code_is_coerced_to_an_api_error() -> None:
    # The official server ignores string codes and would call this a success: we must not.
    out = classify(200, body("451", "Tekrar eden sipariş"))
    assert out.kind == "api_error" and out.code == 451
    assert out.provider_message == "Tekrar eden sipariş"


@pytest.mark.parametrize("http", [200, 400, 450])
def test_body_code_wins_whatever_the_http_status(http: int) -> None:
    out = classify(http, body(450, "Gönderilen başlık kullanıma uygun değil"))
    assert out.kind == "api_error" and out.code == 450 and out.http_status == http


@pytest.mark.parametrize("content", [
    b"{}",
    b'{"response": {}}',
    b'{"response": {"status": {}}}',
    b'{"response": {"status": {"code": null}}}',
    b'{"response": {"status": {"code": "abc"}}}',
    b'{"response": {"status": {"code": true}}}',
    b'{"response": {"balance": {"sms": 5}}}',
    b"[]",
    b'"ok"',
    b"",
])
def test_2xx_without_a_code_is_a_protocol_error_not_success(content: bytes) -> None:
    out = classify(200, content)
    assert out.kind == "protocol_error"
    assert out.code is None and out.response is None


@pytest.mark.parametrize("content", [b"OK", b"<response><status><code>200</code></status></response>",
                                     b"\xff\xfe not utf-8"])
def test_non_json_2xx_is_a_protocol_error(content: bytes) -> None:
    out = classify(200, content)
    assert out.kind == "protocol_error" and out.http_status == 200
    assert out.body_excerpt  # kept for the explanation


def test_html_502_from_a_proxy_is_an_http_error() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    out = classify(502, page)
    assert out.kind == "http_error" and out.http_status == 502 and out.code is None
    assert "502 Bad Gateway" in out.body_excerpt


def test_body_excerpt_is_bounded() -> None:
    out = classify(502, b"<html>" + b"x" * 10_000)
    assert len(out.body_excerpt) <= 300


@pytest.mark.parametrize("http", [500, 302, 404])
def test_code_200_with_non_2xx_http_is_an_error(http: int) -> None:
    out = classify(http, body(200, "İşlem başarılı"))
    assert out.kind == "api_error"
    assert out.code == 200 and out.http_status == http  # both values kept


def test_json_body_is_parsed_whatever_the_content_type() -> None:
    # classify gets bytes only: a JSON error body behind a text/html header is still read.
    out = classify(401, body(401, "Üyelik bilgileri hatalı"))
    assert out.kind == "api_error" and out.code == 401


# --- envelope -----------------------------------------------------------------------------------

def test_envelope_shape_and_authentication_last() -> None:
    args = {"order": {"id": "48210457"}}
    env = build_envelope(args, CREDS)
    assert env == {"request": {"order": {"id": "48210457"},
                               "authentication": {"key": SECRET_KEY, "hash": SECRET_HASH}}}
    assert list(env) == ["request"]
    assert list(env["request"])[-1] == "authentication"
    assert args == {"order": {"id": "48210457"}}  # the caller's arguments are not modified


def test_envelope_without_arguments_holds_only_authentication() -> None:
    assert build_envelope({}, CREDS) == {"request": {"authentication": {"key": SECRET_KEY, "hash": SECRET_HASH}}}


def test_argument_named_authentication_cannot_replace_credentials() -> None:
    hostile = {"authentication": {"key": "attacker", "hash": "attacker"}, "order": {"id": "1"}}
    env = build_envelope(hostile, CREDS)
    assert env["request"]["authentication"] == {"key": SECRET_KEY, "hash": SECRET_HASH}
    assert list(env["request"]) == ["order", "authentication"]
    assert "attacker" not in json.dumps(env)


def test_masked_envelope_hides_both_values() -> None:
    env = masked_envelope({"blacklist": {"number": "905301112299"}})
    assert env == {"request": {"blacklist": {"number": "905301112299"},
                               "authentication": {"key": MASK, "hash": MASK}}}
    masked = masked_envelope({"authentication": {"key": SECRET_KEY, "hash": SECRET_HASH}})
    assert masked["request"] == {"authentication": {"key": MASK, "hash": MASK}}
    assert_no_secret(json.dumps(masked))


def test_credentials_repr_never_shows_values() -> None:
    assert_no_secret(repr(CREDS), str(CREDS), CREDS.model_dump(), CREDS.model_dump_json())


# --- the HTTP call, with a mock transport ------------------------------------------------------

class Recorder:
    """A MockTransport handler that answers from a script and records every request."""

    def __init__(self, *answers: Callable[[httpx.Request], httpx.Response] | httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer

    def client(self) -> ApiClient:
        return ApiClient("https://api.test.invalid/", 5.0, transport=httpx.MockTransport(self))


def ok_balance() -> httpx.Response:
    return httpx.Response(200, content=body(200, "İşlem başarılı", balance={"amount": 1.0, "sms": 4}))


def json_503() -> httpx.Response:
    return httpx.Response(503, content=body(503, "Sunucu geçici olarak servis dışı"))


def html_502() -> httpx.Response:
    return httpx.Response(502, content=b"<html>502 Bad Gateway</html>", headers={"Content-Type": "text/html"})


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executor, "BACKOFF_BASE", 0.001)


@pytest.mark.anyio
async def test_request_url_headers_and_utf8_body() -> None:
    rec = Recorder(ok_balance())
    client = rec.client()
    args = {"order": {"sender": "SANDBOX", "iys": "0",
                      "message": {"text": "Şişli'de ığdır", "receipents": {"number": ["905301112233"]}}}}
    out = await execute(client, SEND, args, CREDS, retry=False)
    await client.aclose()
    assert out.kind == "ok"
    (request,) = rec.requests
    assert request.method == "POST"
    assert str(request.url) == "https://api.test.invalid/v1/send-sms/json"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert "authorization" not in request.headers and "x-api-key" not in request.headers
    assert "Şişli'de ığdır".encode() in request.content  # raw UTF-8, not \\u escapes
    sent = json.loads(request.content)
    assert sent == build_envelope(args, CREDS)
    assert list(sent["request"])[-1] == "authentication"


@pytest.mark.anyio
@pytest.mark.parametrize("failure", [
    json_503,
    html_502,
    lambda: httpx.Response(500, content=b""),
    lambda: httpx.ConnectError("connection refused"),
    lambda: httpx.ReadTimeout("timed out"),
    lambda: httpx.RemoteProtocolError("peer closed connection"),
], ids=["json-503", "html-502", "empty-500", "connect", "timeout", "network"])
async def test_reads_are_retried_up_to_three_times(failure: Callable[[], Any]) -> None:
    rec = Recorder(failure())
    client = rec.client()
    out = await execute(client, BALANCE, {}, CREDS, retry=True)
    await client.aclose()
    assert len(rec.requests) == MAX_ATTEMPTS == 3
    assert out.attempts == 3 and out.kind != "ok"


@pytest.mark.anyio
async def test_read_recovers_after_a_503() -> None:
    rec = Recorder(json_503(), ok_balance())
    client = rec.client()
    out = await execute(client, BALANCE, {}, CREDS, retry=True)
    await client.aclose()
    assert out.kind == "ok" and out.attempts == 2 and len(rec.requests) == 2
    assert rec.requests[0].content == rec.requests[1].content  # the identical request


@pytest.mark.anyio
async def test_read_with_code_503_in_an_http_200_body_is_retried() -> None:
    rec = Recorder(httpx.Response(200, content=body(503)), ok_balance())
    client = rec.client()
    out = await execute(client, BALANCE, {}, CREDS, retry=True)
    await client.aclose()
    assert out.kind == "ok" and len(rec.requests) == 2


@pytest.mark.anyio
async def test_read_on_http_500_with_a_json_500_body_is_retried() -> None:
    rec = Recorder(httpx.Response(500, content=body(500, "Internal Server Error")), ok_balance())
    client = rec.client()
    out = await execute(client, BALANCE, {}, CREDS, retry=True)
    await client.aclose()
    assert out.kind == "ok" and len(rec.requests) == 2


@pytest.mark.anyio
@pytest.mark.parametrize("answer", [
    lambda: httpx.Response(401, content=body(401, "Üyelik bilgileri hatalı")),
    lambda: httpx.Response(400, content=body(455, "Sipariş bulunamadı")),
    lambda: httpx.Response(200, content=body(422)),
    lambda: httpx.Response(200, content=b"{}"),
    lambda: httpx.Response(404, content=b"not found"),
], ids=["401", "455", "422", "protocol", "http-404"])
async def test_reads_are_not_retried_on_definite_answers(answer: Callable[[], httpx.Response]) -> None:
    rec = Recorder(answer())
    client = rec.client()
    out = await execute(client, BALANCE, {}, CREDS, retry=True)
    await client.aclose()
    assert len(rec.requests) == 1 and out.attempts == 1


@pytest.mark.anyio
@pytest.mark.parametrize("failure", [
    json_503,
    html_502,
    lambda: httpx.ConnectError("connection refused"),
    lambda: httpx.ReadTimeout("timed out"),
    lambda: httpx.RemoteProtocolError("peer closed connection"),
], ids=["json-503", "html-502", "connect", "timeout", "network"])
async def test_writes_are_never_retried(failure: Callable[[], Any]) -> None:
    rec = Recorder(failure(), ok_balance())
    client = rec.client()
    out = await execute(client, SEND, SEND_ARGS, CREDS, retry=False)
    await client.aclose()
    assert len(rec.requests) == 1 and out.attempts == 1 and out.kind != "ok"


@pytest.mark.anyio
async def test_transport_error_kinds() -> None:
    for exc, kind in [(httpx.ConnectError("refused"), "connect"), (httpx.ConnectTimeout("slow"), "timeout"),
                      (httpx.ReadTimeout("slow"), "timeout"), (httpx.ReadError("reset"), "network")]:
        rec = Recorder(exc)
        client = rec.client()
        out = await execute(client, SEND, SEND_ARGS, CREDS, retry=False)
        await client.aclose()
        assert out.kind == "transport_error" and out.transport == kind, exc


@pytest.mark.anyio
async def test_a_backoff_that_would_pass_the_deadline_is_not_waited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executor, "BACKOFF_BASE", 5.0)
    rec = Recorder(json_503())
    client = ApiClient("https://api.test.invalid/", 1.0, transport=httpx.MockTransport(rec))
    started = time.monotonic()
    out = await execute(client, BALANCE, {}, CREDS, retry=True)
    await client.aclose()
    assert time.monotonic() - started < 1.0  # returned at once, not after sleeping into the deadline
    assert len(rec.requests) == 1 and out.code == 503  # the real answer is kept, not a timeout


@pytest.mark.anyio
async def test_redirects_are_not_followed() -> None:
    # A redirect must never carry the credentials (in the body) to another host.
    rec = Recorder(httpx.Response(307, headers={"Location": "https://evil.test.invalid/v1/get-balance/json"}),
                   ok_balance())
    client = rec.client()
    out = await execute(client, BALANCE, {}, CREDS, retry=True)
    await client.aclose()
    assert len(rec.requests) == 1
    assert rec.requests[0].url.host == "api.test.invalid"
    assert out.kind == "http_error" and out.http_status == 307


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released), so the connection is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- credentials never leak ------------------------------------------------------------------

@pytest.mark.anyio
@pytest.mark.parametrize("answer", [
    ok_balance,
    lambda: httpx.Response(401, content=body(401, "Üyelik bilgileri hatalı")),
    json_503,
    html_502,
    lambda: httpx.Response(200, content=b"not json"),
    lambda: httpx.ConnectError("All connection attempts failed"),
    lambda: httpx.ReadTimeout("The read operation timed out"),
], ids=["ok", "401", "503", "html", "protocol", "connect", "timeout"])
async def test_credentials_never_appear_in_outcomes_or_explanations(answer: Callable[[], Any]) -> None:
    rec = Recorder(answer())
    client = rec.client()
    out = await execute(client, SEND, SEND_ARGS, CREDS, retry=False)
    await client.aclose()
    assert SECRET_KEY.encode() in rec.requests[0].content  # they were sent...
    assert_no_secret(out.model_dump_json(), repr(out), str(out))  # ...and are nowhere in the outcome
    risk = BY_NAME["send_sms"].risk
    texts = [
        errors.explain_api_error(out.code or 0, "send_sms", out.provider_message, out.http_status, risk=risk),
        errors.explain_http_error(out.http_status or 0, "send_sms", out.body_excerpt, risk=risk),
        errors.explain_protocol_error("send_sms", out.body_excerpt or out.detail, risk=risk),
        errors.explain_transport_error("send_sms", out.transport or "network", out.detail, risk=risk),
    ]
    assert_no_secret(*texts)


@pytest.mark.anyio
async def test_real_connection_refused_names_no_credentials() -> None:
    client = ApiClient(f"http://127.0.0.1:{closed_port()}", 2.0)
    out = await execute(client, SEND, SEND_ARGS, CREDS, retry=False)
    await client.aclose()
    assert out.kind == "transport_error" and out.transport == "connect"
    assert_no_secret(out.model_dump_json(), out.detail)


@pytest.mark.anyio
async def test_real_timeout_names_no_credentials(sandbox: SandboxServer) -> None:
    sandbox.faults.slow(2.0, "send-sms")
    client = ApiClient(sandbox.url, 0.3)
    out = await execute(client, SEND, SEND_ARGS, CREDS, retry=False)
    await client.aclose()
    assert out.kind == "transport_error" and out.transport == "timeout" and out.attempts == 1
    assert_no_secret(out.model_dump_json(), out.detail)
    assert len(sandbox.requests_to("send-sms")) == 1


# --- one deadline per call: connect, every byte and every retry ----------------------------------

DEADLINE = 1.0  # seconds; every call below must end well before twice this


@pytest.fixture
def slow_api() -> Iterator[Callable[..., SlowApi]]:
    servers: list[SlowApi] = []

    def make(*script: Any) -> SlowApi:
        servers.append(SlowApi(*script, interval=0.3).start())
        return servers[-1]

    yield make
    for server in servers:
        server.stop()


async def timed_call(server: SlowApi, path: str, args: dict[str, Any], *, retry: bool) -> tuple[Outcome, float]:
    client = ApiClient(server.url, DEADLINE)
    started = time.monotonic()
    try:
        out = await execute(client, path, args, CREDS, retry=retry)
    finally:
        await client.aclose()
    return out, time.monotonic() - started


@pytest.mark.anyio
@pytest.mark.parametrize("behaviour", ["hang", "drip", "drip-head"])
async def test_a_read_ends_at_the_deadline_even_with_retries(slow_api: Callable[..., SlowApi],
                                                             behaviour: str) -> None:
    server = slow_api(behaviour)
    out, took = await timed_call(server, BALANCE, {}, retry=True)
    assert took < 2 * DEADLINE, f"{behaviour}: {took:.2f} s"
    assert out.kind == "transport_error" and out.transport == "timeout"
    assert out.detail == "no complete answer within 1 s"
    assert out.attempts == len(server.requests) == 1  # the deadline was spent on the one attempt
    text = errors.explain_transport_error("get_balance", out.transport, out.detail, risk=None, attempts=out.attempts)
    assert "no complete answer within 1 s" in text and "read-only" in text


@pytest.mark.anyio
@pytest.mark.parametrize("behaviour", ["hang", "drip", "drip-head"])
async def test_a_write_ends_at_the_deadline_and_may_have_been_sent(slow_api: Callable[..., SlowApi],
                                                                   behaviour: str) -> None:
    server = slow_api(behaviour)
    out, took = await timed_call(server, SEND, SEND_ARGS, retry=False)
    assert took < 2 * DEADLINE, f"{behaviour}: {took:.2f} s"
    assert out.kind == "transport_error" and out.transport == "timeout" and out.attempts == 1
    assert len(server.requests) == 1  # sent once, never again
    assert_no_secret(out.model_dump_json())
    text = errors.explain_transport_error("send_sms", out.transport, out.detail, risk=BY_NAME["send_sms"].risk,
                                          attempts=out.attempts)
    assert "no complete answer within 1 s" in text
    assert "MAY HAVE BEEN SENT" in text and "not retried" in text


@pytest.mark.anyio
async def test_a_fast_500_is_still_retried_inside_the_deadline(slow_api: Callable[..., SlowApi]) -> None:
    server = slow_api((500, body(500, "Internal Server Error")), (500, b""),
                      (200, body(200, "İşlem başarılı", balance={"amount": 1.0, "sms": 4})))
    out, took = await timed_call(server, BALANCE, {}, retry=True)
    assert out.kind == "ok" and out.attempts == 3 and len(server.requests) == 3
    assert took < DEADLINE


@pytest.mark.anyio
async def test_a_retry_that_hangs_is_cut_by_the_same_deadline(slow_api: Callable[..., SlowApi]) -> None:
    server = slow_api((503, body(503, "Sunucu geçici olarak servis dışı")), "drip")
    out, took = await timed_call(server, BALANCE, {}, retry=True)
    assert took < 2 * DEADLINE, f"{took:.2f} s"  # the retry did not get a fresh timeout of its own
    assert out.kind == "transport_error" and out.detail == "no complete answer within 1 s"
    assert out.attempts == len(server.requests) == 2


@pytest.mark.anyio
async def test_the_session_client_still_works_after_a_deadline(slow_api: Callable[..., SlowApi]) -> None:
    # One ApiClient serves the whole session: a call cut off mid-answer must not spoil the pool.
    server = slow_api("drip", (200, body(200, "İşlem başarılı", balance={"amount": 1.0, "sms": 4})))
    client = ApiClient(server.url, DEADLINE)
    try:
        first = await execute(client, SEND, SEND_ARGS, CREDS, retry=False)
        second = await execute(client, BALANCE, {}, CREDS, retry=True)
    finally:
        await client.aclose()
    assert first.transport == "timeout" and second.kind == "ok" and second.attempts == 1


@pytest.mark.anyio
async def test_the_deadline_does_not_swallow_the_callers_cancellation(slow_api: Callable[..., SlowApi]) -> None:
    # dispatch settles a write as "unknown" when its call is cancelled: the cancellation must reach it.
    server = slow_api("hang")
    client = ApiClient(server.url, 30.0)
    cancelled = False
    with anyio.move_on_after(0.3) as scope:
        try:
            await execute(client, SEND, SEND_ARGS, CREDS, retry=False)
        except anyio.get_cancelled_exc_class():
            cancelled = True
            raise
    await client.aclose()
    assert scope.cancelled_caught and cancelled


# --- against the sandbox, in every status mode and with legacy wire types ------------------------

MODES = [("mirror", False), ("400", False), ("200", False), ("mirror", True), ("400", True), ("200", True)]


@pytest.fixture(params=MODES, ids=[f"{m}{'-legacy' if legacy else ''}" for m, legacy in MODES])
def any_sandbox(request: pytest.FixtureRequest, sandbox_factory: Callable[..., SandboxServer]) -> SandboxServer:
    mode, legacy = request.param
    return sandbox_factory(status_mode=mode, legacy_types=legacy)


def expected_http(code: int, mode: str) -> int:
    if code == 401:
        return 401
    return {"mirror": code, "400": 400, "200": 200}[mode]


async def run(server: SandboxServer, path: str, args: dict[str, Any], *, retry: bool,
              creds: Credentials = SANDBOX_CREDS) -> Outcome:
    client = ApiClient(server.url, 5.0)
    try:
        return await execute(client, path, args, creds, retry=retry)
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_sandbox_success(any_sandbox: SandboxServer) -> None:
    out = await run(any_sandbox, BALANCE, {}, retry=True)
    assert out.kind == "ok" and out.code == 200 and out.http_status == 200
    assert int(out.response["balance"]["sms"]) == 1000  # type: ignore[index]
    sent = await run(any_sandbox, SEND, SEND_ARGS, retry=False)
    assert sent.kind == "ok" and str(sent.response["order"]["id"]).isdigit()  # type: ignore[index]


@pytest.mark.anyio
async def test_sandbox_unapproved_sender_is_450(any_sandbox: SandboxServer) -> None:
    args = {"order": {**SEND_ARGS["order"], "sender": "NOTAPPROVED"}}
    out = await run(any_sandbox, SEND, args, retry=False)
    assert out.kind == "api_error" and out.code == 450 and out.attempts == 1
    assert out.http_status == expected_http(450, any_sandbox.status_mode)
    assert out.provider_message == "Gönderilen başlık kullanıma uygun değil"


@pytest.mark.anyio
async def test_sandbox_unknown_order_is_455_and_not_retried(any_sandbox: SandboxServer) -> None:
    out = await run(any_sandbox, "/v1/get-report/json", {"order": {"id": "99999999"}}, retry=True)
    assert out.kind == "api_error" and out.code == 455 and out.attempts == 1
    assert out.http_status == expected_http(455, any_sandbox.status_mode)
    assert len(any_sandbox.requests_to("get-report")) == 1
    cancel = await run(any_sandbox, "/v1/cancel-order/json", {"order": {"id": "99999999"}}, retry=False)
    assert cancel.kind == "api_error" and cancel.code == 455


@pytest.mark.anyio
async def test_sandbox_wrong_credentials_are_401(any_sandbox: SandboxServer) -> None:
    out = await run(any_sandbox, BALANCE, {}, retry=True, creds=CREDS)
    assert out.kind == "api_error" and out.code == 401 and out.http_status == 401 and out.attempts == 1
    assert_no_secret(out.model_dump_json())


@pytest.mark.anyio
async def test_sandbox_503_fault_retried_for_reads_only(any_sandbox: SandboxServer) -> None:
    any_sandbox.faults.fail_503("get-balance")
    read = await run(any_sandbox, BALANCE, {}, retry=True)
    assert read.kind == "ok" and read.attempts == 2
    assert len(any_sandbox.requests_to("get-balance")) == 2
    any_sandbox.faults.fail_503("send-sms")
    write = await run(any_sandbox, SEND, SEND_ARGS, retry=False)
    assert write.kind == "api_error" and write.code == 503 and write.attempts == 1
    assert len(any_sandbox.requests_to("send-sms")) == 1


@pytest.mark.anyio
async def test_sandbox_html_502_is_an_http_error(any_sandbox: SandboxServer) -> None:
    any_sandbox.faults.html_502("send-sms")
    out = await run(any_sandbox, SEND, SEND_ARGS, retry=False)
    assert out.kind == "http_error" and out.http_status == 502 and "502 Bad Gateway" in out.body_excerpt


@pytest.mark.anyio
async def test_a_runaway_answer_stops_being_read_and_is_not_success(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executor, "MAX_RESPONSE_BYTES", 1000)
    huge = body(200, "İşlem başarılı", balance={"amount": 1.0, "sms": 4, "padding": "x" * 5000})
    rec = Recorder(httpx.Response(200, content=huge))
    client = rec.client()
    out = await execute(client, "/v1/get-balance/json", {}, CREDS, retry=False)
    await client.aclose()
    assert out.kind == "protocol_error" and out.response is None
    assert "larger than" in out.detail and "reading stopped" in out.detail
    assert out.body_excerpt == ""  # nothing of it is kept


def test_httpcore_still_finds_asyncio_after_sniffio_is_settled() -> None:
    """The executor records a missing sniffio once; httpcore must still pick the asyncio backend."""
    import asyncio
    import importlib.util
    import sys

    from httpcore._synchronization import current_async_library

    import iletimerkezi_mcp.executor  # noqa: F401  (settles sniffio on import)

    if importlib.util.find_spec("sniffio") is None:
        assert sys.modules["sniffio"] is None
    else:
        assert sys.modules.get("sniffio") is not None

    async def backend() -> str:
        return current_async_library()

    assert asyncio.run(backend()) == "asyncio"
