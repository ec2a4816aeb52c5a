"""A local overlay (ILETIMERKEZI_OVERLAY) over the server (in-process, through the SDK's client):
new description and tightened schema in tools/list, violating arguments refused before any HTTP,
the overlay named in the instructions; a bad overlay is a precise OverlayError for the doctor and,
for the server started by the CLI, one warning line on stderr naming the file, after which it runs
without the overlay."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from conftest import CliRun
from corrupt_files import CORRUPT, make_corrupt
from mcp import Client

from iletimerkezi_mcp.overlay import OverlayError, load_overlay, load_overlay_or_warn
from iletimerkezi_mcp.sandbox import SANDBOX_API_HASH, SANDBOX_API_KEY
from iletimerkezi_mcp.server import build_server
from iletimerkezi_mcp.settings import load_settings

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
    async with Client(build_server(load_settings(env=env)), mode="legacy") as session:
        assert f"overlay {overlay}" in session.instructions and "send_sms" in session.instructions

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


def start_with_overlay(cli, base_env: dict[str, str], overlay: Path) -> CliRun:
    # The serving command with stdin at EOF: the server starts, finds no client and exits on its own.
    return cli({**base_env, "ILETIMERKEZI_OVERLAY": str(overlay)})


BAD_CONTENT = [
    ('{"tools": {"send_sms": {"description": "x"}', "not valid JSON"),
    (json.dumps({"tools": {}, "tool_overrides": {}}), "tool_overrides"),
    (json.dumps({"tools": {"send_sms": {"input_schema": "order.sender must be SANDBOX"}}}), "input_schema"),
    (json.dumps({"tools": {"send_sms": {"input_schema": {"type": "array"}}}}), "object"),
    (json.dumps({"tools": {"send_sms": {"summary": "typo for description"}}}), "summary"),
    (json.dumps(["send_sms"]), "JSON object"),
    (json.dumps({"tools": ["send_sms"]}), "tools"),
    (json.dumps({"tools": {"send_sms": None}}), "send_sms"),
    (json.dumps({"tools": {"send_sms": {"description": 5}}}), "description"),
    (json.dumps({"tools": {"send_sms": {"input_schema": {"type": "object", "properties": 5}}}}), "JSON Schema"),
    ('{"tools": {"send_sms": {"input_schema": ' * 3000 + "{}" + "}}}" * 3000 + "}", "nested too deeply"),
]
BAD_IDS = ["invalid-json", "unknown-top-level-key", "schema-not-object", "schema-root-not-object",
           "unknown-tool-key", "not-an-object", "tools-a-list", "tool-null", "description-number",
           "schema-invalid", "deeply-nested"]


@pytest.mark.parametrize("content, problem", BAD_CONTENT, ids=BAD_IDS)
def test_bad_overlay_content_is_named_precisely(tmp_path, content, problem):
    overlay = write_overlay(tmp_path, content, name="my-overlay.json")
    with pytest.raises(OverlayError) as caught:
        load_overlay(overlay)
    message = str(caught.value)
    assert message.startswith(f"overlay {overlay}") and problem in message
    assert "\n" not in message


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_any_unusable_overlay_file_is_a_warning_and_no_overlay(tmp_path, caplog, case):
    overlay = tmp_path / "overlay.json"
    make_corrupt(overlay, case)
    with pytest.raises(OverlayError, match=str(overlay)):
        load_overlay(overlay)
    with caplog.at_level(logging.WARNING):
        assert load_overlay_or_warn(overlay) is None
    (warning,) = [r.getMessage() for r in caplog.records]
    assert warning.startswith(f"overlay {overlay}")
    assert warning.endswith("; ignored, the server runs without the overlay")


def test_a_missing_overlay_is_named(tmp_path, caplog):
    missing = tmp_path / "nowhere" / "overlay.json"
    with pytest.raises(OverlayError, match="does not exist"):
        load_overlay(missing)
    with caplog.at_level(logging.WARNING):
        assert load_overlay_or_warn(missing) is None
    assert str(missing) in caplog.records[0].getMessage()


def test_a_good_overlay_loads_either_way(tmp_path, caplog):
    overlay = write_overlay(tmp_path, json.dumps(OVERLAY))
    with caplog.at_level(logging.WARNING):
        loaded = load_overlay_or_warn(overlay)
    assert loaded is not None and loaded.tools["send_sms"].description == OVERLAY_DESCRIPTION
    assert load_overlay(overlay).describe() == f"overlay {overlay} adjusts send_sms"
    assert caplog.records == []


@pytest.mark.parametrize("content, problem", [BAD_CONTENT[0], BAD_CONTENT[1]], ids=BAD_IDS[:2])
def test_a_bad_overlay_does_not_stop_the_server(cli, base_env, tmp_path, content, problem):
    overlay = write_overlay(tmp_path, content, name="my-overlay.json")
    done = start_with_overlay(cli, base_env, overlay)
    assert done.code == 0, done.stderr
    assert done.stdout == ""  # stdout belongs to JSON-RPC
    lines = [line for line in done.stderr.splitlines() if str(overlay) in line]
    assert len(lines) == 1, done.stderr
    assert problem in lines[0] and "the server runs without the overlay" in lines[0]
    assert "Traceback" not in done.stderr
