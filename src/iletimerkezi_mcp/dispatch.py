"""One tool call from arguments to result: offer check, validation, safety, HTTP, shaping.

Every failure becomes a readable `isError` result; nothing here raises to the SDK, whose
low-level server would turn an exception into a raw JSON-RPC error.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any

import mcp.types as types

from iletimerkezi_mcp import errors
from iletimerkezi_mcp.app import AppState
from iletimerkezi_mcp.confirm import ask_person
from iletimerkezi_mcp.executor import Outcome, execute, masked_envelope
from iletimerkezi_mcp.policy import is_offered, refusal
from iletimerkezi_mcp.results import shape_result, validate_structured
from iletimerkezi_mcp.safety import PreparedCall, Refusal, prepare
from iletimerkezi_mcp.sms import preview_sms
from iletimerkezi_mcp.tokens import ConfirmationBook
from iletimerkezi_mcp.tools import CONFIRMATION_FIELD, ToolSpec
from iletimerkezi_mcp.validation import describe_errors

log = logging.getLogger(__name__)

SANDBOX_NOTICE = "SANDBOX: this came from the built-in sandbox; no real SMS was sent and no credit was spent."


def error_result(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)


def ok_result(state: AppState, tool: str, structured: dict[str, Any], summary: str) -> types.CallToolResult:
    if state.in_sandbox and tool != "preview_sms":  # the preview is local: no API, sandbox or not
        structured = {**structured, "sandbox": True}
        summary = f"{SANDBOX_NOTICE}\n{summary}"
    problems = validate_structured(tool, structured)
    if problems:  # our own bug, but the client would reject it: degrade to plain text
        log.error("%s: structured result does not match its schema: %s", tool, problems[:3])
        return types.CallToolResult(content=[types.TextContent(type="text", text=summary)], is_error=False)
    body = json.dumps(structured, ensure_ascii=False, indent=1)
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=f"{summary}\n\n{body}")],
        structured_content=structured,
        is_error=False,
    )


async def call_tool(state: AppState, name: str, arguments: Any, session: Any = None) -> types.CallToolResult:
    try:
        return await _call(state, name, arguments, session)
    except Exception:  # last resort: never let an exception reach the SDK
        log.exception("unexpected error in %s", name)
        return error_result(
            f"{name}: an unexpected internal error stopped this call before it completed. "
            "If this was send_sms, check get_reports before trying again. Details are in the server log.\n"
            f"{name}: beklenmeyen bir iç hata oluştu; ayrıntılar sunucu günlüğünde."
        )


async def _call(state: AppState, name: str, arguments: Any, session: Any) -> types.CallToolResult:
    catalog = state.catalog  # one version for the whole call, even if a refresh swaps it
    spec = catalog.specs.get(name)
    if spec is None or not is_offered(name, state.settings):
        return error_result(refusal(name, state.settings))
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        return error_result(f"{name}: arguments must be a JSON object, got {type(arguments).__name__}.")
    arguments = dict(arguments)
    token = arguments.pop(CONFIRMATION_FIELD, None) if name == "send_sms" else None
    if "authentication" in arguments:
        return error_result(f"{name}: 'authentication' is not an argument; the server adds the credentials "
                            "from its own settings. Remove it and call again.")
    problems = describe_errors(spec.validators, arguments)
    if problems:
        return error_result(f"{name}: invalid arguments, nothing was sent.\n{problems}")
    if spec.endpoint is None:
        return _preview(state, arguments)
    try:
        prepared = prepare(name, arguments, state.settings)
    except Refusal as exc:
        return error_result(str(exc))
    if state.settings.dry_run and not spec.policy.read_only:
        return _dry_run(state, spec, prepared)
    credentials = state.credentials()
    if credentials is None:
        return error_result(errors.explain_missing_credentials(state.settings.missing_credentials()))
    if name == "send_sms" and prepared.credits > state.settings.confirm_above:
        pending = await _confirm(state, spec, prepared, token, session)
        if pending is not None:
            return pending
    outcome = await execute(state.client(), spec.endpoint.path, prepared.arguments, credentials,
                            retry=spec.policy.retry)
    return _finish(state, spec, prepared, outcome)


def _preview(state: AppState, arguments: dict[str, Any]) -> types.CallToolResult:
    preview = preview_sms(arguments["text"], arguments.get("recipients"))
    structured = preview.model_dump(mode="json")
    summary = (f"{preview.encoding}, {preview.characters} characters → {preview.parts} part(s); "
               f"{preview.recipient_count} recipient(s) → {preview.credits} credit(s).")
    if preview.warnings:
        summary += "\n" + "\n".join(f"Warning: {w}" for w in preview.warnings)
    return ok_result(state, "preview_sms", structured, summary)


def _dry_run(state: AppState, spec: ToolSpec, prepared: PreparedCall) -> types.CallToolResult:
    assert spec.endpoint is not None
    structured: dict[str, Any] = {
        "dry_run": True,
        "request": {"method": "POST", "url": state.api_origin() + spec.endpoint.path,
                    "body": masked_envelope(prepared.arguments)},
        "notice": "Dry-run mode (ILETIMERKEZI_DRY_RUN): nothing was sent.",
    }
    if prepared.previews:
        structured["preview"] = prepared.preview_summary()
    summary = f"DRY RUN: {spec.name} was not sent. This is the exact request it would make (credentials masked)."
    if prepared.previews:
        summary += f" It would cost about {prepared.credits} credit(s) for {prepared.recipients} recipient(s)."
    return ok_result(state, spec.name, structured, summary)


async def _confirm(state: AppState, spec: ToolSpec, prepared: PreparedCall, token: str | None,
                   session: Any) -> types.CallToolResult | None:
    """None when the send may go ahead; otherwise the result that stops it."""
    book: ConfirmationBook = state.confirmations
    # Bound to where it goes too: a token from a sandbox session never confirms a real send.
    digest = book.digest(spec.name, {"origin": state.api_origin(), "arguments": prepared.arguments})
    if token is not None and not isinstance(token, str):
        return error_result("send_sms: not sent: the confirmation_token is malformed; use the exact token "
                            "string from the preview result.")
    if token:
        problem = book.check(token, digest)
        if problem is None:
            book.spend(token)
            return None
        return error_result(f"send_sms: not sent: {problem}. Call again without confirmation_token to get "
                            "a fresh preview and token.")
    answer = await ask_person(session, spec.name, prepared, state.settings.confirm_above)
    if answer == "accept":
        return None
    if answer in ("decline", "cancel"):
        return error_result("send_sms: not sent: the person declined the confirmation. "
                            "Gönderilmedi: onay verilmedi.")
    new_token, expires = book.issue(digest)
    structured = {
        "preview": prepared.preview_summary(),
        "confirmation": {"token": new_token, "expires_at": datetime.fromtimestamp(expires, timezone.utc).isoformat(),
                         "reason": f"costs {prepared.credits} credits, above the confirmation threshold of "
                                   f"{state.settings.confirm_above} (ILETIMERKEZI_CONFIRM_ABOVE)"},
        "notice": "Not sent yet. Show the person the recipients, parts, credits and text; only if they agree, "
                  "repeat the identical call with confirmation_token set to the token. It expires in 5 minutes "
                  "and works only for this exact payload.",
    }
    summary = (f"CONFIRMATION NEEDED: this send was NOT made. {prepared.recipients} recipient(s), "
               f"{prepared.credits} credit(s). Ask the person, then repeat the same call with "
               f"confirmation_token=\"{new_token}\".")
    return ok_result(state, spec.name, structured, summary)


def _finish(state: AppState, spec: ToolSpec, prepared: PreparedCall, outcome: Outcome) -> types.CallToolResult:
    name = spec.name
    if outcome.kind == "ok" and outcome.response is not None:
        structured, summary = shape_result(name, outcome.response, prepared.arguments)
        if prepared.previews:
            structured["preview"] = prepared.preview_summary()
            summary += f" Estimated cost: {prepared.credits} credit(s) for {prepared.recipients} recipient(s)."
        if prepared.notes:
            structured["notice"] = " ".join(filter(None, [structured.get("notice"), *prepared.notes]))
        return ok_result(state, name, structured, summary)
    if outcome.kind == "api_error" and outcome.code is not None:
        text = errors.explain_api_error(outcome.code, name, outcome.provider_message, outcome.http_status)
    elif outcome.kind == "http_error":
        text = errors.explain_http_error(outcome.http_status or 0, name, outcome.body_excerpt)
    elif outcome.kind == "protocol_error":
        text = errors.explain_protocol_error(name, outcome.body_excerpt or outcome.detail)
    else:
        text = errors.explain_transport_error(name, outcome.transport or "network", outcome.detail,
                                              is_write=not spec.policy.read_only, attempts=outcome.attempts)
    if prepared.previews:
        text += f"\n\n{_preview_line(prepared)}"
    if state.in_sandbox:
        text = f"{SANDBOX_NOTICE}\n{text}"
    return error_result(text)


def _preview_line(prepared: PreparedCall) -> str:
    encodings = ", ".join(sorted({p.encoding for p in prepared.previews}))
    parts = "+".join(str(p.parts) for p in prepared.previews)
    return (f"Preview of this send: {encodings}, {parts} part(s) per recipient, {prepared.recipients} "
            f"recipient(s), about {prepared.credits} credit(s).")
