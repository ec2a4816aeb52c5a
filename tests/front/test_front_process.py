"""The front in the real entry point (`python -m iletimerkezi_mcp`): a second identical start answers
from the snapshot, byte for byte what the first one answered, and then serves as usual."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO
from front_support import INITIALIZED, initialize, tools_list

pytestmark = pytest.mark.timeout(90)
CALL = {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "preview_sms", "arguments": {"text": "Kargonuz yolda"}}}


def one_start(env: dict[str, str]) -> tuple[list[bytes], str]:
    process = subprocess.Popen([sys.executable, "-m", "iletimerkezi_mcp", "--sandbox"], cwd=REPO, env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    lines = []
    for messages in ([initialize(1, "2025-11-25")], [INITIALIZED, tools_list(2)], [CALL]):
        process.stdin.write(b"".join(json.dumps(m).encode() + b"\n" for m in messages))
        process.stdin.flush()
        lines.append(process.stdout.readline())
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 0, errors
    return lines, errors.decode()


def test_a_second_start_answers_from_the_snapshot(base_env):
    first, first_log = one_start(base_env)
    second, second_log = one_start(base_env)
    assert "from the start snapshot" not in first_log
    assert "answered initialize and tools/list from the start snapshot" in second_log
    assert second[:2] == first[:2]
    assert json.loads(second[2])["result"]["isError"] is False
