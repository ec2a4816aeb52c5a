"""Orders of the fake: per-recipient messages, status over time, report shapes.

Delivery rule (documented for users of the fake): every message sits at 110 until
`send_at + delivery_delay`, then becomes final: 112 (undelivered) when the number ends in
"99" or the order used İYS and the recipient had no ONAY record; otherwise 111 (delivered).
Order status is derived: 115 when cancelled, 113 while any message is 110, else 114.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .codes import MSG_DELIVERED, MSG_QUEUED, MSG_UNDELIVERED, ORDER_DONE, ORDER_FAILED, ORDER_SENDING
from .sms_rules import display_number, stamp


def final_status_for(number: str, iys_blocked: bool = False) -> int:
    """The status a message will end in; see the module docstring for the rule."""
    if iys_blocked or number.endswith("99"):
        return MSG_UNDELIVERED
    return MSG_DELIVERED


@dataclass
class Message:
    number: str  # canonical 905XXXXXXXXX
    text: str  # the text as sent (APITEST replaces it)
    parts: int
    cost: int  # credits charged for this message: parts, or 0 for free APITEST sends
    final: int  # 111 or 112, decided at creation
    refunded: bool = False


@dataclass
class Order:
    id: int
    sender: str
    submit_at: float
    send_at: float  # the schedule, or the submit time for immediate sends
    scheduled: bool
    iys: str
    iys_list: str | None
    messages: list[Message] = field(default_factory=list)
    cancelled: bool = False
    settled: bool = False  # every message final and refunds applied

    # --- state over time ---------------------------------------------------------------

    def is_due(self, now: float) -> bool:
        return now >= self.send_at

    def message_status(self, msg: Message, now: float, delay: float) -> int:
        if self.cancelled:
            return MSG_UNDELIVERED
        return msg.final if now >= self.send_at + delay else MSG_QUEUED

    def status(self, now: float, delay: float) -> int:
        if self.cancelled:
            return ORDER_FAILED
        if any(self.message_status(m, now, delay) == MSG_QUEUED for m in self.messages):
            return ORDER_SENDING
        return ORDER_DONE

    def settle(self, now: float, delay: float) -> int:
        """Refund messages that ended undelivered; return the credits given back."""
        if self.settled or (not self.cancelled and now < self.send_at + delay):
            return 0
        refund = 0
        for msg in self.messages:
            if not msg.refunded and (self.cancelled or msg.final == MSG_UNDELIVERED):
                msg.refunded = True
                refund += msg.cost
        self.settled = True
        return refund

    # --- wire shapes ---------------------------------------------------------------------

    def counters(self, now: float, delay: float) -> dict[str, object]:
        statuses = [self.message_status(m, now, delay) for m in self.messages]
        return {
            "status": self.status(now, delay),
            "total": len(statuses),
            "delivered": statuses.count(MSG_DELIVERED),
            "undelivered": statuses.count(MSG_UNDELIVERED),
            "waiting": statuses.count(MSG_QUEUED),
            "submitAt": stamp(self.submit_at),
            "sendAt": stamp(self.send_at),
            "sender": self.sender,
        }

    def report(self, now: float, delay: float, page: int, rows: int) -> dict[str, object]:
        """The `order` payload of get_report. `price` is in credits (our choice; unit unknown)."""
        body: dict[str, object] = {"id": str(self.id)}
        body.update(self.counters(now, delay))
        body["price"] = sum(m.cost for m in self.messages if not m.refunded)
        window = self.messages[(page - 1) * rows : page * rows]
        body["message"] = [
            {"number": display_number(m.number), "status": self.message_status(m, now, delay)}
            for m in window
        ]
        return body

    def summary(self, now: float, delay: float) -> dict[str, object]:
        """One entry of get_reports `orders[]`; the id is an integer there, as on the live API."""
        body: dict[str, object] = {"id": self.id}
        body.update(self.counters(now, delay))
        return body

    # --- persistence ---------------------------------------------------------------------

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Order:
        data = dict(data)
        data["messages"] = [Message(**m) for m in data.get("messages", [])]
        return cls(**data)


# A fresh sandbox account has a past: 30 finished orders over the last 45 days, some with numbers that
# were not delivered, so a delivery audit or a follow-up has something to find. Deterministic, ids below
# the first new order's; every one finished and settled (undelivered messages refunded).
HISTORY_ORDERS = 30
HISTORY_DAYS = 45
HISTORY_FIRST_ID = 49_000_001
_HISTORY_TEXTS = ("Siparisiniz kargoya verildi. Takip no: {n}", "Siparisiniz hazirlaniyor. Siparis no: {n}",
                  "Randevunuz yarin 10:00'da. Iptal icin 0850 000 00 00")


def seed_history(now: float, sender: str) -> list[Order]:
    orders = []
    for i in range(HISTORY_ORDERS):
        submitted = now - (HISTORY_DAYS - i * HISTORY_DAYS / HISTORY_ORDERS) * 86400 + (i % 8) * 3600
        recipients = 1 + i % 4
        numbers = [f"9053{(i * 7 + k) % 10}{(i * 37 + k * 11) % 1000000:06d}0" for k in range(recipients)]
        if i % 4 == 1:  # the fake's rule: a number ending in 99 is not delivered
            numbers[-1] = numbers[-1][:-2] + "99"
        text = _HISTORY_TEXTS[i % len(_HISTORY_TEXTS)].format(n=10_000 + i)
        messages = [Message(number=n, text=text, parts=1, cost=1,
                            final=MSG_UNDELIVERED if n.endswith("99") else MSG_DELIVERED,
                            refunded=n.endswith("99")) for n in numbers]
        orders.append(Order(id=HISTORY_FIRST_ID + i, sender=sender, submit_at=submitted, send_at=submitted,
                            scheduled=False, iys="0", iys_list=None, messages=messages, settled=True))
    return orders
