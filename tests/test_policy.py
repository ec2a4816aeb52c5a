"""policy.py: our own safety facts per tool, and which tools the user's settings offer."""

from __future__ import annotations

import pytest

from iletimerkezi_mcp.policy import (
    API_TOOLS,
    EXPERIMENTAL_TOOLS,
    LOCAL_TOOLS,
    POLICIES,
    READ_TOOLS,
    UNKNOWN_TOOL,
    WRITE_TOOLS,
    check_tool_filter,
    is_offered,
    policy_for,
    refusal,
)
from iletimerkezi_mcp.settings import Settings, SettingsError, load_settings

SEVEN_READS = {"get_report", "get_reports", "get_balance", "get_sender", "get_blacklist", "iys_check", "get_inbox"}
ALL_TOOLS = API_TOOLS | LOCAL_TOOLS


# --------------------------------------------------------------------------- the facts themselves

def test_tool_sets_are_the_documented_ones() -> None:
    assert READ_TOOLS == SEVEN_READS
    assert WRITE_TOOLS == {"send_sms", "cancel_order", "add_blacklist", "delete_blacklist", "iys_register"}
    assert not READ_TOOLS & WRITE_TOOLS
    assert LOCAL_TOOLS == {"preview_sms"}
    assert EXPERIMENTAL_TOOLS == {"get_inbox"}
    assert set(POLICIES) == ALL_TOOLS


@pytest.mark.parametrize("name", sorted(SEVEN_READS))
def test_read_tools_are_read_only_idempotent_and_retryable(name: str) -> None:
    p = policy_for(name)
    assert (p.read_only, p.destructive, p.idempotent, p.open_world, p.retry) == (True, False, True, True, True)
    assert p.experimental == (name == "get_inbox")


@pytest.mark.parametrize(
    ("name", "destructive", "idempotent"),
    [
        ("send_sms", True, False),
        ("cancel_order", True, False),
        ("delete_blacklist", True, False),
        ("add_blacklist", False, True),
        ("iys_register", True, False),
    ],
)
def test_write_tools_are_classified_and_never_retried(name: str, destructive: bool, idempotent: bool) -> None:
    p = policy_for(name)
    assert p.read_only is False
    assert p.destructive is destructive
    assert p.idempotent is idempotent
    assert p.open_world is True
    assert p.retry is False  # a write is never repeated automatically


def test_preview_is_local_closed_world_and_read_only() -> None:
    p = policy_for("preview_sms")
    assert (p.read_only, p.destructive, p.idempotent, p.open_world) == (True, False, True, False)


def test_a_tool_we_do_not_know_gets_the_most_careful_policy() -> None:
    p = policy_for("send_fax_to_everyone")
    assert p is UNKNOWN_TOOL
    assert (p.read_only, p.destructive, p.idempotent, p.retry) == (False, True, False, False)


def test_policies_are_frozen() -> None:
    with pytest.raises(ValueError):
        policy_for("send_sms").read_only = True  # type: ignore[misc]


# --------------------------------------------------------------------------- is_offered / refusal

def test_everything_is_offered_by_default() -> None:
    settings = Settings()
    assert all(is_offered(name, settings) for name in ALL_TOOLS)


def test_read_only_offers_exactly_the_seven_reads() -> None:
    settings = Settings(read_only=True)
    assert {name for name in ALL_TOOLS if is_offered(name, settings)} == SEVEN_READS
    assert not is_offered("preview_sms", settings)
    assert not is_offered("some_future_tool", settings)


def test_read_only_beats_the_allow_list_and_dry_run() -> None:
    settings = load_settings({"ILETIMERKEZI_READ_ONLY": "1", "ILETIMERKEZI_TOOLS": "send_sms,get_balance",
                              "ILETIMERKEZI_DRY_RUN": "1"})
    offered = {name for name in ALL_TOOLS if is_offered(name, settings)}
    assert offered == SEVEN_READS
    assert "send_sms" not in offered


def test_allow_list_offers_named_tools_plus_preview_with_send() -> None:
    settings = load_settings({"ILETIMERKEZI_TOOLS": "get_balance, send_sms"})
    assert settings.tools == ("get_balance", "send_sms")
    assert {name for name in ALL_TOOLS if is_offered(name, settings)} == {"get_balance", "send_sms", "preview_sms"}


def test_allow_list_without_send_does_not_bring_the_preview() -> None:
    settings = Settings(tools=("get_balance",))
    assert {name for name in ALL_TOOLS if is_offered(name, settings)} == {"get_balance"}


def test_preview_can_be_named_on_its_own() -> None:
    settings = Settings(tools=("preview_sms",))
    assert {name for name in ALL_TOOLS if is_offered(name, settings)} == {"preview_sms"}


def test_refusal_in_read_only_names_the_mode_and_the_allowed_tools() -> None:
    text = refusal("send_sms", Settings(read_only=True, tools=("send_sms",)))
    assert "'send_sms'" in text
    assert "read-only" in text and "ILETIMERKEZI_READ_ONLY" in text
    for name in SEVEN_READS:
        assert name in text


def test_refusal_under_allow_list_names_the_list() -> None:
    text = refusal("add_blacklist", Settings(tools=("get_balance", "send_sms")))
    assert "'add_blacklist'" in text
    assert "ILETIMERKEZI_TOOLS" in text
    assert "get_balance, send_sms" in text


def test_refusal_without_filters_says_unknown() -> None:
    assert refusal("nope", Settings()) == "Unknown tool 'nope'."


# --------------------------------------------------------------------------- check_tool_filter

def test_tool_filter_accepts_known_names_and_manifest_names() -> None:
    check_tool_filter(Settings(tools=("get_balance", "preview_sms")), set())
    check_tool_filter(Settings(tools=("brand_new",)), {"brand_new"})
    check_tool_filter(Settings(), set())  # no filter, nothing to check


def test_tool_filter_rejects_unknown_names_listing_them_and_what_exists() -> None:
    with pytest.raises(SettingsError) as info:
        check_tool_filter(Settings(tools=("get_balance", "send_smss", "fax")), {"get_balance"})
    message = str(info.value)
    assert "send_smss" in message and "fax" in message
    assert "ILETIMERKEZI_TOOLS" in message
    assert "Known tools:" in message and "send_sms" in message and "preview_sms" in message
