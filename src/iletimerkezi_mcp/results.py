"""Typed tool results: an ``outputSchema`` per tool, ``structuredContent`` and a short summary.

The SDK client validates ``structuredContent`` against ``outputSchema`` and raises on a
mismatch (mcp-sdk-notes §2), so every schema here is deliberately loose (nothing is
``required``, extra keys are allowed) and the shaper forces its output into the schema:
numeric strings become numbers, ids become strings, and a value that cannot be coerced is
dropped and reported in ``notice`` instead of being passed through with the wrong type.
The wire quirks handled here are listed in api-reference §1.7 and §2.
"""

from __future__ import annotations

import copy
import logging
import math
import re
from functools import lru_cache
from typing import Any, Callable, Optional

from jsonschema import Draft202012Validator

from .sms.phones import InvalidNumber, normalise_number

__all__ = [
    "KNOWN_TOOLS",
    "REPORTS_PAGE_SIZE",
    "STATUS_TEXT",
    "output_schema",
    "shape_result",
    "status_text",
    "validate_structured",
]

logger = logging.getLogger(__name__)

# §3.2 — English labels; 114 means "every message is final", not "all delivered".
STATUS_TEXT: dict[int, str] = {
    110: "queued",
    111: "delivered",
    112: "not delivered",
    113: "sending",
    114: "finished",
    115: "failed or cancelled",
}
REPORTS_PAGE_SIZE = 30  # get_reports page size; only the SDKs show it (§2.4)
MAX_ROW_COUNT = 1000  # get_report / get_blacklist rowCount default and maximum (§4)

_MISSING = object()  # "leave this key out"; None is a legitimate passthrough value


def status_text(code: int) -> str:
    """English label of a report status code (110–115)."""
    return STATUS_TEXT.get(code, f"unknown ({code})")


# --------------------------------------------------------------------------- schemas


def _t(kind: str, desc: str) -> dict[str, Any]:
    return {"type": kind, "description": desc}


def _obj(desc: str, props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "description": desc, "properties": props}


def _arr(desc: str, items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "description": desc, "items": items}


_STR_LIST = {"type": "string"}

_COMMON: dict[str, Any] = {
    "status": _obj(
        "The provider's status: code 200 is success; message is Turkish.",
        {"code": _t("integer", "Body status code."), "message": _t("string", "Turkish status text.")},
    ),
    "sandbox": _t("boolean", "True when the result came from the built-in sandbox, not the real API."),
    "dry_run": _t("boolean", "True when nothing was sent; `request` shows what would have been sent."),
    "request": _obj(
        "The exact request that would be sent, credentials masked.",
        {
            "method": _t("string", "HTTP method."),
            "url": _t("string", "Full URL."),
            "body": _obj(
                "JSON body.",
                {
                    "request": _obj(
                        "Request envelope.",
                        {
                            "authentication": _obj(
                                "Masked credentials.",
                                {"key": _t("string", "Masked."), "hash": _t("string", "Masked.")},
                            )
                        },
                    )
                },
            ),
        },
    ),
    "preview": _obj(
        "SMS preview: encoding, parts and credits.",
        {
            "encoding": _t("string", "GSM-7, GSM-7 Turkish or UCS-2."),
            "characters": _t("integer", "Characters in the text."),
            "parts": _t("integer", "SMS parts per recipient (conservative)."),
            "credits": _t("integer", "Estimated credits for the whole send."),
        },
    ),
    "confirmation": _obj(
        "Present when a write needs confirming: repeat the call with this token.",
        {
            "token": _t("string", "Confirmation token."),
            "expires_at": _t("string", "When the token expires (ISO 8601)."),
            "reason": _t("string", "Why confirmation is needed."),
        },
    ),
    "notice": _t("string", "Caveats about this result: truncation, paging, dropped values."),
}

_COUNTERS = {
    "total": _t("integer", "Messages in the order."),
    "delivered": _t("integer", "Delivered messages."),
    "undelivered": _t("integer", "Messages that were not delivered."),
    "waiting": _t("integer", "Messages still waiting for a final state."),
    "submitAt": _t("string", "Submit time, YYYY-MM-DD HH:MM:SS, Turkey time."),
    "sendAt": _t("string", "Send time, YYYY-MM-DD HH:MM:SS, Turkey time."),
    "sender": _t("string", "Sender ID."),
}
_ORDER_HEAD = {
    "id": _t("string", "Order id."),
    "status": _t("integer", "113 sending, 114 finished (not all delivered), 115 failed or cancelled."),
    "status_text": _t("string", "English label of status."),
}


