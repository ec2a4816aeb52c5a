"""The call pipeline in-process (the SDK's in-memory Client) against the sandbox over real HTTP."""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import mcp.types as types
import pytest
from conftest import UNREACHABLE
from manifest_server import bundled_manifest
from mcp import Client

from iletimerkezi_mcp.app import build_state
from iletimerkezi_mcp.cli import main
from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY
from iletimerkezi_mcp.server import build_server
from iletimerkezi_mcp.settings import load_settings

pytestmark = pytest.mark.anyio


def settings_for(tmp_path, sandbox, **extra: str):
    return load_settings(env={
        "ILETIMERKEZI_BASE_URL": sandbox.url, "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY,
        "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH, "ILETIMERKEZI_MANIFEST": "bundled",
        "ILETIMERKEZI_MANIFEST_URL": UNREACHABLE, "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / "cache"), **extra,
    })


def send(sender: str = "SANDBOX", numbers: list[str] | None = None, text: str = "Siparisiniz yola cikti") -> dict:
    numbers = numbers if numbers is not None else ["0532 111 22 33", "0533 111 22 33"]
    return {"order": {"sender": sender, "iys": "0", "message": {"text": text, "receipents": {"number": numbers}}}}


def posted(sandbox, path: str) -> list:
    return [r for r in sandbox.requests if r.path == path]


def consent(status: str = "ONAY", recipient: str = "5321112233") -> dict:
    return {"consent": {"brandCode": "123456", "list": [{
        "recipient": recipient, "recipientType": "BIREYSEL", "type": "MESAJ", "status": status,
        "source": "HS_WEB", "consentDate": "2026-01-01 10:00:00"}]}}


async def call(settings, tool: str, arguments: dict, **client: Any) -> types.CallToolResult:
    async with Client(build_server(settings), mode="legacy", **client) as session:
        return await session.call_tool(tool, arguments)


# --------------------------------------------------------------------------- previews

async def test_a_failed_send_still_shows_its_preview(tmp_path, sandbox):
    result = await call(settings_for(tmp_path, sandbox), "send_sms", send("NOTAPPROVED"))
    text = result.content[0].text
    assert result.is_error is True
    assert "450" in text
    assert "Preview of this send: GSM-7, 1 part(s) per recipient, 2 recipient(s), about 2 credit(s)." in text


async def test_a_successful_send_carries_the_preview(tmp_path, sandbox):
    result = await call(settings_for(tmp_path, sandbox), "send_sms", send())
    assert result.is_error is False
    assert result.structured_content["preview"]["credits"] == 2
    assert result.structured_content["preview"]["recipients"] == {"valid": 2, "duplicates": 0, "invalid": 0}


# --------------------------------------------------------------------------- strict inputs and local checks

@pytest.mark.parametrize(("tool", "arguments", "hint"), [
    ("send_sms", {"order": {**send()["order"], "sendDatetime": "01/01/2030 10:00"}},
     "order.sendDatetime: unknown field; did you mean 'sendDateTime'?"),
    ("send_sms", {"order": {**send()["order"], "message": {"text": "x", "recipients": {"number": ["5321112233"]}}}},
     "did you mean 'receipents'?"),
    ("send_sms", {"order": {**send()["order"], "message": {"txt": "x", "receipents": {"number": ["5321112233"]}}}},
     "did you mean 'text'?"),
    ("get_reports", {"filter": {"start": "2026-01-01", "end": "2026-01-02"}, "page": 2}, "filter.page"),
])
async def test_an_unknown_key_is_refused_with_the_nearest_name_and_nothing_is_sent(
        tmp_path, sandbox, tool: str, arguments: dict, hint: str):
    result = await call(settings_for(tmp_path, sandbox), tool, arguments)
    assert result.is_error is True
    assert hint in result.content[0].text
    assert sandbox.requests == []


@pytest.mark.parametrize(("tool", "arguments", "code"), [
    ("send_sms", {"order": {**send()["order"], "iys": "1"}}, "469"),
    ("send_sms", send("ŞİRKET"), "460"),
    ("send_sms", send(numbers=["5999999999"]), "466"),
    ("get_reports", {"filter": {"start": "2026-02-30", "end": "2026-03-01"}}, "2026-02-30"),
    ("iys_register", {"consent": {"brandCode": "1", "list": [
        {**consent()["consent"]["list"][0], "consentDate": "2099-01-01 10:00:00"}]}}, "future"),
])
async def test_domain_checks_refuse_before_any_request(tmp_path, sandbox, tool: str, arguments: dict, code: str):
    result = await call(settings_for(tmp_path, sandbox), tool, arguments)
    assert result.is_error is True and "nothing was sent" in result.content[0].text
    assert code in result.content[0].text
    assert sandbox.requests == []


