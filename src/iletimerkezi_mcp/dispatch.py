"""One tool call from arguments to result: offer check, validation, the contract's rules, HTTP, shaping.

Everything tool-specific comes from the tool's contract (`spec.contract`). Every failure becomes a
readable `isError` result; nothing here raises to the SDK, whose low-level server would turn an
exception into a raw JSON-RPC error.
"""

from __future__ import annotations

import contextvars
import dataclasses
import hashlib
import json
import logging
from datetime import datetime, timezone
from typing import Any

import mcp.types as types

from iletimerkezi_mcp import errors
from iletimerkezi_mcp.app import AppState
from iletimerkezi_mcp.confirm import ask_person
from iletimerkezi_mcp.contracts import ToolContract, refusal, role_allows, role_refusal
from iletimerkezi_mcp.executor import Outcome, execute, masked_envelope
from iletimerkezi_mcp.http.caller import Caller, current_caller
from iletimerkezi_mcp.ledger import (
    Budgets,
    Confirmation,
    NeedsConfirmation,
    Reservation,
    Reserved,
    Stopped,
    WriteRecord,
)
from iletimerkezi_mcp.ledger import Outcome as LedgerOutcome
from iletimerkezi_mcp.progress import Progress
from iletimerkezi_mcp.results import shape_result, validate_structured
from iletimerkezi_mcp.safety import PreparedCall, Refusal, refusal_text, remainder
from iletimerkezi_mcp.sweep import run_sweep
from iletimerkezi_mcp.tokens import CONFIRMATION_TTL, canonical
from iletimerkezi_mcp.tools import CONFIRMATION_FIELD, ToolSpec
from iletimerkezi_mcp.validation import arguments_json, describe_errors, unpaired_surrogate

log = logging.getLogger(__name__)

# Set once a write's request may have left: only then can an internal error mean "it may have gone out".
_REQUEST_STARTED: contextvars.ContextVar[bool] = contextvars.ContextVar("request_started", default=False)
SANDBOX_NOTICE = "SANDBOX: this came from the built-in sandbox; no real SMS was sent and no credit was spent."


def error_result(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)


def ok_result(state: AppState, contract: ToolContract, structured: dict[str, Any], summary: str
              ) -> types.CallToolResult:
    if state.in_sandbox and contract.local is None:  # a local tool is the same, sandbox or not
        structured = {**structured, "sandbox": True}
        summary = f"{SANDBOX_NOTICE}\n{summary}"
        note = state.sandbox_note()
        if note:
            structured["notice"] = " ".join(filter(None, [structured.get("notice"), note]))
            summary = f"{summary}\n{note}"
    problems = validate_structured(contract.output_validator, structured)  # the one check of a result
    if problems:  # our own bug, but the client would reject it: degrade to plain text
        log.error("%s: structured result does not match its schema: %s", contract.name, problems[:3])
        return types.CallToolResult(content=[types.TextContent(type="text", text=summary)], is_error=False)
    body = json.dumps(structured, ensure_ascii=False, separators=(",", ":"))  # compact: it is for a model
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=f"{summary}\n\n{body}")],
        structured_content=structured,
        is_error=False,
    )


async def call_tool(state: AppState, name: str, arguments: Any, session: Any = None,
                    progress: Progress | None = None) -> types.CallToolResult:
    _REQUEST_STARTED.set(False)
    try:
        # Whatever the API or an error echoed, the configured credentials never reach the model.
        return state.redactor.result(await _call(state, name, arguments, session, progress))
    except Exception:  # last resort: never let an exception reach the SDK
        log.exception("unexpected error in %s", name)
        spec = state.catalog.specs.get(name)
        risk = spec.contract.risk if spec is not None and _REQUEST_STARTED.get() else None
        hint = f" {risk.effect_en} {risk.check_en}" if risk is not None else " Nothing was sent."
        return error_result(
            f"{name}: an unexpected internal error stopped this call before it completed.{hint} "
            "Details are in the server log.\n"
            f"{name}: beklenmeyen bir iç hata oluştu; ayrıntılar sunucu günlüğünde."
        )


