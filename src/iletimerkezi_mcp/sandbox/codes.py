"""Body status codes of the fake and their exact Turkish wire messages.

https://www.iletimerkezi.com/en/docs/api/error-codes
"""

from __future__ import annotations

from iletimerkezi_mcp.errors import CODES

# The wire message is always Turkish. One table for the whole project: the client explains
# these codes (errors.py) and the fake answers with them, so the two can never drift apart.
MESSAGES: dict[int, str] = {code: info.wire_message_tr for code, info in CODES.items()}

# Report status values (https://www.iletimerkezi.com/en/docs/api/get-report).
# They are payload values, never body codes.
MSG_QUEUED, MSG_DELIVERED, MSG_UNDELIVERED = 110, 111, 112
ORDER_SENDING, ORDER_DONE, ORDER_FAILED = 113, 114, 115


class ApiError(Exception):
    """A provider error: the fake answers with `status` only, carrying this code."""

    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(f"{code} {MESSAGES.get(code, '')} {detail}".strip())
        self.code = code
        # English detail for logs only; it never goes on the wire.
        self.detail = detail


def status_block(code: int) -> dict[str, object]:
    return {"code": code, "message": MESSAGES.get(code, "")}
