"""Orders: send_sms, cancel_order, get_report, get_reports.

Provider docs: https://www.iletimerkezi.com/en/docs/api/send-sms, …/cancel-order, …/get-report,
…/get-reports.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from iletimerkezi_mcp.errors import Meaning, WriteRisk
from iletimerkezi_mcp.guide.uris import ORDER, ORDER_ID, SENDING_RULES
from iletimerkezi_mcp.results.coerce import ShapeContext, dig, to_int, to_phone, to_text
from iletimerkezi_mcp.results.labels import with_status_text
from iletimerkezi_mcp.results.paging import as_list, cap_list, paging_info
from iletimerkezi_mcp.results.schemas import LIST_STATS, arr, obj, page_info, prop
from iletimerkezi_mcp.rules.reports import MAX_RANGE_DAYS, MAX_REPORT_SPAN_DAYS, check_report_range, split_range
from iletimerkezi_mcp.safety import PreparedCall, Refusal, Sweep
from iletimerkezi_mcp.settings import Settings
from iletimerkezi_mcp.sms import (
    API_MAX_PARTS,
    EXAMPLES,
    ISTANBUL,
    MAX_RECIPIENTS_PER_REQUEST,
    SUFFIX,
    RecipientCheck,
    ScheduleError,
    SmsPreview,
    check_recipients,
    normalise_text,
    parse_send_datetime,
    preview_sms,
)
from iletimerkezi_mcp.sms.sender import check_sender

from .base import CONFIRM_HOW, NEVER_RETRIED, Feed, ToolContract, always, plural, reader

REPORTS_PAGE_SIZE = 30  # get_reports page size; only the SDKs show it
MAX_SWEEP_REQUESTS = 100  # requests one get_reports call may make for a long range (3,000 orders at 30 a page)
_WORST_SHOWN = 20
_SWEEP = "_sweep"  # how a merged answer says it was read window by window (never a provider key)
_SHOWN_NUMBERS = 5

# --- send_sms -------------------------------------------------------------------------------


def _prepare_send(arguments: dict[str, Any], settings: Settings) -> PreparedCall:
    # The number lists are replaced below, never edited: the copy shares them (50,000 strings).
    given = arguments["order"]["message"]
    shared = {id(m["receipents"]["number"]): m["receipents"]["number"]
              for m in (given if isinstance(given, list) else [given])}
    arguments = copy.deepcopy(arguments, shared)
    order = arguments["order"]
    problems: list[str] = []
    notes: list[str] = []
    sender_problem = check_sender(str(order.get("sender", "")))
    if sender_problem:
        problems.append(f"order.sender: {sender_problem}")
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
    if order.get("iys") == "1" and not order.get("iysList"):
        problems.append('order.iysList: required when iys is "1" (a commercial message; the API would answer '
                        '469). Set it to "BIREYSEL" (individuals) or "TACIR" (merchants), or use iys "0" '
                        "for a transactional message.")
    messages = order["message"] if isinstance(order["message"], list) else [order["message"]]
    previews: list[SmsPreview] = []
    for index, message in enumerate(messages):
        where = "order.message" if len(messages) == 1 else f"order.message[{index}]"
        check = check_recipients([str(n) for n in message["receipents"]["number"]])
        for bad in check.invalid:
            problems.append(f"{where}.receipents.number: {bad.raw!r} refused: {bad.reason}")
        if check.duplicates:
            shown = ", ".join(check.duplicates[:EXAMPLES])
            more = f" and {len(check.duplicates) - EXAMPLES:,} more" if len(check.duplicates) > EXAMPLES else ""
            notes.append(f"Dropped duplicate numbers: {shown}{more}")
        message["receipents"]["number"] = check.valid
        # Send exactly what was counted: NFC (an NFD 'ş' would force UCS-2) and LF line ends.
        message["text"] = normalise_text(message["text"])
        # Already normalised and de-duplicated: the preview counts them as they are.
        preview = preview_sms(message["text"], RecipientCheck.model_construct(valid=check.valid))
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
                        "per call (ILETIMERKEZI_MAX_CREDITS_PER_CALL).")
    if str(order.get("sender", "")).strip() == "APITEST":
        notes.append("APITEST sender: free, delivered only to the account's registered test number, "
                     "and the provider replaces the text with a fixed verification message.")
    if problems:
        raise Refusal("send_sms", problems)
    parts = {
        "sender": order.get("sender"),
        "send time": order.get("sendDateTime"),
        "İYS options": [order.get("iys"), order.get("iysList") if order.get("iys") == "1" else None],
        "text": [m["text"] for m in messages],
        "recipients": [sorted(m["receipents"]["number"]) for m in messages],
    }
    numbers = list(dict.fromkeys(n for m in messages for n in m["receipents"]["number"]))
    return PreparedCall(arguments=arguments, parts=parts, lines=_send_lines(order, messages, previews),
                        previews=previews, recipients=recipients, credits=credits, notes=notes,
                        numbers=numbers, text="\n---\n".join(m["text"] for m in messages),
                        progress=f"{plural(recipients, 'recipient')} checked ({credits:,} credits); sending the order")


def _send_lines(order: dict[str, Any], messages: list[dict[str, Any]], previews: list[SmsPreview]) -> list[str]:
    lines = [f"Sender: {order.get('sender')}"]
    if order.get("iys") == "1":
        lines.append(f"Commercial message (İYS check on, list {order.get('iysList')})")
    for message, preview in zip(messages, previews, strict=True):
        numbers = message["receipents"]["number"]
        shown = ", ".join(numbers[:_SHOWN_NUMBERS])
        if len(numbers) > _SHOWN_NUMBERS:
            shown += f" and {len(numbers) - _SHOWN_NUMBERS:,} more"
        lines += [f"To: {shown}",
                  f"Parts: {preview.parts} ({preview.encoding}) × {preview.recipient_count:,} = "
                  f"{preview.credits:,} credits",
                  f"Text: {message['text'][:500]}"]
    if order.get("sendDateTime"):
        lines.append(f"Scheduled for {order['sendDateTime']} (Istanbul time)")
    return lines


def _confirm_send(prepared: PreparedCall, settings: Settings) -> str | None:
    if prepared.credits > settings.confirm_above:
        return (f"it costs {prepared.credits:,} credits, above the confirmation threshold of {settings.confirm_above} "
                "(ILETIMERKEZI_CONFIRM_ABOVE)")
    return None


def _shape_send(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    order = payload.pop("order", None)
    if isinstance(order, dict):
        out["order"] = dict(order)
    elif order is not None:
        out["order"] = {"id": order}  # a bare id
    if ok and to_text(dig(out, "order", "id")) is None:
        ctx.notices.append(
            "The provider accepted the order but returned no order id; find it with get_reports for today."
        )


def _sum_send(s: dict, args: dict) -> str:
    oid = dig(s, "order", "id")
    line = f"Order {oid} accepted." if oid else "Order accepted, but no order id came back."
    when = dig(args, "order", "sendDateTime")
    if isinstance(when, str) and when.strip():
        line += f"\nScheduled for {when.strip()} (Turkey time); cancel_order can cancel it until then."
    return line


def _point_at_rules(schema: dict[str, Any]) -> dict[str, Any]:
    """The text's encoding arithmetic lives in the sending-rules resource (and preview_sms counts it);
    the description keeps the limit and the operator code, which decide whether a send is refused."""
    message = schema.get("properties", {}).get("order", {}).get("properties", {}).get("message", {})
    text = message.get("properties", {}).get("text") if isinstance(message, dict) else None
    if not isinstance(text, dict):
        return schema
    schema = copy.deepcopy(schema)
    schema["properties"]["order"]["properties"]["message"]["properties"]["text"]["description"] = (
        f"Message text, not empty, at most {API_MAX_PARTS} SMS parts; the operator code \"{SUFFIX.strip()}\" is "
        f"appended and counts. preview_sms counts parts and credits; rules: {SENDING_RULES}.")
    return schema


def _accept_any_schedule(schema: dict[str, Any]) -> dict[str, Any]:
    """Also take ISO 8601 and times with seconds: prepare() converts them to the API's exact
    dd/MM/yyyy HH:mm (never with seconds) and refuses what it cannot read."""
    relaxed = _point_at_rules(schema)
    field = relaxed.get("properties", {}).get("order", {}).get("properties", {}).get("sendDateTime")
    if not isinstance(field, dict) or "pattern" not in field:
        return relaxed
    relaxed = copy.deepcopy(relaxed)
    field = relaxed["properties"]["order"]["properties"]["sendDateTime"]
    field.pop("pattern")
    # What this server accepts, said once: the provider's warning about seconds no longer applies.
    field["description"] = ("Optional future send time, Istanbul time (UTC+3): dd/MM/yyyy HH:mm, e.g. "
                            "\"15/06/2026 09:05\", or ISO 8601; seconds are dropped. Omit to send now; only a "
                            "scheduled order can be cancelled.")
    return relaxed


SEND_SMS = ToolContract(
    name="send_sms",
    path="/v1/send-sms/json",
    # Spends credit and reaches phones; the API has no idempotency key, so never repeated.
    read_only=False, destructive=True, idempotent=False,
    prepare=_prepare_send,
    covers=(("order", "sender"), ("order", "sendDateTime"), ("order", "iys"), ("order", "iysList"),
            ("order", "message", "text"), ("order", "message", "receipents", "number")),
    confirm=_confirm_send,
    shape=_shape_send,
    summary=_sum_send,
    output={"order": obj("", {"id": prop("string", "For get_report and cancel_order.")})},
    previews=True,
    risk=WriteRisk(
        "The message MAY HAVE BEEN SENT.", "Mesaj GÖNDERİLMİŞ OLABİLİR.",
        "Check with get_reports for today before sending again; an identical resend within 10 minutes would get 451.",
        "Tekrar göndermeden önce get_reports ile bugünü kontrol edin; 10 dakika içinde aynı gönderim 451 alır."),
    note=("Every accepted send reaches real phones and spends credit. "
          f"A send {CONFIRM_HOW} above {{confirm_above}} credits, past the hourly or daily budget, or when it "
          f"repeats a send of the last 24 hours. {NEVER_RETRIED}"),
    adjust_schema=_accept_any_schedule,
)

# --- cancel_order ---------------------------------------------------------------------------


def _prepare_cancel(arguments: dict[str, Any], settings: Settings) -> PreparedCall:
    order_id = to_text(dig(arguments, "order", "id")) or ""
    return PreparedCall(arguments=copy.deepcopy(arguments), parts={"order id": order_id.strip()},
                        lines=[f"Cancel order {order_id}. A cancelled order cannot be restored."])


def _shape_cancel(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    out["order_id"] = dig(args, "order", "id")


def _sum_cancel(s: dict, args: dict) -> str:
    oid = s.get("order_id")
    return f"Order {oid} cancelled." if oid else "Order cancelled."


CANCEL_ORDER = ToolContract(
    name="cancel_order",
    path="/v1/cancel-order/json",
    # Cannot be undone; a second cancel answers 455.
    read_only=False, destructive=True, idempotent=False,
    prepare=_prepare_cancel,
    covers=(("order", "id"),),
    confirm=always("cancelling an order cannot be undone"),
    shape=_shape_cancel,
    summary=_sum_cancel,
    output={"order_id": prop("string", "From the arguments.")},
    risk=WriteRisk(
        "The order MAY HAVE BEEN CANCELLED.", "Sipariş İPTAL EDİLMİŞ OLABİLİR.",
        "Check with get_report: status 115 or code 455 means it was cancelled.",
        "get_report ile kontrol edin: 115 durumu veya 455 kodu iptal edildiği anlamına gelir."),
    meanings={455: Meaning(
        "The order cannot be cancelled: it is already being dispatched, has finished, or the id is unknown on "
        "this account.",
        "Cancellation is no longer possible. See what happened with get_report (status 115 means cancelled or "
        "failed). Only orders scheduled for the future that have not started can be cancelled.",
        "Sipariş iptal edilemiyor: gönderimi başlamış, tamamlanmış ya da bu hesapta böyle bir numara yok.",
        "Artık iptal mümkün değil. Ne olduğunu get_report ile görün (115 durumu iptal veya başarısız demektir). "
        "Yalnızca ileri tarihli ve gönderimi başlamamış siparişler iptal edilebilir.")},
    note=f"Cannot be undone, so every call {CONFIRM_HOW}. {NEVER_RETRIED}",
)

# --- get_report -----------------------------------------------------------------------------

_COUNTERS = {
    "total": prop("integer"),
    "delivered": prop("integer"),
    "undelivered": prop("integer"),
    "waiting": prop("integer"),
    "submitAt": prop("string", "Turkey time."),
    "sendAt": prop("string", "Turkey time."),
    "sender": prop("string"),
}
_ORDER_HEAD = {
    "id": prop("string"),
    "status": prop("integer", "113 sending, 114 finished (not all delivered), 115 failed or cancelled."),
    "status_text": prop("string"),
}


def _shape_report(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    order = payload.pop("order", None)
    if not isinstance(order, dict):
        if order is not None:
            out["order"] = order  # conform drops it with a notice
        return
    order = with_status_text(order)
    out["order"] = order
    messages = as_list(order.get("message"))
    if messages is None:
        return
    shown, stats = cap_list(messages, ctx)
    shaped = []
    for item in shown:
        if isinstance(item, dict):
            item = with_status_text(item)
            if "number" in item:
                item["number"] = to_phone(item["number"])
        shaped.append(item)
    order["message"] = shaped
    out["page"] = paging_info(ctx, stats, page_arg=dig(args, "order", "page"), rows_arg=dig(args, "order", "rowCount"),
                              total=to_int(order.get("total")), block="order", noun="messages")


def _sum_report(s: dict, args: dict) -> str:
    order = s.get("order")
    if not isinstance(order, dict):
        return "The provider's answer held no report."
    oid = order.get("id") or to_text(dig(args, "order", "id")) or "?"
    state = order.get("status_text", "status unknown")
    counts = [order.get(k) for k in ("delivered", "undelivered", "waiting", "total")]
    if all(isinstance(c, int) for c in counts):
        d, u, w, t = counts
        line = f"Order {oid}: {state} — {d:,} delivered, {u:,} not delivered, {w:,} waiting ({t:,} total)."
    else:  # legacy shape without counters: count this page's messages
        msgs = [m for m in order.get("message", []) if isinstance(m, dict)]
        by = {code: sum(1 for m in msgs if m.get("status") == code) for code in (110, 111, 112)}
        line = (f"Order {oid}: {state} — {plural(len(msgs), 'message')} on this page "
                f"({by[111]:,} delivered, {by[112]:,} not delivered, {by[110]:,} queued).")
    page = s.get("page") or {}
    if page.get("truncated"):
        line += f"\nShowing {page['returned']:,} of {page['received']:,} messages on this page."
    return line


GET_REPORT = reader(
    "get_report", "/v1/get-report/json",
    shape=_shape_report,
    summary=_sum_report,
    output={
        "order": obj("", {
            **_ORDER_HEAD, **_COUNTERS,
            "price": prop("number", "Unit not documented."),
            "message": arr("Recipients on this page.", obj("", {
                "number": prop("string"),
                "status": prop("integer", "110 queued, 111 delivered, 112 not delivered."),
                "status_text": prop("string"),
            })),
        }),
        "page": page_info("messages", "order.page and order.rowCount"),
    },
    meanings={455: Meaning(
        "No such order on this account.",
        "Check the order id. If the order was created just now, try again in a few seconds.",
        "Bu hesapta böyle bir sipariş yok.",
        "Sipariş numarasını kontrol edin. Sipariş az önce oluşturulduysa birkaç saniye sonra tekrar deneyin.")},
    feed=Feed(resource=ORDER, arguments=lambda v: {"order": {"id": v["id"]}}),
)

# --- get_reports ----------------------------------------------------------------------------


def _prepare_reports(arguments: dict[str, Any], settings: Settings) -> PreparedCall:
    window = arguments.get("filter") or {}
    problems, span = check_report_range(str(window.get("start", "")), str(window.get("end", "")))
    if span is None:
        raise Refusal("get_reports", problems)
    first, last = span
    if (last - first).days <= MAX_REPORT_SPAN_DAYS:  # one request, exactly as the API takes it
        return PreparedCall(arguments=copy.deepcopy(arguments))
    if "page" in window:
        raise Refusal("get_reports", [
            f"filter.page: the range spans {(last - first).days} days, more than one API window of "
            f"{MAX_REPORT_SPAN_DAYS}; leave page out and this server reads every window and page itself."])
    requests = [{**copy.deepcopy(arguments), "filter": {**window, "start": a.isoformat(), "end": b.isoformat()}}
                for a, b in split_range(first, last)]
    sweep = Sweep(requests=requests, next_page=_next_reports_page, merge=_merge_reports,
                  describe=_describe_window, limit=MAX_SWEEP_REQUESTS)
    return PreparedCall(arguments=copy.deepcopy(arguments), sweep=sweep)


def _describe_window(arguments: dict[str, Any]) -> str:
    window = arguments.get("filter") or {}
    return f"orders {window.get('start')} to {window.get('end')}, page {window.get('page', 1)}"


def _next_reports_page(arguments: dict[str, Any], response: dict[str, Any]) -> dict[str, Any] | None:
    """The next page of the same window while there is one. The page size (30) comes only from the
    SDKs, so a short page also ends the window; the merged answer says if fewer orders came than counted."""
    window = arguments["filter"]
    page = to_int(window.get("page")) or 1
    count = to_int(response.get("count")) or 0
    orders = as_list(response.get("orders")) or []
    if len(orders) < REPORTS_PAGE_SIZE or page * REPORTS_PAGE_SIZE >= count:
        return None
    return {**arguments, "filter": {**window, "page": page + 1}}


def _merge_reports(answers: list[tuple[dict[str, Any], dict[str, Any]]], unsent: list[dict[str, Any]]
                   ) -> dict[str, Any]:
    orders: list[Any] = []
    seen: set[str] = set()
    counts: dict[str, int] = {}  # per window: the provider's count (the same on each of its pages)
    for arguments, response in answers:
        counts[arguments["filter"]["start"]] = to_int(response.get("count")) or 0
        for order in as_list(response.get("orders")) or []:
            key = str(order.get("id")) if isinstance(order, dict) else repr(order)
            if key not in seen:  # windows do not overlap, but a page may repeat an order that moved
                seen.add(key)
                orders.append(order)
    first_window = answers[0][0]["filter"] if answers else {}
    read_until = unsent[0]["filter"]["start"] if unsent else None
    return {
        "status": answers[0][1].get("status") if answers else None,
        "count": sum(counts.values()),
        "orders": orders,
        _SWEEP: {"start": first_window.get("start"), "windows": len(counts), "requests": len(answers),
                 "complete": not unsent, "read_until": read_until},
    }


def _shape_reports(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    count = payload.pop("count", None)
    out["count"] = count
    orders = as_list(payload.pop("orders", None))
    sweep = payload.pop(_SWEEP, None)
    if orders is None:
        return
    if isinstance(sweep, dict):
        _shape_swept(orders, sweep, out, ctx)
        return
    shown, stats = cap_list(orders, ctx)
    page = max(to_int(dig(args, "filter", "page")) or 1, 1)
    out.update(orders=[with_status_text(o) if isinstance(o, dict) else o for o in shown], page=page)
    total = to_int(count)
    if total is not None:
        out["pages"] = max(1, math.ceil(total / REPORTS_PAGE_SIZE))
    out.update(stats)
    if stats["truncated"]:
        ctx.notices.append(
            f"Showing the first {stats['returned']:,} of {stats['received']:,} orders on this page. The page size is "
            "fixed by the API, so narrow filter.start/filter.end to see the rest.")
    if out.get("pages", 0) > page:
        ctx.notices.append(f"This is page {page} of {out['pages']}; pass filter.page={page + 1} for the next one.")


def _shape_swept(orders: list[Any], sweep: dict[str, Any], out: dict, ctx: ShapeContext) -> None:
    """A range read window by window: totals over every order read, the worst orders first."""
    orders = [with_status_text(o) if isinstance(o, dict) else o for o in orders]
    counted = [o for o in orders if isinstance(o, dict)]
    totals = {"orders": len(orders)}
    for key in ("total", "delivered", "undelivered", "waiting"):
        totals[key] = sum(to_int(o.get(key)) or 0 for o in counted)
    failing = sorted((o for o in counted if (to_int(o.get("undelivered")) or 0) > 0),
                     key=lambda o: -(to_int(o.get("undelivered")) or 0))
    shown, stats = cap_list(orders, ctx)
    out.update(orders=shown, totals=totals, with_undelivered=[
        {k: o.get(k) for k in ("id", "submitAt", "sender", "undelivered", "total") if k in o}
        for o in failing[:_WORST_SHOWN]])
    out.update(stats)
    out["windows"], out["requests"], out["complete"] = sweep["windows"], sweep["requests"], sweep["complete"]
    if not sweep["complete"]:
        ctx.notices.append(
            f"Stopped after {sweep['requests']} requests (the limit): days before {sweep['read_until']} were read, "
            f"that day and later were not. Ask again from {sweep['read_until']}.")
    if isinstance(out.get("count"), int) and out["count"] > len(orders) and sweep["complete"]:
        ctx.notices.append(f"The provider counted {out['count']:,} orders but {len(orders):,} came back; "
                           "narrow the range to a single 10-day window and read its pages with filter.page.")
    if stats["truncated"]:
        ctx.notices.append(f"Totals cover all {len(orders):,} orders; the first {stats['returned']:,} are listed "
                           f"and with_undelivered lists the worst {_WORST_SHOWN}.")


def _accept_long_ranges(schema: dict[str, Any]) -> dict[str, Any]:
    """Say what this server does with a range over the API's window: it reads it, window by window."""
    window = schema.get("properties", {}).get("filter")
    if not isinstance(window, dict):
        return schema
    schema = copy.deepcopy(schema)
    window = schema["properties"]["filter"]
    window["description"] = (
        f"Date range, both days included. Up to {MAX_REPORT_SPAN_DAYS} days apart is one API call, paged by page. "
        f"A longer range (at most {MAX_RANGE_DAYS} days) is read here window by window with every page and "
        "comes back with totals and the orders with undelivered messages; leave page out then.")
    end = window.get("properties", {}).get("end")
    if isinstance(end, dict):
        end["description"] = "Last day, YYYY-MM-DD with no time part; not before start."
    return schema


