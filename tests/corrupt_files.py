"""Every way a local file can be unusable, as makers that turn `path` into that case.

Shared by the tests of every reader (localfiles, manifest cache and loader, overlay, tokens,
sandbox state, doctor). `CORRUPT` maps a case id to a maker; use it with
`pytest.mark.parametrize("case", CORRUPT)` and `make_corrupt(path, case)`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

HUGE = 64 * 1024 * 1024  # above every limit (manifest cache 8 MB, sandbox state 32 MB)


def _write(data: bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_bytes(data)
    return make


def _directory(path: Path) -> None:
    path.mkdir()
    (path / "inside.json").write_text("{}")


def _fifo(path: Path) -> None:
    os.mkfifo(path)  # opening it for reading the ordinary way would block forever


def _dangling(path: Path) -> None:
    path.symlink_to(path.with_name(path.name + ".nowhere"))


def _link_to_fifo(path: Path) -> None:
    target = path.with_name(path.name + ".fifo")
    os.mkfifo(target)
    path.symlink_to(target)


def _link_to_directory(path: Path) -> None:
    target = path.with_name(path.name + ".dir")
    target.mkdir()
    path.symlink_to(target)


def _huge(path: Path) -> None:
    with open(path, "wb") as handle:
        handle.truncate(HUGE)  # sparse: instant, and takes no disk space


def _unreadable(path: Path) -> None:
    path.write_text('{"fine": "but unreadable"}')
    path.chmod(0o000)


CORRUPT: dict[str, Callable[[Path], None]] = {
    "invalid-utf8": _write(b'{"text": "\xff\xfe\xfa"}'),
    "truncated-json": _write(b'{"version": 1, "credits": 10, "url": "http://'),
    "empty": _write(b""),
    "null": _write(b"null"),
    "list": _write(b"[]"),
    "wrong-types": _write(b'{"version": "1", "url": 5, "fetched_at": [], "manifest": "x", "tools": 5, '
                          b'"credits": "lots", "orders": {"a": 1}, "endpoints": 3, "0123": "x"}'),
    "overflowing-number": _write(b'{"version": 1, "credits": 1e400, "fetched_at": 1e400}'),
    "nan": _write(b'{"version": 1, "credits": NaN}'),
    "deep-nesting": _write(b"[" * 200_000),
    "lone-surrogate": _write(b'{"text": "\\ud800"}'),
    "directory": _directory,
    "fifo": _fifo,
    "dangling-symlink": _dangling,
    "symlink-to-fifo": _link_to_fifo,
    "symlink-to-directory": _link_to_directory,
    "huge": _huge,
    "unreadable": _unreadable,
}

# A smaller set for the slower end-to-end tests: one of each kind of failure.
CORE = ["invalid-utf8", "truncated-json", "null", "wrong-types", "directory", "fifo", "dangling-symlink", "huge"]


def make_corrupt(path: Path, case: str) -> None:
    """Turn `path` into `case`; skips cases the platform or user cannot produce."""
    if case in ("fifo", "symlink-to-fifo") and not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    if "symlink" in case and sys.platform == "win32":
        pytest.skip("symlinks need privileges on Windows")
    if case == "unreadable" and (sys.platform == "win32" or os.geteuid() == 0):
        pytest.skip("chmod 000 does not stop root (or Windows) from reading")
    path.parent.mkdir(parents=True, exist_ok=True)
    CORRUPT[case](path)


def snapshot(path: Path) -> object:
    """Enough of what is at `path` to tell whether anything touched it."""
    if path.is_symlink():
        return ("link", os.readlink(path))
    if not path.exists():
        return None
    info = path.stat()
    if path.is_file() and info.st_size < 1024 * 1024:
        return ("file", info.st_ino, path.read_bytes())
    return ("other", info.st_ino, info.st_mode, info.st_size)
