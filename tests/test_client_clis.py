"""Real clients from the README: Claude Code's CLI runs the README's own `claude mcp add` commands,
Gemini CLI reads the README's own settings block (checkout form, the placeholder path replaced by
this checkout), and each one's `mcp list` must report the servers connected. CI installs both CLIs
(.ci/run); elsewhere these tests are skipped."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
CHECKOUT = "/path/to/iletimerkezi-mcp"

pytestmark = [pytest.mark.inspector, pytest.mark.timeout(240)]


def client_cli(variable: str, name: str, package: str) -> str:
    candidates = [os.environ.get(variable), str(REPO / ".ci/node_modules/.bin" / name), shutil.which(name)]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    if os.environ.get("CI"):
        pytest.fail(f"{package} is not installed; .ci/run installs it into .ci/node_modules")
    pytest.skip(f"{package} is not installed (run .ci/run, or npm install --prefix .ci {package})")


def client_env(home: Path) -> dict[str, str]:
    """A fresh home for the client, no account, and uv on PATH (the configurations start the server with it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ILETIMERKEZI_", "CLAUDE", "ANTHROPIC", "GEMINI"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), ILETIMERKEZI_MANIFEST="bundled",
               DISABLE_AUTOUPDATER="1", DISABLE_TELEMETRY="1")
    assert shutil.which("uv", path=env.get("PATH")) is not None, "uv must be on PATH"
    return env


def readme_commands() -> list[str]:
    """The README's `claude mcp add` commands, line continuations joined."""
    section = README.split("### Claude Code", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    return [block.replace("\\\n", " ").strip() for block in blocks if block.strip().startswith("claude mcp add")]


def test_the_readmes_claude_code_commands_register_servers_that_connect(tmp_path):
    commands = readme_commands()
    assert len(commands) == 2  # the real account and the sandbox
    cli = client_cli("CLAUDE_CODE_CLI", "claude", "@anthropic-ai/claude-code")
    project = tmp_path / "project"
    project.mkdir(parents=True)
    env = client_env(tmp_path / "home")
    for command in commands:
        words = shlex.split(command.replace(CHECKOUT, str(REPO)))
        assert words[:3] == ["claude", "mcp", "add"]
        added = subprocess.run([cli, *words[1:]], cwd=project, env=env, capture_output=True, text=True, timeout=60)
        assert added.returncode == 0, added.stdout + added.stderr
    listed = subprocess.run([cli, "mcp", "list"], cwd=project, env=env, capture_output=True, text=True, timeout=180)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    lines = {line.split(":", 1)[0]: line for line in listed.stdout.splitlines() if ":" in line}
    for name in ("sms", "sms-sandbox"):
        assert name in lines and "Connected" in lines[name], listed.stdout


def test_the_readmes_gemini_cli_settings_start_a_server_that_connects(tmp_path):
    section = README.split("### Gemini CLI", 1)[1].split("\n### ", 1)[0]
    (block,) = re.findall(r"```json\n(.*?)```", section, flags=re.DOTALL)
    settings = json.loads(block.replace(CHECKOUT, str(REPO)))
    # A folder the client has not been told to trust gets its servers disabled; this one is a test's.
    settings["security"] = {"folderTrust": {"enabled": False}}
    home = tmp_path / "home"
    (home / ".gemini").mkdir(parents=True)
    (home / ".gemini" / "settings.json").write_text(json.dumps(settings))
    project = tmp_path / "project"
    project.mkdir()
    cli = client_cli("GEMINI_CLI", "gemini", "@google/gemini-cli")
    listed = subprocess.run([cli, "mcp", "list"], cwd=project, env=client_env(home), capture_output=True, text=True,
                            timeout=180)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    output = listed.stdout + listed.stderr  # this CLI writes its list to stderr
    (line,) = [line for line in output.splitlines() if "sms:" in line]
    assert "Connected" in line and "Disconnected" not in line, output
