"""The README's promises: every setting documented, every config snippet valid for its format."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from iletimerkezi_mcp.settings import SETTINGS

REPO = Path(__file__).resolve().parents[1]
CHECKOUT = "/path/to/iletimerkezi-mcp"  # what every README config uses for the checkout
README = (REPO / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def test_every_setting_is_in_the_readme_table():
    for spec in SETTINGS:
        assert f"`{spec.env}`" in README and f"`{spec.flag}`" in README, spec.env


def test_readme_commands_are_the_promised_ones():
    assert "uv run iletimerkezi-mcp --sandbox" in README
    assert "uv run pytest" in README
    ci = (REPO / ".ci" / "run").read_text()
    assert ci.strip().endswith("uv run pytest")


def test_json_snippets_are_valid_client_configs():
    snippets = [json.loads(text) for text in blocks("json")]
    servers = [s for s in snippets if "mcpServers" in s or "servers" in s]
    assert len(servers) >= 6  # Claude Desktop, Cursor, Cline, Windsurf, VS Code, Gemini CLI
    for snippet in servers:
        entries = snippet.get("mcpServers") or snippet["servers"]
        for entry in entries.values():
            # --no-dev: a person's server needs none of the test and lint tools of the checkout
            assert entry["command"] == "uv" and entry["args"][:4] == ["run", "--no-dev", "--directory", CHECKOUT]
            assert entry["args"][4] == "iletimerkezi-mcp"
            assert all(isinstance(v, str) for v in entry.get("env", {}).values())


def test_every_client_section_gives_the_published_form_too():
    sections = re.split(r"^### ", README.split("### Claude Desktop", 1)[1].split("### Windows notes")[0], flags=re.M)
    assert len(sections) == 8  # Claude Desktop, Claude Code, Cursor, Cline, Codex, Windsurf, VS Code, Gemini CLI
    for section in sections:
        assert "Published:" in section and "uvx" in section, section[:40]


def test_vs_code_asks_for_the_credentials_as_secrets():
    (vscode,) = [json.loads(text) for text in blocks("json") if '"servers"' in text]
    prompts = {item["id"]: item for item in vscode["inputs"]}
    assert all(item["password"] is True for item in prompts.values())
    env = vscode["servers"]["sms"]["env"]
    assert {value.removeprefix("${input:").removesuffix("}") for value in env.values()} == set(prompts)


def test_links_are_absolute_so_the_readme_reads_on_pypi():
    targets = re.findall(r"\]\(([^)]+)\)", README)
    relative = [target for target in targets if not target.startswith(("https://", "http://", "#"))]
    assert relative == []


def test_the_registry_can_verify_the_package_name():
    server = json.loads((REPO / "server.json").read_text())
    assert f"mcp-name: {server['name']}" in README


def test_example_config_file_is_valid():
    config = json.loads((REPO / "claude_desktop_config.example.json").read_text())
    assert set(config["mcpServers"]) == {"sms", "sms-sandbox"}
    assert "--sandbox" in config["mcpServers"]["sms-sandbox"]["args"]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is 3.11+")
def test_toml_snippet_is_a_valid_codex_config():
    import tomllib

    (snippet,) = blocks("toml")
    config = tomllib.loads(snippet)
    server = config["mcp_servers"]["sms"]
    assert server["command"] == "uv" and server["startup_timeout_sec"] >= 30
    assert set(server["env"]) == {"ILETIMERKEZI_API_KEY", "ILETIMERKEZI_API_HASH"}


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is 3.11+")
def test_server_json_matches_the_package():
    import tomllib

    from iletimerkezi_mcp import __version__

    server = json.loads((REPO / "server.json").read_text())
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert server["version"] == project["version"]
    assert server["packages"][0]["identifier"] == project["name"]
    assert __version__ == project["version"]
    bundle = json.loads((REPO / "manifest.json").read_text())  # the MCPB desktop-extension manifest
    assert bundle["version"] == project["version"] and bundle["name"] == project["name"]
    assert bundle["user_config"]["api_key"]["sensitive"] is True
