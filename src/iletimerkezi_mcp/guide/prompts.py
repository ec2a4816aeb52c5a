"""Prompts for the jobs people do again and again: an order notice, a consent-checked campaign, a
delivery audit, a follow-up on failed numbers.

Each prompt names the tools it uses by their contracts and is offered only while the catalog serves
all of them (read-only mode has no sending prompts); the names in its text are the served ones. No
prompt skips the preview or the person's confirmation: it tells the model to stop for both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import mcp.types as types
from mcp.shared.exceptions import MCPError

from iletimerkezi_mcp.contracts.account import GET_SENDER
from iletimerkezi_mcp.contracts.base import ToolContract
from iletimerkezi_mcp.contracts.consent import IYS_CHECK
from iletimerkezi_mcp.contracts.local import PREVIEW_SMS
from iletimerkezi_mcp.contracts.orders import GET_REPORT, GET_REPORTS, SEND_SMS
from iletimerkezi_mcp.text import visible
from iletimerkezi_mcp.tools import Catalog
from iletimerkezi_mcp.validation import nearest_name

from .uris import ERROR_CODES, IYS_RULES, ORDER_ID, SENDER, SENDING_RULES

MAX_ARGUMENT = 2000  # characters of one argument value taken into a prompt
INVALID_PARAMS = -32602

# Said in every prompt that sends: how the person stays in charge.
_CONFIRM = (
    "Show the person the final text, the recipients (count and a few of them) and the credits, and ask them to "
    "confirm. Send nothing before they say yes. If {send} answers that confirmation is needed, show them the "
    "reason and repeat the identical call with its confirmation_token only if they agree; never change the "
    "payload after they agreed."
)
_LANGUAGE = "Answer in the person's language (Turkish if they write Turkish)."


@dataclass(frozen=True)
class Arg:
    name: str
    description: str
    required: bool = True
    kind: str | None = None  # a guide.uris value kind completions can offer


Render = Callable[[Mapping[str, str], Callable[[ToolContract], str]], str]


@dataclass(frozen=True)
class Prompt:
    name: str
    title: str
    description: str
    arguments: tuple[Arg, ...]
    uses: tuple[ToolContract, ...]
    render: Render


def _order_notice(a: Mapping[str, str], tool: Callable[[ToolContract], str]) -> str:
    news = a.get("status") or "the order's latest status (e.g. shipped, out for delivery, ready for pickup)"
    tracking = f" Include this tracking information: {a['tracking']}." if a.get("tracking") else ""
    return "\n".join([
        f"Send an order notice for order {a['order_number']} from sender {a['sender']} to: {a['numbers']}.",
        f"It is transactional: iys \"0\", no İYS consent needed. Keep it to the order's own news; any promotion "
        f"would make it commercial ({IYS_RULES}).",
        f"1. Call {tool(GET_SENDER)} and check that {a['sender']!r} is listed exactly (case and spaces). If it is "
        "not, stop and show the approved names.",
        f"2. Draft a short, polite Turkish text saying {news}, naming order {a['order_number']}.{tracking} "
        "One SMS part if possible.",
        f"3. Call {tool(PREVIEW_SMS)} with the text and the numbers; report parts, encoding, credits and any number "
        "it rejects. If it offers an ascii_suggestion that saves parts, offer it to the person; never apply it "
        "silently.",
        "4. " + _CONFIRM.format(send=tool(SEND_SMS)),
        f"5. Call {tool(SEND_SMS)} with order.sender, order.iys \"0\", order.message.text and "
        "order.message.receipents.number (spelled that way).",
        f"6. Give the person the order id, and offer to check delivery later with {tool(GET_REPORT)}.",
        f"Rules: {SENDING_RULES}. {_LANGUAGE}",
    ])


def _consent_campaign(a: Mapping[str, str], tool: Callable[[ToolContract], str]) -> str:
    kind = a.get("recipient_type") or "BIREYSEL"
    return "\n".join([
        f"Send a commercial campaign from sender {a['sender']}, İYS brand code {a['brand_code']}, to: {a['numbers']}.",
        f"Message: {a['message']}",
        f"Commercial messages need İYS consent (ONAY) for every recipient ({IYS_RULES}).",
        f"1. Call {tool(GET_SENDER)} and check that {a['sender']!r} is listed exactly.",
        f"2. For each number, call {tool(IYS_CHECK)} with brandCode {a['brand_code']}, recipientType {kind}, "
        "type MESAJ. If there are more than 50 numbers, say how many lookups that is and ask before starting. "
        "Keep only recipients whose record is ONAY; list the others (RET, no record) for the person. An empty "
        "answer is never consent. Do not register consent for anyone: that needs the person's own records.",
        "3. If nobody is left, stop and say so.",
        f"4. Call {tool(PREVIEW_SMS)} with the message and the kept numbers; report parts, encoding and credits.",
        "5. " + _CONFIRM.format(send=tool(SEND_SMS)),
        f"6. Call {tool(SEND_SMS)} with order.iys \"1\" and order.iysList {kind}, the kept numbers only. İYS checks "
        "again at send time and silently drops anyone without consent, so a success does not mean everyone got it.",
        f"7. Give the order id and the counts (sent to, excluded and why). Rules: {SENDING_RULES}. {_LANGUAGE}",
    ])


def _delivery_audit(a: Mapping[str, str], tool: Callable[[ToolContract], str]) -> str:
    return "\n".join([
        f"Audit SMS delivery from {a['start']} to {a['end']} (YYYY-MM-DD, both days included). Read only: send, "
        "cancel or change nothing.",
        f"1. Call {tool(GET_REPORTS)} once with filter.start {a['start']} and filter.end {a['end']} and no page: for "
        "a range over 10 days the server reads every 10-day window and page itself and adds totals. If its "
        "result says the lookup stopped early, say which days were covered.",
        "2. Summarise: orders; messages in total, delivered, not delivered, still waiting; the delivery rate "
        "(delivered / (delivered + not delivered)). Order status 114 means every message reached a final state, "
        "not that all were delivered.",
        "3. List the orders with undelivered messages, worst first: id, date, sender, not delivered of total.",
        f"4. For the three worst, call {tool(GET_REPORT)} with the order id and show which numbers failed "
        "(status 112) and which still wait (110).",
        "5. End with what the person could do next (e.g. follow up the failed numbers), without doing it.",
        f"Status codes: {ERROR_CODES}. {_LANGUAGE}",
    ])


def _failed_followup(a: Mapping[str, str], tool: Callable[[ToolContract], str]) -> str:
    text = (f"this new text: {a['message']}" if a.get("message")
            else "the original text, unless the person gives a new one")
    return "\n".join([
        f"Follow up the numbers that did not receive order {a['order_id']}.",
        f"1. Call {tool(GET_REPORT)} with order.id {a['order_id']}; if its page info shows more pages, read them "
        "with order.page. Collect the numbers with status 112 (not delivered). Status 110 still waits: leave "
        "those alone. If nothing failed, say so and stop.",
        "2. Show the person the failed numbers and ask whether to send again. Nothing is resent automatically.",
        f"3. If they want to, prepare {text}. The same text to the same numbers within 10 minutes is refused "
        "(451). Keep the original order's kind: a commercial message stays iys \"1\" with its iysList.",
        f"4. Call {tool(PREVIEW_SMS)} with the text and the failed numbers; report parts and credits.",
        "5. " + _CONFIRM.format(send=tool(SEND_SMS)),
        f"6. Call {tool(SEND_SMS)} to the failed numbers only, and give the new order id.",
        f"Rules: {SENDING_RULES}; codes: {ERROR_CODES}. {_LANGUAGE}",
    ])


_SENDER_ARG = Arg("sender", "Approved sender name (başlık), exactly as listed.", kind=SENDER)
_NUMBERS_ARG = Arg("numbers", "Turkish mobile numbers, separated by commas or spaces.")

PROMPTS: tuple[Prompt, ...] = (
    Prompt("order_notice", "Order or shipping notice",
           "A transactional notice about one order to its customer(s): checks the sender, previews the cost and "
           "asks the person before sending.",
           (_SENDER_ARG, _NUMBERS_ARG, Arg("order_number", "The shop's order number, shown in the text."),
            Arg("status", "What happened, e.g. 'kargoya verildi' (shipped).", required=False),
            Arg("tracking", "Carrier and tracking number or link.", required=False)),
           (GET_SENDER, PREVIEW_SMS, SEND_SMS, GET_REPORT), _order_notice),
    Prompt("consent_campaign", "Consent-checked campaign",
           "A commercial SMS sent only to recipients with İYS consent: checks each one, previews, asks the person.",
           (_SENDER_ARG, Arg("brand_code", "The account's İYS brand code."), _NUMBERS_ARG,
            Arg("message", "The campaign text."),
            Arg("recipient_type", "BIREYSEL (individuals, default) or TACIR (merchants).", required=False)),
           (GET_SENDER, IYS_CHECK, PREVIEW_SMS, SEND_SMS), _consent_campaign),
    Prompt("delivery_audit", "Delivery audit",
           "What was sent in a date range and what was delivered, with the failing orders; reads only.",
           (Arg("start", "First day, YYYY-MM-DD."), Arg("end", "Last day, YYYY-MM-DD (any length of range).")),
           (GET_REPORTS, GET_REPORT), _delivery_audit),
    Prompt("failed_followup", "Follow up failed numbers",
           "Finds the numbers an order did not reach and, only if the person agrees, sends to them again.",
           (Arg("order_id", "The order id a send returned.", kind=ORDER_ID),
            Arg("message", "A new text; else the original is reused.", required=False)),
           (GET_REPORT, PREVIEW_SMS, SEND_SMS), _failed_followup),
)


def served_name(catalog: Catalog, contract: ToolContract) -> str | None:
    """The name `contract`'s tool is served under (a manifest may rename a tool on the same path)."""
    for name, spec in catalog.specs.items():
        if spec.contract is contract or (contract.path is not None and spec.contract.path == contract.path):
            return name
    return None


