"""In-memory state and business rules of the fake iletiMerkezi account. No HTTP here.

`SandboxState.handle(path, request)` runs one endpoint on the inner `request` object and
returns the payload that sits next to `status`, or raises `ApiError(code)`. Everything runs
under one lock; with `state_file` the state is saved atomically after every change.

Persistence: several processes may share one state file (two servers in --sandbox, a CLI
`call` beside a server). Each call takes an exclusive lock on `<state_file>.lock`, re-reads
the file if another process changed it, runs, saves and releases, so no order is lost and no
order id is given twice. A state file that cannot be used (garbage, wrong shape, a directory,
a FIFO, huge, unreadable) never stops the sandbox: it is renamed to `<name>.corrupt-<time>`,
a fresh account starts, and `reset_note` says so in one sentence.

Decisions where the real API is unknown:
* Credits: parts × recipients are charged when an order is accepted, scheduled orders too.
  Messages that end undelivered (112) are refunded when they become final; a cancelled order
  is refunded in full. APITEST sends are free. `balance.amount` is credits × 0.25 TRY.
* get_reports: `end − start` may be at most 10 days (11 calendar days) and `end < start` is 458;
  orders are filtered on their `submitAt` date (Turkey time), newest first, 30 per page.
* A cancelled order stays visible to get_report with order status 115 and every message 112.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from iletimerkezi_mcp.localfiles import LocalFileError, exclusive_lock, load_json, replace_file

from .codes import ApiError
from .iys import IysStore
from .orders import Message, Order, final_status_for, seed_history
from .sending import plan_send
from .sms_rules import display_number, normalise_number, paging, parse_stamp, stamp, tr_now

logger = logging.getLogger(__name__)

SANDBOX_API_KEY = "sandbox-key"  # obviously fake test credentials
SANDBOX_API_HASH = "sandbox-hash"
SANDBOX_TEST_NUMBER = "905000000000"  # the account's registered APITEST number
SANDBOX_SENDERS = ("APITEST", "SANDBOX", "ORNEKMAGAZA")
SANDBOX_START_CREDITS = 1000
TRY_PER_CREDIT = 0.25
DUPLICATE_WINDOW = 600.0  # seconds: same sender + text + numbers → 451
REPORTS_PAGE_SIZE = 30
FIRST_ORDER_ID = 50_000_001
# The panel blacklists numbers that send "RET"; the seeded inbox has one such message.
SEED_BLACKLISTED = "905321234599"
_STATE_VERSION = 1
STATE_LIMIT = 32 * 1024 * 1024  # months of heavy use stay far below; anything bigger is not ours
_SWITCHES = ("api_access_enabled", "ip_allowed", "iys_subscription_active", "iys_code_configured")

# Real wire paths → handler method names.
ENDPOINTS: dict[str, str] = {
    "/v1/send-sms/json": "send_sms",
    "/v1/cancel-order/json": "cancel_order",
    "/v1/get-report/json": "get_report",
    "/v1/get-reports/json": "get_reports",
    "/v1/get-balance/json": "get_balance",
    "/v1/get-sender/json": "get_sender",
    "/v1/get-blacklist/json": "get_blacklist",
    "/v1/add-blacklist/json": "add_blacklist",
    "/v1/delete-blacklist/json": "delete_blacklist",
    "/v1/consent/create/json": "iys_register",
    "/v1/consent/show/json": "iys_check",
    "/v1/get-inbox/json": "get_inbox",
}


def _seed_inbox(now: float) -> list[dict[str, object]]:
    # PLACEHOLDER FIELD NAMES: the real inbox response was never seen. `id`, `date`,
    # `sender`, `text` and `receiver` are invented for the fake; only `totalRows` is known.
    return [
        {"id": 1, "date": stamp(now - 7200), "sender": display_number(SEED_BLACKLISTED),
         "text": "RET", "receiver": "908501234567"},
        {"id": 2, "date": stamp(now - 3600), "sender": "+905301112233",
         "text": "Tesekkurler, siparisimi aldim.", "receiver": "908501234567"},
        {"id": 3, "date": stamp(now - 600), "sender": "+905421112233",
         "text": "KATIL", "receiver": "4444"},
    ]


def _order_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ApiError(455, "order.id missing")
    text = str(value).strip()
    if not text.isdigit():
        raise ApiError(455, f"order.id {value!r}")
    return int(text)


def _day(value: object) -> date:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ApiError(458, f"bad date {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(458, f"bad date {value!r}") from None


def _block(request: dict, name: str, *, required: bool = True) -> dict:
    block = request.get(name)
    if block is None and not required:
        return {}
    if not isinstance(block, dict):
        raise ApiError(400, f"request.{name} must be an object")
    return block


class SandboxState:
    """One fake account: senders, balance, orders, blacklist, İYS records and an inbox."""

    def __init__(
        self,
        *,
        delivery_delay: float = 3.0,
        state_file: str | os.PathLike[str] | None = None,
        credits: int = SANDBOX_START_CREDITS,
        clock: Callable[[], float] = time.time,
        history: bool = False,  # seed a past of finished orders (the MCP server's --sandbox does)
    ) -> None:
        self._lock = threading.RLock()
        self.delivery_delay = float(delivery_delay)
        self.state_file = Path(state_file) if state_file else None
        self.clock = clock
        self.api_key, self.api_hash = SANDBOX_API_KEY, SANDBOX_API_HASH
        # Account switches. All three auth failures answer the same 401, as the real service does.
        self.api_access_enabled = True  # panel toggle "API kullanımına izin ver"
        self.ip_allowed = True  # caller IP on the account's allowlist
        self.iys_subscription_active = True  # False → 403 on the İYS endpoints
        self.iys_code_configured = True  # False → 470 on send_sms with iys "1"
        now = clock()
        self.credits = credits
        self.senders: list[str] = list(SANDBOX_SENDERS)
        self.test_number = SANDBOX_TEST_NUMBER
        self.orders: dict[int, Order] = {o.id: o for o in seed_history(now, "ORNEKMAGAZA")} if history else {}
        self.next_order_id = FIRST_ORDER_ID
        self.blacklist: dict[str, float] = {SEED_BLACKLISTED: now - 7200}
        self.iys = IysStore()
        self.inbox = _seed_inbox(now)
        self.recent_sends: list[tuple[str, float]] = []  # (fingerprint, submit time)
        # One sentence when the account on disk could not be used and was set aside; else None.
        self.reset_note: str | None = None
        self._seen: tuple[int, int, int] | None = None  # (mtime_ns, size, inode) we last read or wrote
        self._file_locked = False
        if self.state_file is not None:
            with self._lock, self._file_lock():
                if not self._read_file(initial=True):
                    self._write_file()  # show the user the file at once

    # --- entry point -----------------------------------------------------------------------

    def handle(self, path: str, request: dict[str, Any]) -> dict[str, Any]:
        """Authenticate and run the endpoint at `path`; return its payload or raise ApiError."""
        name = ENDPOINTS.get(path)
        if name is None:
            raise ApiError(404, f"unknown path {path}")
        with self._lock, self._file_lock():
            self._reload_if_changed()  # another process may have sent or changed something
            self.authenticate(request.get("authentication"))
            now = self.clock()
            changed = self._advance(now)
            try:
                payload, mutated = getattr(self, "_" + name)(request, now)
                changed = changed or mutated
                return payload
            finally:
                if changed:
                    self._write_file()

    def authenticate(self, auth: object) -> None:
        ok = (
            isinstance(auth, dict)
            and auth.get("key") == self.api_key
            and auth.get("hash") == self.api_hash
        )
        if not (ok and self.api_access_enabled and self.ip_allowed):
            raise ApiError(401, "wrong credentials, API access off, or IP not allowlisted")

    def _advance(self, now: float) -> bool:
        """Finalise due messages and refund undelivered ones; True when anything changed."""
        changed = False
        for order in self.orders.values():
            if not order.settled:
                self.credits += order.settle(now, self.delivery_delay)
                changed = changed or order.settled
        cutoff = now - DUPLICATE_WINDOW
        kept = [(d, t) for d, t in self.recent_sends if t > cutoff]
        changed = changed or len(kept) != len(self.recent_sends)
        self.recent_sends = kept
        return changed

    # --- endpoints: each returns (payload, mutated) ----------------------------------------

    def _send_sms(self, request: dict, now: float) -> tuple[dict, bool]:
        plan = plan_send(
            request.get("order"),
            approved=self.senders,
            blacklist=set(self.blacklist),  # plan_send only asks "is it listed?"
            test_number=self.test_number,
            iys_code_configured=self.iys_code_configured,
            now=now,
        )
        if plan.credits > self.credits:
            raise ApiError(402, f"needs {plan.credits} credits, has {self.credits}")
        if any(digest == plan.fingerprint for digest, _ in self.recent_sends):
            raise ApiError(451, "same sender, text and numbers within 10 minutes")
        order = Order(
            id=self.next_order_id,
            sender=plan.sender,
            submit_at=now,
            send_at=plan.send_at if plan.send_at is not None else now,
            scheduled=plan.send_at is not None,
            iys=plan.iys,
            iys_list=plan.iys_list,
        )
        for entry in plan.entries:
            for number in entry.numbers:
                # With iys "1" the platform silently drops recipients without consent;
                # the fake shows them as undelivered (112) and refunds them.
                blocked = plan.iys == "1" and not self.iys.has_sms_consent(
                    number, plan.iys_list or ""
                )
                cost = 0 if plan.free else entry.parts
                final = final_status_for(number, iys_blocked=blocked)
                order.messages.append(Message(number, entry.text, entry.parts, cost, final))
        self.orders[order.id] = order
        self.next_order_id += 1
        self.credits -= plan.credits
        self.recent_sends.append((plan.fingerprint, now))
        return {"order": {"id": str(order.id)}}, True

    def _cancel_order(self, request: dict, now: float) -> tuple[dict, bool]:
        order = self.orders.get(_order_id(_block(request, "order").get("id")))
        if order is None or not order.scheduled or order.cancelled or order.is_due(now):
            raise ApiError(455, "unknown, immediate, already cancelled or already due")
        order.cancelled = True
        self.credits += order.settle(now, self.delivery_delay)
        return {}, True

    def _get_report(self, request: dict, now: float) -> tuple[dict, bool]:
        block = _block(request, "order")
        order = self.orders.get(_order_id(block.get("id")))
        if order is None:
            raise ApiError(455, "unknown order")
        page, rows = paging(block)
        if not order.cancelled and not order.is_due(now):
            raise ApiError(456, "scheduled and not yet due")
        return {"order": order.report(now, self.delivery_delay, page, rows)}, False

    def _get_reports(self, request: dict, now: float) -> tuple[dict, bool]:
        block = _block(request, "filter")
        start, end = _day(block.get("start")), _day(block.get("end"))
        if end < start or (end - start).days > 10:
            raise ApiError(458, f"range {start}..{end}")
        page, _ = paging(block)
        matching = sorted(
            (o for o in self.orders.values() if start <= tr_now(o.submit_at).date() <= end),
            key=lambda o: (o.submit_at, o.id),
            reverse=True,
        )
        window = matching[(page - 1) * REPORTS_PAGE_SIZE : page * REPORTS_PAGE_SIZE]
        orders = [o.summary(now, self.delivery_delay) for o in window]
        return {"count": len(matching), "orders": orders}, False

    def _get_balance(self, request: dict, now: float) -> tuple[dict, bool]:
        return {"balance": {"amount": round(self.credits * TRY_PER_CREDIT, 2), "sms": self.credits}}, False

    def _get_sender(self, request: dict, now: float) -> tuple[dict, bool]:
        return {"senders": {"sender": list(self.senders)}}, False

    def _get_blacklist(self, request: dict, now: float) -> tuple[dict, bool]:
        # Top-level page/rowCount/filter are ignored silently, as on the real API.
        block = _block(request, "blacklist", required=False)
        page, rows = paging(block)
        low, high = float("-inf"), float("inf")
        filt = block.get("filter")
        if filt is not None:
            if not isinstance(filt, dict):
                raise ApiError(400, "blacklist.filter must be an object")
            for key in ("start", "end"):
                if filt.get(key) is not None:
                    when = parse_stamp(filt[key])
                    if when is None:
                        raise ApiError(400, f"bad blacklist.filter.{key}")
                    low, high = (when, high) if key == "start" else (low, when)
        listed = sorted(self.blacklist.items(), key=lambda item: (item[1], item[0]))
        numbers = [display_number(n) for n, added in listed if low <= added <= high]
        window = numbers[(page - 1) * rows : page * rows]
        return {"blacklist": {"count": len(numbers), "number": window}}, False

    def _blacklist_number(self, request: dict) -> str:
        number = normalise_number(_block(request, "blacklist").get("number"))
        if number is None:
            raise ApiError(466, "not a Turkish mobile number")
        return number

    def _add_blacklist(self, request: dict, now: float) -> tuple[dict, bool]:
        number = self._blacklist_number(request)
        if number in self.blacklist:
            return {}, False  # idempotent: the original date is kept
        self.blacklist[number] = now
        return {}, True

    def _delete_blacklist(self, request: dict, now: float) -> tuple[dict, bool]:
        number = self._blacklist_number(request)
        if number not in self.blacklist:
            raise ApiError(474, "number is not on the blacklist")
        del self.blacklist[number]
        return {}, True

    def _iys_register(self, request: dict, now: float) -> tuple[dict, bool]:
        if not self.iys_subscription_active:
            raise ApiError(403, "no active İYS subscription")
        self.iys.register(request.get("consent"), now)
        return {}, True

    def _iys_check(self, request: dict, now: float) -> tuple[dict, bool]:
        if not self.iys_subscription_active:
            raise ApiError(403, "no active İYS subscription")
        return {"consent": self.iys.check(request.get("consent"))}, False

    def _get_inbox(self, request: dict, now: float) -> tuple[dict, bool]:
        # PLACEHOLDER SHAPE: only `totalRows` (a string) is known about the real response.
        return {"totalRows": str(len(self.inbox)), "messages": [dict(m) for m in self.inbox]}, False

    # --- helpers for tests and the CLI -----------------------------------------------------

    def order(self, order_id: int | str) -> Order | None:
        with self._lock, self._file_lock():
            self._reload_if_changed()
            return self.orders.get(int(order_id))

    def settle_now(self) -> None:
        """Apply due deliveries and refunds immediately (reads do this too)."""
        with self._lock, self._file_lock():
            self._reload_if_changed()
            if self._advance(self.clock()):
                self._write_file()

    # --- persistence -----------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "version": _STATE_VERSION,
                "credits": self.credits,
                "senders": list(self.senders),
                "test_number": self.test_number,
                "next_order_id": self.next_order_id,
                "switches": {
                    "api_access_enabled": self.api_access_enabled,
                    "ip_allowed": self.ip_allowed,
                    "iys_subscription_active": self.iys_subscription_active,
                    "iys_code_configured": self.iys_code_configured,
                },
                "orders": [o.to_json() for o in self.orders.values()],
                "blacklist": dict(self.blacklist),
                "iys": self.iys.to_json(),
                "inbox": list(self.inbox),
                "recent_sends": [list(item) for item in self.recent_sends],
            }

    def save(self) -> None:
        """Write the state file atomically; a failure is a warning and the state stays in memory."""
        if self.state_file is None:
            return
        with self._lock, self._file_lock():
            self._write_file()

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        """The inter-process lock on `<state_file>.lock`; re-entrant, always taken inside `_lock`."""
        if self.state_file is None or self._file_locked:
            yield
            return
        with exclusive_lock(self.state_file.with_name(self.state_file.name + ".lock")):
            self._file_locked = True
            try:
                yield
            finally:
                self._file_locked = False

    def _signature(self) -> tuple[int, int, int] | None:
        if self.state_file is None:
            return None
        try:
            info = os.stat(self.state_file)
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size, info.st_ino

    def _reload_if_changed(self) -> None:
        signature = self._signature()
        # Gone (deleted by hand): keep what we hold; the next save writes it back.
        if signature is not None and signature != self._seen:
            self._read_file(initial=False)

    def _read_file(self, *, initial: bool) -> bool:
        """Load the state file into this object. False when there is none; never raises."""
        path = self.state_file
        assert path is not None
        fields, problem = _read_state(path)
        if fields is None and problem is None:
            return False
        if fields is not None:
            for name, value in fields.items():
                setattr(self, name, value)
            self._seen = self._signature()
            logger.info("sandbox: loaded state from %s", path)
            return True
        assert problem is not None
        self._set_aside(path, problem, initial=initial)
        return True

    def _set_aside(self, path: Path, problem: str, *, initial: bool) -> None:
        """Keep an unusable state file under another name (nothing is lost) and save ours in its place."""
        kept = "a fresh sandbox account was started" if initial else "this process's copy of the account was saved"
        aside = _free_name(path, time.strftime("%Y%m%d-%H%M%S", time.gmtime(self.clock())))
        try:
            mode = os.lstat(path).st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
                # Never rename someone's directory (or pipe, device): leave it and touch nothing.
                raise OSError("it is not a regular file")
            os.rename(path, aside)
        except OSError as exc:
            self.reset_note = (f"The sandbox account file {path} {problem} and was left as it is "
                               f"({exc.strerror or exc}); "
                               f"{'a fresh sandbox account runs' if initial else 'the sandbox account runs'} "
                               "in memory only, so nothing is saved.")
            self.state_file = None
        else:
            self.reset_note = (f"The sandbox account file {path} {problem}; it was kept as {aside.name} "
                               f"and {kept}.")
            self._write_file()
        logger.warning("%s", self.reset_note)

    def _write_file(self) -> None:
        if self.state_file is None:
            return
        data = json.dumps(self.to_json(), ensure_ascii=False, indent=2).encode("utf-8")
        try:
            replace_file(self.state_file, data)
        except OSError as exc:
            logger.warning("cannot write the sandbox account file %s (%s); the change is kept in memory only",
                           self.state_file, exc.strerror or exc)
            return
        self._seen = self._signature()


def check_state_file(path: Path) -> str | None:
    """Why the state file at `path` cannot be used (reads as "<path> <problem>"), or None; changes nothing."""
    return _read_state(path)[1]


def _read_state(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(attributes, None) when usable, (None, None) when absent, (None, problem) otherwise."""
    try:
        data = load_json(path, limit=STATE_LIMIT)
        return (None if data is None else _parse_state(data)), None
    except LocalFileError as exc:
        return None, str(exc)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError) as exc:
        return None, f"is not a sandbox account ({str(exc)[:200]})"