def _recent_window(variables: Mapping[str, str]) -> dict[str, Any]:
    """The latest window one request covers, ending today (Istanbul): where recent order ids are."""
    today = datetime.now(ISTANBUL).date()
    start = today - timedelta(days=MAX_REPORT_SPAN_DAYS)
    return {"filter": {"start": start.isoformat(), "end": today.isoformat()}}


def _order_ids(structured: dict[str, Any]) -> list[str]:
    orders = [o for o in structured.get("orders") or [] if isinstance(o, dict) and o.get("id") is not None]
    return [str(o["id"]) for o in orders]


def _sum_reports(s: dict, args: dict) -> str:
    start, end = dig(args, "filter", "start"), dig(args, "filter", "end")
    span = f" from {start} to {end}" if isinstance(start, str) and isinstance(end, str) else ""
    totals = s.get("totals")
    if isinstance(totals, dict):
        d, u, w = totals["delivered"], totals["undelivered"], totals["waiting"]
        rate = f", {d / (d + u):.1%} of finished delivered" if d + u else ""
        head = (f"{plural(totals['orders'], 'order')}{span} (read in {plural(s.get('windows', 0), 'window')}, "
                f"{plural(s.get('requests', 0), 'request')}): {totals['total']:,} messages, {d:,} delivered, "
                f"{u:,} not delivered, {w:,} waiting{rate}.")
        worst = s.get("with_undelivered") or []
        if worst:
            head += f"\n{plural(len(worst), 'order')} with undelivered messages, worst first: " + ", ".join(
                f"{o.get('id')} ({o.get('undelivered')} of {o.get('total')})" for o in worst[:5]) + "."
        return head
    count = s.get("count")
    if count == 0:
        return f"No orders{span}."
    returned = s.get("returned", 0)
    head = plural(count, "order") if isinstance(count, int) else "Orders"
    where = f"page {s.get('page', 1)} of {s['pages']}, " if "pages" in s else ""
    return f"{head}{span} ({where}showing {returned:,})."


