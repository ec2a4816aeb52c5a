"""A realistic, stateful fake of the whole iletiMerkezi HTTP API, served on 127.0.0.1.

Used by the test suite, by `iletimerkezi-mcp sandbox --port N` and in-process by
`iletimerkezi-mcp --sandbox`. Standard library only.

    with SandboxServer(SandboxState(delivery_delay=0.3)) as server:
        httpx.post(server.url + "/v1/get-balance/json", json=...)

The account: key `sandbox-key`, hash `sandbox-hash`; senders APITEST, SANDBOX, ORNEKMAGAZA;
APITEST test number 905000000000; İYS brand code 123456; 1000 credits at 0.25 TRY each;
one blacklisted number (905321234599, which sent "RET" to the seeded inbox).

Rules the fake adds where the real API is unknown (details in each module's docstring):
* messages stay 110 for `delivery_delay` seconds after their send time, then end 111, or 112
  when the number ends in "99" (or, with iys "1", when the recipient has no ONAY record);
* an order fails with 452 only when no valid, non-blacklisted number is left; bad ones are dropped;
* credits are charged on acceptance (scheduled orders too) and refunded for 112s and cancellations;
* get_reports allows `end − start` ≤ 10 days, filters on the submitAt date, 30 per page;
* a cancelled order reports status 115; a past or seconds-bearing sendDateTime sends at once.
"""

from __future__ import annotations

from .codes import MESSAGES, ApiError
from .faults import Fault, Faults
from .http import STATUS_MODES, RecordedRequest, SandboxServer, http_status, run_standalone
from .iys import SANDBOX_BRAND_CODE
from .state import (
    ENDPOINTS,
    SANDBOX_API_HASH,
    SANDBOX_API_KEY,
    SANDBOX_SENDERS,
    SANDBOX_TEST_NUMBER,
    SEED_BLACKLISTED,
    SandboxState,
)

__all__ = [
    "ENDPOINTS",
    "MESSAGES",
    "SANDBOX_API_HASH",
    "SANDBOX_API_KEY",
    "SANDBOX_BRAND_CODE",
    "SANDBOX_SENDERS",
    "SANDBOX_TEST_NUMBER",
    "SEED_BLACKLISTED",
    "STATUS_MODES",
    "ApiError",
    "Fault",
    "Faults",
    "RecordedRequest",
    "SandboxServer",
    "SandboxState",
    "http_status",
    "run_standalone",
]
