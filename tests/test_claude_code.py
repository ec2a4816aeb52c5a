"""A real client from the README: Claude Code's CLI runs the README's own `claude mcp add` commands
(checkout form, the placeholder path replaced by this checkout) and `claude mcp list` must report
both servers connected. CI installs the CLI (.ci/run); elsewhere these tests are skipped."""

from __future__ import annotations

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


def claude() -> str:
    candidates = [os.environ.get("CLAUDE_CODE_CLI"), str(REPO / ".ci/node_modules/.bin/claude"), shutil.which("claude")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    if os.environ.get("CI"):
        pytest.fail("Claude Code's CLI is not installed; .ci/run installs it into .ci/node_modules")
    pytest.skip("Claude Code's CLI is not installed "
                "(run .ci/run, or npm install --prefix .ci @anthropic-ai/claude-code)")


def readme_commands() -> list[str]:
    """The README's `claude mcp add` commands, line continuations joined."""
    section = README.split("### Claude Code", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    return [block.replace("\\\n", " ").strip() for block in blocks if block.strip().startswith("claude mcp add")]


def test_the_readmes_claude_code_commands_register_servers_that_connect(tmp_path):
    commands = readme_commands()
    assert len(commands) == 2  # the real account and the sandbox
    cli = claude()
    home = tmp_path / "home"
    project = tmp_path / "project"
    project.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ILETIMERKEZI_", "CLAUDE", "ANTHROPIC"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), ILETIMERKEZI_MANIFEST="bundled",
               DISABLE_AUTOUPDATER="1", DISABLE_TELEMETRY="1")
    uv = shutil.which("uv")
    assert uv is not None, "uv must be on PATH: the README's configuration starts the server with it"
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
