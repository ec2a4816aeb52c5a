"""settings.py: environment parsing, flags over env, booleans, friendly errors, credential hygiene."""

from __future__ import annotations

from pathlib import Path

import pytest

from iletimerkezi_mcp.settings import (
    DEFAULT_CONFIRM_ABOVE,
    DEFAULT_MANIFEST_URL,
    SETTINGS,
    Settings,
    SettingsError,
    load_settings,
    parse_bool,
)

KEY, HASH = "0a1b2c3d4e5f-secret-key", "9f8e7d6c5b4a-secret-hash"
BOOL_ENVS = [s.env for s in SETTINGS if s.is_bool]


def test_defaults_with_an_empty_environment() -> None:
    s = load_settings(env={})
    assert s == Settings()
    assert s.api_key is None and s.api_hash is None and not s.has_credentials
    assert s.missing_credentials() == ["ILETIMERKEZI_API_KEY", "ILETIMERKEZI_API_HASH"]
    assert s.manifest_url == DEFAULT_MANIFEST_URL and s.manifest_mode == "auto"
    assert s.confirm_above == DEFAULT_CONFIRM_ABOVE and s.timeout == 30.0
    assert not s.read_only and not s.dry_run and not s.sandbox and s.tools is None


def test_every_setting_is_read_from_its_environment_variable(tmp_path: Path) -> None:
    env = {
        "ILETIMERKEZI_API_KEY": KEY,
        "ILETIMERKEZI_API_HASH": HASH,
        "ILETIMERKEZI_BASE_URL": "http://127.0.0.1:8080/",
        "ILETIMERKEZI_MANIFEST_URL": "https://example.test/manifest.json",
        "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / "c"),
        "ILETIMERKEZI_FALLBACK_MANIFEST": str(tmp_path / "f.json"),
        "ILETIMERKEZI_MANIFEST": "cache",
        "ILETIMERKEZI_MANIFEST_TTL": "60",
        "ILETIMERKEZI_OVERLAY": str(tmp_path / "o.json"),
        "ILETIMERKEZI_READ_ONLY": "1",
        "ILETIMERKEZI_TOOLS": "send_sms, get_report ,,",
        "ILETIMERKEZI_DRY_RUN": "true",
        "ILETIMERKEZI_CONFIRM_ABOVE": "5",
        "ILETIMERKEZI_MAX_RECIPIENTS": "10",
        "ILETIMERKEZI_MAX_CREDITS_PER_CALL": "100",
        "ILETIMERKEZI_BUDGET_HOUR": "7",
        "ILETIMERKEZI_BUDGET_DAY": "70",
        "ILETIMERKEZI_MAX_CREDITS_PER_DAY": "700",
        "ILETIMERKEZI_DATA_DIR": str(tmp_path / "d"),
        "ILETIMERKEZI_LEDGER_DAYS": "30",
        "ILETIMERKEZI_SANDBOX": "yes",
        "ILETIMERKEZI_SANDBOX_STATE": str(tmp_path / "s.json"),
        "ILETIMERKEZI_TIMEOUT": "2.5",
        "ILETIMERKEZI_LOG_LEVEL": "debug",
    }
    assert {s.env for s in SETTINGS} == set(env)  # this test covers every setting
    s = load_settings(env=env)
    assert s.api_key is not None and s.api_key.get_secret_value() == KEY
    assert s.api_hash is not None and s.api_hash.get_secret_value() == HASH
    assert s.base_url == "http://127.0.0.1:8080"  # trailing slash dropped
    assert s.manifest_url == "https://example.test/manifest.json"
    assert s.cache_dir == tmp_path / "c" and s.fallback_manifest == tmp_path / "f.json"
    assert s.overlay == tmp_path / "o.json"
    assert s.manifest_mode == "cache" and s.manifest_ttl == 60.0
    assert s.read_only and s.dry_run and s.sandbox
    assert s.tools == ("send_sms", "get_report")
    assert (s.confirm_above, s.max_recipients, s.max_credits_per_call) == (5, 10, 100)
    assert s.timeout == 2.5 and s.log_level == "DEBUG"
    assert s.sandbox_state_path() == tmp_path / "s.json"
    assert (s.budget_hour, s.budget_day, s.max_credits_per_day, s.ledger_days) == (7, 70, 700, 30)
    assert s.ledger_path() == tmp_path / "d" / "ledger.sqlite3"


def test_flags_override_the_environment() -> None:
    env = {"ILETIMERKEZI_TIMEOUT": "10", "ILETIMERKEZI_API_KEY": "env-key", "ILETIMERKEZI_TOOLS": "get_balance",
           "ILETIMERKEZI_CONFIRM_ABOVE": "3"}
    s = load_settings(env=env, overrides={"timeout": "2", "api_key": "flag-key", "tools": "send_sms",
                                          "sandbox": True, "confirm_above": None})
    assert s.timeout == 2.0
    assert s.api_key is not None and s.api_key.get_secret_value() == "flag-key"
    assert s.tools == ("send_sms",)
    assert s.sandbox is True
    assert s.confirm_above == 3  # a flag left unset (None) does not erase the env value


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " On ", "evet"])
def test_true_values(raw: str) -> None:
    assert parse_bool("X", raw) is True
    for env in BOOL_ENVS:
        assert getattr(load_settings(env={env: raw}), _field(env)) is True


@pytest.mark.parametrize("raw", ["0", "false", "no", "off", "hayir", "hayır", "", "  "])
def test_false_values(raw: str) -> None:
    assert parse_bool("X", raw) is False
    for env in BOOL_ENVS:
        assert getattr(load_settings(env={env: raw}), _field(env)) is False