GET_REPORTS = reader(
    "get_reports", "/v1/get-reports/json",
    prepare=_prepare_reports,
    shape=_shape_reports,
    summary=_sum_reports,
    output={
        "count": prop("integer", "Orders in the whole range."),
        "orders": arr("", obj("", {**_ORDER_HEAD, **_COUNTERS})),
        "page": prop("integer"),
        "pages": prop("integer", f"At {REPORTS_PAGE_SIZE} orders per page."),
        **LIST_STATS,
        # A range over one API window, read window by window:
        "totals": obj("Over every order read.", {
            "orders": prop("integer"), "total": prop("integer", "Messages."), "delivered": prop("integer"),
            "undelivered": prop("integer"), "waiting": prop("integer")}),
        "with_undelivered": arr("Orders with undelivered messages, worst first.", obj("", {
            "id": prop("string"), "submitAt": prop("string"), "sender": prop("string"),
            "undelivered": prop("integer"), "total": prop("integer")})),
        "windows": prop("integer", "API windows read."),
        "requests": prop("integer"),
        "complete": prop("boolean", "False: stopped at the request limit; see notice."),
    },
    adjust_schema=_accept_long_ranges,
    feed=Feed(completes=ORDER_ID, arguments=_recent_window, values=_order_ids),
)

CONTRACTS = (SEND_SMS, CANCEL_ORDER, GET_REPORT, GET_REPORTS)