# --------------------------------------------------------------------------- confirmation of irreversible writes

async def test_cancel_order_asks_first_and_the_token_then_cancels(tmp_path, sandbox):
    settings = settings_for(tmp_path, sandbox)
    when = "01/01/2030 10:00"
    created = await call(settings, "send_sms", {"order": {**send()["order"], "sendDateTime": when}})
    order_id = created.structured_content["order"]["id"]
    first = await call(settings, "cancel_order", {"order": {"id": order_id}})
    assert first.is_error is False and "CONFIRMATION NEEDED" in first.content[0].text
    assert posted(sandbox, "/v1/cancel-order/json") == []
    token = first.structured_content["confirmation"]["token"]
    assert "cannot be undone" in first.structured_content["confirmation"]["reason"]
    done = await call(settings, "cancel_order", {"order": {"id": order_id}, "confirmation_token": token})
    assert done.is_error is False and f"Order {order_id} cancelled." in done.content[0].text
    again = await call(settings, "cancel_order", {"order": {"id": order_id}, "confirmation_token": token})
    assert again.is_error is True and "already used" in again.content[0].text
    assert len(posted(sandbox, "/v1/cancel-order/json")) == 1


@pytest.mark.parametrize(("answer", "done"), [
    (types.ElicitResult(action="accept", content={"confirm": True}), True),
    (types.ElicitResult(action="decline"), False),
    (types.ElicitResult(action="cancel"), False),
])
async def test_elicitation_decides_an_unblock(tmp_path, sandbox, answer, done: bool):
    asked: list[str] = []

    async def elicit(context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        asked.append(params.message)
        return answer

    result = await call(settings_for(tmp_path, sandbox), "delete_blacklist", {"blacklist": {"number": "05321234599"}},
                        elicitation_callback=elicit)
    assert len(asked) == 1 and "+905321234599" in asked[0] and "opted out" in asked[0]
    assert result.is_error is (not done)
    assert len(posted(sandbox, "/v1/delete-blacklist/json")) == (1 if done else 0)


async def test_an_iys_batch_with_a_revocation_is_confirmed_but_plain_consent_is_not(tmp_path, sandbox):
    settings = settings_for(tmp_path, sandbox)
    plain = await call(settings, "iys_register", consent())
    assert plain.is_error is False and "confirmation" not in plain.structured_content
    revoke = await call(settings, "iys_register", consent("RET"))
    assert revoke.structured_content["confirmation"]["reason"].startswith("the batch revokes consent (RET)")
    assert len(posted(sandbox, "/v1/consent/create/json")) == 1


async def test_a_token_covers_the_same_numbers_in_another_order_and_spelling(tmp_path, sandbox):
    settings = settings_for(tmp_path, sandbox, ILETIMERKEZI_CONFIRM_ABOVE="1")
    first = await call(settings, "send_sms", send(numbers=["0532 111 22 33", "5331112233"]))
    token = first.structured_content["confirmation"]["token"]
    reordered = {**send(numbers=["+90 533 111 22 33", "905321112233"]), "confirmation_token": token}
    result = await call(settings, "send_sms", reordered)
    assert result.is_error is False and "accepted" in result.content[0].text
    assert len(posted(sandbox, "/v1/send-sms/json")) == 1


async def test_a_token_mismatch_says_which_part_changed(tmp_path, sandbox):
    settings = settings_for(tmp_path, sandbox, ILETIMERKEZI_CONFIRM_ABOVE="1")
    token = (await call(settings, "send_sms", send())).structured_content["confirmation"]["token"]
    result = await call(settings, "send_sms", {**send(numbers=["5321112233", "5341112233"]),
                                               "confirmation_token": token})
    text = result.content[0].text
    assert result.is_error is True and "recipients" in text and "text" not in text.split("changed")[0][-40:]
    assert posted(sandbox, "/v1/send-sms/json") == []


async def test_a_token_from_another_api_origin_does_not_confirm(tmp_path, sandbox_factory):
    first, second = sandbox_factory(), sandbox_factory()
    args = send()
    confirm_one = settings_for(tmp_path, first, ILETIMERKEZI_CONFIRM_ABOVE="1")
    token = (await call(confirm_one, "send_sms", args)).structured_content["confirmation"]["token"]
    result = await call(settings_for(tmp_path, second, ILETIMERKEZI_CONFIRM_ABOVE="1"), "send_sms",
                        {**args, "confirmation_token": token})
    assert result.is_error is True and "confirmation_token" in result.content[0].text
    assert [r for r in first.requests + second.requests if r.path.endswith("/send-sms/json")] == []


def test_a_sandbox_token_works_across_two_cli_runs(tmp_path, capsys):
    argv = ["--sandbox", "--manifest", "bundled", "--cache-dir", str(tmp_path), "--confirm-above", "1"]
    arguments = json.dumps(send())
    with pytest.raises(SystemExit) as first:
        main([*argv, "call", "send_sms", "--json", arguments])
    assert first.value.code == 0
    out = capsys.readouterr().out
    token = json.loads(out[out.index("{"):])["confirmation"]["token"]
    with pytest.raises(SystemExit) as second:
        main([*argv, "call", "send_sms", "--json", json.dumps({**send(), "confirmation_token": token})])
    assert second.value.code == 0
    assert "accepted" in capsys.readouterr().out


# --------------------------------------------------------------------------- a contract binds a name to a path

def manifest_with(tmp_path, change) -> str:
    document = copy.deepcopy(bundled_manifest())
    change(document["endpoints"])
    path = tmp_path / "fallback.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def point_balance_at_send(endpoints: list) -> None:
    balance = next(e for e in endpoints if e["mcp_tool"] == "get_balance")
    balance["path"] = "/v1/send-sms/json"
    balance["input_schema"] = next(e for e in endpoints if e["mcp_tool"] == "send_sms")["input_schema"]


@pytest.mark.parametrize("mode", [{}, {"ILETIMERKEZI_READ_ONLY": "1"}, {"ILETIMERKEZI_DRY_RUN": "1"}])
async def test_a_read_tool_pointed_at_the_send_path_is_never_served(tmp_path, sandbox, caplog, mode):
    fallback = manifest_with(tmp_path, point_balance_at_send)
    settings = settings_for(tmp_path, sandbox, ILETIMERKEZI_FALLBACK_MANIFEST=fallback, **mode)
    with caplog.at_level(logging.WARNING):
        async with Client(build_server(settings), mode="legacy") as session:
            names = {tool.name for tool in (await session.list_tools()).tools}
            result = await session.call_tool("get_balance", send())
    assert "get_balance" not in names
    assert result.is_error is True
    assert sandbox.requests == []
    assert any("get_balance" in r.getMessage() and "skipped" in r.getMessage() for r in caplog.records)


async def test_a_new_name_on_the_send_path_gets_the_send_rules(tmp_path, sandbox):
    def add_bulk(endpoints: list) -> None:
        bulk = copy.deepcopy(next(e for e in endpoints if e["mcp_tool"] == "send_sms"))
        bulk.update(slug="send-bulk", mcp_tool="send_bulk")
        endpoints.append(bulk)

    settings = settings_for(tmp_path, sandbox, ILETIMERKEZI_FALLBACK_MANIFEST=manifest_with(tmp_path, add_bulk),
                            ILETIMERKEZI_CONFIRM_ABOVE="1")
    async with Client(build_server(settings), mode="legacy") as session:
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        assert tools["send_bulk"].annotations.destructive_hint is True
        refused = await session.call_tool("send_bulk", send(numbers=["5999999999"]))
        pending = await session.call_tool("send_bulk", send())
    assert refused.is_error is True and refused.content[0].text.startswith("send_bulk: nothing was sent.")
    assert "CONFIRMATION NEEDED" in pending.content[0].text
    assert pending.structured_content["preview"]["recipients"] == {"valid": 2, "duplicates": 0, "invalid": 0}
    assert sandbox.requests == []


# --------------------------------------------------------------------------- one life, every session

async def test_the_state_fixes_its_origin_once_and_closes_once(tmp_path, sandbox):
    state = build_state(settings_for(tmp_path, sandbox))
    with pytest.raises(RuntimeError):
        _ = state.origin
    async with state:
        assert state.origin == sandbox.url
        client = state.client
    with pytest.raises(RuntimeError):
        _ = state.client
    assert client._client.is_closed


async def test_overlay_entry_for_a_tool_the_manifest_lacks_is_warned_about(tmp_path, sandbox, caplog):
    path = tmp_path / "overlay.json"
    path.write_text('{"tools": {"send_smss": {"description": "typo"}}}')
    with caplog.at_level(logging.WARNING):
        build_state(settings_for(tmp_path, sandbox, ILETIMERKEZI_OVERLAY=str(path)))
    assert any("send_smss" in r.getMessage() and "does nothing" in r.getMessage() for r in caplog.records)


async def test_a_fresh_sandbox_account_says_so_in_results(tmp_path):
    (tmp_path / "sandbox-state.json").write_text("{ half written")
    settings = load_settings(env={"ILETIMERKEZI_SANDBOX": "1", "ILETIMERKEZI_MANIFEST": "bundled",
                                  "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path)})
    result = await call(settings, "get_balance", {})
    assert result.is_error is False
    assert "fresh" in result.structured_content["notice"] and "fresh" in result.content[0].text


# --------------------------------------------------------------------------- what a token binds, what the ledger keeps

async def test_a_field_the_contract_does_not_know_is_bound_to_the_token_as_sent(tmp_path, sandbox):
    def add_validity(endpoints: list) -> None:
        order = next(e for e in endpoints if e["mcp_tool"] == "send_sms")["input_schema"]["properties"]["order"]
        order["properties"]["validity"] = {"type": "integer"}  # a field the provider might add one day

    settings = settings_for(tmp_path, sandbox, ILETIMERKEZI_FALLBACK_MANIFEST=manifest_with(tmp_path, add_validity),
                            ILETIMERKEZI_CONFIRM_ABOVE="1")
    asked = {"order": {**send()["order"], "validity": 5}}
    async with Client(build_server(settings), mode="legacy") as session:
        token = (await session.call_tool("send_sms", asked)).structured_content["confirmation"]["token"]
        changed = {"order": {**send()["order"], "validity": 99999}, "confirmation_token": token}
        refused = await session.call_tool("send_sms", changed)
        same = await session.call_tool("send_sms", {**asked, "confirmation_token": token})
    assert refused.is_error is True and "the other fields changed" in refused.content[0].text
    assert same.is_error is False
    (sent,) = posted(sandbox, "/v1/send-sms/json")
    assert sent.body["request"]["order"]["validity"] == 5


@pytest.mark.parametrize(("outcome", "kept"), [
    ({"kind": "ok"}, "sent"),
    ({"kind": "api_error", "code": 450, "http_status": 400}, "refused"),
    ({"kind": "api_error", "code": 503, "http_status": 503}, "unknown"),
    ({"kind": "api_error", "code": 500, "http_status": 500}, "unknown"),  # not a code we know: not certain
    ({"kind": "api_error", "code": 499, "http_status": 400}, "unknown"),
    ({"kind": "api_error", "code": 200, "http_status": 500}, "unknown"),
    ({"kind": "http_error", "http_status": 403}, "unknown"),  # no body code: the text says "not certain"
    ({"kind": "protocol_error", "http_status": 200}, "unknown"),
    ({"kind": "transport_error", "transport": "timeout"}, "unknown"),
])
def test_only_a_definite_answer_is_kept_as_sent_or_refused(outcome: dict, kept: str):
    from iletimerkezi_mcp.dispatch import _settled
    from iletimerkezi_mcp.executor import Outcome

    assert _settled(Outcome(**outcome)) == kept


async def test_an_internal_error_before_the_request_says_nothing_was_sent(tmp_path, sandbox, monkeypatch):
    from iletimerkezi_mcp.contracts import orders

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OverflowError("a date past the calendar")

    monkeypatch.setattr(orders, "parse_send_datetime", broken)
    result = await call(settings_for(tmp_path, sandbox), "send_sms", {"order": {**send()["order"],
                                                                                "sendDateTime": "x"}})
    text = result.content[0].text
    assert result.is_error is True and "Nothing was sent." in text and "MAY HAVE" not in text
    assert sandbox.requests == []