async def _call(state: AppState, name: str, arguments: Any, session: Any, progress: Progress | None
                ) -> types.CallToolResult:
    catalog = state.catalog  # one version for the whole call, even if a refresh swaps it
    spec = catalog.specs.get(name)
    if spec is None:
        return error_result(refusal(name, state.settings, catalog.read_names()))
    contract = spec.contract
    caller = current_caller()  # set only by the HTTP server's auth: a role narrows what the settings offer
    if caller is not None and not role_allows(contract, caller.role):
        allowed = [n for n, s in catalog.specs.items() if role_allows(s.contract, caller.role)]
        return error_result(role_refusal(name, caller.role, allowed))
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        return error_result(f"{name}: arguments must be a JSON object, got {type(arguments).__name__}.")
    arguments = dict(arguments)
    token = arguments.pop(CONFIRMATION_FIELD, None) if contract.asks_confirmation else None
    if "authentication" in arguments:
        return error_result(f"{name}: 'authentication' is not an argument; the server adds the credentials "
                            "from its own settings. Remove it and call again.")
    as_json = arguments_json(arguments)  # one serialisation for the two scans below
    if state.redactor.appears_in(as_json):  # e.g. an SMS asked to carry the key: it would leave for good
        return error_result(f"{name}: not done: the arguments contain this server's API key or hash. "
                            "Credentials are never sent as content; remove them and call again.\n"
                            f"{name}: yapılmadı: argümanlarda bu sunucunun API anahtarı veya hash'i var; "
                            "kimlik bilgileri içerik olarak gönderilmez.")
    problems = unpaired_surrogate(arguments, as_json) or describe_errors(spec.validators, arguments)
    if problems:
        return error_result(f"{name}: invalid arguments, nothing was sent.\n{problems}")
    try:
        if contract.local is not None or spec.path is None:
            structured, summary = contract.local(arguments, state.ledger) if contract.local else ({}, "Done.")
            return ok_result(state, contract, structured, summary)
        prepared = contract.prepare(arguments, state.settings)
    except Refusal as exc:
        return error_result(refusal_text(name, exc.problems))
    if contract.read_only:
        credentials = state.credentials()
        if credentials is None:
            return error_result(errors.explain_missing_credentials(state.settings.missing_credentials()))
        path = spec.path

        async def send(arguments: dict[str, Any]) -> Outcome:
            return await execute(state.client, path, arguments, credentials, retry=contract.retry)

        sweep = prepared.sweep
        outcome = await (run_sweep(sweep, send, progress) if sweep is not None else send(prepared.arguments))
        return _finish(state, spec, prepared, outcome)[0]
    return await _write(state, spec, prepared, token, session, progress)


async def _write(state: AppState, spec: ToolSpec, prepared: PreparedCall, token: Any,
                 session: Any, progress: Progress | None) -> types.CallToolResult:
    """A write: the ledger's word (budgets, duplicates, the hard stop), confirmation, one recorded request."""
    name, contract, ledger = spec.name, spec.contract, state.ledger
    budgets = caller_budgets(state.budgets, current_caller())
    bound = bound_parts(spec, prepared)  # what a token binds and the ledger digests: built once
    record = _record(state, spec, prepared, bound)
    assessment = ledger.assess(record, budgets)
    if assessment.stop:
        return error_result(f"{name}: not done: {assessment.stop}. Nothing overrides this limit.")
    reasons = [r for r in (contract.confirm(prepared, state.settings),) if r] + assessment.reasons
    if state.settings.dry_run:
        ledger.reserve(record, budgets, confirmation="not-needed")  # recorded as a dry run, spends nothing
        return _dry_run(state, spec, prepared, reasons)
    credentials = state.credentials()
    if credentials is None:
        return error_result(errors.explain_missing_credentials(state.settings.missing_credentials()))
    confirmation: Confirmation = "not-needed"
    spent: tuple[str, float] | None = None
    reservation: Reservation = NeedsConfirmation(reasons)
    for _ in range(2):  # a second round only when another process spent the budget meanwhile
        if reasons or token:  # a token the caller brings is checked and spent even if nothing asks now
            step = await _confirm(state, spec, prepared, bound, reasons, token, session)
            if isinstance(step, types.CallToolResult):
                return step
            confirmation, spent = step
        reservation = ledger.reserve(record, budgets, confirmation=confirmation, token=spent)
        if not isinstance(reservation, NeedsConfirmation):
            break
        reasons, token = reservation.reasons, None
    if isinstance(reservation, Stopped):
        return error_result(f"{name}: not done: {reservation.reason}.")
    if not isinstance(reservation, Reserved):
        return error_result(f"{name}: not done: it still needs confirmation ({'; '.join(reasons)}).")
    _REQUEST_STARTED.set(True)

    async def send() -> Outcome:
        return await execute(state.client, spec.path or "", prepared.arguments, credentials, retry=contract.retry)

    try:
        if progress is not None and prepared.progress:
            outcome = await progress.during(1, 2, prepared.progress, send)
            await progress.report(2, 2, "the provider answered")
        else:
            outcome = await send()
    except BaseException:  # cancelled or broken mid-flight: it may have gone out
        ledger.settle(reservation.row_id, "unknown")
        raise
    code = outcome.code if outcome.kind == "api_error" else None
    try:
        result, order_id = _finish(state, spec, prepared, outcome)
    except BaseException:  # the answer is known even if shaping it failed: never leave the row pending
        ledger.settle(reservation.row_id, _settled(outcome), code=code)
        raise
    ledger.settle(reservation.row_id, _settled(outcome), code=code, order_id=order_id)
    return result


