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
        "ILETIMERKEZI_DATABASE_URL": "postgresql://mcp:pw@127.0.0.1:5432/ledger",
        "ILETIMERKEZI_HTTP_TOKENS": str(tmp_path / "tokens"),
        "ILETIMERKEZI_OAUTH_ISSUER": "https://id.example.test",
        "ILETIMERKEZI_OAUTH_AUDIENCE": "https://sms.example.test/mcp",
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
    assert s.database_url is not None and s.database_url.get_secret_value().endswith("/ledger")
    assert s.http_tokens == tmp_path / "tokens"
    assert (s.oauth_issuer, s.oauth_audience) == ("https://id.example.test", "https://sms.example.test/mcp")


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


# --- settings that cannot work are refused at start, with the fix ----------------------------------

INT_ENVS = [s.env for s in SETTINGS if Settings.model_fields[s.field].annotation is int]


def refusal(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as info:
        load_settings(env={**env, "ILETIMERKEZI_API_KEY": KEY, "ILETIMERKEZI_API_HASH": HASH})
    message = str(info.value)
    assert message.startswith("Invalid setting: ")
    assert KEY not in message and HASH not in message
    return message


@pytest.mark.parametrize("raw,fix", [
    ("https://api.iletimerkezi.com/v1", "use https://api.iletimerkezi.com "),
    ("https://api.iletimerkezi.com/v1/", "use https://api.iletimerkezi.com "),
    ("https://api.iletimerkezi.com/v1/send-sms/json", "use https://api.iletimerkezi.com "),
    ("http://127.0.0.1:8080/api", "use http://127.0.0.1:8080 "),
    ("https://api.iletimerkezi.com?x=1", "use https://api.iletimerkezi.com "),
    ("https://api.iletimerkezi.com#v1", "use https://api.iletimerkezi.com "),
])
def test_a_base_url_with_a_path_is_refused_naming_the_origin(raw: str, fix: str) -> None:
    message = refusal({"ILETIMERKEZI_BASE_URL": raw})
    assert "ILETIMERKEZI_BASE_URL / --base-url: must be the origin only" in message
    assert "/v1/..." in message and fix in message and f"(given {raw!r})" in message
    assert "Value error" not in message


@pytest.mark.parametrize("raw", ["http://api.iletimerkezi.com", "http://api.iletimerkezi.com/",
                                 "HTTP://API.IletiMerkezi.COM:80", "http://api.iletimerkezi.com.:8080",
                                 "http://iletimerkezi.com"])
def test_plain_http_to_the_provider_is_refused(raw: str) -> None:
    message = refusal({"ILETIMERKEZI_BASE_URL": raw})
    assert "plain http:// would send the API key and hash unencrypted" in message
    assert "use https://" in message and "iletimerkezi.com" in message


@pytest.mark.parametrize("raw,why", [
    ("http://127.0.0.1:0", "port"),
    ("http://127.0.0.1:99999", "port"),
    ("http://127.0.0.1:eighty", "port"),
    ("http://:8080", "names no host"),
    ("https://", "names no host"),
    ("https:///v1", "names no host"),
])
def test_a_base_url_without_a_usable_host_or_port_is_refused(raw: str, why: str) -> None:
    message = refusal({"ILETIMERKEZI_BASE_URL": raw})
    assert "ILETIMERKEZI_BASE_URL / --base-url" in message and why in message


def test_a_base_url_with_a_password_is_refused_without_showing_it() -> None:
    message = refusal({"ILETIMERKEZI_BASE_URL": "https://someone:pa55word@api.iletimerkezi.com/"})
    assert "must not hold a user name or password" in message
    assert "pa55word" not in message and "someone" not in message
    assert "https://***@api.iletimerkezi.com/" in message


@pytest.mark.parametrize("raw,origin", [
    ("https://api.iletimerkezi.com", "https://api.iletimerkezi.com"),
    ("https://api.iletimerkezi.com/", "https://api.iletimerkezi.com"),
    ("  https://api.iletimerkezi.com//  ", "https://api.iletimerkezi.com"),
    ("HTTPS://Api.IletiMerkezi.com:443/", "https://api.iletimerkezi.com"),  # one origin: one ledger binding
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://localhost:8080/", "http://localhost:8080"),
    ("http://[::1]:8080", "http://[::1]:8080"),
    ("http://fake-api.internal", "http://fake-api.internal"),
    ("https://127.0.0.1:8443", "https://127.0.0.1:8443"),
])
def test_accepted_base_urls_are_kept_as_their_origin(raw: str, origin: str) -> None:
    assert load_settings(env={"ILETIMERKEZI_BASE_URL": raw}).base_url == origin
    assert load_settings(env={}, overrides={"base_url": raw}).base_url == origin  # --base-url alike


def test_the_manifest_url_keeps_its_path() -> None:
    s = load_settings(env={"ILETIMERKEZI_MANIFEST_URL": "https://mirror.example/api/manifest.json?v=2"})
    assert s.manifest_url == "https://mirror.example/api/manifest.json?v=2"


def test_the_integer_settings_are_all_covered() -> None:
    assert set(INT_ENVS) == {"ILETIMERKEZI_CONFIRM_ABOVE", "ILETIMERKEZI_MAX_RECIPIENTS",
                             "ILETIMERKEZI_MAX_CREDITS_PER_CALL", "ILETIMERKEZI_BUDGET_HOUR",
                             "ILETIMERKEZI_BUDGET_DAY", "ILETIMERKEZI_MAX_CREDITS_PER_DAY",
                             "ILETIMERKEZI_LEDGER_DAYS"}


# The MCPB bundle's `user_config` fields of type number reach us as text, and a host may write a whole
# number as "20.0": that is 20 for every integer setting.
@pytest.mark.parametrize("raw", ["20", " 20 ", "+20", "20.0", "20.", "20.00"])
@pytest.mark.parametrize("env", INT_ENVS)
def test_a_whole_number_is_accepted_in_any_common_form(env: str, raw: str) -> None:
    value = getattr(load_settings(env={env: raw}), _field(env))
    assert value == 20 and type(value) is int


@pytest.mark.parametrize("given", [20.0, 20])
def test_a_whole_float_from_code_is_accepted(given: object) -> None:
    assert load_settings(env={}, overrides={"confirm_above": given}).confirm_above == 20


@pytest.mark.parametrize("raw,fix", [("20.5", "use 20 or 21"), ("0.5", "use 0 or 1"), (".5", "use 0 or 1"),
                                     ("20.05", "use 20 or 21"), ("20.0000000000000000001", "use 20 or 21")])
@pytest.mark.parametrize("env", INT_ENVS)
def test_a_fraction_is_refused_not_rounded(env: str, raw: str, fix: str) -> None:
    flag = next(s.flag for s in SETTINGS if s.env == env)
    message = refusal({env: raw})
    assert f"{env} / {flag}: must be a whole number; a limit is never rounded for you: {fix} (given {raw!r})" in message


def test_a_fractional_float_from_code_is_refused() -> None:
    with pytest.raises(SettingsError, match="use 20 or 21"):
        load_settings(env={}, overrides={"budget_day": 20.5})


@pytest.mark.parametrize("raw,fix", [("1.000", "write 1 or 1000"), ("10.000", "write 10 or 10000")])
def test_a_dot_that_may_group_thousands_is_refused(raw: str, fix: str) -> None:
    message = refusal({"ILETIMERKEZI_MAX_CREDITS_PER_DAY": raw})
    assert "ambiguous" in message and fix in message


@pytest.mark.parametrize("raw", ["1,000", "20,5", "1.000.000", "2e1", "inf", "nan", "twenty", "0x14", "1_000",
                                 "\u0663", "20 credits"])
def test_an_integer_setting_takes_digits_only(raw: str) -> None:
    message = refusal({"ILETIMERKEZI_CONFIRM_ABOVE": raw})
    assert "ILETIMERKEZI_CONFIRM_ABOVE / --confirm-above: must be a whole number written with digits only" in message


@pytest.mark.parametrize("env", ["ILETIMERKEZI_TIMEOUT", "ILETIMERKEZI_MANIFEST_TTL"])
@pytest.mark.parametrize("raw", ["inf", "-inf", "nan", "Infinity"])
def test_seconds_must_be_finite(env: str, raw: str) -> None:
    assert "finite" in refusal({env: raw})


def test_limits_still_apply_after_a_whole_number_is_read() -> None:
    assert "greater than or equal to 1" in refusal({"ILETIMERKEZI_MAX_RECIPIENTS": "0.0"})
    assert "less than or equal to 3650" in refusal({"ILETIMERKEZI_LEDGER_DAYS": "4000.0"})
    assert "greater than or equal to 0" in refusal({"ILETIMERKEZI_CONFIRM_ABOVE": "-1.0"})
