"""Reading and writing our own local files so that a bad one is a warning, never a crash.

Every file the server and CLI keep (manifest cache, sandbox account) or are pointed at (overlay,
fallback manifest) goes through here; the send ledger is SQLite's, checked in `ledger/`. A file
may be missing, garbage, a directory, a FIFO (opening one for reading would block forever), a
device, huge, or unreadable: `load_text` / `load_json` raise `LocalFileError` saying which, and
each caller turns that into one warning line (`warn_unusable`) or a doctor line.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import math
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; callers degrade to unlocked
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

SMALL_FILE_LIMIT = 1024 * 1024  # keys, token lists, overlays: a few KB in real life
LOCK_WAIT = 10.0  # seconds; a stuck lock holder must not hang us forever

_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class LocalFileError(Exception):
    """A local file exists but cannot be used; str() is the problem in plain words (no path)."""


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words (for messages)."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _missing(path: Path, exc: OSError) -> bool:
    """True when the file simply does not exist (a dangling symlink is a problem, not absence)."""
    if exc.errno == errno.ENOTDIR:
        return True  # a parent is a file: nothing can exist here; writers report that
    return exc.errno == errno.ENOENT and not os.path.islink(path)


def load_bytes(path: Path, *, limit: int) -> bytes | None:
    """The file's bytes; None when it does not exist; LocalFileError for anything else."""
    try:
        fd = os.open(path, _OPEN_FLAGS)  # O_NONBLOCK: a FIFO opens at once instead of waiting for a writer
    except OSError as exc:
        if _missing(path, exc):
            return None
        if exc.errno == errno.ENOENT:
            raise LocalFileError("is a symbolic link to a file that does not exist") from None
        if exc.errno == errno.ELOOP:
            raise LocalFileError("is a symbolic link loop") from None
        raise LocalFileError(f"cannot be opened ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise LocalFileError(f"is {kind_of(info.st_mode)}, not a file")
        if info.st_size > limit:
            raise LocalFileError(f"is too large ({info.st_size} bytes; the limit is {limit})")
        chunks: list[bytes] = []
        size = 0
        while True:  # read to EOF, never past the limit (the file may grow while we read)
            chunk = os.read(fd, min(65536, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise LocalFileError(f"is too large (over {limit} bytes)")
        return b"".join(chunks)
    except OSError as exc:
        raise LocalFileError(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def load_text(path: Path, *, limit: int) -> str | None:
    """The file as strict UTF-8 text; None when missing; LocalFileError for anything else."""
    data = load_bytes(path, limit=limit)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LocalFileError(f"is not UTF-8 text (bad byte at offset {exc.start})") from None


def parse_json(text: str) -> object:
    """Strict JSON: no NaN/Infinity, no number that overflows to infinity, no lone surrogates."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise LocalFileError("is not usable JSON (nested too deeply)") from None
    except ValueError as exc:  # JSONDecodeError, our refusals, int digit limits
        raise LocalFileError(f"is not valid JSON ({_short(exc)})") from None
    if _SURROGATE_ESCAPE.search(text):
        try:  # a lone \ud800 parses, then breaks every later UTF-8 write
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise LocalFileError("is not usable JSON (contains an unpaired surrogate escape)") from None
    return value


def load_json(path: Path, *, limit: int) -> object | None:
    """The decoded JSON value; None when missing; LocalFileError for anything else.

    A file holding just `null` is an error too, so None always means "no file".
    """
    text = load_text(path, limit=limit)
    if text is None:
        return None
    value = parse_json(text)
    if value is None:
        raise LocalFileError("holds JSON null instead of data")
    return value


def warn_unusable(what: str, path: Path, problem: str, consequence: str = "ignoring it") -> None:
    log.warning("%s %s %s; %s", what, path, problem, consequence)


def replace_file(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write `data` to `path` atomically (temp file in the same folder, fsync, rename). Raises OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # created 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            if mode != 0o600 and hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(path: Path, data: bytes, mode: int = 0o600, *, what: str = "file",
                 consequence: str = "continuing without it") -> bool:
    """`replace_file`, but an OSError is one warning on stderr and False."""
    try:
        replace_file(path, data, mode)
        return True
    except OSError as exc:
        log.warning("cannot write the %s %s (%s); %s", what, path, exc.strerror or exc, consequence)
        return False


@contextlib.contextmanager
def exclusive_lock(path: Path, *, wait: float = LOCK_WAIT) -> Iterator[bool]:
    """Hold an inter-process exclusive lock (flock on `path`) for the block; yields whether it is held.

    Without fcntl (Windows), or when the lock file cannot be used, the block runs unlocked
    (with a warning in the second case): one process at a time is the common case anyway.
    """
    if fcntl is None:
        yield False
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0),
                     0o600)
    except OSError as exc:
        log.debug("lock file %s unusable (%s); running unlocked", path, exc.strerror or exc)
        yield False
        return
    try:
        held = _acquire(fd, path, wait)
        try:
            yield held
        finally:
            if held:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, wait: float) -> bool:
    assert fcntl is not None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            log.warning("lock file %s is not a regular file; running unlocked", path)
            return False
    except OSError:
        return False
    deadline = time.monotonic() + wait
    pause = 0.001
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                log.warning("lock %s still held by another process after %g s; going ahead unlocked", path, wait)
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.02)
        except OSError as exc:  # e.g. a filesystem without flock support
            log.debug("cannot lock %s (%s); running unlocked", path, exc.strerror or exc)
            return False


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not allowed")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def _short(exc: BaseException) -> str:
    return str(exc).replace("\n", " ")[:160]


__all__ = [
    "SMALL_FILE_LIMIT",
    "LocalFileError",
    "exclusive_lock",
    "load_bytes",
    "load_json",
    "load_text",
    "parse_json",
    "replace_file",
    "warn_unusable",
    "write_atomic",
]
