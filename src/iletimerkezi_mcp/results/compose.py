"""Entry point: response → (structuredContent, summary) that always fits the tool's schema."""

from __future__ import annotations

import logging
from typing import Any

from .coerce import MISSING, ShapeContext, conform, dig, to_int, to_text
from .schemas import schema_for, validate_structured
from .shapers import SHAPERS, shape_passthrough
from .summaries import SUMMARIES

logger = logging.getLogger(__name__)


def _shape_status(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        status = {"code": raw.get("code"), "message": raw.get("message")}
        status.update({k: v for k, v in raw.items() if k not in status})
        return status
    return {"code": raw} if raw is not None else {}


def shape_result(
    tool: str, response: dict[str, Any], arguments: dict[str, Any] | None = None, max_items: int = 100
) -> tuple[dict[str, Any], str]:
    """Turn the provider's ``response`` object into (structuredContent, summary).

    ``structured`` always validates against ``output_schema(tool)``. For ``preview_sms`` pass the
    preview object as ``response``. ``arguments`` are the tool arguments (used for paging hints
    and for echoing ids and numbers that the API does not return).
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
    SHAPERS.get(tool, shape_passthrough)(payload, args, out, ctx, ok)
    for key, value in payload.items():  # unknown extra fields from the API
        out.setdefault(key, value)

    schema = schema_for(tool)
    structured = conform(schema, out, ctx, "")
    if structured is MISSING:  # unreachable: `out` is always a dict
        structured = {}
    notice = ctx.notice()
    if notice:
        structured["notice"] = f"{structured['notice']} {notice}" if structured.get("notice") else notice

    if code is not None and not ok:
        message = to_text(dig(structured, "status", "message")) or ""
        summary = f"The provider answered {code}: {message}".rstrip(": ")
    else:
        summary = SUMMARIES.get(tool, lambda s, a: "Done.")(structured, args)

    problems = validate_structured(tool, structured)
    if problems:  # a bug in this module; never hand a client something it will reject
        logger.warning("shaped result for %s failed its schema: %s", tool, problems[:3])
        status_ok = "status" in structured and not validate_structured(tool, {"status": structured["status"]})
        keep = {"status": structured["status"]} if status_ok else {}
        structured = {**keep, "notice": "The provider's answer could not be shaped; only the status is shown."}
    return structured, summary
