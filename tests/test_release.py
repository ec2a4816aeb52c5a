"""What a release publishes, checked before a tag is pushed.

server.json against the MCP registry's own schema (a copy in tests/data/registry/), the versions in
pyproject.toml, server.json and manifest.json in step, the README's mcp-name line the registry looks
for on PyPI, .github/workflows/ against GitHub's workflow schema, the MCPB bundle's ignore list and
the wheel's contents. Everything here runs offline.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from iletimerkezi_mcp.settings import SETTINGS

REPO = Path(__file__).resolve().parents[1]
REGISTRY_SCHEMA = Path(__file__).parent / "data" / "registry" / "server.schema.json"
WORKFLOWS = REPO / ".github" / "workflows"
ENV_NAMES = {spec.env for spec in SETTINGS}


def load_json(name: str) -> dict[str, Any]:
    return json.loads((REPO / name).read_text(encoding="utf-8"))


def project_table() -> str:
    """The [project] table of pyproject.toml as text (tomllib is 3.11+; the project supports 3.10)."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r"^\[project\]\n(.*?)(?=^\[)", text, flags=re.MULTILINE | re.DOTALL)
    assert match, "pyproject.toml has no [project] table"
    return match.group(1)


def project_field(name: str) -> str:
    match = re.search(rf'^{name} = "([^"]+)"$', project_table(), flags=re.MULTILINE)
    assert match, f"pyproject.toml's [project] has no {name}"
    return match.group(1)


VERSION = project_field("version")
SERVER = load_json("server.json")
MANIFEST = load_json("manifest.json")


# --- server.json: the MCP registry entry -----------------------------------------------------------


def test_server_json_is_valid_for_the_registry_schema_it_names():
    schema = json.loads(REGISTRY_SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    assert SERVER["$schema"] == schema["$id"], "server.json names a schema version other than the copy kept here"
    errors = [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
              for e in Draft7Validator(schema).iter_errors(SERVER)]
    assert errors == []


def test_server_json_description_fits_the_registry_limit():
    # The registry's schema allows 100 characters; the listing shows the description as it is.
    assert 0 < len(SERVER["description"]) <= 100, len(SERVER["description"])
    for word in ("SMS", "reports", "balance", "blacklist", "İYS", "iletiMerkezi", "Turkey"):
        assert word in SERVER["description"], word


def test_server_json_versions_are_pyprojects():
    assert SERVER["version"] == VERSION
    assert [package["version"] for package in SERVER["packages"]] == [VERSION]


def test_server_json_points_at_this_package_and_repository():
    (package,) = SERVER["packages"]
    assert package["registryType"] == "pypi" and package["identifier"] == project_field("name")
    assert package["runtimeHint"] == "uvx" and package["transport"] == {"type": "stdio"}
    repository = re.search(r'^Repository = "([^"]+)"$', (REPO / "pyproject.toml").read_text(encoding="utf-8"),
                           flags=re.MULTILINE)
    assert repository and SERVER["repository"] == {"url": repository.group(1), "source": "github"}
    # GitHub OIDC login grants the namespace io.github.<owner>, and only that one.
    owner, name = repository.group(1).removeprefix("https://github.com/").split("/")
    assert SERVER["name"] == f"io.github.{owner}/{name}"


def test_server_json_environment_variables_are_real_settings():
    (package,) = SERVER["packages"]
    specs = {spec.env: spec for spec in SETTINGS}
    variables = package["environmentVariables"]
    assert variables, "server.json offers no environment variables"
    for variable in variables:
        spec = specs.get(variable["name"])
        assert spec is not None, f"{variable['name']} is not a setting (src/iletimerkezi_mcp/settings.py)"
        assert (variable.get("format") == "boolean") == spec.is_bool, variable["name"]
    secret = {v["name"] for v in variables if v.get("isSecret")}
    assert secret == {"ILETIMERKEZI_API_KEY", "ILETIMERKEZI_API_HASH"}


def test_readme_carries_the_registry_ownership_line():
    # The registry reads the README from PyPI (the package description) and looks for this token,
    # followed by whitespace, a tag, a comment's end or the end of the text.
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    token = f"mcp-name: {SERVER['name']}"
    assert token == "mcp-name: io.github.iletimerkezi-mcp/iletimerkezi-mcp"
    assert re.search(re.escape(token) + r"(?=\s|<|-->|$)", readme), f"README.md lacks the line {token!r}"


# --- manifest.json: the MCPB bundle -------------------------------------------------------------------


def test_manifest_json_is_in_step_with_the_package():
    assert MANIFEST["version"] == VERSION
    assert MANIFEST["name"] == project_field("name")
    assert MANIFEST["compatibility"]["runtimes"]["python"] == project_field("requires-python")
    assert (REPO / MANIFEST["server"]["entry_point"]).is_file()
    for name in MANIFEST["server"]["mcp_config"]["env"]:
        assert name in ENV_NAMES, f"manifest.json passes {name}, which is not a setting"


# --- .github/workflows/ ---------------------------------------------------------------------------------


def workflow_files() -> list[Path]:
    return sorted(p for p in WORKFLOWS.iterdir() if p.suffix in (".yml", ".yaml"))


def test_workflows_are_valid_for_githubs_schema():
    files = workflow_files()
    assert WORKFLOWS / "release.yml" in files
    # check-jsonschema (dev group) ships GitHub's workflow schema: no network needed.
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, files)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def load_release_workflow() -> dict[str, Any]:
    yaml = pytest.importorskip("ruamel.yaml", reason="ruamel.yaml comes with check-jsonschema (dev group)")
    return yaml.YAML(typ="safe").load((WORKFLOWS / "release.yml").read_text(encoding="utf-8"))


def test_release_workflow_publishes_from_a_version_tag_with_oidc():
    workflow = load_release_workflow()
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    jobs = workflow["jobs"]
    assert jobs["pypi"]["environment"]["name"] == "pypi"
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}
    assert any(step.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for step in jobs["pypi"]["steps"])
    registry = jobs["mcp-registry"]
    assert registry["permissions"]["id-token"] == "write" and "pypi" in registry["needs"]
    commands = "\n".join(step.get("run", "") for step in registry["steps"])
    assert "mcp-publisher login github-oidc" in commands and "mcp-publisher publish" in commands
    # Nothing is published unless the tag, pyproject.toml, server.json and manifest.json agree.
    build = jobs["build"]
    assert jobs["pypi"]["needs"] in ("build", ["build"]) and build["outputs"]["version"]
    check = next(step["run"] for step in build["steps"] if step.get("id") == "version")
    for name in ("pyproject.toml", "server.json", "manifest.json"):
        assert name in check


