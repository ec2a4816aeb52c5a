"""Validation of a send_sms `order` block, in a fixed order of checks.

Order of checks (our choice; the real API's order is unknown): shape → sender (459/460/450) →
text empty (454) → length (453) → recipients (452) → iys/iysList (468/469/470) → date (457).
Balance (402) and the duplicate check (451) need account state and are done by `SandboxState`.

Decisions where the real API is unknown (documented for the fake's users):
* Invalid and blacklisted numbers are dropped; the order fails with 452 only when no valid,
  non-blacklisted number remains in the whole order. Numbers are de-duplicated per message entry.
* More than 50,000 numbers in one request is 452.
* APITEST: `iys` must still be present (468) but is forced to "0", so 469/470 never fire; the
  text is replaced by a fixed message, so 453 is not checked; numbers other than the account's
  test number are dropped (and logged), 452 when that leaves none. APITEST sends are free.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field

from .codes import ApiError
from .sms_rules import MAX_PARTS, check_sender, count_parts, normalise_number, parse_send_datetime

logger = logging.getLogger(__name__)

TEST_SENDER = "APITEST"
# Placeholder: the real fixed verification text is not published.
APITEST_TEXT = "iletiMerkezi API test mesajidir. Hesabiniz API ile SMS gondermeye hazir."
MAX_RECIPIENTS = 50_000


@dataclass
class Entry:
    text: str  # the text that will be delivered
    parts: int
    numbers: list[str]  # canonical, de-duplicated, valid, not blacklisted


@dataclass
class SendPlan:
    sender: str
    iys: str
    iys_list: str | None
    send_at: float | None  # None: send now
    entries: list[Entry] = field(default_factory=list)
    fingerprint: str = ""  # for the 10-minute duplicate check (451)
    free: bool = False

    @property
    def credits(self) -> int:
        return 0 if self.free else sum(e.parts * len(e.numbers) for e in self.entries)


def _message_entries(order: dict) -> list[dict]:
    """Accept both the documented object form and the SDKs' array form of `message`."""
    message = order.get("message")
    if isinstance(message, dict):
        return [message]
    if isinstance(message, list) and message and all(isinstance(m, dict) for m in message):
        return message
    raise ApiError(400, "order.message must be an object or a non-empty array of objects")


def _text_of(entry: dict) -> str:
    text = entry.get("text")
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = str(text)
    if text is None or (isinstance(text, str) and not text.strip()):
        raise ApiError(454, "empty text")
    if not isinstance(text, str):
        raise ApiError(400, "text must be a string")
    return text


def _raw_numbers(entry: dict) -> list:
    # The spelling `receipents` is the API's; "recipients" is simply not read.
    receipents = entry.get("receipents")
    numbers = receipents.get("number") if isinstance(receipents, dict) else None
    if isinstance(numbers, (str, int)) and not isinstance(numbers, bool):
        numbers = [numbers]
    if not isinstance(numbers, list) or not numbers:
        raise ApiError(452, "no receipents.number")
    return numbers


def _iys_fields(order: dict, is_test: bool, iys_code_configured: bool) -> tuple[str, str | None]:
    iys = order.get("iys")
    if isinstance(iys, int) and not isinstance(iys, bool):
        iys = str(iys)  # the Node and C# SDKs send integers
    if iys not in ("0", "1"):
        raise ApiError(468, f"iys is {iys!r}")
    if is_test:
        return "0", None  # APITEST forces iys to "0"
    if iys == "0":
        return "0", None  # iysList is ignored when iys is "0"
    iys_list = order.get("iysList")
    if iys_list not in ("BIREYSEL", "TACIR"):
        raise ApiError(469, f"iysList is {iys_list!r}")
    if not iys_code_configured:
        raise ApiError(470, "account has no İYS code")
    return "1", iys_list


def plan_send(
    order: object,
    *,
    approved: list[str],
    blacklist: set[str] | dict[str, object],
    test_number: str,
    iys_code_configured: bool,
    now: float,
) -> SendPlan:
    """Validate a send_sms `order` block and return what to create, or raise ApiError."""
    if not isinstance(order, dict):
        raise ApiError(400, "request.order must be an object")
    raw_entries = _message_entries(order)
    sender = check_sender(order.get("sender"), [*approved, TEST_SENDER])  # usable even if unlisted
    is_test = sender == TEST_SENDER

    texts = [_text_of(e) for e in raw_entries]
    if not is_test:
        for text in texts:
            if count_parts(text)[1] > MAX_PARTS:
                raise ApiError(453, "text longer than 7 parts")

    entries: list[Entry] = []
    fingerprint_parts = []
    total_raw = 0
    for raw, text in zip(raw_entries, texts):  # noqa: B905 (same length; 3.10 has strict=)
        numbers: list[str] = []
        seen: set[str] = set()  # a set: 50,000 numbers must not cost O(n²)
        raw_numbers = _raw_numbers(raw)
        total_raw += len(raw_numbers)
        for value in raw_numbers:
            number = normalise_number(value)
            if number is None or number in blacklist:
                logger.info("sandbox: dropping invalid or blacklisted number %r", value)
                continue
            if is_test and number != test_number:
                logger.info("sandbox: APITEST delivers only to the test number; dropping %r", value)
                continue
            if number not in seen:
                seen.add(number)
                numbers.append(number)
        fingerprint_parts.append([text, sorted(numbers)])
        if numbers:
            sent_text = APITEST_TEXT if is_test else text
            entries.append(Entry(sent_text, count_parts(sent_text)[1], numbers))
    if total_raw > MAX_RECIPIENTS:
        raise ApiError(452, "more than 50,000 numbers")
    if not entries:
        raise ApiError(452, "no valid, non-blacklisted recipient")

    iys, iys_list = _iys_fields(order, is_test, iys_code_configured)
    send_at = parse_send_datetime(order.get("sendDateTime"), now)
    digest = hashlib.sha256(
        json.dumps([sender, fingerprint_parts], ensure_ascii=False).encode()
    ).hexdigest()
    return SendPlan(sender, iys, iys_list, send_at, entries, digest, free=is_test)