def _free_name(path: Path, stamp: str) -> Path:
    candidate = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while os.path.lexists(candidate):
        candidate = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    return candidate


# --- reading a state file: every field checked, so a bad one fails here and not in a later call ---

def _need(value: object, kind: type | tuple[type, ...], where: str) -> Any:
    if value is None:
        raise ValueError(f"{where} is missing")
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise ValueError(f"{where} has the wrong type")
    if not isinstance(value, kind):
        raise ValueError(f"{where} has the wrong type")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where} is not a finite number")
    return value


def _number(value: object, where: str) -> float:
    return float(_need(value, (int, float), where))


def _str_list(value: object, where: str) -> list[str]:
    return [_need(item, str, where) for item in _need(value, list, where)]


def _parse_message(raw: object) -> Message:
    m = _need(raw, dict, "a message")
    return Message(
        number=_need(m.get("number"), str, "message.number"),
        text=_need(m.get("text"), str, "message.text"),
        parts=_need(m.get("parts"), int, "message.parts"),
        cost=_need(m.get("cost"), int, "message.cost"),
        final=_need(m.get("final"), int, "message.final"),
        refunded=_need(m.get("refunded", False), bool, "message.refunded"),
    )


def _parse_order(raw: object) -> Order:
    o = _need(raw, dict, "an order")
    iys_list = o.get("iys_list")
    return Order(
        id=_need(o.get("id"), int, "order.id"),
        sender=_need(o.get("sender"), str, "order.sender"),
        submit_at=_number(o.get("submit_at"), "order.submit_at"),
        send_at=_number(o.get("send_at"), "order.send_at"),
        scheduled=_need(o.get("scheduled"), bool, "order.scheduled"),
        iys=_need(o.get("iys"), str, "order.iys"),
        iys_list=None if iys_list is None else _need(iys_list, str, "order.iys_list"),
        messages=[_parse_message(m) for m in _need(o.get("messages", []), list, "order.messages")],
        cancelled=_need(o.get("cancelled", False), bool, "order.cancelled"),
        settled=_need(o.get("settled", False), bool, "order.settled"),
    )


