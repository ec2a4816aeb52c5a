"""A local overlay (ILETIMERKEZI_OVERLAY) over the real stdio server: new description and
tightened schema in tools/list, violating arguments refused before any HTTP, the overlay named
in the instructions, and a bad overlay stopping start-up with a line that names the file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, stdio_session

from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY

pytestmark = pytest.mark.timeout(60)

OVERLAY_DESCRIPTION = "Send SMS for the Acme shop: only the SANDBOX sender, short texts."
OVERLAY = {
    "tools": {
        "send_sms": {
            "description": OVERLAY_DESCRIPTION,
            "input_schema": {
                "type": "object",
                "properties": {
                    "order": {
                        "type": "object",
                        "properties": {
                            "sender": {"enum": ["SANDBOX"]},
                            "message": {"type": "object",
                                        "properties": {"text": {"type": "string", "maxLength": 40}}},
                        },
                    }
                },
            },
        }
    }
}


def send_arguments(sender: str = "SANDBOX", text: str = "Kargonuz yolda") -> dict[str, Any]:
    return {"order": {"sender": sender, "iys": "0",
                      "message": {"text": text, "receipents": {"number": ["905321234567"]}}}}


def write_overlay(tmp_path: Path, content: str, name: str = "overlay.json") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.anyio
async def test_overlay_changes_tools_list_and_refuses_before_http(base_env, tmp_path, sandbox):
    overlay = write_overlay(tmp_path, json.dumps(OVERLAY))
    env = {**base_env, "ILETIMERKEZI_OVERLAY": str(overlay), "ILETIMERKEZI_BASE_URL": sandbox.url,
           "ILETIMERKEZI_MANIFEST": "bundled",  # no manifest fetch: this test is about the overlay
           "ILETIMERKEZI_API_KEY": SANDBOX_API_KEY, "ILETIMERKEZI_API_HASH": SANDBOX_API_HASH}
    async with stdio_session(env) as session:
        init = await session.initialize()
        assert f"overlay {overlay}" in init.instructions and "send_sms" in init.instructions

        tools = {t.name: t for t in (await session.list_tools()).tools}
        send = tools["send_sms"]
        assert send.description.startswith(OVERLAY_DESCRIPTION)
        order = send.input_schema["properties"]["order"]
        assert order["properties"]["sender"]["enum"] == ["SANDBOX"]
        assert order["properties"]["sender"]["maxLength"] == 11  # the manifest's limits are kept
        assert order["properties"]["message"]["properties"]["text"]["maxLength"] == 40
        assert "confirmation_token" in send.input_schema["properties"]
        # Other tools are untouched.
        assert "SANDBOX" not in json.dumps(tools["get_balance"].input_schema)

        for bad in (send_arguments(sender="APITEST"), send_arguments(text="x" * 41)):
            refused = await session.call_tool("send_sms", bad)
            assert refused.is_error is True
            assert "nothing was sent" in refused.content[0].text
        refused_text = refused.content[0].text
        assert "order.message.text" in refused_text
        assert sandbox.requests == []  # refused before any HTTP

        # Control: an argument set inside the overlay goes through to the API.
        sent = await session.call_tool("send_sms", send_arguments())
        assert sent.is_error is False, sent.content
    assert len(sandbox.requests_to("send-sms")) == 1


def start_with_overlay(base_env: dict[str, str], overlay: Path) -> subprocess.CompletedProcess[str]:
    env = {**base_env, "ILETIMERKEZI_OVERLAY": str(overlay)}
    # stdin at EOF: if start-up wrongly succeeded, the server would still exit on its own.
    return subprocess.run([sys.executable, "-m", "iletimerkezi_mcp"], env=env, cwd=str(REPO),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("content, problem", [
    ('{"tools": {"send_sms": {"description": "x"}', "not valid JSON"),
    (json.dumps({"tools": {}, "tool_overrides": {}}), "tool_overrides"),
    (json.dumps({"tools": {"send_sms": {"input_schema": "order.sender must be SANDBOX"}}}), "input_schema"),
    (json.dumps({"tools": {"send_sms": {"input_schema": {"type": "array"}}}}), "object"),
    (json.dumps({"tools": {"send_sms": {"summary": "typo for description"}}}), "summary"),
    (json.dumps(["send_sms"]), "JSON object"),
], ids=["invalid-json", "unknown-top-level-key", "schema-not-object", "schema-root-not-object",
        "unknown-tool-key", "not-an-object"])
def test_bad_overlay_stops_start_up_naming_the_file(base_env, tmp_path, content, problem):
    overlay = write_overlay(tmp_path, content, name="my-overlay.json")
    done = start_with_overlay(base_env, overlay)
    assert done.returncode != 0
    assert done.stdout == ""  # stdout belongs to JSON-RPC, even when failing
    lines = [line for line in done.stderr.splitlines() if str(overlay) in line]
    assert lines, done.stderr
    assert problem in lines[0]
    assert "Traceback" not in done.stderr


def test_missing_overlay_file_stops_start_up(base_env, tmp_path):
    missing = tmp_path / "nowhere" / "overlay.json"
    done = start_with_overlay(base_env, missing)
    assert done.returncode != 0
    assert any(str(missing) in line and "cannot read" in line for line in done.stderr.splitlines()), done.stderr