def _record(state: AppState, spec: ToolSpec, prepared: PreparedCall, bound: dict[str, Any]) -> WriteRecord:
    digest = hashlib.sha256(canonical([spec.name, bound]).encode("utf-8")).hexdigest()
    caller = current_caller()
    return WriteRecord(tool=spec.name, binding=state.binding, digest=digest, recipients=prepared.numbers,
                       text=prepared.text, parts=max((p.parts for p in prepared.previews), default=0),
                       credits=prepared.credits, dry_run=state.settings.dry_run,
                       actor=caller.name if caller is not None else None)


def caller_budgets(budgets: Budgets, caller: Caller | None) -> Budgets:
    """A caller's own budgets (from the tokens file) replace the settings' ones; the hard stop stays."""
    if caller is None:
        return budgets
    return dataclasses.replace(
        budgets,
        hour=budgets.hour if caller.budget_hour is None else caller.budget_hour,
        day=budgets.day if caller.budget_day is None else caller.budget_day,
    )


def bound_parts(spec: ToolSpec, prepared: PreparedCall) -> dict[str, Any]:
    """What a confirmation binds: the contract's normalised parts, and every other field as sent, so a
    field the contract does not know (say, one the provider adds later) cannot change unseen."""
    rest = remainder(prepared.arguments, spec.contract.covers)
    return {**prepared.parts, "other fields": rest} if rest else dict(prepared.parts)


def _settled(outcome: Outcome) -> LedgerOutcome:
    """What the ledger keeps: only a definite answer from the API is 'sent' or 'refused'.

    'refused' needs a known 4xx-range body code on a non-5xx answer, exactly what the error text calls
    certain; anything else may have gone out, so it keeps counting for budgets and duplicates.
    """
    if outcome.kind == "ok":
        return "sent"
    definite = (outcome.kind == "api_error" and outcome.code in errors.CODES and outcome.code not in (200, 503)
                and outcome.code < 500 and (outcome.http_status or 0) < 500)
    return "refused" if definite else "unknown"


def _dry_run(state: AppState, spec: ToolSpec, prepared: PreparedCall, reasons: list[str]) -> types.CallToolResult:
    structured: dict[str, Any] = {
        "dry_run": True,
        "request": {"method": "POST", "url": state.origin + (spec.path or ""),
                    "body": masked_envelope(prepared.arguments)},
        "notice": "Dry-run mode (ILETIMERKEZI_DRY_RUN): nothing was sent.",
    }
    if prepared.previews:
        structured["preview"] = prepared.preview_summary()
    summary = f"DRY RUN: {spec.name} was not sent. This is the exact request it would make (credentials masked)."
    if prepared.previews:
        summary += f" It would cost about {prepared.credits} credit(s) for {prepared.recipients} recipient(s)."
    if reasons:
        would = f"For real, it would first need the person's confirmation: {'; '.join(reasons)}."
        structured["notice"] += f" {would}"
        summary += f"\n{would}"
    return ok_result(state, spec.contract, structured, summary)


