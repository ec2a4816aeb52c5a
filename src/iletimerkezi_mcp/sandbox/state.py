"""In-memory state and business rules of the fake iletiMerkezi account. No HTTP here.

`SandboxState.handle(path, request)` runs one endpoint on the inner `request` object and
returns the payload that sits next to `status`, or raises `ApiError(code)`. Everything runs
under one lock; with `state_file` the state is saved atomically after every change.

Decisions where the real API is unknown:
* Credits: parts × recipients are charged when an order is accepted, scheduled orders too.
  Messages that end undelivered (112) are refunded when they become final; a cancelled order
  is refunded in full. APITEST sends are free. `balance.amount` is credits × 0.25 TRY.
* get_reports: `end − start` may be at most 10 days (11 calendar days) and `end < start` is 458;
  orders are filtered on their `submitAt` date (Turkey time), newest first, 30 per page.
* A cancelled order stays visible to get_report with order status 115 and every message 112.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from .codes import ApiError
from .iys import IysStore
from .orders import Message, Order, final_status_for
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
    # PLACEHOLDER FIELD NAMES: the real inbox response was never seen (§2.12). `id`, `date`,
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
        self.orders: dict[int, Order] = {}
        self.next_order_id = FIRST_ORDER_ID
        self.blacklist: dict[str, float] = {SEED_BLACKLISTED: now - 7200}
        self.iys = IysStore()
        self.inbox = _seed_inbox(now)
        self.recent_sends: list[tuple[str, float]] = []  # (fingerprint, submit time)
        if self.state_file and self.state_file.exists():
            self._load(self.state_file)
        elif self.state_file:
            self.save()  # fail fast on an unwritable path, and show the user the file at once

    # --- entry point -----------------------------------------------------------------------

    def handle(self, path: str, request: dict[str, Any]) -> dict[str, Any]:
        """Authenticate and run the endpoint at `path`; return its payload or raise ApiError."""
        name = ENDPOINTS.get(path)
        if name is None:
            raise ApiError(404, f"unknown path {path}")
        with self._lock:
            self.authenticate(request.get("authentication"))
            now = self.clock()
            changed = self._advance(now)
            try:
                payload, mutated = getattr(self, "_" + name)(request, now)
                changed = changed or mutated
                return payload
            finally:
                if changed:
                    self.save()

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
            blacklist=self.blacklist,
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
                # With iys "1" the platform silently drops recipients without consent (§2.1);
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
        with self._lock:
            return self.orders.get(int(order_id))

    def settle_now(self) -> None:
        """Apply due deliveries and refunds immediately (reads do this too)."""
        with self._lock:
            if self._advance(self.clock()):
                self.save()

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

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != _STATE_VERSION:
                raise ValueError(f"unsupported version {data.get('version')!r}")
            self.credits = int(data["credits"])
            self.senders = list(data["senders"])
            self.test_number = data["test_number"]
            self.next_order_id = int(data["next_order_id"])
            for name, value in data.get("switches", {}).items():
                if hasattr(self, name):
                    setattr(self, name, bool(value))
            self.orders = {int(o["id"]): Order.from_json(o) for o in data["orders"]}
            self.blacklist = {str(k): float(v) for k, v in data["blacklist"].items()}
            self.iys = IysStore.from_json(data["iys"])
            self.inbox = list(data["inbox"])
            self.recent_sends = [(str(d), float(t)) for d, t in data.get("recent_sends", [])]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"sandbox state file {path} is unreadable: {exc}") from exc
        logger.info("sandbox: loaded state from %s", path)

    def save(self) -> None:
        """Write the state file atomically (temp file in the same folder, then os.replace)."""
        if self.state_file is None:
            return
        with self._lock:
            text = json.dumps(self.to_json(), ensure_ascii=False, indent=2)
            folder = self.state_file.parent
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".sandbox-", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.state_file)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise


__all__ = ["ENDPOINTS", "SANDBOX_API_HASH", "SANDBOX_API_KEY", "SandboxState"]
