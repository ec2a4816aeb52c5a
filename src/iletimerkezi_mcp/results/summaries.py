"""One- or two-line human summaries of a shaped result, per tool."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .coerce import dig, to_phone, to_text


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


# Summaries read the *shaped* result, so they only ever show values that passed the schema.
Summary = Callable[[dict[str, Any], dict[str, Any]], str]


def _sum_send_sms(s: dict, args: dict) -> str:
    oid = dig(s, "order", "id")
    line = f"Order {oid} accepted." if oid else "Order accepted, but no order id came back."
    when = dig(args, "order", "sendDateTime")
    if isinstance(when, list):
        when = when[0] if when else None
    if isinstance(when, str) and when.strip():
        line += f"\nScheduled for {when.strip()} (Turkey time); cancel_order can cancel it until then."
    return line


def _sum_cancel_order(s: dict, args: dict) -> str:
    oid = s.get("order_id")
    return f"Order {oid} cancelled." if oid else "Order cancelled."


def _sum_add_blacklist(s: dict, args: dict) -> str:
    return f"{s.get('number', 'The number')} is on the blacklist."


def _sum_delete_blacklist(s: dict, args: dict) -> str:
    return f"{s.get('number', 'The number')} was removed from the blacklist."


def _sum_get_report(s: dict, args: dict) -> str:
    order = s.get("order")
    if not isinstance(order, dict):
        return "The provider's answer held no report."
    oid = order.get("id") or to_text(dig(args, "order", "id")) or "?"
    state = order.get("status_text", "status unknown")
    counts = [order.get(k) for k in ("delivered", "undelivered", "waiting", "total")]
    if all(isinstance(c, int) for c in counts):
        d, u, w, t = counts
        line = f"Order {oid}: {state} — {d:,} delivered, {u:,} not delivered, {w:,} waiting ({t:,} total)."
    else:  # legacy shape without counters: count this page's messages
        msgs = [m for m in order.get("message", []) if isinstance(m, dict)]
        by = {code: sum(1 for m in msgs if m.get("status") == code) for code in (110, 111, 112)}
        line = (
            f"Order {oid}: {state} — {_plural(len(msgs), 'message')} on this page "
            f"({by[111]:,} delivered, {by[112]:,} not delivered, {by[110]:,} queued)."
        )
    page = s.get("page") or {}
    if page.get("truncated"):
        line += f"\nShowing {page['returned']:,} of {page['received']:,} messages on this page."
    return line


def _sum_get_reports(s: dict, args: dict) -> str:
    start, end = dig(args, "filter", "start"), dig(args, "filter", "end")
    span = f" from {start} to {end}" if isinstance(start, str) and isinstance(end, str) else ""
    count = s.get("count")
    if count == 0:
        return f"No orders{span}."
    returned = s.get("returned", 0)
    head = _plural(count, "order") if isinstance(count, int) else "Orders"
    where = f"page {s.get('page', 1)} of {s['pages']}, " if "pages" in s else ""
    return f"{head}{span} ({where}showing {returned:,})."


def _sum_get_balance(s: dict, args: dict) -> str:
    bal = s.get("balance") or {}
    sms, amount = bal.get("sms"), bal.get("amount")
    lira = f"₺{amount:,.2f}" if amount is not None else None
    if sms is not None:
        return f"Balance: {_plural(sms, 'SMS credit')}" + (f" ({lira})" if lira else "")
    return f"Balance: {lira}" if lira else "The provider's answer held no balance."


def _sum_get_sender(s: dict, args: dict) -> str:
    names = s.get("senders")
    if names is None:
        return "The provider's answer held no sender list."
    if not names:
        return "No approved senders yet. APITEST works for tests (it only reaches the account's test number)."
    shown = ", ".join(names[:10]) + (", …" if len(names) > 10 else "")
    return f"{_plural(len(names), 'approved sender')}: {shown}"


def _sum_get_blacklist(s: dict, args: dict) -> str:
    page = s.get("page") or {}
    returned = page.get("returned", len(s.get("numbers", [])))
    count = s.get("count")
    if isinstance(count, int):
        line = f"Blacklist: {_plural(count, 'number')} (showing {returned:,})."
    else:
        line = f"Blacklist: {_plural(returned, 'number')} on this page."
    if page.get("pages", 1) > 1:
        line += f"\nPage {page['page']} of {page['pages']}."
    return line


def _sum_iys_register(s: dict, args: dict) -> str:
    records = dig(args, "consent", "list")
    brand = f" for brand {s['brandCode']}" if s.get("brandCode") else ""
    if not isinstance(records, list):
        return f"İYS records accepted{brand}."
    tally: dict[str, int] = {}
    for rec in records:
        label = to_text(dig(rec, "status")) or "?"
        tally[label] = tally.get(label, 0) + 1
    detail = ", ".join(f"{n:,} {label}" for label, n in tally.items())
    return f"İYS: {_plural(len(records), 'record')} accepted{brand} ({detail})."


def _sum_iys_check(s: dict, args: dict) -> str:
    c = s.get("consent")
    if s.get("found") and isinstance(c, dict):
        extra = ", ".join(v for v in (c.get("source"), c.get("consentDate")) if v)
        return (
            f"İYS: {c.get('recipient', '?')} {c.get('type', '?')}/{c.get('recipientType', '?')} → "
            f"{c.get('status', '?')}" + (f" ({extra})" if extra else "")
        )
    q = dig(args, "consent")
    q = {k: to_text(v) for k, v in q.items()} if isinstance(q, dict) else {}
    who = to_phone(q["recipient"]) if q.get("recipient") else "this recipient"
    kinds = "/".join(q[k] for k in ("type", "recipientType") if q.get(k))
    brand = f" under brand {q['brandCode']}" if q.get("brandCode") else ""
    return (
        f"No İYS record found for {who}" + (f" ({kinds})" if kinds else "") + f"{brand}. "
        "This is not consent; an empty answer can also mean the brand code is not on this account."
    )


def _sum_get_inbox(s: dict, args: dict) -> str:
    returned = s.get("returned", 0)
    total = s.get("totalRows")
    if isinstance(total, int):
        return f"Inbox: {_plural(total, 'message')} (showing {returned:,})."
    return f"Inbox: {_plural(returned, 'message')}."


def _sum_preview_sms(s: dict, args: dict) -> str:
    bits = []
    if isinstance(s.get("parts"), int):
        bits.append(_plural(s["parts"], "SMS part"))
    if s.get("encoding"):
        bits.append(str(s["encoding"]))
    if isinstance(s.get("characters"), int):
        bits.append(_plural(s["characters"], "character"))
    line = "Preview: " + (", ".join(bits) or "no details") + "."
    if isinstance(s.get("credits"), int) and isinstance(s.get("recipient_count"), int):
        line += f"\n{_plural(s['credits'], 'credit')} for {_plural(s['recipient_count'], 'recipient')}."
    if s.get("over_cap"):
        line += "\nToo long to send."
    return line


SUMMARIES: dict[str, Summary] = {
    "send_sms": _sum_send_sms,
    "cancel_order": _sum_cancel_order,
    "get_report": _sum_get_report,
    "get_reports": _sum_get_reports,
    "get_balance": _sum_get_balance,
    "get_sender": _sum_get_sender,
    "get_blacklist": _sum_get_blacklist,
    "add_blacklist": _sum_add_blacklist,
    "delete_blacklist": _sum_delete_blacklist,
    "iys_register": _sum_iys_register,
    "iys_check": _sum_iys_check,
    "get_inbox": _sum_get_inbox,
    "preview_sms": _sum_preview_sms,
}
