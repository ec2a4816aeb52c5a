"""A throwaway PostgreSQL for the ledger tests, one per test process (not a test module).

(Not a conftest.py: the root tests import `conftest` by name, and a second one would shadow it.)

`ILETIMERKEZI_TEST_DATABASE_URL` wins when set. Otherwise initdb/pg_ctl (on PATH, or Debian's
/usr/lib/postgresql/<n>/bin) start a server with trust auth on 127.0.0.1 and a free port, in a
temporary folder removed at the end; as root, they run as the `postgres` user (initdb refuses root).
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

PASSWORD = "pw-N0t-F0r-Logs-7319"  # trust auth ignores it; the tests check it never surfaces


class Unavailable(Exception):
    """PostgreSQL cannot be started here; str() says why."""


def _bindir() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "pg_ctl")):
            return Path(candidate)
    raise Unavailable("no PostgreSQL server binaries (pg_ctl, initdb) on PATH or in /usr/lib/postgresql")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def postgres_url() -> Iterator[str]:
    """A URL (user postgres, with PASSWORD) to an empty database, for the duration of the block."""
    given = os.environ.get("ILETIMERKEZI_TEST_DATABASE_URL")
    if given:
        yield given
        return
    bindir = _bindir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            raise Unavailable("running as root and runuser is missing (initdb refuses root)")
        prefix = [runuser, "-u", "postgres", "--"]
    top = Path(tempfile.mkdtemp(prefix="ledger-pg-"))
    data = top / "data"
    try:
        if prefix:
            shutil.chown(top, "postgres")
        port = _free_port()

        def run(*args: str) -> None:
            done = subprocess.run([*prefix, *args], capture_output=True, text=True, timeout=60, check=False)
            if done.returncode:
                raise Unavailable(f"{Path(args[0]).name} failed: {(done.stderr or done.stdout).strip()[-500:]}")

        run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
            "--locale=C", "--no-sync")
        # -F: no fsync (a throwaway server); the socket folder is ours, never /var/run/postgresql.
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(top / "log"), "-w", "-t", "30",
            "-o", f"-F -h 127.0.0.1 -p {port} -k {top}", "start")
        try:
            yield f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError, LookupError) as exc:
        raise Unavailable(f"PostgreSQL could not be started ({exc})") from None
    finally:
        shutil.rmtree(top, ignore_errors=True)


_started: dict[str, str] = {}  # "url", or "error": the one attempt of this process


def server_url() -> str:
    """The process's server, started on first use and stopped at exit. Without one: skip, or fail under CI."""
    import pytest

    if "url" not in _started and "error" not in _started:
        block = postgres_url()
        try:
            _started["url"] = block.__enter__()
            atexit.register(block.__exit__, None, None, None)
        except Unavailable as exc:
            _started["error"] = str(exc)
    if "error" in _started:
        if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(f"CI must test the PostgreSQL ledger, but {_started['error']}")
        pytest.skip(f"PostgreSQL is not available here: {_started['error']}")
    return _started["url"]


def fresh_url() -> str:
    """The server with the ledger's schema dropped: a test starts from an empty, freshly migrated one."""
    import psycopg

    from iletimerkezi_mcp.ledger.pg_schema import PG_SCHEMA

    url = server_url()
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
    return url


__all__ = ["PASSWORD", "Unavailable", "fresh_url", "postgres_url", "server_url"]
