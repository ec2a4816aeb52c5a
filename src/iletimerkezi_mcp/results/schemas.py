"""Output schemas: the properties every result shares, and the builders contracts use for theirs.

The SDK client validates ``structuredContent`` against ``outputSchema`` and raises on a
mismatch, so every schema here is deliberately loose: nothing is ``required`` and extra keys
are allowed. The shapers do the tightening instead. Each tool's own properties live in its
contract (``contracts/``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator

MAX_ROW_COUNT = 1000  # get_report / get_blacklist rowCount: the documented default and maximum


def prop(kind: str, desc: str) -> dict[str, Any]:
    return {"type": kind, "description": desc}


def obj(desc: str, props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "description": desc, "properties": props}


def arr(desc: str, items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "description": desc, "items": items}


STRING_ITEMS = {"type": "string"}

_COMMON: dict[str, Any] = {
    "status": obj(
        "The provider's status: code 200 is success; message is Turkish.",
        {"code": prop("integer", "Body status code."), "message": prop("string", "Turkish status text.")},
    ),
    "sandbox": prop("boolean", "True when the result came from the built-in sandbox, not the real API."),
    "dry_run": prop("boolean", "True when nothing was sent; `request` shows what would have been sent."),
    "request": obj(
        "The exact request that would be sent, credentials masked.",
        {
            "method": prop("string", "HTTP method."),
            "url": prop("string", "Full URL."),
            "body": obj(
                "JSON body.",
                {
                    "request": obj(
                        "Request envelope.",
                        {
                            "authentication": obj(
                                "Masked credentials.",
                                {"key": prop("string", "Masked."), "hash": prop("string", "Masked.")},
                            )
                        },
                    )
                },
            ),
        },
    ),
    "preview": obj(
        "SMS preview: encoding, parts and credits.",
        {
            "encoding": prop("string", "GSM-7, GSM-7 Turkish or UCS-2."),
            "characters": prop("integer", "Characters in the text."),
            "parts": prop("integer", "SMS parts per recipient (conservative)."),
            "credits": prop("integer", "Estimated credits for the whole send."),
        },
    ),
    "confirmation": obj(
        "Present when a write needs confirming: repeat the call with this token.",
        {
            "token": prop("string", "Confirmation token."),
            "expires_at": prop("string", "When the token expires (ISO 8601)."),
            "reason": prop("string", "Why confirmation is needed."),
        },
    ),
    "notice": prop("string", "Caveats about this result: truncation, paging, dropped values."),
}


def page_info(item: str, param: str) -> dict[str, Any]:
    return obj(
        f"Paging of {item}; pass {param} to move between pages.",
        {
            "page": prop("integer", "This page (starts at 1)."),
            "rowCount": prop("integer", f"Rows per page asked for (at most {MAX_ROW_COUNT})."),
            "pages": prop("integer", "Pages in total."),
            "received": prop("integer", f"{item.capitalize()} the API sent for this page."),
            "returned": prop("integer", f"{item.capitalize()} included in this result."),
            "truncated": prop("boolean", "True when this result holds fewer items than the API sent."),
        },
    )


LIST_STATS = {
    "received": prop("integer", "Items the API sent."),
    "returned": prop("integer", "Items included in this result."),
    "truncated": prop("boolean", "True when this result holds fewer items than the API sent."),
}





def output_schema_with(own: Mapping[str, Any]) -> dict[str, Any]:
    """A fresh ``outputSchema``: the common properties plus a tool's own."""
    return {"type": "object", "properties": copy.deepcopy({**_COMMON, **own})}


def preview_properties() -> dict[str, Any]:
    return copy.deepcopy(_COMMON["preview"]["properties"])


def validate_structured(validator: Draft202012Validator, structured: dict[str, Any]) -> list[str]:
    """Readable schema violations of ``structured`` (empty when it matches)."""
    errors = sorted(validator.iter_errors(structured), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{e.json_path}: {e.message}" for e in errors]
