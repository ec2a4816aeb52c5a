"""Output schemas: the properties dispatch adds to results, by kind of tool, and the builders contracts use.

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


def prop(kind: str, desc: str = "") -> dict[str, Any]:
    return _node(kind, desc)


def obj(desc: str, props: dict[str, Any]) -> dict[str, Any]:
    return _node("object", desc, properties=props)


def arr(desc: str, items: dict[str, Any]) -> dict[str, Any]:
    return _node("array", desc, items=items)


def _node(kind: str, desc: str, **rest: Any) -> dict[str, Any]:
    """A schema node; an empty description is left out (most fields need none)."""
    return {"type": kind, **({"description": desc} if desc else {}), **rest}


STRING_ITEMS = {"type": "string"}

# Which common properties a result can carry depends on what the tool is (see dispatch.py):
# every API result may have the provider's status, the sandbox flag and a notice; only a write
# can stop for confirmation or be a dry run; only a call with an SMS preview carries one. Local
# tools add none of these (a local tool declares its own notice when it has one).
_API: dict[str, Any] = {
    "status": obj("The provider's status; code 200 is success.",
                  {"code": prop("integer"), "message": prop("string", "Turkish.")}),
    "sandbox": prop("boolean", "True when the built-in sandbox answered, not the real API."),
    "notice": prop("string", "Caveats about this result."),
}
_WRITE: dict[str, Any] = {
    "dry_run": prop("boolean", "True when nothing was sent."),
    "request": obj("What a dry run would have sent, credentials masked.", {
        "method": prop("string"),
        "url": prop("string"),
        "body": obj("", {"request": obj("", {"authentication": obj("", {"key": prop("string"),
                                                                        "hash": prop("string")})})}),
    }),
    "confirmation": obj("Not done yet: only if the person agrees, repeat the identical call with this token.", {
        "token": prop("string"),
        "expires_at": prop("string", "ISO 8601."),
        "reason": prop("string"),
    }),
}
_PREVIEW: dict[str, Any] = {
    "encoding": prop("string", "GSM-7, GSM-7 Turkish or UCS-2."),
    "characters": prop("integer"),
    "parts": prop("integer", "SMS parts per recipient (conservative)."),
    "credits": prop("integer", "Estimated credits in total."),
}
KINDS = ("read", "write", "local")

LIST_STATS = {
    "received": prop("integer", "Items the API sent."),
    "returned": prop("integer", "Items in this result."),
    "truncated": prop("boolean"),
}


def page_info(item: str, param: str) -> dict[str, Any]:
    return obj(
        f"Paging of {item}; pass {param} to move.",
        {
            "page": prop("integer"),
            "rowCount": prop("integer", f"At most {MAX_ROW_COUNT}."),
            "pages": prop("integer"),
            **LIST_STATS,
        },
    )


def common_properties(kind: str, previews: bool = False) -> dict[str, Any]:
    """The properties dispatch may add to a result of this kind of tool: "read", "write" or "local"."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if kind == "local":
        return {}
    common = dict(_API)
    if kind == "write":
        common.update(_WRITE)
    if previews:
        common["preview"] = obj("The SMS preview.", _PREVIEW)
    return copy.deepcopy(common)


def output_schema_with(own: Mapping[str, Any], kind: str = "write", previews: bool = False) -> dict[str, Any]:
    """A fresh ``outputSchema``: what a result of this kind of tool can carry plus the tool's own.

    The default is the widest API block (a write), what a tool nobody knows gets."""
    return {"type": "object", "properties": {**common_properties(kind, previews), **copy.deepcopy(dict(own))}}


def preview_properties() -> dict[str, Any]:
    return copy.deepcopy(_PREVIEW)


def validate_structured(validator: Draft202012Validator, structured: dict[str, Any]) -> list[str]:
    """Readable schema violations of ``structured`` (empty when it matches)."""
    errors = sorted(validator.iter_errors(structured), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{e.json_path}: {e.message}" for e in errors]