def test_workflow_actions_are_pinned_to_versions():
    pinned = re.compile(r"^[\w.-]+/[\w./-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$")
    for path in workflow_files():
        for uses in re.findall(r"^\s*(?:-\s*)?uses:\s*(\S+)", path.read_text(encoding="utf-8"), flags=re.MULTILINE):
            assert pinned.match(uses), f"{path.name}: {uses} is not pinned to a version"


# --- .mcpbignore: what the MCPB bundle leaves out --------------------------------------------------------

# Patterns `mcpb pack` applies on its own (EXCLUDE_PATTERNS in @anthropic-ai/mcpb), the ones that matter here.
MCPB_BUILTIN = (".git", ".gitignore", ".mcpbignore", ".env*", "*.log", "*.mcpb", ".DS_Store")
# What the bundle needs: `uv run --directory <bundle> iletimerkezi-mcp` builds the project, which
# reads pyproject.toml, README.md (the readme) and LICENSE (license-files).
BUNDLE_NEEDS = ("manifest.json", "pyproject.toml", "uv.lock", "README.md", "LICENSE", "src")


def mcpbignore_patterns() -> list[str]:
    lines = (REPO / ".mcpbignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def ignored(path: str, is_dir: bool, patterns: list[str] | tuple[str, ...]) -> bool:
    """gitignore matching (what mcpb's `ignore` package does) for the forms .mcpbignore uses.

    A pattern without an inner slash matches a name at any depth; one with a slash is anchored at the
    bundle's root; a trailing slash matches directories only; a directory that matches takes
    everything under it along. Negation and `**` are not handled (a test below keeps them out).
    """
    parts = path.split("/")
    for depth in range(1, len(parts) + 1):
        names, names_are_dir = parts[:depth], is_dir or depth < len(parts)
        for pattern in patterns:
            if pattern.endswith("/") and not names_are_dir:
                continue
            body = pattern.rstrip("/")
            if "/" in body:
                segments = body.lstrip("/").split("/")
                if len(segments) == depth and all(map(fnmatchcase, names, segments)):
                    return True
            elif fnmatchcase(names[-1], body):
                return True
    return False


def bundle_excludes(path: str, is_dir: bool = False) -> bool:
    return ignored(path, is_dir, [*MCPB_BUILTIN, *mcpbignore_patterns()])


def test_mcpbignore_uses_only_patterns_the_check_understands():
    for pattern in mcpbignore_patterns():
        assert not pattern.startswith("!") and "**" not in pattern and "\\" not in pattern, pattern


@pytest.mark.parametrize("path", [
    ".venv/bin/python", ".pytest_cache/v/cache/nodeids", ".ruff_cache/0.17.6/123", ".mypy_cache/x",
    "dist/iletimerkezi_mcp-0.1.0-py3-none-any.whl", "dist/iletimerkezi-mcp-0.1.0.mcpb", "build/lib/x.py",
    "src/iletimerkezi_mcp.egg-info/PKG-INFO", "iletimerkezi_mcp.egg-info/PKG-INFO",
    "node_modules/x/index.js", ".ci/node_modules/.bin/mcp-inspector", ".ci/run",
    ".github/workflows/release.yml", ".git/HEAD", "tests/test_release.py",
    "tests/data/registry/server.schema.json", "benchmarks/run.py", "scripts/refresh_fallback.py",
    "docs/architecture.md", "src/iletimerkezi_mcp/__pycache__/app.cpython-311.pyc",
    "src/iletimerkezi_mcp/stray.pyc", "server.json", ".env", ".env.local", "debug.log",
    ".coverage", "htmlcov/index.html",
])
def test_mcpb_bundle_leaves_out(path: str):
    assert bundle_excludes(path), f"the MCPB bundle would ship {path}"


@pytest.mark.parametrize("path", [
    "manifest.json", "pyproject.toml", "uv.lock", "README.md", "LICENSE", "src/iletimerkezi_mcp/__main__.py",
    "src/iletimerkezi_mcp/py.typed", "src/iletimerkezi_mcp/manifest/manifest.fallback.json",
    "src/iletimerkezi_mcp/sandbox/__init__.py",
])
def test_mcpb_bundle_keeps(path: str):
    assert not bundle_excludes(path), f"the MCPB bundle would leave out {path}"


def test_mcpb_bundle_ships_only_what_it_needs_of_the_tracked_files():
    """Every file in git at the top level is either needed by the bundle or left out of it."""
    git = shutil.which("git")
    result = subprocess.run([git, "ls-files"], cwd=REPO, capture_output=True, text=True, timeout=30) if git else None
    if result is None or result.returncode != 0:
        pytest.skip("not a git checkout: no list of tracked files")
    top = {line.split("/")[0]: "/" in line for line in result.stdout.splitlines() if line}
    unexpected = sorted(name for name, is_dir in top.items()
                        if name not in BUNDLE_NEEDS and not bundle_excludes(name, is_dir))
    assert unexpected == [], "add these to .mcpbignore, or to BUNDLE_NEEDS if the bundle needs them"
    for name in BUNDLE_NEEDS:
        assert name in top, f"{name} is not tracked"


# --- the wheel ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        pytest.skip("uv is not installed: cannot build the wheel")
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run([uv, "build", "--wheel", "--offline", "--no-progress", "--out-dir", str(out), str(REPO)],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0 and re.search(r"network was disabled|not found in the cache|offline", result.stderr):
        pytest.skip(f"the build backend is not in uv's cache and tests stay offline: {result.stderr.strip()[-300:]}")
    assert result.returncode == 0, result.stderr
    (path,) = out.glob("*.whl")
    assert path.name == f"iletimerkezi_mcp-{VERSION}-py3-none-any.whl"
    archive = zipfile.ZipFile(path)
    yield archive
    archive.close()


def test_wheel_ships_the_package_data_and_nothing_else(wheel: zipfile.ZipFile):
    names = wheel.namelist()
    assert "iletimerkezi_mcp/manifest/manifest.fallback.json" in names
    assert "iletimerkezi_mcp/py.typed" in names
    assert "iletimerkezi_mcp/__main__.py" in names
    top = {name.split("/")[0] for name in names}
    assert top == {"iletimerkezi_mcp", f"iletimerkezi_mcp-{VERSION}.dist-info"}, top
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    entry_points = wheel.read(f"iletimerkezi_mcp-{VERSION}.dist-info/entry_points.txt").decode()
    assert "iletimerkezi-mcp = iletimerkezi_mcp.cli:main" in entry_points


def test_wheel_description_carries_the_registry_ownership_line(wheel: zipfile.ZipFile):
    # PyPI shows this METADATA's description; the registry reads it there.
    metadata = wheel.read(f"iletimerkezi_mcp-{VERSION}.dist-info/METADATA").decode()
    assert f"mcp-name: {SERVER['name']}" in metadata
