"""serve-http and token at the command line: what is refused before anything listens, and new tokens."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from iletimerkezi_mcp.http.app import is_loopback, plan
from iletimerkezi_mcp.http.auth import match_static, parse_tokens, role_of_scopes
from iletimerkezi_mcp.settings import Settings, SettingsError


def test_non_loopback_without_authorization_is_refused(cli, base_env: dict[str, str]) -> None:
    run = cli(base_env, "serve-http", "--sandbox", "--host", "0.0.0.0", "--port", "1")
    assert run.code == 2
    assert "will not listen on 0.0.0.0 without authorization" in run.stderr
    assert "ILETIMERKEZI_HTTP_TOKENS" in run.stderr and "token new" in run.stderr


def test_an_issuer_without_an_audience_is_refused(cli, base_env: dict[str, str]) -> None:
    run = cli({**base_env, "ILETIMERKEZI_OAUTH_ISSUER": "https://id.example.test"}, "serve-http", "--port", "1")
    assert run.code == 2 and "ILETIMERKEZI_OAUTH_AUDIENCE" in run.stderr


def test_token_new_prints_the_token_once_and_its_line(cli, base_env: dict[str, str], tmp_path: Path) -> None:
    run = cli(base_env, "token", "new", "ops-bot", "--role", "sender", "--budget-hour", "10")
    assert run.code == 0
    token = run.stdout.strip()
    assert len(token) > 40 and "\n" not in token
    line = run.stderr.strip().splitlines()[-1]
    assert token not in run.stderr
    assert line == f"ops-bot sender {hashlib.sha256(token.encode()).hexdigest()} budget_hour=10"
    (entry,) = parse_tokens(line, "tokens")
    assert match_static([entry], token) == entry.caller
    assert entry.caller.budget_hour == 10 and entry.caller.budget_day is None
    assert match_static([entry], token + "x") is None


def test_token_new_checks_the_name(cli, base_env: dict[str, str]) -> None:
    run = cli(base_env, "token", "new", "no spaces please", "--role", "reader")
    assert run.code == 2 and run.stdout == ""


@pytest.mark.parametrize(("text", "problem"), [
    ("bob admin not-a-hash", "SHA-256"),
    ("bob boss " + "0" * 64, "role"),
    ("bob admin " + "0" * 64 + "\nbob reader " + "1" * 64, "twice"),
    ("bob admin " + "0" * 64 + " budget_week=3", "unknown option"),
    ("bob admin", "expected"),
])
def test_a_bad_tokens_file_is_refused_at_start(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "tokens").write_text(f"# comment\n{text}\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=problem):
        plan(Settings(http_tokens=tmp_path / "tokens"), "0.0.0.0", 8000)


def test_loopback_needs_no_authorization() -> None:
    assert plan(Settings(), "127.0.0.1", 8000).verifier is None
    assert is_loopback("::1") and is_loopback("localhost") and not is_loopback("0.0.0.0")


def test_role_of_scopes_takes_the_highest() -> None:
    assert role_of_scopes({"scope": "sms:reader sms:admin"}) == "admin"
    assert role_of_scopes({"scp": ["sms:sender"]}) == "sender"
    assert role_of_scopes({"scope": "openid"}) is None


def test_token_new_prints_to_a_pipe(base_env: dict[str, str]) -> None:
    """Run from a script (stdin and stdout pipes), the token still reaches stdout: no stdio start claims them."""
    run = subprocess.run([sys.executable, "-m", "iletimerkezi_mcp", "token", "new", "ci", "--role", "reader"],
                         input=b"", capture_output=True, env=base_env, timeout=60)
    assert run.returncode == 0 and run.stdout.decode().startswith("imcp_"), run.stderr[-500:]


def test_a_callers_budgets_replace_the_settings_ones() -> None:
    from iletimerkezi_mcp.dispatch import caller_budgets
    from iletimerkezi_mcp.http.caller import Caller
    from iletimerkezi_mcp.ledger import Budgets

    server = Budgets(hour=50, day=200, hard_day=10000)
    assert caller_budgets(server, None) == server
    assert caller_budgets(server, Caller("a", "sender", budget_hour=0)) == Budgets(hour=0, day=200, hard_day=10000)
