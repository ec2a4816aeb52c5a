"""Deciding whether a write may go out, before any HTTP request is made.

`prepare()` turns validated arguments into exactly what will be sent (numbers normalised,
schedule in the API's format) and refuses what must never be sent, each problem listed in
plain words. `ConfirmationBook` issues single-use tokens bound to the exact payload.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from iletimerkezi_mcp.settings import Settings
from iletimerkezi_mcp.sms import (
    MAX_RECIPIENTS_PER_REQUEST,
    InvalidNumber,
    ScheduleError,
    SmsPreview,
    check_recipients,
    normalise_number,
    normalise_text,
    parse_send_datetime,
    preview_sms,
)

PHONE_CONSENT_TYPES = {"MESAJ", "ARAMA"}


class Refusal(ValueError):
    """Nothing was sent; the message lists every problem and how to fix it."""


class PreparedCall(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    arguments: dict[str, Any]
    previews: list[SmsPreview] = []
    recipients: int = 0
    credits: int = 0
    notes: list[str] = []

    def preview_summary(self) -> dict[str, Any] | None:
        if not self.previews:
            return None
        first = self.previews[0].model_dump(mode="json")
        if len(self.previews) == 1:
            return first
        return {"messages": [p.model_dump(mode="json") for p in self.previews],
                "recipient_count": self.recipients, "credits": self.credits}


def prepare(tool: str, arguments: dict[str, Any], settings: Settings) -> PreparedCall:
    arguments = copy.deepcopy(arguments)
    if tool == "send_sms":
        return _prepare_send(arguments, settings)
    if tool in ("add_blacklist", "delete_blacklist"):
        return _prepare_blacklist(arguments)
    if tool in ("iys_register", "iys_check"):
        return _prepare_consent(tool, arguments)
    if tool == "get_reports":
        _check_report_window(arguments)
    return PreparedCall(arguments=arguments)


def _prepare_send(arguments: dict[str, Any], settings: Settings) -> PreparedCall:
    order = arguments["order"]
    problems: list[str] = []
    notes: list[str] = []
    if "sendDateTime" in order:
        try:
            schedule = parse_send_datetime(order["sendDateTime"])
        except ScheduleError as exc:
            problems.append(f"order.sendDateTime: {exc}")
        else:
            if schedule is None:
                order.pop("sendDateTime")
            else:
                order["sendDateTime"] = schedule.value
                notes.extend(schedule.notes)
    if isinstance(order.get("iys"), int) and not isinstance(order.get("iys"), bool):
        order["iys"] = str(order["iys"])  # the API documents strings "0"/"1"
    messages = order["message"] if isinstance(order["message"], list) else [order["message"]]
    previews: list[SmsPreview] = []
    seen: set[str] = set()
    for index, message in enumerate(messages):
        where = "order.message" if len(messages) == 1 else f"order.message[{index}]"
        check = check_recipients([str(n) for n in message["receipents"]["number"]])
        for bad in check.invalid:
            problems.append(f"{where}.receipents.number: {bad.raw!r} refused: {bad.reason}")
        if check.duplicates:
            notes.append(f"Dropped duplicate numbers: {', '.join(check.duplicates)}")
        message["receipents"]["number"] = check.valid
        # Send exactly what was counted: NFC (an NFD 'ş' would force UCS-2) and LF line ends.
        message["text"] = normalise_text(message["text"])
        seen.update(check.valid)
        preview = preview_sms(message["text"], check.valid)
        if preview.over_cap:
            problems.append(f"{where}.text: {preview.parts_optimistic} SMS parts, over the provider's cap of "
                            f"{preview.max_parts} (the API would answer 453). Shorten it"
                            + (" or use the plain-ASCII spelling suggested in the preview."
                               if preview.ascii_suggestion else "."))
        previews.append(preview)
    recipients = sum(p.recipient_count for p in previews)
    credits = sum(p.credits for p in previews)
    if recipients == 0 and not problems:
        problems.append("order.message.receipents.number: no valid recipient left to send to.")
    limit = min(settings.max_recipients, MAX_RECIPIENTS_PER_REQUEST)
    if recipients > limit:
        problems.append(f"{recipients} recipients exceed the cap of {limit} per call "
                        "(ILETIMERKEZI_MAX_RECIPIENTS). Split the list or ask the operator to raise the cap.")
    if credits > settings.max_credits_per_call:
        problems.append(f"This send costs about {credits} credits, over the cap of {settings.max_credits_per_call} "
                        "per call (ILETIMERKEZI_MAX_CREDITS_PER_CALL). Nothing was sent.")
    if str(order.get("sender", "")).strip() == "APITEST":
        notes.append("APITEST sender: free, delivered only to the account's registered test number, "
                      "and the provider replaces the text with a fixed verification message.")
    if problems:
        raise Refusal(_refusal_text("send_sms", problems))
    return PreparedCall(arguments=arguments, previews=previews, recipients=recipients, credits=credits,
                        notes=notes)


def _prepare_blacklist(arguments: dict[str, Any]) -> PreparedCall:
    raw = arguments["blacklist"]["number"]
    try:
        arguments["blacklist"]["number"] = normalise_number(str(raw))
    except InvalidNumber as exc:
        raise Refusal(_refusal_text("blacklist", [f"blacklist.number: {raw!r} refused: {exc.reason}"])) from None
    return PreparedCall(arguments=arguments)


def _prepare_consent(tool: str, arguments: dict[str, Any]) -> PreparedCall:
    consent = arguments["consent"]
    records = consent["list"] if tool == "iys_register" else [consent]
    problems = []
    for index, record in enumerate(records):
        if record.get("type") not in PHONE_CONSENT_TYPES:
            continue
        where = f"consent.list[{index}].recipient" if tool == "iys_register" else "consent.recipient"
        try:
            record["recipient"] = "+" + normalise_number(str(record["recipient"]))
        except InvalidNumber as exc:
            problems.append(f"{where}: {record['recipient']!r} refused: {exc.reason}")
    if problems:
        # İYS batches are atomic on the provider's side too: one bad record refuses them all.
        raise Refusal(_refusal_text(tool, problems))
    return PreparedCall(arguments=arguments)


def _check_report_window(arguments: dict[str, Any]) -> None:
    window = arguments.get("filter", {})
    try:
        start, end = date.fromisoformat(window["start"]), date.fromisoformat(window["end"])
    except (KeyError, TypeError, ValueError):
        return  # the schema check already explained the format
    if end < start:
        raise Refusal(_refusal_text("get_reports", [f"filter.end {end} is before filter.start {start}."]))
    if (end - start).days > 10:
        raise Refusal(_refusal_text("get_reports", [
            f"filter spans {(end - start).days} days; the API allows at most 10 per call (code 458). "
            "Split it into windows like 01-10, 11-20, 21-end."]))


def _refusal_text(tool: str, problems: list[str]) -> str:
    lines = "\n".join(f"- {p}" for p in problems)
    return (f"{tool}: nothing was sent. Fix the following and call again:\n{lines}\n"
            f"Hiçbir şey gönderilmedi. Yukarıdaki sorunları düzeltip tekrar deneyin.")
