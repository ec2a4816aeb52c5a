"""A report piped into a reader that stops early (`iletimerkezi-mcp tools | head -c 10`) ends quietly:
no traceback, no "Exception ignored", and exit status 141 (128 + SIGPIPE), as a shell shows for `cat` or
`grep` cut off the same way. Real processes: only they have a pipe whose reader can go away."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO

TIMEOUT = 60  # seconds, per subprocess
SIGPIPE_EXIT = 141  # what `cli.SIGPIPE_EXIT` promises

PREVIEW = ["--sandbox", "call", "preview_sms", "--json", json.dumps({"text": "x"})]
REPORTS = {
    "tools": ["--sandbox", "tools"],
    "tools --lint": ["tools", "--lint"],
    "call preview_sms": PREVIEW,
    "call get_balance": ["--sandbox", "call", "get_balance"],
    "history": ["history"],
    "manifest show": ["manifest", "show"],
    "--help": ["--help"],
    "--version": ["--version"],
}


def start(env: dict[str, str], args: list[str], buffered: bool) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in env.items() if k != "PYTHONUNBUFFERED"}
    if not buffered:  # every print reaches the pipe at once: the error comes from print, not the last flush
        env["PYTHONUNBUFFERED"] = "1"
    return subprocess.Popen([sys.executable, "-m", "iletimerkezi_mcp", *args], cwd=str(REPO), env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    assert process.stderr is not None
    try:
        stderr = process.stderr.read().decode("utf-8", "replace")
        return process.wait(timeout=TIMEOUT), stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()


def assert_quiet(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert "BrokenPipe" not in stderr and "Exception ignored" not in stderr, stderr


# Every report buffered; unbuffered (each print meets the closed pipe itself) for one table and one call
# result, which take the two output paths. --help and --version are left out unbuffered: argparse
# swallows the error of its own write (exit 0).
UNBUFFERED = ("tools", "call preview_sms")
CASES = [(name, True) for name in REPORTS] + [(name, False) for name in UNBUFFERED]


@pytest.mark.parametrize(("name", "buffered"), CASES,
                         ids=[f"{name}-{'buffered' if buffered else 'unbuffered'}" for name, buffered in CASES])
def test_a_reader_gone_before_the_report_ends_it_quietly(base_env: dict[str, str], name: str, buffered: bool) -> None:
    process = start(base_env, REPORTS[name], buffered)
    assert process.stdout is not None
    process.stdout.close()  # the reader is gone before the first byte: every write meets a closed pipe
    code, stderr = finish(process)
    assert_quiet(stderr)
    assert code == SIGPIPE_EXIT, stderr


def test_nothing_to_print_is_no_error(base_env: dict[str, str]) -> None:
    process = start(base_env, ["history", "--json"], buffered=True)  # an empty ledger: no line at all
    assert process.stdout is not None
    process.stdout.close()
    code, stderr = finish(process)
    assert_quiet(stderr)
    assert code == 0, stderr


def test_a_reader_that_takes_ten_bytes_ends_it_quietly(base_env: dict[str, str]) -> None:
    """`| head -c 10`: whether the report fitted in the pipe before the reader left is a race."""
    process = start(base_env, PREVIEW, buffered=False)
    assert process.stdout is not None
    first = process.stdout.read(10)
    process.stdout.close()
    code, stderr = finish(process)
    assert len(first) == 10
    assert_quiet(stderr)
    assert code in (0, SIGPIPE_EXIT), stderr


def test_an_open_pipe_gets_the_whole_report(base_env: dict[str, str]) -> None:
    process = start(base_env, PREVIEW, buffered=True)
    assert process.stdout is not None
    out = process.stdout.read()
    process.stdout.close()
    code, stderr = finish(process)
    assert code == 0, stderr
    assert b"credit(s)" in out and out.endswith(b"\n")