def _page_info(item: str, param: str) -> dict[str, Any]:
    return _obj(
        f"Paging of {item}; pass {param} to move between pages.",
        {
            "page": _t("integer", "This page (starts at 1)."),
            "rowCount": _t("integer", f"Rows per page asked for (at most {MAX_ROW_COUNT})."),
            "pages": _t("integer", "Pages in total."),
            "received": _t("integer", f"{item.capitalize()} the API sent for this page."),
            "returned": _t("integer", f"{item.capitalize()} included in this result."),
            "truncated": _t("boolean", "True when this result holds fewer items than the API sent."),
        },
    )


_LIST_STATS = {
    "received": _t("integer", "Items the API sent."),
    "returned": _t("integer", "Items included in this result."),
    "truncated": _t("boolean", "True when this result holds fewer items than the API sent."),
}

_TOOL_PROPS: dict[str, dict[str, Any]] = {
    "send_sms": {"order": _obj("The created order.", {"id": _t("string", "Order id for get_report / cancel_order.")})},
    "cancel_order": {"order_id": _t("string", "The order id from the arguments (the API echoes nothing).")},
    "get_report": {
        "order": _obj(
            "Delivery report of one order.",
            {
                **_ORDER_HEAD,
                **_COUNTERS,
                "price": _t("number", "Cost of the order (unit not documented)."),
                "message": _arr(
                    "Per-recipient statuses on this page.",
                    _obj(
                        "One message.",
                        {
                            "number": _t("string", "Recipient, +90…"),
                            "status": _t("integer", "110 queued, 111 delivered, 112 not delivered."),
                            "status_text": _t("string", "English label of status."),
                        },
                    ),
                ),
            },
        ),
        "page": _page_info("messages", "order.page and order.rowCount"),
    },
    "get_reports": {
        "count": _t("integer", "Orders in the whole date range."),
        "orders": _arr("Order summaries on this page.", _obj("One order.", {**_ORDER_HEAD, **_COUNTERS})),
        "page": _t("integer", "This page (filter.page)."),
        "pages": _t("integer", f"Pages in the range, at {REPORTS_PAGE_SIZE} orders per page."),
        **_LIST_STATS,
    },
    "get_balance": {
        "balance": _obj(
            "Account balance.",
            {
                "amount": _t("number", "Balance in Turkish lira."),
                "sms": _t("integer", "Estimated single-part SMS the balance pays for."),
                "currency": _t("string", "Always TRY."),
            },
        )
    },
    "get_sender": {
        "senders": _arr("Approved sender IDs, exactly as send_sms needs them.", _STR_LIST),
        "count": _t("integer", "Number of approved senders."),
    },
    "get_blacklist": {
        "count": _t("integer", "Blocked numbers on the account, regardless of paging."),
        "numbers": _arr("Blocked numbers on this page, +90…", _STR_LIST),
        "page": _page_info("numbers", "blacklist.page and blacklist.rowCount"),
    },
    "add_blacklist": {"number": _t("string", "The number from the arguments (the API echoes nothing).")},
    "delete_blacklist": {"number": _t("string", "The number from the arguments (the API echoes nothing).")},
    "iys_register": {
        "brandCode": _t("string", "Brand code from the arguments."),
        "records": _t("integer", "Records submitted (from the arguments; the API echoes nothing)."),
    },
    "iys_check": {
        "found": _t("boolean", "False when the API had no usable record. Never means consent."),
        "consent": _obj(
            "The İYS record.",
            {
                "brandCode": _t("string", "Brand code."),
                "recipient": _t("string", "Phone (+90…) or e-mail."),
                "recipientType": _t("string", "BIREYSEL or TACIR."),
                "type": _t("string", "MESAJ, EPOSTA or ARAMA."),
                "status": _t("string", "ONAY (consent) or RET (refusal)."),
                "source": _t("string", "Consent source, HS_…"),
                "consentDate": _t("string", "YYYY-MM-DD HH:MM:SS, Turkey time."),
            },
        ),
    },
    "get_inbox": {
        "totalRows": _t("integer", "Inbound messages on the account."),
        "messages": _arr(
            "Inbound messages (experimental; field names are not documented).",
            _obj(
                "One inbound message; unknown fields are passed through.",
                {
                    "date": _t("string", "When it arrived."),
                    "sender": _t("string", "Sender's number."),
                    "receiver": _t("string", "Receiving account number or short code."),
                    "text": _t("string", "Content."),
                },
            ),
        ),
        **_LIST_STATS,
    },
    # The preview object itself (sms/preview.py); only fields that are never null are typed.
    "preview_sms": {
        **_COMMON["preview"]["properties"],
        "parts_optimistic": _t("integer", "Parts under the least conservative model."),
        "max_parts": _t("integer", "Part cap."),
        "over_cap": _t("boolean", "True means the text is too long to send."),
        "recipient_count": _t("integer", "Unique valid recipients."),
        "credits_per_recipient": _t("integer", "Credits per recipient."),
        "warnings": _arr("Warnings.", _STR_LIST),
        "notes": _arr("Assumptions behind the counts.", _STR_LIST),
    },
}
KNOWN_TOOLS: tuple[str, ...] = tuple(_TOOL_PROPS)