def _parse_iys(raw: object) -> IysStore:
    block = _need(raw, dict, "iys")
    brands = [str(_need(b, (str, int), "iys.brand_codes")) for b in _need(block.get("brand_codes", []), list,
                                                                          "iys.brand_codes")]
    records = _need(block.get("records", []), list, "iys.records")
    for record in records:
        _need(record, dict, "an iys record")
        _need(record.get("brandCode"), (str, int), "iys record brandCode")
        for name in ("recipient", "recipientType", "type", "status", "consentDate"):
            _need(record.get(name), str, f"iys record {name}")
    return IysStore.from_json({"brand_codes": brands, "records": records})


def _parse_state(data: object) -> dict[str, Any]:
    """The attributes a state file sets, or ValueError naming the first bad field."""
    state: dict[str, Any] = _need(data, dict, "the file")
    if state.get("version") != _STATE_VERSION:
        raise ValueError(f"unsupported version {str(state.get('version'))[:20]!r}")
    orders = {}
    for raw in _need(state.get("orders"), list, "orders"):
        order = _parse_order(raw)
        orders[order.id] = order
    blacklist = {_need(k, str, "blacklist"): _number(v, "blacklist")
                 for k, v in _need(state.get("blacklist"), dict, "blacklist").items()}
    recent = []
    for item in _need(state.get("recent_sends", []), list, "recent_sends"):
        pair = _need(item, list, "recent_sends")
        if len(pair) != 2:
            raise ValueError("recent_sends has an entry that is not a pair")
        digest, when = pair
        recent.append((_need(digest, str, "recent_sends"), _number(when, "recent_sends")))
    switches = _need(state.get("switches", {}), dict, "switches")
    fields: dict[str, Any] = {
        "credits": _need(state.get("credits"), int, "credits"),
        "senders": _str_list(state.get("senders"), "senders"),
        "test_number": _need(state.get("test_number"), str, "test_number"),
        # Never below an existing id: a hand-edited file must not make ids repeat.
        "next_order_id": max([_need(state.get("next_order_id"), int, "next_order_id"), *(i + 1 for i in orders)]),
        "orders": orders,
        "blacklist": blacklist,
        "iys": _parse_iys(state.get("iys")),
        "inbox": [_need(m, dict, "inbox") for m in _need(state.get("inbox"), list, "inbox")],
        "recent_sends": recent,
    }
    for name in _SWITCHES:
        if name in switches:
            fields[name] = _need(switches[name], bool, f"switches.{name}")
    return fields


__all__ = ["ENDPOINTS", "SANDBOX_API_HASH", "SANDBOX_API_KEY", "SandboxState", "check_state_file"]
