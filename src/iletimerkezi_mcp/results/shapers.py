"""Per-tool shapers: map the provider's response onto the fields of each tool's schema.

Shapers only rearrange; type coercion happens afterwards in :func:`coerce.conform`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .coerce import ShapeContext, dig, to_int, to_phone, to_text
from .labels import with_status_text
from .paging import as_list, cap_list, paging_info
from .schemas import REPORTS_PAGE_SIZE

# Each shaper pops the payload keys it understands into ``out``; leftovers pass through.
Shaper = Callable[[dict[str, Any], dict[str, Any], dict[str, Any], ShapeContext, bool], None]


def _shape_send_sms(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    order = payload.pop("order", None)
    if isinstance(order, dict):
        out["order"] = dict(order)
    elif order is not None:
        out["order"] = {"id": order}  # a bare id
    if ok and to_text(dig(out, "order", "id")) is None:
        ctx.notices.append(
            "The provider accepted the order but returned no order id; find it with get_reports for today."
        )


def _shape_cancel_order(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    out["order_id"] = dig(args, "order", "id")


def _shape_blacklist_write(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    number = dig(args, "blacklist", "number")
    if number is not None:
        out["number"] = to_phone(number)


def _shape_get_report(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    order = payload.pop("order", None)
    if not isinstance(order, dict):
        if order is not None:
            out["order"] = order  # conform drops it with a notice
        return
    order = with_status_text(order)
    out["order"] = order
    messages = as_list(order.get("message"))
    if messages is not None:
        shown, stats = cap_list(messages, ctx)
        shaped = []
        for item in shown:
            if isinstance(item, dict):
                item = with_status_text(item)
                if "number" in item:
                    item["number"] = to_phone(item["number"])
            shaped.append(item)
        order["message"] = shaped
        out["page"] = paging_info(
            ctx,
            stats,
            page_arg=dig(args, "order", "page"),
            rows_arg=dig(args, "order", "rowCount"),
            total=to_int(order.get("total")),
            block="order",
            noun="messages",
        )


def _shape_get_reports(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    count = payload.pop("count", None)
    out["count"] = count
    orders = as_list(payload.pop("orders", None))
    if orders is None:
        return
    shown, stats = cap_list(orders, ctx)
    shaped = []
    for item in shown:
        shaped.append(with_status_text(item) if isinstance(item, dict) else item)
    page = max(to_int(dig(args, "filter", "page")) or 1, 1)
    out.update(orders=shaped, page=page)
    total = to_int(count)
    if total is not None:
        out["pages"] = max(1, math.ceil(total / REPORTS_PAGE_SIZE))
    out.update(stats)
    if stats["truncated"]:
        ctx.notices.append(
            f"Showing the first {stats['returned']:,} of {stats['received']:,} orders on this page. The page size is "
            "fixed by the API, so narrow filter.start/filter.end to see the rest."
        )
    if out.get("pages", 0) > page:
        ctx.notices.append(f"This is page {page} of {out['pages']}; pass filter.page={page + 1} for the next one.")


def _shape_get_balance(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    balance = payload.pop("balance", None)
    if isinstance(balance, dict):
        out["balance"] = {**balance, "currency": "TRY"}
    elif balance is not None:
        out["balance"] = balance


def _shape_get_sender(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    senders = payload.pop("senders", None)
    if isinstance(senders, dict):
        senders = senders.get("sender")
    names = as_list(senders)
    if names is None:
        return
    names = [name for name in names if name is not None]
    out["senders"] = names
    out["count"] = len(names)


def _shape_get_blacklist(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    block = payload.pop("blacklist", None)
    if not isinstance(block, dict):
        return
    block = dict(block)
    count = block.pop("count", None)
    out["count"] = count
    numbers = as_list(block.pop("number", None))
    if numbers is not None:
        shown, stats = cap_list(numbers, ctx)
        out["numbers"] = [to_phone(n) for n in shown]
        # count is account-wide, so page counts are only right without a date filter
        filtered = dig(args, "blacklist", "filter") is not None
        out["page"] = paging_info(
            ctx,
            stats,
            page_arg=dig(args, "blacklist", "page"),
            rows_arg=dig(args, "blacklist", "rowCount"),
            total=None if filtered else to_int(count),
            block="blacklist",
            noun="numbers",
        )
    payload.update({k: v for k, v in block.items() if k not in payload})


def _shape_iys_register(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    out["brandCode"] = dig(args, "consent", "brandCode")
    records = dig(args, "consent", "list")
    if isinstance(records, list):
        out["records"] = len(records)


def _shape_iys_check(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    consent = payload.pop("consent", None)
    if isinstance(consent, list) and consent and isinstance(consent[0], dict):
        if len(consent) > 1:
            ctx.notices.append(f"The provider returned {len(consent)} records; only the first is shown.")
        consent = consent[0]  # defensive: records wrapped in a list
    if isinstance(consent, dict) and consent:
        consent = dict(consent)
        if "recipient" in consent:
            consent["recipient"] = to_phone(consent["recipient"])
        out.update(found=True, consent=consent)
    elif ok:
        # §2.11: `consent: []` means "no usable record", and also shows up for a foreign brand code.
        out["found"] = False
        ctx.notices.append(
            "No usable İYS record: this is not consent. An empty answer can also mean the brand code "
            "is not on this account, so check the brand code if you expected a record."
        )


_INBOX_LISTS = ("messages", "message", "inbox", "rows", "list", "items", "data")


def _shape_get_inbox(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    # The success body has never been seen (§2.12): look at the root and one wrapper level.
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
    shaped = []
    for item in shown:
        if isinstance(item, dict) and "sender" in item:
            item = {**item, "sender": to_phone(item["sender"])}
        shaped.append(item)
    out["messages"] = shaped
    out.update(stats)
    if stats["truncated"]:
        ctx.notices.append(
            f"Showing the first {stats['returned']:,} of {stats['received']:,} inbound messages; "
            "the inbox API has no documented paging."
        )


def shape_passthrough(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    """preview_sms and unknown tools: every field passes through (typed ones are coerced)."""


SHAPERS: dict[str, Shaper] = {
    "send_sms": _shape_send_sms,
    "cancel_order": _shape_cancel_order,
    "get_report": _shape_get_report,
    "get_reports": _shape_get_reports,
    "get_balance": _shape_get_balance,
    "get_sender": _shape_get_sender,
    "get_blacklist": _shape_get_blacklist,
    "add_blacklist": _shape_blacklist_write,
    "delete_blacklist": _shape_blacklist_write,
    "iys_register": _shape_iys_register,
    "iys_check": _shape_iys_check,
    "get_inbox": _shape_get_inbox,
}
