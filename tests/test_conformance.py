"""The official MCP conformance suite (@modelcontextprotocol/conformance) against `serve-http --sandbox`.

CI installs the suite and the Node 22 it needs into .ci/conformance (.ci/run); these tests must run
there. On a developer machine without it they are skipped. MCP_CONFORMANCE may name the suite's CLI
(dist/index.js or the .bin/conformance link); MCP_CONFORMANCE_NODE a Node >= 22 to run it with.

The whole active server suite runs (about a second). Scenarios that test features the server
deliberately does not offer (resources, prompts, completions, logging, sampling, elicitation,
sessions/SSE in stateless JSON mode, non-text tool content) are listed, each with its reason, in
tests/data/conformance-expected-failures.yml; the suite fails on any other failure and on a listed
scenario that starts passing.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
PREFIX = REPO / ".ci/conformance/node_modules"
BASELINE = REPO / "tests/data/conformance-expected-failures.yml"
# Scenarios that exercise what this server does offer; each must have run with no failed check.
MUST_PASS = ("server-initialize", "ping", "tools-list", "dns-rebinding-protection")


def conformance() -> list[str]:
    cli = os.environ.get("MCP_CONFORMANCE") or str(PREFIX / "@modelcontextprotocol/conformance/dist/index.js")
    node = os.environ.get("MCP_CONFORMANCE_NODE") or str(PREFIX / "node/bin/node")
    if Path(cli).exists() and Path(node).exists():
        return [node, str(Path(cli).resolve())]
    if os.environ.get("CI"):
        pytest.fail("the MCP conformance suite is not installed; .ci/run installs it (and node@22) "
                    "into .ci/conformance")
    pytest.skip("MCP conformance suite not installed (run .ci/run, or npm install --prefix .ci/conformance "
                "node@22 @modelcontextprotocol/conformance)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    conformance()  # skip before starting anything
    tmp = tmp_path_factory.mktemp("conformance")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ILETIMERKEZI_")}
    env.update(HOME=str(tmp), ILETIMERKEZI_MANIFEST="bundled", ILETIMERKEZI_MCP_CACHE_DIR=str(tmp / "cache"),
               ILETIMERKEZI_DATA_DIR=str(tmp / "data"), ILETIMERKEZI_SANDBOX_STATE="memory")
    port = free_port()
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "iletimerkezi_mcp", "serve-http", "--sandbox",
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("serve-http did not start:\n" + (tmp / "server.log").read_text())
            time.sleep(0.1)
        yield base + "/mcp"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def checks_by_scenario(results: Path) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for checks in results.glob("server-*/checks.json"):
        # directory: server-<scenario>-<ISO timestamp with dashes>
        scenario = re.sub(r"-\d{4}-\d\d-\d\dT[\d-]+Z$", "", checks.parent.name.removeprefix("server-"))
        found[scenario] = json.loads(checks.read_text(encoding="utf-8"))
    return found


def test_server_scenarios_pass_with_the_expected_failures(server_url: str, tmp_path: Path) -> None:
    results = tmp_path / "results"
    done = subprocess.run([*conformance(), "server", "--url", server_url, "--expected-failures", str(BASELINE),
                           "-o", str(results)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert "Baseline check passed" in done.stdout, done.stdout[-3000:]
    checks = checks_by_scenario(results)
    for scenario in MUST_PASS:
        assert checks.get(scenario), f"{scenario} did not run: {sorted(checks)}"
        statuses = {c["status"] for c in checks[scenario]}
        assert "SUCCESS" in statuses and not statuses & {"FAILURE", "WARNING"}, (scenario, checks[scenario])