@lru_cache(maxsize=None)
def _schema(tool: str) -> dict[str, Any]:
    own = _TOOL_PROPS.get(tool, {})
    return {"type": "object", "properties": {**_COMMON, **own}}


def output_schema(tool: str) -> dict[str, Any]:
    """The ``outputSchema`` of ``tool`` (a fresh copy). Unknown tools get the common properties only."""
    return copy.deepcopy(_schema(tool))


@lru_cache(maxsize=64)
def _validator(tool: str) -> Draft202012Validator:
    return Draft202012Validator(_schema(tool))


def validate_structured(tool: str, structured: dict[str, Any]) -> list[str]:
    """Readable schema violations of ``structured`` (empty when it matches ``output_schema(tool)``)."""
    errors = sorted(_validator(tool).iter_errors(structured), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{e.json_path}: {e.message}" for e in errors]


# --------------------------------------------------------------------------- coercion

_INT_RE = re.compile(r"[+-]?\d+")
_NUM_RE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _to_int(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if _INT_RE.fullmatch(text):
            return int(text)
        num = _to_number(text)
        return int(num) if isinstance(num, float) and num.is_integer() else None
    return None


def _to_number(value: Any) -> Optional[int | float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if _INT_RE.fullmatch(text):
            return int(text)
        if _NUM_RE.fullmatch(text):
            num = float(text)
            return num if math.isfinite(num) else None
    return None


def _to_text(value: Any) -> Optional[str]:
    """Strings stay; numbers become their plain decimal text (ids: 48210457 → "48210457")."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else repr(value)
    return None


def _phone(value: Any) -> Any:
    """``+90…`` for anything that is a Turkish mobile number; other values unchanged."""
    text = _to_text(value)
    if text is None or "@" in text:
        return value
    try:
        return "+" + normalise_number(text)
    except (InvalidNumber, ValueError, TypeError):
        return text


class _Ctx:
    def __init__(self, max_items: int) -> None:
        self.max_items = max_items
        self.notices: list[str] = []
        self.dropped: list[str] = []
        self.cut_lists = 0

    def drop(self, path: str, value: Any) -> None:
        shown = repr(value)
        self.dropped.append(f"{path} ({shown[:40]}{'…' if len(shown) > 40 else ''})")

    def notice(self) -> Optional[str]:
        parts = list(self.notices)
        if self.dropped:
            n = len(self.dropped)
            parts.append(
                f"Dropped {n} value{'s' if n != 1 else ''} of an unexpected type from the provider's answer: "
                + ", ".join(self.dropped[:3])
                + (", …" if n > 3 else "")
                + "."
            )
        if self.cut_lists:
            parts.append(f"Unrecognised lists were cut to {self.max_items} items.")
        return " ".join(parts) or None


def _sanitize(value: Any, ctx: _Ctx, path: str, depth: int = 0) -> Any:
    """Pass JSON values through unchanged; drop anything that is not JSON."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _MISSING
    if depth > 32:
        return _MISSING
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if isinstance(k, str) and (s := _sanitize(v, ctx, f"{path}.{k}", depth + 1)) is not _MISSING:
                out[k] = s
        return out
    if isinstance(value, (list, tuple)):
        if len(value) > ctx.max_items:
            ctx.cut_lists += 1
            value = value[: ctx.max_items]
        items = (_sanitize(v, ctx, f"{path}[{i}]", depth + 1) for i, v in enumerate(value))
        return [s for s in items if s is not _MISSING]
    return _MISSING


def _conform(schema: dict[str, Any], value: Any, ctx: _Ctx, path: str) -> Any:
    """Coerce ``value`` to ``schema``; return _MISSING (and note it) when that is impossible."""
    if value is None:
        return _MISSING  # an absent optional field, not an error
    kind = schema["type"]
    result: Any = None
    if kind == "integer":
        result = _to_int(value)
    elif kind == "number":
        result = _to_number(value)
    elif kind == "string":
        result = _to_text(value)
    elif kind == "boolean":
        result = value if isinstance(value, bool) else None
    elif kind == "object" and isinstance(value, dict):
        props = schema["properties"]
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                continue
            sub = f"{path}.{key}" if path else key
            got = _conform(props[key], item, ctx, sub) if key in props else _sanitize(item, ctx, sub)
            if got is not _MISSING:
                result[key] = got
    elif kind == "array" and isinstance(value, (list, tuple)):
        items = (_conform(schema["items"], v, ctx, f"{path}[{i}]") for i, v in enumerate(value))
        result = [v for v in items if v is not _MISSING]
    if result is None:
        ctx.drop(path, value)
        return _MISSING
    return result


# --------------------------------------------------------------------------- shaping helpers


def _arg(args: dict[str, Any], *keys: str) -> Any:
    node: Any = args
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _plural(n: int, word: str, plural: Optional[str] = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _cap(items: list[Any], ctx: _Ctx) -> tuple[list[Any], dict[str, Any]]:
    shown = items[: ctx.max_items]
    return shown, {"received": len(items), "returned": len(shown), "truncated": len(shown) < len(items)}


def _as_list(value: Any) -> Optional[list[Any]]:
    """A list stays a list; a lone value becomes a one-item list (§1.7 drift); None stays None."""
    if value is None or isinstance(value, list):
        return value
    return list(value) if isinstance(value, tuple) else [value]


def _paging(
    ctx: _Ctx, stats: dict[str, Any], *, page_arg: Any, rows_arg: Any, total: Optional[int], block: str, noun: str
) -> dict[str, Any]:
    """Page object for rowCount-paged lists, plus a notice on how to read the rest."""
    page = max(_to_int(page_arg) or 1, 1)
    rows = min(max(_to_int(rows_arg) or MAX_ROW_COUNT, 1), MAX_ROW_COUNT)
    info: dict[str, Any] = {"page": page, "rowCount": rows}
    if total is not None:
        info["pages"] = max(1, math.ceil(total / rows))
    info.update(stats)
    if stats["truncated"]:
        cap = ctx.max_items
        hint = f"call again with {block}.rowCount={cap} and {block}.page=N"
        if rows % cap == 0:
            hint += f"; the rest of this page starts at {block}.page={(page - 1) * rows // cap + 2}"
        shown = f"Showing the first {stats['returned']:,} of {stats['received']:,} {noun} on this page"
        ctx.notices.append(f"{shown}. To see more, {hint}.")
    elif info.get("pages", 0) > page:
        ctx.notices.append(f"This is page {page} of {info['pages']}; pass {block}.page={page + 1} for the next one.")
    return info


def _with_status_text(entry: dict[str, Any]) -> dict[str, Any]:
    """Copy of a report entry with ``status`` as int and ``status_text`` right after it."""
    code = _to_int(entry.get("status"))
    if code is None:
        return dict(entry)
    out: dict[str, Any] = {}
    for key, value in entry.items():
        if key == "status_text":
            continue
        out[key] = code if key == "status" else value
        if key == "status":
            out["status_text"] = status_text(code)
    return out


# --------------------------------------------------------------------------- shapers
# Each shaper pops the payload keys it understands into ``out``; leftovers pass through.

Shaper = Callable[[dict[str, Any], dict[str, Any], dict[str, Any], _Ctx, bool], None]


def _shape_send_sms(payload: dict, args: dict, out: dict, ctx: _Ctx, ok: bool) -> None:
    order = payload.pop("order", None)
    if isinstance(order, dict):
        out["order"] = dict(order)
    elif order is not None:
        out["order"] = {"id": order}  # a bare id
    if ok and _to_text(_arg(out, "order", "id")) is None:
        ctx.notices.append(
            "The provider accepted the order but returned no order id; find it with get_reports for today."
        )


def _shape_cancel_order(payload: dict, args: dict, out: dict, ctx: _Ctx, ok: bool) -> None:
    out["order_id"] = _arg(args, "order", "id")


def _shape_blacklist_write(payload: dict, args: dict, out: dict, ctx: _Ctx, ok: bool) -> None:
    number = _arg(args, "blacklist", "number")
    if number is not None:
        out["number"] = _phone(number)


def _shape_get_report(payload: dict, args: dict, out: dict, ctx: _Ctx, ok: bool) -> None:
    order = payload.pop("order", None)
    if not isinstance(order, dict):
        if order is not None:
            out["order"] = order  # _conform drops it with a notice
        return
    order = _with_status_text(order)
    out["order"] = order
    messages = _as_list(order.get("message"))
    if messages is not None:
        shown, stats = _cap(messages, ctx)
        shaped = []
        for item in shown:
            if isinstance(item, dict):
                item = _with_status_text(item)
                if "number" in item:
                    item["number"] = _phone(item["number"])
            shaped.append(item)
        order["message"] = shaped
        out["page"] = _paging(
            ctx,
            stats,
            page_arg=_arg(args, "order", "page"),
            rows_arg=_arg(args, "order", "rowCount"),
            total=_to_int(order.get("total")),
            block="order",
            noun="messages",
        )


def _shape_get_reports(payload: dict, args: dict, out: dict, ctx: _Ctx, ok: bool) -> None:
    count = payload.pop("count", None)
    out["count"] = count
    orders = _as_list(payload.pop("orders", None))
    if orders is None:
        return
    shown, stats = _cap(orders, ctx)
    shaped = []
    for item in shown:
        shaped.append(_with_status_text(item) if isinstance(item, dict) else item)
    page = max(_to_int(_arg(args, "filter", "page")) or 1, 1)
    out.update(orders=shaped, page=page)
    total = _to_int(count)
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


def _shape_get_balance(payload: dict, args: dict, out: dict, ctx: _Ctx, ok: bool) -> None:
    balance = payload.pop("balance", None)
    if isinstance(balance, dict):
        out["balance"] = {**balance, "currency": "TRY"}
    elif balance is not None:
        out["balance"] = balance


def _shape_get_sender(payload: dict, args: dict, out: dict, ctx: _Ctx, ok: bool) -> None:
    senders = payload.pop("senders", None)
    if isinstance(senders, dict):
        senders = senders.get("sender")
    names = _as_list(senders)
    if names is None:
        return
    names = [name for name in names if name is not None]
    out["senders"] = names
    out["count"] = len(names)


def _shape_get_blacklist(payload: dict, args: dict, out: dict, ctx: _Ctx, ok: bool) -> None:
    block = payload.pop("blacklist", None)
    if not isinstance(block, dict):
        return
    block = dict(block)
    count = block.pop("count", None)
    out["count"] = count
    numbers = _as_list(block.pop("number", None))
    if numbers is not None:
        shown, stats = _cap(numbers, ctx)
        out["numbers"] = [_phone(n) for n in shown]
        # count is account-wide, so page counts are only right without a date filter
        filtered = _arg(args, "blacklist", "filter") is not None
        out["page"] = _paging(
            ctx,
            stats,
            page_arg=_arg(args, "blacklist", "page"),
            rows_arg=_arg(args, "blacklist", "rowCount"),
            total=None if filtered else _to_int(count),
            block="blacklist",
            noun="numbers",
        )
    payload.update({k: v for k, v in block.items() if k not in payload})


def _shape_iys_register(payload: dict, args: dict, out: dict, ctx: _Ctx, ok: bool) -> None:
    out["brandCode"] = _arg(args, "consent", "brandCode")
    records = _arg(args, "consent", "list")
    if isinstance(records, list):
        out["records"] = len(records)


def _shape_iys_check(payload: dict, args: dict, out: dict, ctx: _Ctx, ok: bool) -> None:
    consent = payload.pop("consent", None)
    if isinstance(consent, list) and consent and isinstance(consent[0], dict):
        if len(consent) > 1:
            ctx.notices.append(f"The provider returned {len(consent)} records; only the first is shown.")
        consent = consent[0]  # defensive: records wrapped in a list
    if isinstance(consent, dict) and consent:
        consent = dict(consent)
        if "recipient" in consent:
            consent["recipient"] = _phone(consent["recipient"])
        out.update(found=True, consent=consent)
    elif ok:
        # §2.11: `consent: []` means "no usable record", and also shows up for a foreign brand code.
        out["found"] = False
        ctx.notices.append(
            "No usable İYS record: this is not consent. An empty answer can also mean the brand code "
            "is not on this account, so check the brand code if you expected a record."
        )


_INBOX_LISTS = ("messages", "message", "inbox", "rows", "list", "items", "data")


def _shape_get_inbox(payload: dict, args: dict, out: dict, ctx: _Ctx, ok: bool) -> None:
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
    shown, stats = _cap(messages, ctx)
    shaped = []
    for item in shown:
        if isinstance(item, dict) and "sender" in item:
            item = {**item, "sender": _phone(item["sender"])}
        shaped.append(item)
    out["messages"] = shaped
    out.update(stats)
    if stats["truncated"]:
        ctx.notices.append(
            f"Showing the first {stats['returned']:,} of {stats['received']:,} inbound messages; "
            "the inbox API has no documented paging."
        )


def _shape_passthrough(payload: dict, args: dict, out: dict, ctx: _Ctx, ok: bool) -> None:
    """preview_sms and unknown tools: every field passes through (typed ones are coerced)."""


_SHAPERS: dict[str, Shaper] = {
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


# --------------------------------------------------------------------------- summaries
# Summaries read the *shaped* result, so they only ever show values that passed the schema.

Summary = Callable[[dict[str, Any], dict[str, Any]], str]


def _sum_send_sms(s: dict, args: dict) -> str:
    oid = _arg(s, "order", "id")
    line = f"Order {oid} accepted." if oid else "Order accepted, but no order id came back."
    when = _arg(args, "order", "sendDateTime")
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
    oid = order.get("id") or _to_text(_arg(args, "order", "id")) or "?"
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
    start, end = _arg(args, "filter", "start"), _arg(args, "filter", "end")
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
    records = _arg(args, "consent", "list")
    brand = f" for brand {s['brandCode']}" if s.get("brandCode") else ""
    if not isinstance(records, list):
        return f"İYS records accepted{brand}."
    tally: dict[str, int] = {}
    for rec in records:
        label = _to_text(_arg(rec, "status")) or "?"
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
    q = _arg(args, "consent")
    q = {k: _to_text(v) for k, v in q.items()} if isinstance(q, dict) else {}
    who = _phone(q["recipient"]) if q.get("recipient") else "this recipient"
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


_SUMMARIES: dict[str, Summary] = {
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


# --------------------------------------------------------------------------- entry point


def _shape_status(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        status = {"code": raw.get("code"), "message": raw.get("message")}
        status.update({k: v for k, v in raw.items() if k not in status})
        return status
    return {"code": raw} if raw is not None else {}


def shape_result(
    tool: str, response: dict[str, Any], arguments: Optional[dict[str, Any]] = None, max_items: int = 100
) -> tuple[dict[str, Any], str]:
    """Turn the provider's ``response`` object into (structuredContent, summary).

    ``structured`` always validates against ``output_schema(tool)``. For ``preview_sms`` pass the
    preview object as ``response``. ``arguments`` are the tool arguments (used for paging hints
    and for echoing ids and numbers that the API does not return).
    """
    ctx = _Ctx(max(int(max_items), 1))
    if isinstance(response, dict) and set(response) == {"response"} and isinstance(response["response"], dict):
        response = response["response"]  # the whole body was passed
    payload: dict[str, Any] = dict(response) if isinstance(response, dict) else {}
    args = arguments if isinstance(arguments, dict) else {}

    out: dict[str, Any] = {}
    status = _shape_status(payload.pop("status", None))
    if status:
        out["status"] = status
    code = _to_int(status.get("code"))
    ok = code in (None, 200)
    _SHAPERS.get(tool, _shape_passthrough)(payload, args, out, ctx, ok)
    for key, value in payload.items():  # unknown extra fields from the API
        out.setdefault(key, value)

    schema = _schema(tool)
    structured = _conform(schema, out, ctx, "")
    if structured is _MISSING:  # unreachable: `out` is always a dict
        structured = {}
    notice = ctx.notice()
    if notice:
        structured["notice"] = f"{structured['notice']} {notice}" if structured.get("notice") else notice

    if code is not None and not ok:
        message = _to_text(_arg(structured, "status", "message")) or ""
        summary = f"The provider answered {code}: {message}".rstrip(": ")
    else:
        summary = _SUMMARIES.get(tool, lambda s, a: "Done.")(structured, args)

    problems = validate_structured(tool, structured)
    if problems:  # a bug in this module; never hand a client something it will reject
        logger.warning("shaped result for %s failed its schema: %s", tool, problems[:3])
        status_ok = "status" in structured and not validate_structured(tool, {"status": structured["status"]})
        keep = {"status": structured["status"]} if status_ok else {}
        structured = {**keep, "notice": "The provider's answer could not be shaped; only the status is shown."}
    return structured, summary