async def _confirm(state: AppState, spec: ToolSpec, prepared: PreparedCall, bound: dict[str, Any],
                   reasons: list[str], token: Any, session: Any
                   ) -> types.CallToolResult | tuple[Confirmation, tuple[str, float] | None]:
    """How the person said yes (with the token to spend), or the result that stops the call."""
    name, book = spec.name, state.confirmations
    reason = "; and ".join(reasons)
    if token is not None and not isinstance(token, str):
        return error_result(f"{name}: not done: the confirmation_token is malformed; use the exact token "
                            "string from the earlier result.")
    if token:
        checked = book.check(token, name, state.binding, bound)
        if checked.problem is None:
            return "token", (checked.mac, checked.expires)
        return error_result(f"{name}: not done: {checked.problem}. Call again without confirmation_token to get "
                            "a fresh preview and token.")
    answer = await ask_person(session, name, prepared, reason)
    if answer == "accept":
        return "elicitation", None
    if answer in ("decline", "cancel"):
        return error_result(f"{name}: not done: the person declined the confirmation. "
                            "Yapılmadı: onay verilmedi.")
    new_token, expires = book.issue(name, state.binding, bound)
    minutes = round(CONFIRMATION_TTL / 60)
    structured: dict[str, Any] = {
        "confirmation": {"token": new_token, "expires_at": datetime.fromtimestamp(expires, timezone.utc).isoformat(),
                         "reason": reason},
        "notice": "Not done yet. Show the person what this call will do; only if they agree, repeat the identical "
                  f"call with confirmation_token set to the token. It expires in {minutes} minutes and works "
                  "only for this exact payload.",
    }
    if prepared.previews:
        structured["preview"] = prepared.preview_summary()
    details = "\n".join(prepared.lines)
    summary = (f"CONFIRMATION NEEDED: {name} was NOT done, because {reason}.\n{details}\n"
               f"Ask the person; only if they agree, repeat the same call with confirmation_token=\"{new_token}\".")
    return ok_result(state, spec.contract, structured, summary)


def _finish(state: AppState, spec: ToolSpec, prepared: PreparedCall, outcome: Outcome
            ) -> tuple[types.CallToolResult, str | None]:
    """The result, and the order id it carries (for the ledger)."""
    name, contract = spec.name, spec.contract
    if outcome.kind == "ok" and outcome.response is not None:
        structured, summary = shape_result(contract, outcome.response, prepared.arguments)
        if prepared.previews:
            structured["preview"] = prepared.preview_summary()
            summary += f" Estimated cost: {prepared.credits} credit(s) for {prepared.recipients} recipient(s)."
        if prepared.notes:
            structured["notice"] = " ".join(filter(None, [structured.get("notice"), *prepared.notes]))
        order = structured.get("order")
        order_id = order.get("id") if isinstance(order, dict) else structured.get("order_id")
        return ok_result(state, contract, structured, summary), order_id if isinstance(order_id, str) else None
    risk = contract.risk
    if outcome.kind == "api_error" and outcome.code is not None:
        text = errors.explain_api_error(outcome.code, name, outcome.provider_message, outcome.http_status,
                                        risk=risk, meanings=contract.meanings)
    elif outcome.kind == "http_error":
        text = errors.explain_http_error(outcome.http_status or 0, name, outcome.body_excerpt, risk=risk)
    elif outcome.kind == "protocol_error":
        text = errors.explain_protocol_error(name, outcome.body_excerpt or outcome.detail, risk=risk)
    else:
        text = errors.explain_transport_error(name, outcome.transport or "network", outcome.detail, risk=risk,
                                              attempts=outcome.attempts)
    if prepared.previews:
        text += f"\n\n{prepared.preview_line()}"
    if state.in_sandbox:
        text = f"{SANDBOX_NOTICE}\n{text}"
    return error_result(text), None