@pytest.mark.parametrize("env", BOOL_ENVS)
def test_bad_bool_names_the_variable(env: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env={env: "maybe"})
    assert env in str(info.value) and "maybe" in str(info.value)


@pytest.mark.parametrize("env,raw", [
    ("ILETIMERKEZI_TIMEOUT", "abc"),
    ("ILETIMERKEZI_TIMEOUT", "0"),
    ("ILETIMERKEZI_TIMEOUT", "-1"),
    ("ILETIMERKEZI_CONFIRM_ABOVE", "-1"),
    ("ILETIMERKEZI_CONFIRM_ABOVE", "ten"),
    ("ILETIMERKEZI_MAX_RECIPIENTS", "0"),
    ("ILETIMERKEZI_MAX_CREDITS_PER_CALL", "1.5"),
    ("ILETIMERKEZI_MANIFEST_TTL", "-5"),
    ("ILETIMERKEZI_MANIFEST", "live"),
    ("ILETIMERKEZI_LOG_LEVEL", "verbose"),
    ("ILETIMERKEZI_BASE_URL", "api.iletimerkezi.com"),
    ("ILETIMERKEZI_BASE_URL", "ftp://127.0.0.1"),
    ("ILETIMERKEZI_MANIFEST_URL", "file:///etc/passwd"),
])
def test_bad_value_names_the_variable_and_flag(env: str, raw: str) -> None:
    flag = next(s.flag for s in SETTINGS if s.env == env)
    with pytest.raises(SettingsError) as info:
        load_settings(env={env: raw, "ILETIMERKEZI_API_KEY": KEY, "ILETIMERKEZI_API_HASH": HASH})
    message = str(info.value)
    assert env in message and flag in message
    assert KEY not in message and HASH not in message


def test_bad_credential_value_is_never_echoed() -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env={}, overrides={"api_key": [KEY], "api_hash": {"v": HASH}})
    message = str(info.value)
    assert "ILETIMERKEZI_API_KEY" in message and "ILETIMERKEZI_API_HASH" in message
    assert KEY not in message and HASH not in message
    assert "<hidden>" in message


def test_several_bad_values_are_all_reported() -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env={"ILETIMERKEZI_TIMEOUT": "x", "ILETIMERKEZI_CONFIRM_ABOVE": "y"})
    assert "ILETIMERKEZI_TIMEOUT" in str(info.value) and "ILETIMERKEZI_CONFIRM_ABOVE" in str(info.value)


def test_credentials_are_hidden_in_repr_and_dumps() -> None:
    s = load_settings(env={"ILETIMERKEZI_API_KEY": KEY, "ILETIMERKEZI_API_HASH": HASH})
    for text in (repr(s), str(s), s.model_dump_json(), str(s.model_dump())):
        assert KEY not in text and HASH not in text


@pytest.mark.parametrize("raw", [f"  {KEY}  ", f"{KEY}\n", f"\t{KEY}\r\n"])
def test_whitespace_is_stripped_from_key_and_hash(raw: str) -> None:
    s = load_settings(env={"ILETIMERKEZI_API_KEY": raw, "ILETIMERKEZI_API_HASH": raw.replace(KEY, HASH)})
    assert s.api_key is not None and s.api_key.get_secret_value() == KEY
    assert s.api_hash is not None and s.api_hash.get_secret_value() == HASH
    assert s.has_credentials


def test_blank_key_counts_as_missing() -> None:
    s = load_settings(env={"ILETIMERKEZI_API_KEY": "   ", "ILETIMERKEZI_API_HASH": HASH})
    assert s.api_key is None and not s.has_credentials
    assert s.missing_credentials() == ["ILETIMERKEZI_API_KEY"]


# An MCP client's `env` block often carries "" for a setting the user did not fill in: that must mean
# "not set" (the default), for every setting, not a start-up error.
@pytest.mark.parametrize("env", [s.env for s in SETTINGS])
def test_empty_string_means_unset(env: str) -> None:
    assert load_settings(env={env: ""}) == Settings()


def test_tools_list_parsing() -> None:
    assert load_settings(env={"ILETIMERKEZI_TOOLS": " get_balance ,send_sms,"}).tools == ("get_balance", "send_sms")
    assert load_settings(env={"ILETIMERKEZI_TOOLS": " , "}).tools is None


def test_settings_are_frozen_and_strict() -> None:
    s = load_settings(env={})
    with pytest.raises(ValueError):
        s.timeout = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        Settings(unknown_setting=1)  # type: ignore[call-arg]


def test_every_setting_spec_is_consistent() -> None:
    fields = set(Settings.model_fields)
    for spec in SETTINGS:
        assert spec.field in fields, spec
        assert spec.env.startswith("ILETIMERKEZI_") and spec.flag.startswith("--")
        assert spec.help
    assert len({s.env for s in SETTINGS}) == len({s.flag for s in SETTINGS}) == len(SETTINGS)


def _field(env: str) -> str:
    return next(s.field for s in SETTINGS if s.env == env)


def test_sandbox_state_defaults_to_the_cache_dir_and_memory_turns_it_off(tmp_path):
    s = load_settings(env={"ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path)})
    assert s.sandbox_state_path() == tmp_path / "sandbox-state.json"
    assert load_settings(env={"ILETIMERKEZI_SANDBOX_STATE": "memory"}).sandbox_state_path() is None
