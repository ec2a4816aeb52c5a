"""Which tools a user's settings offer. Our own rules: a manifest cannot widen the read-only set."""

from __future__ import annotations

from collections.abc import Iterable

from iletimerkezi_mcp.settings import Settings, SettingsError

from .base import ToolContract
from .orders import SEND_SMS


def is_offered(contract: ToolContract, settings: Settings) -> bool:
    """Whether a tool is listed and callable under the user's settings. Read-only beats all."""
    if settings.read_only:
        return contract.read_only and contract.local is None
    if settings.tools:
        return contract.name in settings.tools or (contract.offered_with or "") in settings.tools
    return True


def role_allows(contract: ToolContract, role: str) -> bool:
    """Whether an HTTP caller's role may list and call a tool (on top of `is_offered`).

    reader: every read, the local ones too (preview, history); sender: those and sending, decided by
    the path a tool posts to, so a renamed send inherits it; admin: everything. Unknown role: nothing.
    """
    if role == "admin":
        return True
    if role not in ("reader", "sender"):
        return False
    return contract.read_only or (role == "sender" and contract.path == SEND_SMS.path)


def role_refusal(name: str, role: str, allowed: Iterable[str]) -> str:
    return (f"Tool {name!r} is not available to you: your role is {role!r}, which allows only: "
            f"{', '.join(sorted(allowed))}. Nothing was sent. Ask the server's administrator for another role.")


def refusal(name: str, settings: Settings, reads: Iterable[str]) -> str:
    if settings.read_only:
        return (f"Tool {name!r} is not available: the server runs in read-only mode "
                "(ILETIMERKEZI_READ_ONLY / --read-only), which allows only: "
                f"{', '.join(sorted(reads))}.")
    if settings.tools:
        return (f"Tool {name!r} is not available: ILETIMERKEZI_TOOLS / --tools allows only: "
                f"{', '.join(settings.tools)}.")
    return f"Unknown tool {name!r}."


def check_tool_filter(settings: Settings, known: Iterable[str]) -> None:
    """Unknown names in ILETIMERKEZI_TOOLS are a start-up error, listing what exists."""
    if not settings.tools:
        return
    names = set(known)
    unknown = [name for name in settings.tools if name not in names]
    if unknown:
        raise SettingsError(
            f"ILETIMERKEZI_TOOLS / --tools names unknown tool(s): {', '.join(unknown)}. "
            f"Known tools: {', '.join(sorted(names))}."
        )
