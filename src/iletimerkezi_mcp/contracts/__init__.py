"""The registry of tool contracts: every tool we know, by name and by the API path it posts to.

`bind()` matches a manifest entry to a contract by its path, so whether a call reads or writes
is decided by where it will POST, never by its name alone: a known name on another path is
skipped, a new name on a known path inherits that path's contract, and a new path gets
`unknown()`, the most careful contract (a write, never retried, always confirmed).
"""

from __future__ import annotations

from dataclasses import replace

from iletimerkezi_mcp.errors import GENERIC_WRITE

from . import account, blacklist, consent, local, orders
from .base import CONFIRM_HOW, NEVER_RETRIED, ToolContract, always
from .offer import check_tool_filter, is_offered, refusal, role_allows, role_refusal

ALL: tuple[ToolContract, ...] = (
    orders.CONTRACTS + account.CONTRACTS + blacklist.CONTRACTS + consent.CONTRACTS + local.CONTRACTS
)
BY_NAME: dict[str, ToolContract] = {c.name: c for c in ALL}
BY_PATH: dict[str, ToolContract] = {c.path: c for c in ALL if c.path is not None}
LOCAL: tuple[ToolContract, ...] = tuple(c for c in ALL if c.local is not None)


def unknown(name: str, path: str) -> ToolContract:
    """A tool the provider added that we do not know: treated as a write that may do anything."""
    return ToolContract(
        name=name, path=path, read_only=False, destructive=True, idempotent=False,
        confirm=always("this server does not know this tool yet, so every call is confirmed"),
        risk=GENERIC_WRITE,
        note=(f"This server does not know this tool yet: it is treated as a write, and every call {CONFIRM_HOW}. "
              f"{NEVER_RETRIED}"),
    )


def bind(name: str, path: str) -> tuple[ToolContract | None, str]:
    """(the contract for manifest tool `name` posting to `path`, "") or (None, why it is skipped)."""
    known = BY_NAME.get(name)
    if known is not None:
        if known.path != path:
            where = known.path or "nowhere (it runs locally)"
            return None, (f"tool {name!r} points at {path}, but {name} posts to {where}; "
                          "skipped, never served")
        return known, ""
    inherited = BY_PATH.get(path)
    if inherited is not None:
        return replace(inherited, name=name), ""
    return unknown(name, path), ""


__all__ = [
    "ALL",
    "BY_NAME",
    "BY_PATH",
    "LOCAL",
    "ToolContract",
    "bind",
    "check_tool_filter",
    "is_offered",
    "refusal",
    "role_allows",
    "role_refusal",
    "unknown",
]
