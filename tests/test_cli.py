"""The command line, offline: `main(argv)` in-process as a fresh process would run it (the `cli`
fixture), plus one smoke test of the installed console script in a real subprocess."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import conftest
import pytest
from conftest import REPO

from iletimerkezi_mcp import __version__
from iletimerkezi_mcp import cli as cli_module
from iletimerkezi_mcp.cli import TERMINAL_HINT
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


def stdin_is_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The `cli` fixture's empty stdin says it is a terminal (the fixture builds it with conftest's `io`)."""

    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(conftest, "io", SimpleNamespace(TextIOWrapper=Terminal, BytesIO=io.BytesIO))


def test_serving_from_a_terminal_says_what_this_is_in_one_line_on_stderr(cli, base_env: dict[str, str],
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    stdin_is_a_terminal(monkeypatch)
    handler = signal.getsignal(signal.SIGINT)
    done = cli(base_env)  # a terminal at EOF: serving ends at once, as after Ctrl+D
    assert done.code == 0, done.stderr
    assert done.stdout == ""  # stdout stays the protocol's
    assert [line for line in done.stderr.splitlines() if "MCP server" in line] == [TERMINAL_HINT]
    for advice in ("`iletimerkezi-mcp --help`", "`iletimerkezi-mcp doctor`",
                   "`npx @modelcontextprotocol/inspector iletimerkezi-mcp --sandbox`", "Ctrl+C stops it"):
        assert advice in TERMINAL_HINT
    assert "\n" not in TERMINAL_HINT
    assert signal.getsignal(signal.SIGINT) is handler  # the Ctrl+C handler for a terminal is put back


def test_serving_a_pipe_prints_no_hint(cli, base_env: dict[str, str]) -> None:
    done = cli(base_env)
    assert done.code == 0, done.stderr
    assert "MCP server" not in done.stderr and done.stdout == ""


def test_sub_commands_print_no_hint(cli, base_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    stdin_is_a_terminal(monkeypatch)
    done = cli(base_env, "tools")
    assert done.code == 0 and "MCP server" not in done.stderr


@pytest.mark.parametrize("stdin", [None, "closed"])
def test_no_stdin_or_a_closed_one_is_no_terminal(monkeypatch: pytest.MonkeyPatch, stdin: str | None) -> None:
    if stdin == "closed":
        closed = io.TextIOWrapper(io.BytesIO(b""))
        closed.close()
        monkeypatch.setattr(sys, "stdin", closed)
    else:
        monkeypatch.setattr(sys, "stdin", None)
    assert cli_module._stdin_is_a_terminal() is False


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


def test_a_server_on_a_pipe_prints_no_hint(base_env: dict[str, str]) -> None:
    done = run_console_script(base_env)
    assert done.returncode == 0, done.stderr
    assert "MCP server" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.timeout(60)
@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_ctrl_c_stops_a_server_started_in_a_terminal(base_env: dict[str, str]) -> None:
    """The SDK reads a terminal in a thread that only a line of input ends: Ctrl+C must not wait for it."""
    primary, secondary = os.openpty()
    try:
        server = subprocess.Popen(console_script(), cwd=str(REPO), env=base_env, stdin=secondary, stdout=secondary,
                                  stderr=subprocess.PIPE, text=True, encoding="utf-8")
    finally:
        os.close(secondary)
    assert server.stderr is not None
    try:
        seen = [server.stderr.readline()]
        while "serving" not in seen[-1]:  # the INFO line logged once the tools are loaded
            assert seen[-1], "".join(seen)
            seen.append(server.stderr.readline())
        time.sleep(0.3)  # the SDK's reader thread is now blocked on the terminal
        sent = time.monotonic()
        server.send_signal(signal.SIGINT)
        code = server.wait(timeout=15)
        waited = time.monotonic() - sent
        rest = server.stderr.read()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        server.stderr.close()
        os.close(primary)
    assert seen[0].rstrip("\n") == TERMINAL_HINT
    assert code == 130, rest
    assert waited < 10
    assert "Traceback" not in rest


def test_the_stdio_front_stays_out_of_every_sub_command() -> None:
    """The front claims stdin/stdout for a stdio start; a sub-command it did not know would lose its stdout."""
    import argparse

    from iletimerkezi_mcp.cli import build_parser
    from iletimerkezi_mcp.front import _NOT_SERVING

    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(subparsers.choices) <= _NOT_SERVING
