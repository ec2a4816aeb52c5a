"""`completion/complete` through the SDK's own client, in-process against `--sandbox`: approved senders
(from get_sender, cached for a minute), order ids (this server's ledger, else get_reports), and no
values at all for an argument without a known set."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any

import mcp.types as types
import pytest
from mcp import Client
from sandbox_fixtures import post

from iletimerkezi_mcp.app import AppState, build_state
from iletimerkezi_mcp.guide import completions
from iletimerkezi_mcp.server import build_server

pytestmark = pytest.mark.anyio

SENDERS = ["APITEST", "SANDBOX", "ORNEKMAGAZA"]
ORDER_NOTICE = types.PromptReference(type="ref/prompt", name="order_notice")
CAMPAIGN = types.PromptReference(type="ref/prompt", name="consent_campaign")
FOLLOWUP = types.PromptReference(type="ref/prompt", name="failed_followup")
ORDER = types.ResourceTemplateReference(type="ref/resource", uri="iletimerkezi://orders/{id}")


@asynccontextmanager
async def serve(settings: Any) -> AsyncIterator[tuple[Client, AppState]]:
    state = build_state(settings)
    async with Client(build_server(settings, state=state), mode="legacy") as client:
        yield client, state


async def values(client: Client, ref: types.PromptReference | types.ResourceTemplateReference, name: str,
                 typed: str = "") -> list[str]:
    completion = (await client.complete(ref, {"name": name, "value": typed})).completion
    assert completion.has_more is False
    assert completion.total in (None, len(completion.values))
    return completion.values


def calls(state: AppState, endpoint: str) -> int:
    return len(state.sandbox.requests_to(endpoint))


async def send(client: Client, text: str) -> str:
    sent = await client.call_tool("send_sms", {"order": {"sender": "SANDBOX", "iys": "0", "message": {
        "text": text, "receipents": {"number": ["05321112233"]}}}})
    assert sent.is_error is False and sent.structured_content is not None, sent.content
    return str(sent.structured_content["order"]["id"])


async def test_senders_are_the_approved_ones_filtered_by_what_was_typed(base_env, argv_settings) -> None:
    async with serve(argv_settings(base_env, "--sandbox")) as (client, _):
        assert await values(client, ORDER_NOTICE, "sender") == SENDERS
        assert await values(client, ORDER_NOTICE, "sender", "s") == ["SANDBOX"]  # any case
        assert await values(client, ORDER_NOTICE, "sender", "OrNeK") == ["ORNEKMAGAZA"]
        assert await values(client, CAMPAIGN, "sender", "a") == ["APITEST"]  # every prompt's sender
        assert await values(client, ORDER_NOTICE, "sender", "MAGAZA") == []  # a prefix, not a substring
        assert await values(client, ORDER_NOTICE, "sender", "SANDBOXX") == []


async def test_the_sender_list_is_asked_for_once_a_minute(base_env, argv_settings,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(completions, "time", SimpleNamespace(monotonic=lambda: now[0]))
    async with serve(argv_settings(base_env, "--sandbox")) as (client, state):
        for typed in ("", "S", "SA", "SAN"):  # a person typing: one API call
            await values(client, ORDER_NOTICE, "sender", typed)
        assert calls(state, "get-sender") == 1
        state.sandbox.state.senders.append("YENIBASLIK")  # approved meanwhile
        now[0] += completions.CACHE_SECONDS - 1
        assert await values(client, ORDER_NOTICE, "sender", "Y") == []
        assert calls(state, "get-sender") == 1
        now[0] += 2
        assert await values(client, ORDER_NOTICE, "sender", "Y") == ["YENIBASLIK"]
        assert calls(state, "get-sender") == 2


async def test_order_ids_come_from_the_ledger_newest_first(base_env, argv_settings) -> None:
    async with serve(argv_settings(base_env, "--sandbox")) as (client, state):
        # Nothing sent from here yet: the account's recent orders (whatever the sandbox starts with).
        reported = await values(client, FOLLOWUP, "order_id")
        assert calls(state, "get-reports") == 1
        first = await send(client, "Ilk siparis")
        assert first not in reported
        assert await values(client, FOLLOWUP, "order_id") == [first]  # not the reports kept for the minute
        second = await send(client, "Ikinci siparis")  # within the minute: still offered at once
        assert await values(client, FOLLOWUP, "order_id") == [second, first]
        assert await values(client, ORDER, "id") == [second, first]
        assert await values(client, ORDER, "id", second) == [second]
        assert await values(client, FOLLOWUP, "order_id", "x") == []
        assert calls(state, "get-reports") == 1  # only while the ledger had none


async def test_without_sends_here_order_ids_come_from_the_reports(base_env, argv_settings) -> None:
    async with serve(argv_settings(base_env, "--sandbox")) as (client, state):
        # Sent around this server (e.g. from the panel): the ledger knows nothing of it.
        answer = post(state.sandbox, "send-sms", order={"sender": "SANDBOX", "iys": "0", "message": {
            "text": "Panelden", "receipents": {"number": ["905321112233"]}}}).json()
        elsewhere = str(answer["response"]["order"]["id"])
        reported = await values(client, FOLLOWUP, "order_id")
        assert elsewhere in reported
        assert await values(client, ORDER, "id", elsewhere) == [elsewhere]
        assert calls(state, "get-reports") == 1  # a found list is kept for the minute
        mine = await send(client, "Buradan")
        assert await values(client, ORDER, "id") == [mine]  # this server's own sends, once it has any


async def test_an_argument_without_a_known_set_gets_no_values(base_env, argv_settings) -> None:
    async with serve(argv_settings(base_env, "--sandbox")) as (client, state):
        await send(client, "Bir siparis")
        before = len(state.sandbox.requests)
        assert await values(client, ORDER_NOTICE, "numbers") == []
        assert await values(client, ORDER_NOTICE, "status", "kargo") == []
        assert await values(client, FOLLOWUP, "message") == []
        assert await values(client, ORDER_NOTICE, "no_such_argument") == []
        assert await values(client, types.PromptReference(type="ref/prompt", name="no_such_prompt"), "sender") == []
        other = types.ResourceTemplateReference(type="ref/resource", uri="iletimerkezi://other/{id}")
        assert await values(client, other, "id") == []
        assert await values(client, ORDER, "order_id") == []
        assert len(state.sandbox.requests) == before  # and nothing was asked of the API


async def test_nothing_is_offered_for_what_the_settings_do_not_serve(base_env, argv_settings) -> None:
    async with serve(argv_settings(base_env, "--sandbox", "--tools", "send_sms")) as (client, state):
        await send(client, "Bir siparis")
        assert await values(client, ORDER, "id") == []  # the template is not served without get_report
        assert await values(client, ORDER_NOTICE, "sender") == []  # nor the prompt without get_sender
        assert calls(state, "get-sender") == 0
