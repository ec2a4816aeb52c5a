"""Our own per-tool safety facts, and which tools a user's settings offer.

These come from our code, never from the manifest: a manifest cannot make a write look
read-only, switch off a confirmation or widen the read-only set.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from iletimerkezi_mcp.settings import Settings, SettingsError

READ_TOOLS = frozenset(
    {"get_report", "get_reports", "get_balance", "get_sender", "get_blacklist", "iys_check", "get_inbox"}
)
WRITE_TOOLS = frozenset({"send_sms", "cancel_order", "add_blacklist", "delete_blacklist", "iys_register"})
API_TOOLS = READ_TOOLS | WRITE_TOOLS
LOCAL_TOOLS = frozenset({"preview_sms"})
EXPERIMENTAL_TOOLS = frozenset({"get_inbox"})


class ToolPolicy(BaseModel):
    model_config = ConfigDict(frozen=True)

    read_only: bool
    destructive: bool
    idempotent: bool
    open_world: bool = True
    retry: bool  # safe to repeat automatically after a network error or 5xx
    experimental: bool = False


_READ = ToolPolicy(read_only=True, destructive=False, idempotent=True, retry=True)

POLICIES: dict[str, ToolPolicy] = {
    **{name: _READ for name in READ_TOOLS},
    "get_inbox": _READ.model_copy(update={"experimental": True}),
    # Spends credit and reaches phones; no idempotency key, so never repeated.
    "send_sms": ToolPolicy(read_only=False, destructive=True, idempotent=False, retry=False),
    # Cannot be undone; a second cancel answers 455.
    "cancel_order": ToolPolicy(read_only=False, destructive=True, idempotent=False, retry=False),
    # Removes a protection; a second delete answers 474.
    "delete_blacklist": ToolPolicy(read_only=False, destructive=True, idempotent=False, retry=False),
    # Additive and reversible (delete_blacklist), re-adding answers 200 with no further effect.
    "add_blacklist": ToolPolicy(read_only=False, destructive=False, idempotent=True, retry=False),
    # A legal record in the national registry: it cannot be deleted, and a RET revokes consent.
    # Re-sending a duplicate is refused (422), so it is not idempotent either.
    "iys_register": ToolPolicy(read_only=False, destructive=True, idempotent=False, retry=False),
    "preview_sms": ToolPolicy(read_only=True, destructive=False, idempotent=True, open_world=False, retry=False),
}

# A tool the provider adds later gets the most careful treatment until we classify it.
UNKNOWN_TOOL = ToolPolicy(read_only=False, destructive=True, idempotent=False, retry=False)


def policy_for(name: str) -> ToolPolicy:
    return POLICIES.get(name, UNKNOWN_TOOL)


def check_tool_filter(settings: Settings, manifest_tools: set[str]) -> None:
    """Unknown names in ILETIMERKEZI_TOOLS are a start-up error, listing what exists."""
    if not settings.tools:
        return
    known = API_TOOLS | LOCAL_TOOLS | manifest_tools
    unknown = [name for name in settings.tools if name not in known]
    if unknown:
        raise SettingsError(
            f"ILETIMERKEZI_TOOLS / --tools names unknown tool(s): {', '.join(unknown)}. "
            f"Known tools: {', '.join(sorted(known))}."
        )


def is_offered(name: str, settings: Settings) -> bool:
    """Whether a tool is listed and callable under the user's settings. Read-only beats all."""
    if settings.read_only:
        return name in READ_TOOLS
    if settings.tools:
        if name in settings.tools:
            return True
        # The preview belongs to sending: offered with send_sms unless named on its own.
        return name == "preview_sms" and "send_sms" in settings.tools
    return True


def refusal(name: str, settings: Settings) -> str:
    if settings.read_only:
        return (f"Tool {name!r} is not available: the server runs in read-only mode "
                "(ILETIMERKEZI_READ_ONLY / --read-only), which allows only: "
                f"{', '.join(sorted(READ_TOOLS))}.")
    if settings.tools:
        return (f"Tool {name!r} is not available: ILETIMERKEZI_TOOLS / --tools allows only: "
                f"{', '.join(settings.tools)}.")
    return f"Unknown tool {name!r}."
