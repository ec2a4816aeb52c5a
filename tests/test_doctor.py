"""`iletimerkezi-mcp doctor`, run in-process through the CLI entry point against local servers: one
line per check, a fix in plain words for each problem, exit 1 on any problem, credentials never
printed, and every unusable local file reported (never a traceback, never a hang, never changed)."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from corrupt_files import CORE, make_corrupt, snapshot

from iletimerkezi_mcp.cli import main
from iletimerkezi_mcp.manifest.cache import cache_path
from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY

pytestmark = pytest.mark.timeout(60)

# Canaries: if any of these strings shows up in the output, a credential leaked.
CANARY_KEY = "CANARY-key-4f1d9e"
CANARY_HASH = "CANARY-hash-8b2c7a"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    logs: str

    def lines(self, status: str) -> list[str]:
        """Check lines with the given status, each joined with its `fix:` line when there is one."""
        out = self.stdout.splitlines()
        found = []
        for i, line in enumerate(out):
            if line.startswith(f"[{status:^7}]"):
                fix = out[i + 1].strip() if i + 1 < len(out) and out[i + 1].strip().startswith("fix:") else ""
                found.append(f"{line} {fix}".strip())
        return found


@pytest.fixture
def doctor(monkeypatch, capsys, caplog):
    def run(env: dict[str, str], *flags: str) -> Run:
        for name in list(os.environ):
            if name.startswith("ILETIMERKEZI_"):
                monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        caplog.clear()
        capsys.readouterr()
        with caplog.at_level(logging.DEBUG):
            try:
                main(["doctor", *flags])
            except SystemExit as done:
                code = done.code
            else:
                code = None
        out, err = capsys.readouterr()
        assert isinstance(code, int), f"doctor ended without an exit code: {code!r}"
        return Run(code, out, err, caplog.text)
    return run


@pytest.fixture
def env(tmp_path: Path, refused_url: str) -> dict[str, str]:
    return {"ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / "cache"), "ILETIMERKEZI_MANIFEST_URL": refused_url,
            "ILETIMERKEZI_LOG_LEVEL": "INFO"}


@pytest.fixture
def good_env(env, sandbox, manifest_server) -> dict[str, str]:
    return {**env, "ILETIMERKEZI_BASE_URL": sandbox.url, "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY,
            "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url}


def test_all_checks_pass_with_the_right_credentials(doctor, good_env, sandbox):
    done = doctor(good_env)
    assert done.code == 0, done.stdout
    assert "All checks passed." in done.stdout
    assert done.lines("PROBLEM") == [] and done.lines("WARN") == []
    ok = " ".join(done.lines("OK"))
    for name in ("settings:", "credentials:", "cache dir:", "local files:", "manifest:", "manifest URL:", "API:"):
        assert name in ok
    assert "accepted the credentials" in ok
    assert len(sandbox.requests_to("get-balance")) == 1  # the API check really called the API


def test_wrong_key_explains_401_with_the_three_checks(doctor, good_env, sandbox):
    done = doctor({**good_env, "ILETIMERKEZI_API_KEY": CANARY_KEY, "ILETIMERKEZI_API_HASH": CANARY_HASH})
    assert done.code == 1
    (problem,) = done.lines("PROBLEM")
    assert problem.startswith("[PROBLEM] API:") and "401" in problem
    assert "API kullanımına izin ver" in problem and "Allow API access" in problem  # the panel toggle
    assert "key and hash" in problem  # copy both again
    assert "IP" in problem  # fixed-IP allow list
    # The wrong credentials were really sent, and never printed.
    (request,) = sandbox.requests_to("get-balance")
    assert request.body["request"]["authentication"]["key"] == CANARY_KEY
    for secret in (CANARY_KEY, CANARY_HASH):
        assert secret not in done.stdout + done.stderr + done.logs


def test_credentials_are_never_printed_even_in_debug_logs(doctor, env, sandbox, manifest_server):
    # The credentials line shows lengths only; DEBUG logging (httpx, our executor) adds no values.
    done = doctor({**env, "ILETIMERKEZI_API_KEY": CANARY_KEY, "ILETIMERKEZI_API_HASH": CANARY_HASH,
                   "ILETIMERKEZI_BASE_URL": sandbox.url, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url,
                   "ILETIMERKEZI_LOG_LEVEL": "DEBUG"})
    credentials = next(line for line in done.lines("OK") if "credentials:" in line)
    assert f"key set ({len(CANARY_KEY)} characters)" in credentials
    assert f"hash set ({len(CANARY_HASH)} characters)" in credentials
    assert done.logs  # DEBUG records were captured
    for secret in (CANARY_KEY, CANARY_HASH, "CANARY"):
        assert secret not in done.stdout + done.stderr + done.logs


def test_unreachable_manifest_url_is_a_plain_warning(doctor, good_env, refused_url):
    done = doctor({**good_env, "ILETIMERKEZI_MANIFEST_URL": refused_url})
    assert done.code == 0  # a warning is not a problem: the bundled copy still works
    (warning,) = done.lines("WARN")
    assert warning.startswith("[ WARN  ] manifest URL:")
    assert f"{refused_url} unreachable" in warning
    assert "cannot connect" in warning
    assert "cached or bundled copy" in warning and "ILETIMERKEZI_MANIFEST=bundled" in warning


def test_manifest_url_answering_an_error_status_is_a_warning(doctor, good_env, manifest_server):
    manifest_server.status = 503
    (warning,) = doctor(good_env).lines("WARN")
    assert "manifest URL:" in warning and "HTTP 503" in warning


def test_unwritable_cache_dir_is_a_problem_naming_dir_and_fix(doctor, good_env, tmp_path):
    # A path under a regular file can never be created, even by root (where chmod does not bite).
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache_dir = blocker / "sub"
    done = doctor({**good_env, "ILETIMERKEZI_MCP_CACHE_DIR": str(cache_dir)})
    assert done.code == 1
    (problem,) = done.lines("PROBLEM")
    assert problem.startswith("[PROBLEM] cache dir:")
    assert f"{cache_dir} is not writable" in problem
    assert "ILETIMERKEZI_MCP_CACHE_DIR" in problem and "writable" in problem.split("fix:")[1]
    assert blocker.read_text() == "not a directory"


def test_missing_credentials_name_both_variables_and_the_sandbox(doctor, env):
    done = doctor(env)
    assert done.code == 1
    credentials = next(line for line in done.lines("PROBLEM") if "credentials:" in line)
    assert "ILETIMERKEZI_API_KEY" in credentials and "ILETIMERKEZI_API_HASH" in credentials
    assert "--sandbox" in credentials
    api = next(line for line in done.lines("PROBLEM") if line.startswith("[PROBLEM] API:"))
    assert "no credentials" in api
    assert "problem(s) found." in done.stdout


def test_only_one_missing_credential_is_named(doctor, env):
    done = doctor({**env, "ILETIMERKEZI_API_KEY": CANARY_KEY})
    credentials = next(line for line in done.lines("PROBLEM") if "credentials:" in line)
    assert "ILETIMERKEZI_API_HASH not set" in credentials
    assert "ILETIMERKEZI_API_KEY" not in credentials.split("fix:")[0]
    assert CANARY_KEY not in done.stdout + done.stderr + done.logs


def test_doctor_sandbox_passes_without_an_account(doctor, env, tmp_path):
    done = doctor(env, "--sandbox")
    assert done.code == 0, done.stdout
    assert done.lines("PROBLEM") == []
    ok = " ".join(done.lines("OK"))
    assert "sandbox mode" in ok and "accepted the credentials" in ok
    assert "1000 SMS credits" in ok
    assert "sandbox account" in ok  # the state file is among the local files looked at


def test_doctor_sandbox_reports_the_balance_kept_in_the_state_file(doctor, env, tmp_path):
    from iletimerkezi_mcp.sandbox import SandboxState

    state = SandboxState(state_file=tmp_path / "cache" / "sandbox-state.json")
    state.credits = 321
    state.save()
    done = doctor(env, "--sandbox")
    assert "321 SMS credits" in " ".join(done.lines("OK"))


def test_doctor_stdout_is_the_report_and_logs_go_elsewhere(doctor, good_env, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = doctor({**good_env, "ILETIMERKEZI_MCP_CACHE_DIR": str(blocker / "sub")})
    assert all(line.startswith(("[", "          fix:", "All checks", "1 problem")) or not line.strip()
               for line in done.stdout.splitlines()), done.stdout
    assert "WARNING" not in done.stdout


def test_bad_overlay_is_reported_not_a_traceback(doctor, good_env, tmp_path):
    overlay = tmp_path / "overlay.json"
    overlay.write_text(json.dumps({"tools": {}, "unknown": 1}))
    done = doctor({**good_env, "ILETIMERKEZI_OVERLAY": str(overlay)})
    assert done.code == 1
    (problem,) = done.lines("PROBLEM")
    assert str(overlay) in problem and "unknown" in problem
    assert "runs without the overlay" in problem


# --------------------------------------------------------------------------- every local file, every way bad

def _cache_file(env: dict[str, str]) -> Path:
    return cache_path(Path(env["ILETIMERKEZI_MCP_CACHE_DIR"]), env["ILETIMERKEZI_MANIFEST_URL"])


# (target, where the file is, extra env, status expected, words of the fix)
TARGETS = {
    "manifest-cache": (_cache_file, {}, "WARN", "delete the file; it is rebuilt"),
    "overlay": (lambda env: Path(env["ILETIMERKEZI_MCP_CACHE_DIR"]).parent / "overlay.json",
                {"ILETIMERKEZI_OVERLAY": "{path}"}, "PROBLEM", "unset ILETIMERKEZI_OVERLAY"),
    "fallback-manifest": (lambda env: Path(env["ILETIMERKEZI_MCP_CACHE_DIR"]).parent / "fallback.json",
                          {"ILETIMERKEZI_FALLBACK_MANIFEST": "{path}"}, "WARN", "unset ILETIMERKEZI_FALLBACK_MANIFEST"),
    "send-ledger": (lambda env: Path(env["ILETIMERKEZI_MCP_CACHE_DIR"]).parent / "data" / "ledger.sqlite3",
                    {"ILETIMERKEZI_DATA_DIR": "{folder}"}, "WARN", "the server moves a damaged ledger aside"),
    "sandbox-state": (lambda env: Path(env["ILETIMERKEZI_MCP_CACHE_DIR"]) / "sandbox-state.json",
                      {"ILETIMERKEZI_SANDBOX": "1", "ILETIMERKEZI_BASE_URL": ""}, "WARN",
                      "delete the file to start a fresh sandbox account"),
}
# A directory or FIFO is never renamed by the sandbox, so its fix differs.
SANDBOX_LEFT_ALONE_FIX = "move it out of the way, or point ILETIMERKEZI_SANDBOX_STATE at another file"
# Nor by the ledger, which then cannot record anything: every write asks, so it is a problem.
LEDGER_NOT_A_FILE = ("PROBLEM", "point ILETIMERKEZI_DATA_DIR at a writable one")


@pytest.fixture
def api_env(env, sandbox) -> dict[str, str]:
    # No manifest server here (its slow shutdown would dominate): "manifest URL" is a WARN line of its own.
    return {**env, "ILETIMERKEZI_BASE_URL": sandbox.url, "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY,
            "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH}


@pytest.mark.parametrize("case", CORE)
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_every_unusable_local_file_is_reported_with_its_fix(doctor, api_env, target, case):
    where, extra, status, fix = TARGETS[target]
    if target == "sandbox-state" and case in ("directory", "fifo"):
        fix = SANDBOX_LEFT_ALONE_FIX
    if target == "send-ledger" and case in ("directory", "fifo", "dangling-symlink"):
        status, fix = LEDGER_NOT_A_FILE
    path = where(api_env)
    path.parent.mkdir(parents=True, exist_ok=True)
    make_corrupt(path, case)
    before = snapshot(path)
    env = {**api_env, **{k: v.format(path=path, folder=path.parent) for k, v in extra.items()}}
    env = {k: v for k, v in env.items() if v}
    done = doctor(env)
    assert done.code == (1 if status == "PROBLEM" else 0), done.stdout
    (line,) = [line for line in done.lines(status) if str(path) in line]
    assert f"fix: {fix}" in line or fix in line.split("fix:")[1], line
    assert "Traceback" not in done.stdout + done.stderr + done.logs
    assert "API:" in " ".join(done.lines("OK"))  # the run went on to the end
    assert snapshot(path) == before  # the doctor changes nothing


def test_garbage_everywhere_at_once_still_runs_to_the_end(doctor, env, tmp_path):
    cache = Path(env["ILETIMERKEZI_MCP_CACHE_DIR"])
    files = {
        _cache_file(env): "truncated-json",
        tmp_path / "overlay.json": "fifo",
        tmp_path / "fallback.json": "directory",
        tmp_path / "data" / "ledger.sqlite3": "invalid-utf8",
        cache / "sandbox-state.json": "wrong-types",
    }
    (tmp_path / "data").mkdir()
    for path, case in files.items():
        make_corrupt(path, case)
    done = doctor({**env, "ILETIMERKEZI_OVERLAY": str(tmp_path / "overlay.json"),
                   "ILETIMERKEZI_DATA_DIR": str(tmp_path / "data"),
                   "ILETIMERKEZI_FALLBACK_MANIFEST": str(tmp_path / "fallback.json")}, "--sandbox")
    assert done.code == 1  # the overlay is a problem; the rest are warnings
    reported = " ".join(done.lines("WARN") + done.lines("PROBLEM"))
    for path in files:
        assert str(path) in reported, path
    assert "accepted the credentials" in " ".join(done.lines("OK"))  # on a scratch sandbox account
    assert not list(cache.glob("sandbox-state.json.corrupt-*"))  # the doctor moved nothing aside


@pytest.mark.parametrize(("setup", "status", "words"), [
    ("foreign", "PROBLEM", "another program's database"),
    ("newer", "PROBLEM", "from a newer version"),
    ("empty", "OK", "becomes the ledger on the first write"),
    ("ours", "OK", "writable"),
])
def test_the_ledger_line_says_what_the_server_will_do_with_it(doctor, api_env, tmp_path, setup, status, words):
    import sqlite3

    from iletimerkezi_mcp.ledger import open_ledger

    path = tmp_path / "data" / "ledger.sqlite3"
    path.parent.mkdir()
    if setup == "empty":
        path.touch()
    elif setup == "foreign":
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE notes (x)")
    else:
        open_ledger(path).close()
        if setup == "newer":
            with sqlite3.connect(path) as db:
                db.execute("PRAGMA user_version = 99")
    done = doctor({**api_env, "ILETIMERKEZI_DATA_DIR": str(path.parent)})
    (line,) = [line for line in done.lines(status) if "send ledger" in line]
    assert words in line, line


def test_a_check_line_shows_hidden_characters_as_escapes():
    from iletimerkezi_mcp.doctor import Check

    line = Check(status="WARN", name="manifest", detail="skipped evil\x1b[2J: \nfix: nothing",
                 fix="see \u202ereadme\x07").render()
    assert line == ("[ WARN  ] manifest: skipped evil\\x1b[2J: \\nfix: nothing\n"
                    "          fix: see \\u202ereadme\\x07")


def test_a_manifest_url_that_drips_its_answer_is_cut_at_the_timeout():
    import time

    import anyio
    from slow_api import SlowApi

    from iletimerkezi_mcp.doctor import check_manifest_url
    from iletimerkezi_mcp.settings import Settings

    with SlowApi("drip-head", interval=0.2) as slow:  # the status line never completes, a byte at a time
        started = time.monotonic()
        check = anyio.run(check_manifest_url, Settings(manifest_url=slow.url + "/manifest.json", manifest_timeout=1))
        elapsed = time.monotonic() - started
    assert check.status == "WARN" and "no answer within 1 s" in check.detail
    assert elapsed < 3


# --------------------------------------------------------------------------- the PostgreSQL ledger

def _pg_server():  # tests/ledger/pg_server.py, as the ledger tests import it (one server per test process)
    import sys

    folder = str(Path(__file__).resolve().parent / "ledger")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import pg_server

    return pg_server


def test_the_ledger_line_checks_the_configured_postgresql(doctor, api_env):
    pytest.importorskip("psycopg", reason="psycopg is in the dev group (uv sync)")
    from iletimerkezi_mcp.ledger.pg_schema import PG_SCHEMA_VERSION

    pg = _pg_server()
    url = pg.fresh_url()
    done = doctor({**api_env, "ILETIMERKEZI_DATABASE_URL": url})
    (line,) = [line for line in done.lines("OK") if "send ledger" in line]
    assert "PostgreSQL" in line and "reachable" in line and f"schema version {PG_SCHEMA_VERSION}" in line, line
    assert "ledger.sqlite3" not in line
    assert pg.PASSWORD not in done.stdout + done.stderr + done.logs


def test_an_unreachable_postgresql_ledger_is_a_problem_without_the_password(doctor, api_env):
    pytest.importorskip("psycopg", reason="psycopg is in the dev group (uv sync)")
    import socket

    with socket.socket() as closed:  # bound, never listening: connections are refused at once
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        secret = "S3cret-doctor-pw-5521"
        done = doctor({**api_env, "ILETIMERKEZI_DATABASE_URL": f"postgresql://carol:{secret}@127.0.0.1:{port}/sms"})
    assert done.code == 1
    (line,) = [line for line in done.lines("PROBLEM") if "send ledger" in line]
    assert "PostgreSQL" in line and "ILETIMERKEZI_DATABASE_URL" in line, line
    assert secret not in done.stdout + done.stderr + done.logs
    assert "Traceback" not in done.stdout + done.stderr
