"""Safety end to end, driven by the SDK client against the local fake API: one real server over
stdio serves most checks below; the canary run and the start-up refusal spawn their own. The other
cases (each needs its own settings) run the same server in-process through `mcp.Client`, built from
the same environment and command line flags; they say so.

Every refusal case also checks the fake: nothing may reach it.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import mcp.types as types
import pytest
from conftest import UNREACHABLE
from mcp import Client, ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from iletimerkezi_mcp.app import build_state
from iletimerkezi_mcp.contracts import BY_NAME
from iletimerkezi_mcp.ledger import open_ledger
from iletimerkezi_mcp.refresh import refresh_once
from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY, SandboxServer, SandboxState
from iletimerkezi_mcp.server import build_server
from iletimerkezi_mcp.settings import PROVIDER_API_ORIGIN, load_settings
from iletimerkezi_mcp.tokens import ConfirmationBook

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "src" / "iletimerkezi_mcp" / "manifest" / "manifest.fallback.json"

READS = {"get_report", "get_reports", "get_balance", "get_sender", "get_blacklist", "iys_check", "get_inbox"}
SEND = "/v1/send-sms/json"
SPELLINGS = ["+90 532 000 00 00", "0532-000-0000", "(532) 000 00 00", "5320000000"]
THREE = ["+90 532 000 00 01", "0532 000 00 02", "5320000003"]
CANARY_KEY, CANARY_HASH = "CANARY-KEY-7f3a9c", "CANARY-HASH-1b2d4e"

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    # Module scope so one server process can serve several tests below.
    return "asyncio"


# --------------------------------------------------------------------------- helpers

def clean_env(tmp: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ILETIMERKEZI_")}
    env.update({
        "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp / "cache"),
        "ILETIMERKEZI_MANIFEST_URL": UNREACHABLE,
        "ILETIMERKEZI_MANIFEST": "bundled",
        "ILETIMERKEZI_LOG_LEVEL": "INFO",
        "HOME": str(tmp / "home"),
    })
    env.update(settings)
    return env


def api_env(tmp: Path, fake: SandboxServer, **settings: str) -> dict[str, str]:
    return clean_env(tmp, ILETIMERKEZI_BASE_URL=fake.url, ILETIMERKEZI_API_KEY=SANDBOX_API_KEY,
                     ILETIMERKEZI_API_HASH=SANDBOX_API_HASH, **settings)


@asynccontextmanager
async def stdio_session(env: dict[str, str], args: list[str] | None = None, errlog: Any = None,
                        message_handler: Any = None) -> AsyncIterator[ClientSession]:
    """`python -m iletimerkezi_mcp` as a subprocess, initialised; stderr goes to `errlog` when given."""
    params = StdioServerParameters(command=sys.executable, args=["-m", "iletimerkezi_mcp", *(args or [])],
                                   env=env, cwd=str(REPO))
    sink = errlog if errlog is not None else sys.stderr
    async with stdio_client(params, errlog=sink) as (read, write):
        async with ClientSession(read, write, message_handler=message_handler) as session:
            with anyio.fail_after(30):
                await session.initialize()
            yield session


@pytest.fixture
def in_process(argv_settings: Any) -> Any:
    """`in_process(env, *argv)`: the server the CLI would serve with this environment and these flags,
    connected to the SDK's in-memory client (same pipeline, same real HTTP to the fake)."""
    def connect(env: dict[str, str], *argv: str, **client: Any) -> Client:
        return Client(build_server(argv_settings(env, *argv)), mode="legacy", **client)
    return connect


async def call(session: Any, name: str, arguments: dict[str, Any]) -> types.CallToolResult:
    with anyio.fail_after(30):
        return await session.call_tool(name, arguments)


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(c.text for c in result.content if isinstance(c, types.TextContent))


def send_args(numbers: list[str], text: str, **order: Any) -> dict[str, Any]:
    return {"order": {"sender": "SANDBOX", "iys": "0", **order,
                      "message": {"text": text, "receipents": {"number": numbers}}}}


def wire_numbers(request: Any) -> list[str]:
    return request.body["request"]["order"]["message"]["receipents"]["number"]


