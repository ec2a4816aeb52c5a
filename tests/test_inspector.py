"""A real third-party client: the official MCP Inspector CLI, against the sandbox.

CI installs it (.ci/run) and these tests must run there; on a developer machine without
it they are skipped. `--strict` exits non-zero on any schema some client cannot take.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.inspector


def inspector() -> list[str]:
    candidates = [os.environ.get("MCP_INSPECTOR"), str(REPO / ".ci/node_modules/.bin/mcp-inspector"),
                  shutil.which("mcp-inspector")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return [candidate]
    if os.environ.get("CI"):
        pytest.fail("the MCP Inspector CLI is not installed; .ci/run installs it into .ci/node_modules")
    pytest.skip("MCP Inspector CLI not installed "
                "(run .ci/run, or npm install --prefix .ci @modelcontextprotocol/inspector)")


def run_cli(tmp_path: Path, *args: str, server_args: tuple[str, ...] = ("--sandbox",)) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ILETIMERKEZI_")}
    env.update(HOME=str(tmp_path), ILETIMERKEZI_MANIFEST="bundled",
               ILETIMERKEZI_MCP_CACHE_DIR=str(tmp_path / "cache"))
    command = [*inspector(), "--cli", "-q", "--format", "json",
               sys.executable, "-m", "iletimerkezi_mcp", *server_args, *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=90, cwd=REPO)


def test_lists_every_tool_with_strict_schema_check(tmp_path):
    done = run_cli(tmp_path, "--method", "tools/list", "--strict")
    assert done.returncode == 0, done.stderr
    names = {tool["name"] for tool in json.loads(done.stdout)["result"]["tools"]}
    assert names == {"send_sms", "cancel_order", "get_report", "get_reports", "get_balance", "get_sender",
                     "get_blacklist", "add_blacklist", "delete_blacklist", "iys_register", "iys_check",
                     "get_inbox", "preview_sms", "get_send_history"}


def test_get_balance_returns_structured_content(tmp_path):
    done = run_cli(tmp_path, "--method", "tools/call", "--tool-name", "get_balance", "--tool-args-json", "{}")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)["result"]
    assert result["isError"] is False
    assert result["structuredContent"]["balance"]["sms"] == 1000
    assert result["structuredContent"]["sandbox"] is True


def test_preview_sms_of_a_turkish_message(tmp_path):
    text = "Sayın müşterimiz, siparişiniz yola çıktı. Teşekkür ederiz!"
    args = json.dumps({"text": text, "recipients": ["0532 000 00 00", "+90 533 000 00 00"]})
    done = run_cli(tmp_path, "--method", "tools/call", "--tool-name", "preview_sms", "--tool-args-json", args)
    assert done.returncode == 0, done.stderr
    preview = json.loads(done.stdout)["result"]["structuredContent"]
    assert preview["encoding"] == "GSM-7 Turkish"
    assert preview["parts"] == 1 and preview["recipient_count"] == 2 and preview["credits"] == 2


def test_read_only_mode_lists_seven_tools(tmp_path):
    done = run_cli(tmp_path, "--method", "tools/list", server_args=("--sandbox", "--read-only"))
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["result"]["tools"]) == 7


def test_send_and_report_against_standalone_sandbox(tmp_path, sandbox):
    server_args = _sandbox_args(sandbox)
    send = json.dumps({"order": {"sender": "SANDBOX", "iys": "0", "message": {
        "text": "Siparisiniz hazir", "receipents": {"number": ["05320000002"]}}}})
    done = run_cli(tmp_path, "--method", "tools/call", "--tool-name", "send_sms", "--tool-args-json", send,
                   server_args=server_args)
    assert done.returncode == 0, done.stderr
    order_id = json.loads(done.stdout)["result"]["structuredContent"]["order"]["id"]
    report_args = json.dumps({"order": {"id": order_id}})
    done = run_cli(tmp_path, "--method", "tools/call", "--tool-name", "get_report", "--tool-args-json",
                   report_args, server_args=server_args)
    assert done.returncode == 0, done.stderr
    order = json.loads(done.stdout)["result"]["structuredContent"]["order"]
    assert order["id"] == order_id and order["total"] == 1
    assert order["message"][0]["number"] == "+905320000002"


def _sandbox_args(sandbox) -> tuple[str, ...]:
    from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY

    return ("--base-url", sandbox.url, "--api-key", SANDBOX_API_KEY, "--api-hash", SANDBOX_API_HASH)


def test_get_balance_against_a_local_fake_set_by_environment(tmp_path, sandbox):
    from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY

    # The way a user configures a local fake: env vars, passed by the Inspector's -e.
    env_flags = ("-e", f"ILETIMERKEZI_BASE_URL={sandbox.url}", "-e", f"ILETIMERKEZI_API_KEY={SANDBOX_API_KEY}",
                 "-e", f"ILETIMERKEZI_API_HASH={SANDBOX_API_HASH}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ILETIMERKEZI_")}
    env.update(HOME=str(tmp_path), ILETIMERKEZI_MANIFEST="bundled")
    command = [*inspector(), "--cli", "-q", "--format", "json", *env_flags, sys.executable, "-m",
               "iletimerkezi_mcp", "--method", "tools/call", "--tool-name", "get_balance", "--tool-args-json", "{}"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=90, cwd=REPO)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)["result"]
    assert result["structuredContent"]["balance"] == {"amount": 250, "sms": 1000, "currency": "TRY"}
    assert "sandbox" not in result["structuredContent"]  # a configured fake is not the built-in sandbox
    assert [r.path for r in sandbox.requests] == ["/v1/get-balance/json"]


def test_readme_run_command_sends_then_reads_the_report_in_a_second_run(tmp_path):
    """Each Inspector run starts a new server; the sandbox account lives on in the cache dir."""
    send = json.dumps({"order": {"sender": "SANDBOX", "iys": "0", "message": {
        "text": "Kargonuz yola cikti", "receipents": {"number": ["0532 000 00 06"]}}}})
    done = run_cli(tmp_path, "--method", "tools/call", "--tool-name", "send_sms", "--tool-args-json", send)
    assert done.returncode == 0, done.stderr
    order_id = json.loads(done.stdout)["result"]["structuredContent"]["order"]["id"]
    report = json.dumps({"order": {"id": order_id}})
    done = run_cli(tmp_path, "--method", "tools/call", "--tool-name", "get_report", "--tool-args-json", report)
    assert done.returncode == 0, done.stderr
    order = json.loads(done.stdout)["result"]["structuredContent"]["order"]
    assert order["id"] == order_id and order["message"][0]["number"] == "+905320000006"


BIG_SEND = json.dumps({"order": {"sender": "SANDBOX", "iys": "0", "message": {
    "text": "Kampanya bilgisi", "receipents": {"number": ["05320000003", "05320000004", "05320000005"]}}}})


def sends(sandbox) -> list:
    return [r for r in sandbox.requests if r.path.endswith("/send-sms/json")]


def test_send_over_threshold_needs_the_token(tmp_path, sandbox):
    done = run_cli(tmp_path, "--method", "tools/call", "--tool-name", "send_sms", "--tool-args-json", BIG_SEND,
                   server_args=(*_sandbox_args(sandbox), "--confirm-above", "2"))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)["result"]
    assert result["structuredContent"]["confirmation"]["token"]
    assert "CONFIRMATION NEEDED" in result["content"][0]["text"]
    assert sends(sandbox) == []


def test_repeating_with_the_token_sends_exactly_once(tmp_path, sandbox):
    server_args = (*_sandbox_args(sandbox), "--confirm-above", "2")
    first = run_cli(tmp_path, "--method", "tools/call", "--tool-name", "send_sms", "--tool-args-json", BIG_SEND,
                    server_args=server_args)
    token = json.loads(first.stdout)["result"]["structuredContent"]["confirmation"]["token"]
    confirmed = json.dumps({**json.loads(BIG_SEND), "confirmation_token": token})
    second = run_cli(tmp_path, "--method", "tools/call", "--tool-name", "send_sms", "--tool-args-json", confirmed,
                     server_args=server_args)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["result"]["structuredContent"]["order"]["id"]
    assert len(sends(sandbox)) == 1
    again = run_cli(tmp_path, "--method", "tools/call", "--tool-name", "send_sms", "--tool-args-json", confirmed,
                    server_args=server_args)
    assert again.returncode != 0 and "already used" in again.stderr + again.stdout
    assert len(sends(sandbox)) == 1


def test_dry_run_sends_nothing(tmp_path, sandbox):
    done = run_cli(tmp_path, "--method", "tools/call", "--tool-name", "send_sms", "--tool-args-json", BIG_SEND,
                   server_args=(*_sandbox_args(sandbox), "--dry-run"))
    assert done.returncode == 0, done.stderr
    structured = json.loads(done.stdout)["result"]["structuredContent"]
    assert structured["dry_run"] is True
    assert structured["request"]["body"]["request"]["authentication"] == {"key": "***", "hash": "***"}
    assert sends(sandbox) == []


def test_resources_and_prompts(tmp_path):
    """What the guide offers, as a real client sees it over stdio. The five runs go at once (each is
    its own Inspector and server process, with its own home and cache)."""
    runs = {
        "resources": ("--method", "resources/list"),
        "sending": ("--method", "resources/read", "--uri", "iletimerkezi://rules/sending"),
        "templates": ("--method", "resources/templates/list"),
        "prompts": ("--method", "prompts/list"),
        "audit": ("--method", "prompts/get", "--prompt-name", "delivery_audit",
                  "--prompt-args", "start=2026-11-01", "end=2026-11-29"),
    }
    started = {}
    for key, args in runs.items():
        home = tmp_path / key
        env = {k: v for k, v in os.environ.items() if not k.startswith("ILETIMERKEZI_")}
        env.update(HOME=str(home), ILETIMERKEZI_MANIFEST="bundled", ILETIMERKEZI_MCP_CACHE_DIR=str(home / "cache"))
        command = [*inspector(), "--cli", "-q", "--format", "json", sys.executable, "-m", "iletimerkezi_mcp",
                   "--sandbox", *args]
        started[key] = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env=env, cwd=REPO)
    done = {}
    try:
        for key, process in started.items():
            done[key] = (process.communicate(timeout=90), process.returncode)
    finally:
        for process in started.values():  # none is left running, whatever failed
            if process.poll() is None:
                process.kill()
                process.wait()
    results = {}
    for key, ((out, err), code) in done.items():
        assert code == 0, (key, err)
        results[key] = json.loads(out)["result"]

    resources = {r["uri"]: r["mimeType"] for r in results["resources"]["resources"]}
    assert resources == {"iletimerkezi://rules/sending": "text/markdown", "iletimerkezi://rules/iys": "text/markdown",
                         "iletimerkezi://errors": "text/markdown", "iletimerkezi://manifest": "application/json",
                         "iletimerkezi://account": "application/json"}
    [sending] = results["sending"]["contents"]
    assert sending["uri"] == "iletimerkezi://rules/sending" and sending["mimeType"] == "text/markdown"
    assert sending["text"].startswith("# Sending rules")
    [template] = results["templates"]["resourceTemplates"]
    assert template["uriTemplate"] == "iletimerkezi://orders/{id}" and template["mimeType"] == "application/json"
    prompts = {p["name"]: [(a["name"], a.get("required", False)) for a in p["arguments"]]
               for p in results["prompts"]["prompts"]}
    assert list(prompts) == ["order_notice", "consent_campaign", "delivery_audit", "failed_followup"]
    assert prompts["delivery_audit"] == [("start", True), ("end", True)]
    [message] = results["audit"]["messages"]
    assert message["role"] == "user" and message["content"]["type"] == "text"
    text = message["content"]["text"]
    assert "from 2026-11-01 to 2026-11-29" in text and "get_reports" in text and "get_report " in text
