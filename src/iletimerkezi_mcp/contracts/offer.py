"""Which tools a user's settings offer. Our own rules: a manifest cannot widen the read-only set."""

from __future__ import annotations

from collections.abc import Iterable

from iletimerkezi_mcp.settings import Settings, SettingsError

from .base import ToolContract


def is_offered(contract: ToolContract, settings: Settings) -> bool:
    """Whether a tool is listed and callable under the user's settings. Read-only beats all."""
    if settings.read_only:
        return contract.read_only and contract.local is None
    if settings.tools:
        return contract.name in settings.tools or (contract.offered_with or "") in settings.tools
    return True


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
