"""The account: get_balance, get_sender, get_inbox.

Provider docs: https://www.iletimerkezi.com/en/docs/api/get-balance, …/get-sender. The inbox
endpoint was withdrawn from official support on 2026-05-01; its success body was never published.
"""

from __future__ import annotations

from iletimerkezi_mcp.guide.uris import ACCOUNT, SENDER
from iletimerkezi_mcp.results.coerce import ShapeContext, to_phone
from iletimerkezi_mcp.results.paging import as_list, cap_list
from iletimerkezi_mcp.results.schemas import LIST_STATS, STRING_ITEMS, arr, obj, prop

from .base import Feed, plural, reader


def _shape_balance(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    balance = payload.pop("balance", None)
    if isinstance(balance, dict):
        out["balance"] = {**balance, "currency": "TRY"}
    elif balance is not None:
        out["balance"] = balance


def _sum_balance(s: dict, args: dict) -> str:
    bal = s.get("balance") or {}
    sms, amount = bal.get("sms"), bal.get("amount")
    lira = f"₺{amount:,.2f}" if amount is not None else None
    if sms is not None:
        return f"Balance: {plural(sms, 'SMS credit')}" + (f" ({lira})" if lira else "")
    return f"Balance: {lira}" if lira else "The provider's answer held no balance."


GET_BALANCE = reader(
    "get_balance", "/v1/get-balance/json",
    shape=_shape_balance,
    summary=_sum_balance,
    output={"balance": obj("", {
        "amount": prop("number", "Turkish lira."),
        "sms": prop("integer", "Single-part SMS it pays for (estimate)."),
        "currency": prop("string"),
    })},
    feed=Feed(resource=ACCOUNT, part="balance"),
)


def _shape_sender(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    senders = payload.pop("senders", None)
    if isinstance(senders, dict):
        senders = senders.get("sender")
    names = as_list(senders)  # a lone sender may come back as a plain string
    if names is None:
        return
    names = [name for name in names if name is not None]
    out["senders"] = names
    out["count"] = len(names)


def _sum_sender(s: dict, args: dict) -> str:
    names = s.get("senders")
    if names is None:
        return "The provider's answer held no sender list."
    if not names:
        return "No approved senders yet. APITEST works for tests (it only reaches the account's test number)."
    shown = ", ".join(names[:10]) + (", …" if len(names) > 10 else "")
    return f"{plural(len(names), 'approved sender')}: {shown}"


GET_SENDER = reader(
    "get_sender", "/v1/get-sender/json",
    shape=_shape_sender,
    summary=_sum_sender,
    output={
        "senders": arr("Exactly as send_sms needs them.", STRING_ITEMS),
        "count": prop("integer"),
    },
    feed=Feed(resource=ACCOUNT, part="senders", completes=SENDER,
              values=lambda s: [str(name) for name in s.get("senders") or []]),
)

_INBOX_LISTS = ("messages", "message", "inbox", "rows", "list", "items", "data")


def _shape_inbox(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    # The success body has never been seen: look at the root and one wrapper level.
    for key, value in list(payload.items()):
        if isinstance(value, dict):
            payload[key] = dict(value)  # never mutate the caller's response
    containers = [payload] + [v for v in payload.values() if isinstance(v, dict)]
    for box in containers:
        if "totalRows" in box and "totalRows" not in out:
            out["totalRows"] = box.pop("totalRows")
        for key in _INBOX_LISTS:
            if "messages" not in out and isinstance(box.get(key), list):
                out["messages"] = box.pop(key)
    for key in [k for k, v in payload.items() if v == {}]:
        del payload[key]  # a wrapper we emptied
    messages = out.pop("messages", None)
    if messages is None:
        return
    shown, stats = cap_list(messages, ctx)
    out["messages"] = [{**m, "sender": to_phone(m["sender"])} if isinstance(m, dict) and "sender" in m else m
                       for m in shown]
    out.update(stats)
    if stats["truncated"]:
        ctx.notices.append(f"Showing the first {stats['returned']:,} of {stats['received']:,} inbound messages; "
                           "the inbox API has no documented paging.")


def _sum_inbox(s: dict, args: dict) -> str:
    returned = s.get("returned", 0)
    total = s.get("totalRows")
    if isinstance(total, int):
        return f"Inbox: {plural(total, 'message')} (showing {returned:,})."
    return f"Inbox: {plural(returned, 'message')}."


GET_INBOX = reader(
    "get_inbox", "/v1/get-inbox/json",
    experimental=True,
    shape=_shape_inbox,
    summary=_sum_inbox,
    output={
        "totalRows": prop("integer"),
        "messages": arr("Field names are not documented; unknown ones pass through.", obj("", {
            "date": prop("string"),
            "sender": prop("string"),
            "receiver": prop("string"),
            "text": prop("string"),
        })),
        **LIST_STATS,
    },
    note="Experimental: withdrawn from the provider's support; its answer may change.",
)

CONTRACTS = (GET_BALANCE, GET_SENDER, GET_INBOX)
