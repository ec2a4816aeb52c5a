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
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from http_support import serve_http

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


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    conformance()  # skip before starting anything
    with serve_http(tmp_path_factory.mktemp("conformance")) as base:
        yield base + "/mcp"


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
