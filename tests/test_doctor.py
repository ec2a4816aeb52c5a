"""`iletimerkezi-mcp doctor` as a subprocess against local servers: one line per check, a fix
in plain words for each problem, exit 1 on any problem, and credentials never printed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO

from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY

pytestmark = pytest.mark.timeout(60)

# Canaries: if any of these strings shows up in the output, a credential leaked.
CANARY_KEY = "CANARY-key-4f1d9e"
CANARY_HASH = "CANARY-hash-8b2c7a"


def doctor(env: dict[str, str], *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "iletimerkezi_mcp", "doctor", *flags], env=env, cwd=str(REPO),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=45)


def lines_of(done: subprocess.CompletedProcess[str], status: str) -> list[str]:
    """Check lines with the given status, each joined with its `fix:` line when there is one."""
    out = done.stdout.splitlines()
    found = []
    for i, line in enumerate(out):
        if line.startswith(f"[{status:^7}]"):
            fix = out[i + 1].strip() if i + 1 < len(out) and out[i + 1].strip().startswith("fix:") else ""
            found.append(f"{line} {fix}".strip())
    return found


@pytest.fixture
def good_env(base_env, sandbox, manifest_server) -> dict[str, str]:
    return {**base_env, "ILETIMERKEZI_BASE_URL": sandbox.url, "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY,
            "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url}


def test_all_checks_pass_with_the_right_credentials(good_env, sandbox):
    done = doctor(good_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All checks passed." in done.stdout
    assert lines_of(done, "PROBLEM") == [] and lines_of(done, "WARN") == []
    ok = " ".join(lines_of(done, "OK"))
    for name in ("settings:", "credentials:", "cache dir:", "manifest:", "manifest URL:", "API:"):
        assert name in ok
    assert "accepted the credentials" in ok
    assert len(sandbox.requests_to("get-balance")) == 1  # the API check really called the API


def test_wrong_key_explains_401_with_the_three_checks(good_env, sandbox):
    done = doctor({**good_env, "ILETIMERKEZI_API_KEY": CANARY_KEY, "ILETIMERKEZI_API_HASH": CANARY_HASH})
    assert done.returncode == 1
    (problem,) = lines_of(done, "PROBLEM")
    assert problem.startswith("[PROBLEM] API:") and "401" in problem
    assert "API kullanımına izin ver" in problem and "Allow API access" in problem  # the panel toggle
    assert "key and hash" in problem  # copy both again
    assert "IP" in problem  # fixed-IP allow list
    # The wrong credentials were really sent, and never printed.
    (request,) = sandbox.requests_to("get-balance")
    assert request.body["request"]["authentication"]["key"] == CANARY_KEY
    for secret in (CANARY_KEY, CANARY_HASH):
        assert secret not in done.stdout and secret not in done.stderr


def test_credentials_are_never_printed_even_in_debug_logs(base_env, sandbox, manifest_server):
    # The credentials line shows lengths only; DEBUG logging (httpx, our executor) adds no values.
    env = {**base_env, "ILETIMERKEZI_API_KEY": CANARY_KEY, "ILETIMERKEZI_API_HASH": CANARY_HASH,
           "ILETIMERKEZI_BASE_URL": sandbox.url, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url,
           "ILETIMERKEZI_LOG_LEVEL": "DEBUG"}
    done = doctor(env)
    credentials = next(line for line in lines_of(done, "OK") if "credentials:" in line)
    assert f"key set ({len(CANARY_KEY)} characters)" in credentials
    assert f"hash set ({len(CANARY_HASH)} characters)" in credentials
    for secret in (CANARY_KEY, CANARY_HASH, "CANARY"):
        assert secret not in done.stdout and secret not in done.stderr


def test_unreachable_manifest_url_is_a_plain_warning(good_env, refused_url):
    done = doctor({**good_env, "ILETIMERKEZI_MANIFEST_URL": refused_url})
    assert done.returncode == 0  # a warning is not a problem: the bundled copy still works
    (warning,) = lines_of(done, "WARN")
    assert warning.startswith("[ WARN  ] manifest URL:")
    assert f"{refused_url} unreachable" in warning
    assert "cannot connect" in warning
    assert "cached or bundled copy" in warning and "ILETIMERKEZI_MANIFEST=bundled" in warning
    assert "Traceback" not in done.stdout + done.stderr


def test_manifest_url_answering_an_error_status_is_a_warning(good_env, manifest_server):
    manifest_server.status = 503
    done = doctor(good_env)
    (warning,) = lines_of(done, "WARN")
    assert "manifest URL:" in warning and "HTTP 503" in warning


def test_unwritable_cache_dir_is_a_problem_naming_dir_and_fix(good_env, tmp_path):
    # A path under a regular file can never be created, even by root (where chmod does not bite).
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache_dir = blocker / "sub"
    done = doctor({**good_env, "ILETIMERKEZI_MCP_CACHE_DIR": str(cache_dir)})
    assert done.returncode == 1
    (problem,) = lines_of(done, "PROBLEM")
    assert problem.startswith("[PROBLEM] cache dir:")
    assert f"{cache_dir} is not writable" in problem
    assert "ILETIMERKEZI_MCP_CACHE_DIR" in problem and "writable" in problem.split("fix:")[1]
    assert blocker.read_text() == "not a directory"


def test_missing_credentials_name_both_variables_and_the_sandbox(base_env, refused_url):
    done = doctor({**base_env, "ILETIMERKEZI_MANIFEST_URL": refused_url})
    assert done.returncode == 1
    credentials = next(line for line in lines_of(done, "PROBLEM") if "credentials:" in line)
    assert "ILETIMERKEZI_API_KEY" in credentials and "ILETIMERKEZI_API_HASH" in credentials
    assert "--sandbox" in credentials
    api = next(line for line in lines_of(done, "PROBLEM") if line.startswith("[PROBLEM] API:"))
    assert "no credentials" in api
    assert "problem(s) found." in done.stdout


def test_only_one_missing_credential_is_named(base_env, refused_url):
    done = doctor({**base_env, "ILETIMERKEZI_API_KEY": CANARY_KEY, "ILETIMERKEZI_MANIFEST_URL": refused_url})
    credentials = next(line for line in lines_of(done, "PROBLEM") if "credentials:" in line)
    assert "ILETIMERKEZI_API_HASH not set" in credentials
    assert "ILETIMERKEZI_API_KEY" not in credentials.split("fix:")[0]
    assert CANARY_KEY not in done.stdout + done.stderr


def test_doctor_sandbox_passes_without_an_account(base_env, refused_url):
    done = doctor({**base_env, "ILETIMERKEZI_MANIFEST_URL": refused_url}, "--sandbox")
    assert done.returncode == 0, done.stdout + done.stderr
    assert lines_of(done, "PROBLEM") == []
    ok = " ".join(lines_of(done, "OK"))
    assert "sandbox mode" in ok and "accepted the credentials" in ok


def test_doctor_stdout_is_the_report_and_logs_go_to_stderr(good_env, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = doctor({**good_env, "ILETIMERKEZI_MCP_CACHE_DIR": str(blocker / "sub")})
    assert all(line.startswith(("[", "          fix:", "All checks", "1 problem")) or not line.strip()
               for line in done.stdout.splitlines()), done.stdout
    assert "iletimerkezi-mcp WARNING" not in done.stdout


def test_bad_overlay_is_reported_not_a_traceback(good_env, tmp_path):
    overlay = tmp_path / "overlay.json"
    overlay.write_text(json.dumps({"tools": {}, "unknown": 1}))
    done = doctor({**good_env, "ILETIMERKEZI_OVERLAY": str(overlay)})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert any(str(overlay) in line for line in lines_of(done, "PROBLEM")), done.stdout + done.stderr
