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
