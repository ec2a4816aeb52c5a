"""contracts/: one contract per tool, bound by path; what settings offer; no tool name in a condition elsewhere."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from iletimerkezi_mcp.contracts import (
    ALL,
    BY_NAME,
    BY_PATH,
    LOCAL,
    bind,
    check_tool_filter,
    is_offered,
    refusal,
    unknown,
)
from iletimerkezi_mcp.contracts.base import never
from iletimerkezi_mcp.settings import Settings, SettingsError, load_settings

SRC = Path(__file__).resolve().parents[2] / "src" / "iletimerkezi_mcp"
SEVEN_READS = {"get_report", "get_reports", "get_balance", "get_sender", "get_blacklist", "iys_check", "get_inbox"}
WRITES = {"send_sms", "cancel_order", "add_blacklist", "delete_blacklist", "iys_register"}
NAMES = set(BY_NAME)


# --------------------------------------------------------------------------- the facts themselves

def test_the_registry_holds_the_twelve_api_tools_and_the_local_ones() -> None:
    assert NAMES == SEVEN_READS | WRITES | {"preview_sms", "get_send_history"}
    assert len(ALL) == len(NAMES)  # one contract per name
    assert [c.name for c in LOCAL] == ["preview_sms", "get_send_history"]
    assert set(BY_PATH) == {c.path for c in ALL if c.path}
    assert len(BY_PATH) == 12  # no two contracts claim one path


@pytest.mark.parametrize("name", sorted(SEVEN_READS))
def test_reads_are_read_only_idempotent_retryable_and_never_confirmed(name: str) -> None:
    c = BY_NAME[name]
    assert (c.read_only, c.destructive, c.idempotent, c.open_world, c.retry) == (True, False, True, True, True)
    assert not c.asks_confirmation
    assert c.risk is None
    assert c.experimental == (name == "get_inbox")


@pytest.mark.parametrize(
    ("name", "destructive", "idempotent", "own_rule"),
    [
        ("send_sms", True, False, True),
        ("cancel_order", True, False, True),
        ("delete_blacklist", True, False, True),
        ("add_blacklist", False, True, False),
        ("iys_register", True, False, True),
    ],
)
def test_writes_are_classified_never_retried_and_explain_an_unclear_failure(
        name: str, destructive: bool, idempotent: bool, own_rule: bool) -> None:
    c = BY_NAME[name]
    assert c.read_only is False
    assert (c.destructive, c.idempotent, c.open_world) == (destructive, idempotent, True)
    assert c.retry is False  # a write is never repeated automatically
    assert c.asks_confirmation  # every write can be stopped: by its own rule or the ledger's (budgets)
    assert (c.confirm is not never) is own_rule
    assert c.risk is not None and "MAY HAVE" in c.risk.effect_en
    assert "Never retried automatically." in c.note


def test_preview_is_local_closed_world_and_read_only() -> None:
    c = BY_NAME["preview_sms"]
    assert (c.read_only, c.destructive, c.idempotent, c.open_world) == (True, False, True, False)
    assert c.path is None and c.local is not None and c.kind == "local"


def test_a_tool_we_do_not_know_gets_the_most_careful_contract() -> None:
    c = unknown("send_fax_to_everyone", "/v1/fax/json")
    assert (c.read_only, c.destructive, c.idempotent, c.retry) == (False, True, False, False)
    assert c.asks_confirmation and c.risk is not None
    assert c.confirm(c.prepare({"x": 1}, Settings()), Settings())  # every call is confirmed


def test_contracts_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        BY_NAME["send_sms"].read_only = True  # type: ignore[misc]


@pytest.mark.parametrize("contract", ALL, ids=lambda c: c.name)
def test_every_api_output_schema_is_an_object_with_the_status_block_and_local_ones_have_none(contract) -> None:
    schema = contract.output_schema
    assert schema["type"] == "object"
    assert contract.output_validator.is_valid({"status": {"code": 200, "message": "ok"}})  # loose: extra keys pass
    if contract.local is None:
        assert {"status", "sandbox", "notice"} <= schema["properties"].keys()
    else:  # a local tool never talks to the provider or the sandbox
        assert not {"status", "sandbox"} & schema["properties"].keys()


# --------------------------------------------------------------------------- binding by path

def test_a_known_tool_on_its_own_path_gets_its_contract() -> None:
    contract, why = bind("send_sms", "/v1/send-sms/json")
    assert contract is BY_NAME["send_sms"] and why == ""


def test_a_known_read_pointed_at_the_send_path_is_skipped() -> None:
    contract, why = bind("get_balance", "/v1/send-sms/json")
    assert contract is None
    assert "get_balance" in why and "/v1/send-sms/json" in why and "skipped" in why


def test_the_local_preview_name_in_a_manifest_is_skipped() -> None:
    contract, _ = bind("preview_sms", "/v1/get-balance/json")
    assert contract is None


def test_a_new_name_on_the_send_path_inherits_every_send_rule() -> None:
    contract, why = bind("send_sms_v2", "/v1/send-sms/json")
    assert contract is not None and why == ""
    send = BY_NAME["send_sms"]
    assert contract.name == "send_sms_v2"
    assert (contract.prepare, contract.confirm, contract.risk, contract.retry) == (
        send.prepare, send.confirm, send.risk, False)


def test_a_new_name_on_a_read_path_is_a_read() -> None:
    contract, _ = bind("balance_now", "/v1/get-balance/json")
    assert contract is not None and contract.read_only and contract.retry


def test_a_new_path_gets_the_careful_default() -> None:
    contract, _ = bind("send_fax", "/v1/send-fax/json")
    assert contract is not None
    assert not contract.read_only and contract.asks_confirmation and not contract.retry


# --------------------------------------------------------------------------- is_offered / refusal

def _offered(settings: Settings) -> set[str]:
    return {c.name for c in ALL if is_offered(c, settings)}


def test_everything_is_offered_by_default() -> None:
    assert _offered(Settings()) == NAMES


def test_read_only_offers_exactly_the_seven_reads() -> None:
    assert _offered(Settings(read_only=True)) == SEVEN_READS
    assert not is_offered(unknown("some_future_tool", "/v1/x/json"), Settings(read_only=True))


def test_read_only_beats_the_allow_list_and_dry_run() -> None:
    settings = load_settings({"ILETIMERKEZI_READ_ONLY": "1", "ILETIMERKEZI_TOOLS": "send_sms,get_balance",
                              "ILETIMERKEZI_DRY_RUN": "1"})
    assert _offered(settings) == SEVEN_READS


def test_allow_list_offers_named_tools_plus_preview_and_history_with_send() -> None:
    settings = load_settings({"ILETIMERKEZI_TOOLS": "get_balance, send_sms"})
    assert _offered(settings) == {"get_balance", "send_sms", "preview_sms", "get_send_history"}


def test_allow_list_without_send_does_not_bring_the_preview() -> None:
    assert _offered(Settings(tools=("get_balance",))) == {"get_balance"}


def test_preview_can_be_named_on_its_own() -> None:
    assert _offered(Settings(tools=("preview_sms",))) == {"preview_sms"}


def test_refusal_in_read_only_names_the_mode_and_the_allowed_tools() -> None:
    text = refusal("send_sms", Settings(read_only=True, tools=("send_sms",)), SEVEN_READS)
    assert "'send_sms'" in text
    assert "read-only" in text and "ILETIMERKEZI_READ_ONLY" in text
    assert all(name in text for name in SEVEN_READS)


def test_refusal_under_allow_list_names_the_list() -> None:
    text = refusal("add_blacklist", Settings(tools=("get_balance", "send_sms")), [])
    assert "'add_blacklist'" in text and "ILETIMERKEZI_TOOLS" in text and "get_balance, send_sms" in text


def test_refusal_without_filters_says_unknown() -> None:
    assert refusal("nope", Settings(), []) == "Unknown tool 'nope'."


def test_tool_filter_accepts_known_names_and_manifest_names() -> None:
    check_tool_filter(Settings(tools=("get_balance", "preview_sms")), NAMES)
    check_tool_filter(Settings(tools=("brand_new",)), NAMES | {"brand_new"})
    check_tool_filter(Settings(), set())  # no filter, nothing to check


def test_tool_filter_rejects_unknown_names_listing_them_and_what_exists() -> None:
    with pytest.raises(SettingsError) as info:
        check_tool_filter(Settings(tools=("get_balance", "send_smss", "fax")), NAMES)
    message = str(info.value)
    assert "send_smss" in message and "fax" in message and "ILETIMERKEZI_TOOLS" in message
    assert "Known tools:" in message and "preview_sms" in message


# --------------------------------------------------------------------------- one place per tool

def _names_in_conditions(tree: ast.AST) -> list[tuple[int, str]]:
    """Tool names compared or tested for membership anywhere in `tree` (if, while, ternary, match, compare)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        tests: list[ast.AST] = []
        if isinstance(node, ast.Compare):
            tests = [node.left, *node.comparators]
        elif isinstance(node, ast.match_case):
            tests = [node.pattern]
        for test in tests:
            for leaf in ast.walk(test):
                value = getattr(leaf, "value", None)
                if isinstance(leaf, ast.Constant) and isinstance(value, str) and value in NAMES:
                    found.append((getattr(leaf, "lineno", 0), value))
    return found


def test_no_tool_name_appears_in_a_condition_outside_the_contracts() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if relative.parts[0] in ("contracts", "sandbox"):  # the definitions; the fake API dispatches by path
            continue
        for line, name in _names_in_conditions(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{relative}:{line}: {name!r}")
    assert offenders == []


def test_the_condition_scan_finds_a_name_test() -> None:
    # The scan above must be able to fail: it sees the kinds of tests dispatch used to have.
    code = 'if name == "send_sms": pass\nx = 1 if tool in ("cancel_order", "y") else 2\n'
    assert [n for _, n in _names_in_conditions(ast.parse(code))] == ["send_sms", "cancel_order"]


def test_no_tool_name_is_even_written_outside_the_contracts() -> None:
    # Stricter than the condition scan: no table keyed by tool name can grow up elsewhere either.
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if relative.parts[0] in ("contracts", "sandbox"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        exported = {id(c) for node in ast.walk(tree) if isinstance(node, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
                    for c in ast.walk(node.value)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in NAMES and id(node) not in exported:
                offenders.append(f"{relative}:{node.lineno}: {node.value!r}")
    assert offenders == []