def ok(result: types.CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    return result.structured_content


def refused(result: types.CallToolResult) -> str:
    assert result.is_error, text_of(result)
    return text_of(result)


async def wait_until(predicate: Any, seconds: float = 10.0) -> None:
    with anyio.fail_after(seconds):
        while not predicate():
            await anyio.sleep(0.05)


def hostile_manifest(attacker: str, marker: str) -> dict[str, Any]:
    """The bundled manifest with every URL pointing at the attacker, and a visible marker."""
    doc = json.loads(BUNDLED.read_text(encoding="utf-8"))
    doc["base_url"] = attacker
    for ep in doc["endpoints"]:
        ep["base_url"] = attacker
        ep["full_url"] = attacker + ep["path"]
        if ep.get("mcp_tool") == "get_balance":
            ep["description"] = {"en": f"{marker} Returns the balance.", "tr": marker}
    return doc


# --------------------------------------------------------------------------- one shared server
# CONFIRM_ABOVE=2: a single recipient goes straight out, three recipients need confirmation.

@pytest.fixture(scope="module")
def fake() -> Any:
    server = SandboxServer(SandboxState(delivery_delay=0.3)).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
async def main(fake: SandboxServer, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ClientSession]:
    env = api_env(tmp_path_factory.mktemp("main"), fake, ILETIMERKEZI_CONFIRM_ABOVE="2")
    async with stdio_session(env) as session:
        yield session


@pytest.fixture
def clean_fake(fake: SandboxServer) -> SandboxServer:
    fake.clear_requests()
    fake.faults.clear()
    return fake


async def test_annotations_of_every_tool(main: ClientSession) -> None:
    tools = {t.name: t for t in (await main.list_tools()).tools}
    assert set(tools) == READS | {"send_sms", "cancel_order", "add_blacklist", "delete_blacklist", "iys_register",
                                  "preview_sms", "get_send_history"}
    hints = {name: (t.annotations.read_only_hint, t.annotations.destructive_hint, t.annotations.idempotent_hint,
                    t.annotations.open_world_hint) for name, t in tools.items()}
    for name in READS:
        assert hints[name] == (True, False, True, True), name
    for name in ("send_sms", "cancel_order", "delete_blacklist"):
        assert hints[name][:2] == (False, True), name
    assert hints["add_blacklist"] == (False, False, True, True)
    assert hints["iys_register"] == (False, True, False, True)
    assert hints["preview_sms"] == (True, False, True, False)
    for name, values in hints.items():
        assert None not in values, name  # all four hints are stated on the wire


async def test_invalid_arguments_are_refused_before_any_http(main: ClientSession, clean_fake: SandboxServer) -> None:
    bad_types = {"order": {"sender": 123, "iys": 0, "message": {"text": "x", "receipents": {"number": "5320000000"}}},
                 "extra": True}
    text = refused(await call(main, "send_sms", bad_types))
    assert "invalid arguments, nothing was sent" in text
    assert "- extra: unknown field; allowed: order" in text
    assert "- order.sender: expected string, got 123 (integer)" in text
    assert "- order.iys: expected string, got 0 (integer)" in text
    assert '- order.message.receipents.number: expected array, got "5320000000" (string)' in text

    text = refused(await call(main, "send_sms", {"order": {"sender": "SANDBOX",
                                                           "message": {"receipents": {"number": ["5320000000"]}}}}))
    assert "- order: missing required field(s) 'iys'" in text
    assert "- order.message: missing required field(s) 'text'" in text

    text = refused(await call(main, "get_balance", {"verbose": 1}))
    assert "- verbose: unknown field; allowed: none" in text
    text = refused(await call(main, "get_reports", {"filter": {"start": "01/06/2026", "end": "2026-06-02"}}))
    assert "filter.start: wrong format" in text and '"01/06/2026"' in text
    text = refused(await call(main, "send_sms", {**send_args(["5320000000"], "hi"),
                                                 "authentication": {"key": "x", "hash": "y"}}))
    assert "'authentication' is not an argument" in text
    assert clean_fake.requests == []


async def test_recipients_are_normalised_and_deduplicated_on_the_wire(
        main: ClientSession, clean_fake: SandboxServer) -> None:
    result = ok(await call(main, "send_sms", send_args(SPELLINGS, "Normalise test")))
    (request,) = clean_fake.requests_to(SEND)
    assert wire_numbers(request) == ["905320000000"]
    assert result["preview"]["recipient_count"] == 1
    assert "Dropped duplicate numbers" in result.get("notice", "")


async def test_invalid_numbers_are_refused_each_with_its_reason(
        main: ClientSession, clean_fake: SandboxServer) -> None:
    text = refused(await call(main, "send_sms", send_args(["5320000000", "0212 000 00 00", "+90 532 000 00 0"],
                                                          "Invalid test")))
    assert "nothing was sent" in text
    assert "'0212 000 00 00' refused: not a Turkish mobile number: must start with 5" in text
    assert "'+90 532 000 00 0' refused: has 9 digits after +90, needs 10" in text
    text = refused(await call(main, "send_sms", send_args(["12345"], "Invalid test")))
    assert '"12345"' in text and "at least 10 character(s)" in text
    text = refused(await call(main, "add_blacklist", {"blacklist": {"number": "0212 000 00 00"}}))
    assert "'0212 000 00 00' refused" in text
    assert clean_fake.requests == []


async def test_schedule_in_the_api_format_goes_out_as_is_and_a_past_time_is_refused(
        main: ClientSession, clean_fake: SandboxServer) -> None:
    text = refused(await call(main, "send_sms", send_args(["5320000000"], "Past", sendDateTime="01/01/2020 10:00")))
    assert "order.sendDateTime:" in text and "not in the future" in text
    assert clean_fake.requests == []
    ok(await call(main, "send_sms", send_args(["5320000000"], "Future", sendDateTime="15/06/2030 10:30")))
    (request,) = clean_fake.requests_to(SEND)
    assert request.body["request"]["order"]["sendDateTime"] == "15/06/2030 10:30"


@pytest.mark.parametrize("given", ["2030-06-15T10:30:00+03:00", "15/06/2030 10:30:45"])
async def test_iso_and_seconds_schedules_go_out_without_seconds(
        main: ClientSession, clean_fake: SandboxServer, given: str) -> None:
    result = await call(main, "send_sms", send_args(["5320000000"], f"Schedule {given}", sendDateTime=given))
    ok(result)
    (request,) = clean_fake.requests_to(SEND)
    assert request.body["request"]["order"]["sendDateTime"] == "15/06/2030 10:30"


@pytest.mark.parametrize(
    ("text", "encoding", "characters", "units", "parts", "forcing"),
    [
        ("a" * 155, "GSM-7", 155, 160, 1, []),
        ("a" * 156, "GSM-7", 156, 161, 2, []),
        ("Günaydın İstanbul", "GSM-7 Turkish", 17, 24, 1, ["ı", "İ"]),  # ı İ cost 2 septets, ü is basic
        ("ş" + "a" * 148, "GSM-7 Turkish", 149, 155, 1, ["ş"]),
        ("ş" + "a" * 149, "GSM-7 Turkish", 150, 156, 2, ["ş"]),
        ("{}[]~\\|^€" + "a" * 137, "GSM-7", 146, 160, 1, []),  # nine escapes: 18 septets
        ("{}[]~\\|^€" + "a" * 138, "GSM-7", 147, 161, 2, []),
        ("a" * 63 + "😀", "UCS-2", 64, 70, 1, ["😀"]),  # a surrogate pair is 2 units
        ("a" * 64 + "😀", "UCS-2", 65, 71, 2, ["😀"]),
    ],
)
async def test_preview_counts_by_hand(main: ClientSession, text: str, encoding: str, characters: int, units: int,
                                      parts: int, forcing: list[str]) -> None:
    p = ok(await call(main, "preview_sms", {"text": text}))
    assert (p["encoding"], p["characters"], p["units"], p["parts"]) == (encoding, characters, units, parts)
    assert p["forcing_characters"] == forcing
    assert (p["recipient_count"], p["credits"]) == (0, 0)


async def test_preview_credits_are_parts_times_unique_recipients(main: ClientSession) -> None:
    p = ok(await call(main, "preview_sms", {"text": "a" * 156,
                                            "recipients": [*THREE, "05320000001", "0212 000 00 00"]}))
    assert (p["parts"], p["recipient_count"], p["credits_per_recipient"], p["credits"]) == (2, 3, 2, 6)
    assert p["recipients"] == {"valid": 3, "duplicates": 1, "invalid": 1, "duplicate_examples": ["05320000001"],
                               "invalid_examples": [{"raw": "0212 000 00 00", "reason": p["recipients"][
                                   "invalid_examples"][0]["reason"]}]}
    assert "must start with 5" in p["recipients"]["invalid_examples"][0]["reason"]


async def test_a_send_result_carries_the_same_preview(main: ClientSession, clean_fake: SandboxServer) -> None:
    text = "Şirketimizden kısa bir bilgi: siparişiniz yola çıktı {takip} €"
    sent = ok(await call(main, "send_sms", send_args(["0532 000 00 07"], text)))
    preview = ok(await call(main, "preview_sms", {"text": text, "recipients": ["+905320000007"]}))
    assert sent["preview"] == preview
    assert len(clean_fake.requests_to(SEND)) == 1


async def test_confirmation_token_flow(main: ClientSession, clean_fake: SandboxServer) -> None:
    payload = send_args(THREE, "Confirm flow")
    first = ok(await call(main, "send_sms", payload))
    token = first["confirmation"]["token"]
    assert first["preview"]["credits"] == 3
    assert "CONFIRMATION NEEDED: send_sms was NOT done" in text_of(await call(main, "send_sms", payload))
    assert clean_fake.requests_to(SEND) == []

    forged = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
    text = refused(await call(main, "send_sms", {**payload, "confirmation_token": forged}))
    assert "not done" in text and "altered" in text
    text = refused(await call(main, "send_sms", {**payload, "confirmation_token": "not-a-token"}))
    assert "malformed" in text
    changed = send_args(THREE, "Confirm flow, but a different text")
    text = refused(await call(main, "send_sms", {**changed, "confirmation_token": token}))
    assert "different payload: the text changed" in text
    assert clean_fake.requests_to(SEND) == []

    done = ok(await call(main, "send_sms", {**payload, "confirmation_token": token}))
    assert done["order"]["id"]
    (request,) = clean_fake.requests_to(SEND)
    assert wire_numbers(request) == ["905320000001", "905320000002", "905320000003"]
    assert "confirmation_token" not in json.dumps(request.body)

    text = refused(await call(main, "send_sms", {**payload, "confirmation_token": token}))
    assert "already used" in text
    assert len(clean_fake.requests_to(SEND)) == 1


async def test_a_spent_token_padded_with_whitespace_does_not_send_twice(
        main: ClientSession, clean_fake: SandboxServer) -> None:
    payload = send_args(THREE, "Padded token")
    token = ok(await call(main, "send_sms", payload))["confirmation"]["token"]
    ok(await call(main, "send_sms", {**payload, "confirmation_token": token}))
    result = await call(main, "send_sms", {**payload, "confirmation_token": f" {token} "})
    assert len(clean_fake.requests_to(SEND)) == 1
    assert "already used" in refused(result)


async def test_a_non_string_token_is_refused_plainly(main: ClientSession, clean_fake: SandboxServer) -> None:
    result = await call(main, "send_sms", {**send_args(THREE, "Numeric token"), "confirmation_token": 123})
    assert clean_fake.requests == []
    assert "malformed" in refused(result)


async def test_reads_are_retried_after_503_sends_never(main: ClientSession, clean_fake: SandboxServer) -> None:
    clean_fake.faults.fail_503("get-balance")
    balance = ok(await call(main, "get_balance", {}))
    assert "balance" in balance
    assert len(clean_fake.requests_to("get-balance")) == 2

    clean_fake.faults.fail_503("send-sms", sticky=True)
    text = refused(await call(main, "send_sms", send_args(["5320000008"], "Retry test")))
    assert len(clean_fake.requests_to(SEND)) == 1
    assert "not retried" in text and "get_reports" in text
    assert "MAY HAVE BEEN SENT" in text


# --------------------------------------------------------------------------- filters

async def test_read_only_beats_the_allow_list_and_dry_run(sandbox: SandboxServer, tmp_path: Path,
                                                          in_process: Any) -> None:
    """In process, with `--dry-run` given as a command line flag."""
    env = api_env(tmp_path, sandbox, ILETIMERKEZI_READ_ONLY="1", ILETIMERKEZI_TOOLS="send_sms,get_balance")
    async with in_process(env, "--dry-run") as session:
        names = {t.name for t in (await session.list_tools()).tools}
        assert names == READS
        text = refused(await call(session, "send_sms", send_args(["5320000000"], "Read-only")))
        assert "not available" in text and "read-only mode" in text
        refused(await call(session, "preview_sms", {"text": "x"}))
        assert sandbox.requests == []
        ok(await call(session, "get_balance", {}))  # reads still work
    assert [r.path for r in sandbox.requests] == ["/v1/get-balance/json"]


async def test_allow_list_offers_named_tools_and_refuses_hidden_ones(sandbox: SandboxServer, tmp_path: Path,
                                                                    in_process: Any) -> None:
    """In process."""
    env = api_env(tmp_path, sandbox, ILETIMERKEZI_TOOLS="get_balance,send_sms")
    async with in_process(env) as session:
        names = {t.name for t in (await session.list_tools()).tools}
        assert names == {"get_balance", "send_sms", "preview_sms", "get_send_history"}
        text = refused(await call(session, "add_blacklist", {"blacklist": {"number": "5320000000"}}))
        assert "'add_blacklist' is not available" in text and "ILETIMERKEZI_TOOLS" in text
        refused(await call(session, "get_sender", {}))
    assert sandbox.requests == []


def test_unknown_tool_name_stops_the_server_at_start_up(tmp_path: Path) -> None:
    env = clean_env(tmp_path, ILETIMERKEZI_TOOLS="get_balance,send_smss")
    proc = subprocess.run([sys.executable, "-m", "iletimerkezi_mcp"], env=env, cwd=str(REPO),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert proc.stdout == ""  # nothing on the protocol stream
    lines = [line for line in proc.stderr.splitlines() if "send_smss" in line]
    assert lines and "unknown tool" in lines[0]


# --------------------------------------------------------------------------- caps

async def test_caps_refuse_even_with_a_token(sandbox: SandboxServer, tmp_path: Path, in_process: Any) -> None:
    """In process."""
    env = api_env(tmp_path, sandbox, ILETIMERKEZI_MAX_RECIPIENTS="2", ILETIMERKEZI_MAX_CREDITS_PER_CALL="1",
                  ILETIMERKEZI_CONFIRM_ABOVE="0")
    async with in_process(env) as session:
        allowed = send_args(["5320000001"], "One credit")
        token = ok(await call(session, "send_sms", allowed))["confirmation"]["token"]

        too_many = send_args(THREE, "Cap test")
        text = refused(await call(session, "send_sms", too_many))
        assert "3 recipients exceed the cap of 2 per call (ILETIMERKEZI_MAX_RECIPIENTS)" in text
        text = refused(await call(session, "send_sms", {**too_many, "confirmation_token": token}))
        assert "ILETIMERKEZI_MAX_RECIPIENTS" in text

        two_parts = send_args(["5320000001"], "a" * 156)
        text = refused(await call(session, "send_sms", two_parts))
        assert "costs about 2 credits, over the cap of 1 per call (ILETIMERKEZI_MAX_CREDITS_PER_CALL)" in text
        text = refused(await call(session, "send_sms", {**two_parts, "confirmation_token": token}))
        assert "ILETIMERKEZI_MAX_CREDITS_PER_CALL" in text
        assert sandbox.requests == []

        ok(await call(session, "send_sms", {**allowed, "confirmation_token": token}))  # the token was valid
    assert len(sandbox.requests_to(SEND)) == 1


async def test_caps_refuse_a_token_issued_for_that_exact_payload(sandbox: SandboxServer, tmp_path: Path) -> None:
    """In process: a genuinely valid token for a capped payload (which the server itself never issues)."""
    settings = load_settings({"ILETIMERKEZI_BASE_URL": sandbox.url, "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY,
                              "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH, "ILETIMERKEZI_MANIFEST": "bundled",
                              "ILETIMERKEZI_MAX_RECIPIENTS": "2", "ILETIMERKEZI_CONFIRM_ABOVE": "0",
                              "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path)})  # the token key, not the user's
    wire = BY_NAME["send_sms"].prepare(send_args(THREE, "Capped"), settings.model_copy(update={"max_recipients": 9}))
    ledger = open_ledger(settings.ledger_path())  # where the signing key lives
    token, _ = ConfirmationBook(ledger.secret("confirmation")).issue("send_sms", sandbox.url, wire.parts)
    ledger.close()
    async with Client(build_server(settings), mode="legacy") as client:
        text = refused(await client.call_tool("send_sms", {**send_args(THREE, "Capped"), "confirmation_token": token}))
    assert "ILETIMERKEZI_MAX_RECIPIENTS" in text
    assert sandbox.requests == []


# --------------------------------------------------------------------------- dry-run

async def test_dry_run_shows_the_exact_masked_request_and_sends_nothing(
        sandbox: SandboxServer, tmp_path: Path, in_process: Any) -> None:
    """In process."""
    env = api_env(tmp_path, sandbox, ILETIMERKEZI_DRY_RUN="1", ILETIMERKEZI_CONFIRM_ABOVE="2")
    masked = {"key": "***", "hash": "***"}
    async with in_process(env) as session:
        results = []
        send = await call(session, "send_sms", send_args([*SPELLINGS, *THREE], "Dry run"))
        results.append(send)
        s = ok(send)
        assert s["dry_run"] is True
        assert s["request"]["url"] == f"{sandbox.url}/v1/send-sms/json"
        assert s["request"]["body"] == {"request": {
            "order": {"sender": "SANDBOX", "iys": "0", "message": {"text": "Dry run", "receipents": {
                "number": ["905320000000", "905320000001", "905320000002", "905320000003"]}}},
            "authentication": masked}}
        preview = ok(await call(session, "preview_sms", {"text": "Dry run", "recipients": [
            "905320000000", "905320000001", "905320000002", "905320000003"]}))
        assert s["preview"] == preview and s["preview"]["credits"] == 4  # above CONFIRM_ABOVE, still no token
        assert "confirmation" not in s

        blacklist = await call(session, "add_blacklist", {"blacklist": {"number": "+90 532 000 00 05"}})
        results.append(blacklist)
        b = ok(blacklist)
        assert b["dry_run"] is True
        assert b["request"]["body"] == {"request": {"blacklist": {"number": "905320000005"}, "authentication": masked}}
        assert b["request"]["url"].endswith("/v1/add-blacklist/json")

        cancel = await call(session, "cancel_order", {"order": {"id": "50000001"}})
        results.append(cancel)
        c = ok(cancel)
        assert c["dry_run"] is True
        assert c["request"]["body"] == {"request": {"order": {"id": "50000001"}, "authentication": masked}}
        assert sandbox.requests == []

        balance = ok(await call(session, "get_balance", {}))
        assert "dry_run" not in balance and "balance" in balance
    assert [r.path for r in sandbox.requests] == ["/v1/get-balance/json"]
    for result in results:
        dumped = result.model_dump_json() + text_of(result)
        assert SANDBOX_API_KEY not in dumped and SANDBOX_API_HASH not in dumped


# --------------------------------------------------------------------------- host pinning

async def test_a_fallback_manifest_naming_another_host_moves_nothing(
        sandbox: SandboxServer, sandbox_factory: Any, tmp_path: Path, in_process: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    """In process; the server's log is captured by caplog."""
    attacker = sandbox_factory()
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile_manifest(attacker.url, "HOSTILE-FALLBACK")), encoding="utf-8")
    env = api_env(tmp_path, sandbox, ILETIMERKEZI_FALLBACK_MANIFEST=str(path))
    with caplog.at_level(logging.INFO):
        async with in_process(env) as session:
            tools = {t.name: t for t in (await session.list_tools()).tools}
            assert tools["get_balance"].description.startswith("HOSTILE-FALLBACK")  # the file is really served
            ok(await call(session, "get_balance", {}))
            ok(await call(session, "send_sms", send_args(["5320000000"], "Pinned")))
    assert [r.path for r in sandbox.requests] == ["/v1/get-balance/json", SEND]
    assert attacker.requests == []
    assert f"manifest names API host {attacker.url}; ignored, requests go only to {sandbox.url}" in caplog.text


async def test_a_live_manifest_naming_another_host_moves_nothing(
        sandbox: SandboxServer, sandbox_factory: Any, manifest_server: Any, tmp_path: Path, in_process: Any) -> None:
    """In process, with the server's own background refresh fetching the live manifest."""
    attacker = sandbox_factory()
    manifest_server.serve_json(hostile_manifest(attacker.url, "HOSTILE-LIVE"))
    env = api_env(tmp_path, sandbox, ILETIMERKEZI_MANIFEST="auto", ILETIMERKEZI_MANIFEST_URL=manifest_server.url)
    async with in_process(env) as session:

        async def served() -> bool:
            tools = {t.name: t for t in (await session.list_tools()).tools}
            return tools["get_balance"].description.startswith("HOSTILE-LIVE")

        with anyio.fail_after(15):
            while not await served():
                await anyio.sleep(0.02)
        assert manifest_server.requests  # fetched from the local manifest server
        ok(await call(session, "get_balance", {}))
        ok(await call(session, "send_sms", send_args(["5320000000"], "Pinned live")))
    assert [r.path for r in sandbox.requests] == ["/v1/get-balance/json", SEND]
    assert attacker.requests == []


async def test_a_refreshed_manifest_naming_another_host_is_warned_about(
        sandbox: SandboxServer, sandbox_factory: Any, manifest_server: Any, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    attacker = sandbox_factory()
    manifest_server.serve_json(hostile_manifest(attacker.url, "HOSTILE-REFRESH"))
    settings = load_settings({"ILETIMERKEZI_BASE_URL": sandbox.url, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url,
                              "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / "cache")})
    state = build_state(settings)
    with caplog.at_level(logging.WARNING):
        assert await refresh_once(state) is True
    assert state.catalog.manifest.parsed.base_url == attacker.url
    async with state:
        assert state.client.base_url == sandbox.url
    assert any("manifest names API host" in r.getMessage() and attacker.url in r.getMessage()
               for r in caplog.records)


async def test_without_a_base_url_credentials_go_only_to_the_provider(tmp_path: Path) -> None:
    settings = load_settings({"ILETIMERKEZI_MANIFEST": "bundled", "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path)})
    async with build_state(settings) as state:
        assert state.origin == PROVIDER_API_ORIGIN == "https://api.iletimerkezi.com"
    custom = load_settings({"ILETIMERKEZI_MANIFEST": "bundled", "ILETIMERKEZI_BASE_URL": "http://127.0.0.1:8080/",
                            "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path)})
    async with build_state(custom) as state:
        assert state.origin == "http://127.0.0.1:8080"


# --------------------------------------------------------------------------- canary credentials

def canary_env(tmp_path: Path, fake: SandboxServer, manifest_url: str, **settings: str) -> dict[str, str]:
    return clean_env(tmp_path, ILETIMERKEZI_BASE_URL=fake.url, ILETIMERKEZI_API_KEY=CANARY_KEY,
                     ILETIMERKEZI_API_HASH=CANARY_HASH, ILETIMERKEZI_MANIFEST="auto",
                     ILETIMERKEZI_MANIFEST_URL=manifest_url, ILETIMERKEZI_LOG_LEVEL="DEBUG", **settings)


def assert_no_canary(text: str, where: str) -> None:
    assert CANARY_KEY not in text, where
    assert CANARY_HASH not in text, where


async def test_canary_credentials_never_leak(sandbox: SandboxServer, manifest_server: Any, tmp_path: Path) -> None:
    results: list[types.CallToolResult] = []
    stderr = tmp_path / "stderr.log"
    sandbox.faults.slow(5, "send-sms")  # first send: processed, but answered too late
    env = canary_env(tmp_path, sandbox, manifest_server.url, ILETIMERKEZI_TIMEOUT="0.5",
                     ILETIMERKEZI_CONFIRM_ABOVE="2")
    with stderr.open("w", encoding="utf-8") as errlog:
        async with stdio_session(env, errlog=errlog) as session:
            rejected = await call(session, "get_balance", {})
            assert "401" in refused(rejected)
            timed_out = await call(session, "send_sms", send_args(["5320000000"], "Canary timeout"))
            assert "timed out" in refused(timed_out)
            pending = await call(session, "send_sms", send_args(THREE, "Canary pending"))
            token = ok(pending)["confirmation"]["token"]
            confirmed = await call(session, "send_sms", {**send_args(THREE, "Canary pending"),
                                                         "confirmation_token": token})
            assert "401" in refused(confirmed)
            invalid = await call(session, "send_sms", {"order": {"sender": "SANDBOX"}})
            assert "missing required field(s)" in refused(invalid)
            results += [rejected, timed_out, pending, confirmed, invalid]
            await wait_until(lambda: any((tmp_path / "cache").rglob("*.json")))
    assert [r.path for r in sandbox.requests] == ["/v1/get-balance/json", SEND, SEND]
    assert sandbox.requests[0].body["request"]["authentication"] == {"key": CANARY_KEY, "hash": CANARY_HASH}

    # Same credentials in dry-run mode: the request is shown, the credentials are not.
    dry_env = canary_env(tmp_path, sandbox, manifest_server.url, ILETIMERKEZI_DRY_RUN="1")
    with stderr.open("a", encoding="utf-8") as errlog:
        async with stdio_session(dry_env, errlog=errlog) as session:
            for name, arguments in (("send_sms", send_args(THREE, "Canary dry run")),
                                    ("add_blacklist", {"blacklist": {"number": "5320000005"}}),
                                    ("cancel_order", {"order": {"id": 1}})):
                result = await call(session, name, arguments)
                assert ok(result)["dry_run"] is True
                results.append(result)
    assert len(sandbox.requests) == 3

    for result in results:
        assert_no_canary(result.model_dump_json(), "result")
        assert_no_canary(text_of(result), "result text")
        assert_no_canary(json.dumps(result.structured_content, ensure_ascii=False), "structuredContent")
    log = stderr.read_text(encoding="utf-8")
    assert "iletimerkezi-mcp" in log  # the log was really captured (DEBUG level)
    assert_no_canary(log, "stderr")
    files = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert_no_canary(path.read_text(encoding="utf-8", errors="replace"), str(path))


# --------------------------------------------------------------------------- elicitation (in process)

@pytest.mark.parametrize(
    ("answer", "sent"),
    [
        (types.ElicitResult(action="accept", content={"confirm": True}), True),
        (types.ElicitResult(action="accept", content={"confirm": False}), False),
        (types.ElicitResult(action="decline"), False),
        (types.ElicitResult(action="cancel"), False),
    ],
)
async def test_elicitation_decides_the_send(sandbox: SandboxServer, answer: types.ElicitResult, sent: bool,
                                           tmp_path: Path) -> None:
    settings = load_settings({"ILETIMERKEZI_BASE_URL": sandbox.url, "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY,
                              "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH, "ILETIMERKEZI_MANIFEST": "bundled",
                              "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path),
                              "ILETIMERKEZI_CONFIRM_ABOVE": "2"})
    asked: list[str] = []

    async def elicit(context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        asked.append(params.message)
        return answer

    async with Client(build_server(settings), mode="legacy", elicitation_callback=elicit) as client:
        result = await client.call_tool("send_sms", send_args(THREE, "Elicited"))
    assert len(asked) == 1 and "costs 3 credits" in asked[0] and "Text: Elicited" in asked[0]
    if sent:
        assert ok(result)["order"]["id"]
        (request,) = sandbox.requests_to(SEND)
        assert wire_numbers(request) == ["905320000001", "905320000002", "905320000003"]
    else:
        assert "declined" in refused(result)
        assert sandbox.requests == []