def offered(catalog: Catalog) -> list[Prompt]:
    return [p for p in PROMPTS if all(served_name(catalog, c) is not None for c in p.uses)]


def listed(catalog: Catalog) -> list[types.Prompt]:
    return [types.Prompt(name=p.name, title=p.title, description=p.description,
                         arguments=[types.PromptArgument(name=a.name, description=a.description, required=a.required)
                                    for a in p.arguments])
            for p in offered(catalog)]


def find(catalog: Catalog, name: str) -> Prompt:
    prompt = next((p for p in offered(catalog) if p.name == name), None)
    if prompt is None:
        names = [p.name for p in offered(catalog)]
        near = nearest_name(name[:100], names, 0.6)
        hint = f" Did you mean {near!r}?" if near else ""
        raise MCPError(INVALID_PARAMS, f"Unknown prompt {name[:100]!r}.{hint} Prompts: "
                                       f"{', '.join(names) or 'none in this mode'}.")
    return prompt


def render(catalog: Catalog, name: str, arguments: Mapping[str, str] | None) -> types.GetPromptResult:
    prompt = find(catalog, name)
    given = {k: v for k, v in (arguments or {}).items() if isinstance(v, str)}
    known = {a.name for a in prompt.arguments}
    unknown = sorted(set(given) - known)
    missing = [a.name for a in prompt.arguments if a.required and not given.get(a.name, "").strip()]
    if unknown or missing:
        problems = [_unknown(key[:100], known) for key in unknown]
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        raise MCPError(INVALID_PARAMS, f"{name}: {'; '.join(problems)}. Arguments: "
                                       + ", ".join(f"{a.name}{'' if a.required else ' (optional)'}"
                                                   for a in prompt.arguments) + ".")
    # The person's own words, but bounded and with nothing hidden that could steer the model unseen.
    values = {k: visible(" ".join(v.split()))[:MAX_ARGUMENT] for k, v in given.items()}

    def tool(contract: ToolContract) -> str:
        return served_name(catalog, contract) or contract.name

    text = prompt.render(values, tool)
    return types.GetPromptResult(description=prompt.title, messages=[
        types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))])


def _unknown(key: str, known: set[str]) -> str:
    near = nearest_name(key, sorted(known), 0.6)
    return f"unknown argument {key!r}" + (f" (did you mean {near!r}?)" if near else "")


__all__ = ["PROMPTS", "Arg", "Prompt", "listed", "offered", "render", "served_name"]
