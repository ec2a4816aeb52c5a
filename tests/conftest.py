"""Shared fixtures: a manifest HTTP server, the CLI in-process, and spawning the real server over stdio.

Everything binds 127.0.0.1; nothing here reaches the internet.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from manifest_server import ManifestServer

pytest_plugins = ["sandbox_fixtures"]

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "src" / "iletimerkezi_mcp" / "manifest" / "manifest.fallback.json"
# A loopback port that refuses connections at once: bound for the whole session but never
# listening, so no other process can take it (a fixed port like 9 may be in use).
_REFUSER = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
_REFUSER.bind(("127.0.0.1", 0))
UNREACHABLE = f"http://127.0.0.1:{_REFUSER.getsockname()[1]}/manifest.json"


# The files whose tests take longest run first: pytest-xdist (`-n auto --dist loadfile`, see
# pyproject.toml) hands out whole files in collection order, and a long file started last would
# leave the other workers idle at the end.
SLOW_FILES = ("test_inspector.py", "test_benchmarks_smoke.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in SLOW_FILES)  # stable: the rest keeps its order


@pytest.fixture(scope="session", autouse=True)
def one_certificate_ca_bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """SSL_CERT_FILE names a bundle of one certificate while the tests run.

    Every httpx client loads the CA bundle that SSL_CERT_FILE names (else certifi's, about 150
    certificates) when it is built: some 20 ms of CPU each, and the suite builds hundreds (every
    server state, manifest fetch and doctor run has its own). No test speaks TLS: every request
    goes to plain http:// on 127.0.0.1. Child processes inherit the setting.
    """
    import certifi

    text = Path(certifi.where()).read_text(encoding="ascii")
    begin, end = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"
    first = text[text.index(begin):text.index(end) + len(end)]
    bundle = tmp_path_factory.mktemp("ca") / "one-certificate.pem"
    bundle.write_text(first + "\n", encoding="ascii")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SSL_CERT_FILE", str(bundle))
        yield


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own send ledger (the default data dir follows XDG_DATA_HOME): budgets and
    the duplicate guard must never carry over from one test to the next, or from the real user dir."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))


@pytest.fixture
def refused_url() -> str:
    return UNREACHABLE


@pytest.fixture
def manifest_server():
    server = ManifestServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a spawned server: isolated cache, no network manifest, no credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ILETIMERKEZI_")}
    env.update({
        "ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path / "cache"),
        "ILETIMERKEZI_MANIFEST_URL": UNREACHABLE,
        "ILETIMERKEZI_LOG_LEVEL": "INFO",
        "HOME": str(tmp_path / "home"),
    })
    return env


@asynccontextmanager
async def stdio_session(env: dict[str, str], args: list[str] | None = None,
                        message_handler=None) -> AsyncIterator:
    """The real console entry point as a subprocess, driven by the SDK's own stdio client."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "iletimerkezi_mcp", *(args or [])],
                                   env=env, cwd=str(REPO))
    errlog = open(os.devnull, "w") if os.environ.get("QUIET_SERVER_STDERR") else sys.stderr
    async with stdio_client(params, errlog=errlog) as (read, write):
        async with ClientSession(read, write, message_handler=message_handler) as session:
            yield session


def use_env(monkeypatch: pytest.MonkeyPatch, env: Mapping[str, str]) -> None:
    """Make the ILETIMERKEZI_* variables (and HOME) of `env` this process's, and only those."""
    for name in list(os.environ):
        if name.startswith("ILETIMERKEZI_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        if name.startswith("ILETIMERKEZI_") or name == "HOME":
            monkeypatch.setenv(name, value)


@pytest.fixture
def argv_settings(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """`make(env, *argv)`: the Settings the CLI builds from `env` and its command line flags."""
    from iletimerkezi_mcp.cli import build_parser, settings_from

    def make(env: Mapping[str, str], *argv: str) -> Any:
        use_env(monkeypatch, env)
        return settings_from(build_parser().parse_args(list(argv)))

    return make


class FakeClock:
    """A clock for `SandboxState(clock=...)`: real time plus whatever the test has skipped ahead."""

    def __init__(self) -> None:
        self.skipped = 0.0

    def __call__(self) -> float:
        return time.time() + self.skipped

    def advance(self, seconds: float) -> None:
        self.skipped += seconds


@dataclass
class CliRun:
    """What a shell sees of one `iletimerkezi-mcp ...` run: exit code, stdout, stderr."""

    code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliRun]:
    """`iletimerkezi_mcp.cli.main(argv)` in this process, set up the way a fresh process would be.

    `run(env, *argv)`: the ILETIMERKEZI_* variables (and HOME, TMPDIR) of `env` replace this
    process's for the run; stdin is empty and at EOF (serving mode ends at once, as it does with
    stdin closed); the root logger starts without handlers, so main's `logging.basicConfig` puts
    its handler on stderr exactly as in a real run, and the logger is put back afterwards (no
    handler or level leaks into other tests). A normal return is exit code 0.
    """
    from iletimerkezi_mcp.cli import main

    def run(env: Mapping[str, str], *argv: str) -> CliRun:
        use_env(monkeypatch, env)
        if "TMPDIR" in env:  # tempfile reads TMPDIR once per process; set what it would have read
            monkeypatch.setattr(tempfile, "tempdir", env["TMPDIR"])
        monkeypatch.setenv("COLUMNS", "120")  # argparse wraps --help to the terminal width
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b""), encoding="utf-8"))
        capsys.readouterr()
        root = logging.getLogger()
        handlers, level = root.handlers[:], root.level
        root.handlers = []
        try:
            try:
                main(list(argv))
            except SystemExit as exc:
                code = exc.code
            else:
                code = 0
        finally:
            for handler in root.handlers:
                handler.close()
            root.handlers = handlers
            root.setLevel(level)
        out, err = capsys.readouterr()
        assert isinstance(code, int), f"main ended with exit code {code!r}"
        return CliRun(code, out, err)

    return run
