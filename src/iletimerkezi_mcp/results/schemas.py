"""Output schemas: one ``outputSchema`` per tool, plus validation against it.

The SDK client validates ``structuredContent`` against ``outputSchema`` and raises on a
mismatch (mcp-sdk-notes §2), so every schema here is deliberately loose: nothing is
``required`` and extra keys are allowed. The shaper does the tightening instead.
"""

from __future__ import annotations

import copy
from functools import cache, lru_cache
from typing import Any

from jsonschema import Draft202012Validator

REPORTS_PAGE_SIZE = 30  # get_reports page size; only the SDKs show it (§2.4)
MAX_ROW_COUNT = 1000  # get_report / get_blacklist rowCount default and maximum (§4)

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


@cache
def schema_for(tool: str) -> dict[str, Any]:
    own = _TOOL_PROPS.get(tool, {})
    return {"type": "object", "properties": {**_COMMON, **own}}


def output_schema(tool: str) -> dict[str, Any]:
    """The ``outputSchema`` of ``tool`` (a fresh copy). Unknown tools get the common properties only."""
    return copy.deepcopy(schema_for(tool))


@lru_cache(maxsize=64)
def _validator(tool: str) -> Draft202012Validator:
    return Draft202012Validator(schema_for(tool))


def validate_structured(tool: str, structured: dict[str, Any]) -> list[str]:
    """Readable schema violations of ``structured`` (empty when it matches ``output_schema(tool)``)."""
    errors = sorted(_validator(tool).iter_errors(structured), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{e.json_path}: {e.message}" for e in errors]
