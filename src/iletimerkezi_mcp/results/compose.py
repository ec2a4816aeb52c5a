"""Entry point: the provider's response → (structuredContent, summary), shaped by a tool's contract."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from .coerce import MISSING, ShapeContext, conform, dig, to_int, to_text


class Shapes(Protocol):
    """The part of a tool contract that shapes results (see contracts/base.py)."""

    @property
    def shape(self) -> Callable[[dict[str, Any], dict[str, Any], dict[str, Any], ShapeContext, bool], None]: ...

    @property
    def summary(self) -> Callable[[dict[str, Any], dict[str, Any]], str]: ...

    @property
    def output_schema(self) -> dict[str, Any]: ...


def _shape_status(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        status = {"code": raw.get("code"), "message": raw.get("message")}
        status.update({k: v for k, v in raw.items() if k not in status})
        return status
    return {"code": raw} if raw is not None else {}


def shape_result(
    contract: Shapes, response: dict[str, Any], arguments: dict[str, Any] | None = None, max_items: int = 100
) -> tuple[dict[str, Any], str]:
    """Turn the provider's ``response`` object into (structuredContent, summary).

    Values are coerced to the contract's output schema (what cannot be is dropped and noted);
    the caller validates the final result once. ``arguments`` are the prepared arguments (used
    for paging hints and for ids and numbers the API does not echo).
    """
    ctx = ShapeContext(max(int(max_items), 1))
    if isinstance(response, dict) and set(response) == {"response"} and isinstance(response["response"], dict):
        response = response["response"]  # the whole body was passed
    payload: dict[str, Any] = dict(response) if isinstance(response, dict) else {}
    args = arguments if isinstance(arguments, dict) else {}

    out: dict[str, Any] = {}
    status = _shape_status(payload.pop("status", None))
    if status:
        out["status"] = status
    code = to_int(status.get("code"))
    ok = code in (None, 200)
    contract.shape(payload, args, out, ctx, ok)
    for key, value in payload.items():  # unknown extra fields from the API
        out.setdefault(key, value)

    structured = conform(contract.output_schema, out, ctx, "")
    if structured is MISSING:  # unreachable: `out` is always a dict
        structured = {}
    notice = ctx.notice()
    if notice:
        structured["notice"] = f"{structured['notice']} {notice}" if structured.get("notice") else notice

    if code is not None and not ok:
        message = to_text(dig(structured, "status", "message")) or ""
        summary = f"The provider answered {code}: {message}".rstrip(": ")
    else:
        summary = contract.summary(structured, args)
    return structured, summary
