"""A hostile manifest: terminal escapes, zero-width and bidi characters in every text it carries.

None of them may reach a client (every string of every tool in tools/list) or a terminal (the
stdout of `tools`, `manifest show`, `manifest diff` and `doctor`). Prose is cleaned; text the API
receives as written (property names, enum and const values) cannot be, so its tool is not served.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from json_strings import strings
from manifest_server import bundled_manifest, endpoint
from mcp import Client

from iletimerkezi_mcp.app import build_state
from iletimerkezi_mcp.manifest.loader import LoadedManifest
from iletimerkezi_mcp.manifest.models import parse_manifest
from iletimerkezi_mcp.server import build_server
from iletimerkezi_mcp.settings import Settings
from iletimerkezi_mcp.tools import build_catalog

pytestmark = pytest.mark.timeout(60)

# Screen clear, window title (OSC ... BEL), zero-width space, right-to-left override, C1 CSI, line separator.
HOSTILE = "\x1b[2J\x1b]0;pwned\x07\u200b\u202e\x9b2J\u2028"
# Defined here, not imported: the test must not share the code it checks.
ZERO_WIDTH_AND_BIDI = {*map(chr, range(0x200B, 0x2010)), *map(chr, range(0x202A, 0x202F)),
                       *map(chr, range(0x2060, 0x206A)), "\ufeff", "\u00ad", "\u061c", "\u2028", "\u2029"}
REFUSED = {  # tool: what in its schema the model would have to send back with hidden characters
    "get_balance": "property name",
    "get_sender": "enum value",
    "get_inbox": "const value",
    "cancel_order": "required name",
}


def hidden(text: str, newlines: bool = False) -> list[str]:
    """The characters of `text` that a reader or a terminal must not get raw."""
    return [ch for ch in text if not (newlines and ch == "\n")
            and (ch in ZERO_WIDTH_AND_BIDI or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"))]


def _poison_schema(node: Any) -> None:
    """Hostile prose, defaults, examples and formats on every property, at every depth."""
    if isinstance(node, list):
        for item in node:
            _poison_schema(item)
        return
    if not isinstance(node, dict):
        return
    for sub in (node.get("properties") or {}).values():
        if not isinstance(sub, dict):
            continue
        sub["description"] = f"Described {HOSTILE}here. " + sub.get("description", "")
        sub["title"] = f"Titled {HOSTILE}"
        sub["examples"] = [f"example{HOSTILE}"]
        if sub.get("type") == "string" and "enum" not in sub:
            sub["default"] = f"default{HOSTILE}"
            sub.setdefault("format", f"format{HOSTILE}")
    for value in node.values():
        _poison_schema(value)


def hostile_manifest() -> dict[str, Any]:
    document = bundled_manifest()
    for ep in document["endpoints"]:
        ep["slug"] = f"{ep['slug']}{HOSTILE}"
        ep["notes"] = f"Notes {HOSTILE}"
        for field in ("title", "summary", "description"):
            ep[field] = {"en": f"{field.capitalize()} in English {HOSTILE}end", "tr": f"Türkçe {HOSTILE}"}
        ep["input_schema"]["description"] = f"Root {HOSTILE}"
        _poison_schema(ep["input_schema"])
    endpoint(document, "get_balance")["input_schema"]["properties"][f"note{HOSTILE}"] = {"type": "string"}
    endpoint(document, "get_sender")["input_schema"]["properties"]["kind"] = {
        "type": "string", "enum": ["plain", f"evil{HOSTILE}"]}
    endpoint(document, "get_inbox")["input_schema"]["properties"]["mode"] = {"const": "\u200bmode"}
    endpoint(document, "cancel_order")["input_schema"]["properties"]["order"]["required"].append("id\u202e")
    # Not a valid tool name at all: parse_manifest skips it, and its slug is printed as the reason's label.
    document["endpoints"].append({"slug": f"evil{HOSTILE}", "path": "/v1/evil/json", "mcp_tool": f"evil{HOSTILE}",
                                  "input_schema": {"type": "object", "properties": {}}})
    return document


@pytest.fixture
def hostile_file(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile_manifest()), encoding="utf-8")
    return path


@pytest.fixture
def hostile_env(tmp_path: Path, hostile_file: Path, refused_url: str) -> dict[str, str]:
    """The hostile manifest served as the fallback copy, with nothing fetched."""
    return {"ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / "cache"), "ILETIMERKEZI_MANIFEST": "bundled",
            "ILETIMERKEZI_FALLBACK_MANIFEST": str(hostile_file), "ILETIMERKEZI_MANIFEST_URL": refused_url,
            "HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path)}


# --------------------------------------------------------------------------- what a client sees


@pytest.mark.anyio
async def test_no_hidden_character_reaches_tools_list(tmp_path: Path, hostile_file: Path) -> None:
    settings = Settings(cache_dir=tmp_path / "cache", manifest_mode="bundled", fallback_manifest=hostile_file)
    state = build_state(settings)
    assert state.catalog.manifest.origin == str(hostile_file)
    async with Client(build_server(settings, state=state), mode="legacy") as session:
        tools = (await session.list_tools()).tools
    served = {tool.name for tool in tools}
    assert {"send_sms", "get_report", "iys_register", "add_blacklist"} <= served
    assert not served & set(REFUSED)
    for tool in tools:
        listed = tool.model_dump(mode="json", by_alias=True, exclude_none=True)
        for key, text in strings(listed):
            assert hidden(text, newlines=key == "description") == [], (tool.name, key, text)
        # A default, example or format with hidden characters is left out, not cleaned: a model would send it.
        dumped = json.dumps(listed, ensure_ascii=False)
        assert "(example:" not in dumped and "(format:" not in dumped and '"default": "default' not in dumped
    send = next(tool for tool in tools if tool.name == "send_sms")
    assert send.title == "Title in English end"
    order = send.input_schema["properties"]["order"]["description"]
    assert order.startswith("Described \nhere. Exactly one order")  # the prose survives, cleaned (U+2028: a newline)
    assert send.input_schema["description"] == "Root"


def test_a_tool_whose_wire_text_hides_characters_is_refused_with_the_reason() -> None:
    catalog = build_catalog(LoadedManifest(source="bundled", parsed=parse_manifest(hostile_manifest()),
                                           origin="test"), Settings())
    skipped = dict(catalog.skipped)
    assert set(skipped) == set(REFUSED)
    for name, what in REFUSED.items():
        assert what in skipped[name] and "not served" in skipped[name]
        assert hidden(skipped[name]) == []  # the reason shows the characters as escapes
    assert "\\u202e" in skipped["cancel_order"]


def test_the_fallback_description_names_the_slug_cleaned() -> None:
    document = hostile_manifest()
    for field in ("title", "summary", "description", "notes"):
        endpoint(document, "get_report").pop(field)
    catalog = build_catalog(LoadedManifest(source="bundled", parsed=parse_manifest(document), origin="test"),
                            Settings())
    description = catalog.specs["get_report"].tool.description or ""
    assert "/v1/get-report/json (get-report" in description
    assert hidden(description, newlines=True) == []


# --------------------------------------------------------------------------- what a terminal sees


def assert_terminal_safe(stdout: str) -> None:
    assert stdout.strip()
    assert hidden(stdout, newlines=True) == [], stdout


def test_tools_prints_no_live_escape(cli, hostile_env) -> None:
    done = cli(hostile_env, "tools")
    assert done.code == 0, done.stderr
    assert_terminal_safe(done.stdout)
    for name, what in REFUSED.items():
        assert any(line.startswith(f"skipped: {name}: ") and what in line for line in done.stdout.splitlines())
    assert "\\x1b" in done.stdout  # shown, not acted on


def test_tools_lint_prints_no_live_escape(cli, hostile_env) -> None:
    done = cli(hostile_env, "tools", "--lint")
    assert_terminal_safe(done.stdout)


def test_manifest_show_prints_no_live_escape(cli, hostile_env) -> None:
    done = cli(hostile_env, "manifest", "show")
    assert done.code == 0, done.stderr
    assert_terminal_safe(done.stdout)
    skipped = [line for line in done.stdout.splitlines() if line.startswith("skipped:  evil")]
    assert len(skipped) == 1 and "\\x1b[2J\\x1b]0;pwned\\x07\\u200b\\u202e\\x9b2J\\u2028" in skipped[0]


def test_manifest_diff_prints_no_live_escape(cli, hostile_env, manifest_server) -> None:
    manifest_server.serve_json(hostile_manifest())
    env = {k: v for k, v in hostile_env.items() if k not in ("ILETIMERKEZI_MANIFEST", "ILETIMERKEZI_FALLBACK_MANIFEST")}
    done = cli({**env, "ILETIMERKEZI_MANIFEST_URL": manifest_server.url}, "manifest", "diff")
    assert done.code == 0, done.stderr
    assert_terminal_safe(done.stdout)
    assert "  get_balance: + field note\\x1b[2J" in done.stdout
    assert "  get_sender: + field kind" in done.stdout.splitlines()


def test_doctor_prints_no_live_escape_and_warns_about_refused_tools(cli, hostile_env) -> None:
    done = cli(hostile_env, "doctor")
    assert_terminal_safe(done.stdout)
    manifest = next(line for line in done.stdout.splitlines() if line.startswith("[ WARN  ] manifest:"))
    assert all(name in manifest for name in REFUSED) and "evil\\x1b" in manifest


@pytest.mark.parametrize("command", [("tools",), ("manifest", "show"), ("doctor",)])
def test_a_hostile_generated_at_is_never_printed_raw(cli, hostile_env, hostile_file, command) -> None:
    document = bundled_manifest()
    document["generated_at"] = f"2026-01-01{HOSTILE}"
    hostile_file.write_text(json.dumps(document), encoding="utf-8")
    assert_terminal_safe(cli(hostile_env, *command).stdout)
