"""Who is asking, for the length of one HTTP request: set by the auth middleware, read by dispatch.

None (the default) is the local user of a stdio server, or an HTTP server on loopback without
authorization: every tool the settings offer, and no actor in the ledger.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

ROLES = ("reader", "sender", "admin")


@dataclass(frozen=True)
class Caller:
    name: str  # the token's name, or the JWT's subject: the ledger's `actor`
    role: str  # one of ROLES
    budget_hour: int | None = None  # overrides the settings' budgets for this caller's sends
    budget_day: int | None = None


CALLER: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("iletimerkezi_caller", default=None)


def current_caller() -> Caller | None:
    return CALLER.get()
