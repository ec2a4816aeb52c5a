"""The command line, offline: `main(argv)` in-process as a fresh process would run it (the `cli`
fixture), plus one smoke test of the installed console script in a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from iletimerkezi_mcp import __version__
from iletimerkezi_mcp.contracts import BY_NAME
from iletimerkezi_mcp.settings import SETTINGS

TIMEOUT = 60  # seconds, per subprocess; each takes about one second

PREVIEW_ARGS = {"text": "Merhaba dünya", "recipients": ["0532 111 22 33", "+905321112233", "5421112233"]}


def test_help_lists_every_setting_flag_and_env_var(cli, base_env: dict[str, str]) -> None:
    done = cli(base_env, "--help")
    assert done.code == 0, done.stderr
    for spec in SETTINGS:
        assert spec.flag in done.stdout, spec.flag
        assert spec.env in done.stdout, spec.env
    for command in ("sandbox", "doctor", "manifest", "tools", "call"):
        assert command in done.stdout


def test_version(cli, base_env: dict[str, str]) -> None:
    done = cli(base_env, "--version")
    assert done.code == 0
    assert done.stdout.strip() == f"iletimerkezi-mcp {__version__}"


def test_unknown_tool_in_allow_list_is_a_clear_start_up_error(cli, base_env: dict[str, str]) -> None:
    done = cli(base_env, "--tools", "send_sms,nope_tool")
    assert done.code == 2
    assert done.stdout == ""  # nothing on the JSON-RPC channel
    lines = [line for line in done.stderr.splitlines() if "nope_tool" in line]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("iletimerkezi-mcp: ")
    assert "--tools" in lines[0] and "ILETIMERKEZI_TOOLS" in lines[0] and "send_sms" in lines[0]
    assert "Traceback" not in done.stderr


def test_bad_setting_exits_2_naming_it(cli, base_env: dict[str, str]) -> None:
    done = cli(base_env, "--timeout", "soon", "tools")
    assert done.code == 2
    assert "ILETIMERKEZI_TIMEOUT" in done.stderr and "--timeout" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_setting_never_echoes_credentials(cli, base_env: dict[str, str]) -> None:
    env = {**base_env, "ILETIMERKEZI_API_KEY": "cli-secret-key-123", "ILETIMERKEZI_API_HASH": "cli-secret-hash-456",
           "ILETIMERKEZI_CONFIRM_ABOVE": "lots"}
    done = cli(env, "tools")
    assert done.code == 2 and "ILETIMERKEZI_CONFIRM_ABOVE" in done.stderr
    assert "cli-secret" not in done.stderr + done.stdout


def test_tools_table(cli, base_env: dict[str, str]) -> None:
    done = cli(base_env, "tools")
    assert done.code == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["TOOL", "KIND", "TITLE"]
    rows = {line.split()[0]: line for line in lines[1:] if line.strip() and not line.startswith("14 tools")}
    assert set(rows) == set(BY_NAME)
    assert "write, destructive" in rows["send_sms"]
    assert "read" in rows["get_balance"] and "write" not in rows["get_balance"]
    assert "experimental" in rows["get_inbox"]
    assert "write" in rows["add_blacklist"] and "destructive" not in rows["add_blacklist"]
    assert lines[-1].startswith("14 tools from the bundled manifest generated_at ")


def check_preview_report(stdout: str) -> None:
    summary, _, body = stdout.partition("\n\n")
    assert "2 recipient(s) → 2 credit(s)" in summary
    preview = json.loads(body)
    assert preview["recipients"] == {"valid": 2, "duplicates": 1, "invalid": 0,
                                     "duplicate_examples": ["+905321112233"]}
    assert preview["credits"] == 2


def test_call_preview_sms(cli, base_env: dict[str, str]) -> None:
    done = cli(base_env, "call", "preview_sms", "--json", json.dumps(PREVIEW_ARGS, ensure_ascii=False))
    assert done.code == 0, done.stderr
    check_preview_report(done.stdout)


def test_call_with_invalid_json_exits_2(cli, base_env: dict[str, str]) -> None:
    done = cli(base_env, "call", "preview_sms", "--json", "{text: nope}")
    assert done.code == 2
    assert "--json is not valid JSON" in done.stderr


def test_call_with_invalid_arguments_exits_1(cli, base_env: dict[str, str]) -> None:
    done = cli(base_env, "call", "preview_sms", "--json", "{}")
    assert done.code == 1
    assert "invalid arguments" in done.stdout and "text" in done.stdout


def test_call_without_credentials_explains_setup(cli, base_env: dict[str, str]) -> None:
    done = cli(base_env, "call", "get_balance")
    assert done.code == 1
    assert "ILETIMERKEZI_API_KEY" in done.stdout and "ILETIMERKEZI_API_HASH" in done.stdout
    assert "--sandbox" in done.stdout


@pytest.mark.parametrize("position", ["after", "before"])
def test_call_get_balance_in_the_sandbox(cli, base_env: dict[str, str], position: str) -> None:
    args = ["call", "get_balance", "--sandbox"] if position == "after" else ["--sandbox", "call", "get_balance"]
    done = cli(base_env, *args)
    assert done.code == 0, done.stdout + done.stderr
    assert done.stdout.startswith("SANDBOX:")
    body = json.loads(done.stdout.partition("\n\n")[2])
    assert body["sandbox"] is True and body["balance"]["sms"] == 1000


def test_unknown_command_is_a_usage_error(cli, base_env: dict[str, str]) -> None:
    done = cli(base_env, "frobnicate")
    assert done.code == 2
    assert "invalid choice" in done.stderr


# --- the real console script, in a subprocess ------------------------------------------------------


def console_script() -> list[str]:
    """The `iletimerkezi-mcp` script installed next to this Python (`python -m` if there is none)."""
    script = Path(sys.executable).with_name("iletimerkezi-mcp")
    return [str(script)] if script.exists() else [sys.executable, "-m", "iletimerkezi_mcp"]


def run_console_script(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # stdin is empty and closed: nothing may wait on it.
    return subprocess.run(
        [*console_script(), *args], cwd=str(REPO), env={**env, "COLUMNS": "120"}, input="",
        capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT,
    )


def test_console_script_exit_codes_and_a_clean_stdout(base_env: dict[str, str]) -> None:
    done = run_console_script(base_env, "call", "preview_sms", "--json", json.dumps(PREVIEW_ARGS, ensure_ascii=False))
    assert done.returncode == 0, done.stderr
    check_preview_report(done.stdout)  # stdout is the report and nothing else
    assert "Traceback" not in done.stderr

    refused = run_console_script(base_env, "call", "preview_sms", "--json", "{}")
    assert refused.returncode == 1, refused.stderr
    assert refused.stdout.startswith("preview_sms: invalid arguments"), refused.stdout
    assert "Traceback" not in refused.stderr
