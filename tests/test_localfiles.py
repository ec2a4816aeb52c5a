"""localfiles: every unusable file is None plus one warning naming it; nothing blocks, nothing raises."""

from __future__ import annotations

import errno
import json
import logging
import os
import sys
import threading
import time
from pathlib import Path

import pytest
from corrupt_files import CORRUPT, make_corrupt

from iletimerkezi_mcp import localfiles
from iletimerkezi_mcp.localfiles import (
    LocalFileError,
    exclusive_lock,
    load_json,
    load_text,
    replace_file,
    warn_unusable,
    write_atomic,
)

pytestmark = pytest.mark.timeout(10)  # a FIFO opened the ordinary way would hang here forever

LIMIT = 1024 * 1024

# Cases that are fine as *text* (valid UTF-8, small, a regular file) but not as JSON.
TEXT_OK = {"truncated-json", "empty", "null", "list", "wrong-types", "overflowing-number", "nan",
           "deep-nesting", "lone-surrogate"}
# Valid JSON of a surprising shape: the JSON layer accepts it, the caller must check the shape.
JSON_OK = {"list", "wrong-types"}


# How every caller uses the loaders: a problem is one warning line and None.
def read_text_file(path: Path, *, limit: int, what: str, consequence: str = "ignoring it") -> str | None:
    try:
        return load_text(path, limit=limit)
    except LocalFileError as exc:
        warn_unusable(what, path, str(exc), consequence)
        return None


def read_json_file(path: Path, *, limit: int, what: str, consequence: str = "ignoring it") -> object | None:
    try:
        return load_json(path, limit=limit)
    except LocalFileError as exc:
        warn_unusable(what, path, str(exc), consequence)
        return None


def warnings_about(caplog: pytest.LogCaptureFixture, path: Path) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and str(path) in r.getMessage()]


def test_missing_file_is_none_without_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        assert read_text_file(tmp_path / "nope.json", limit=LIMIT, what="test file") is None
        assert read_json_file(tmp_path / "nope.json", limit=LIMIT, what="test file") is None
        # A parent that is a file: nothing can exist there, which is "missing" too.
        blocker = tmp_path / "blocker"
        blocker.write_text("x")
        assert read_text_file(blocker / "sub.json", limit=LIMIT, what="test file") is None
    assert caplog.records == []


def test_good_files_read_back(tmp_path):
    path = tmp_path / "good.json"
    path.write_text(json.dumps({"naïve": [1, 2.5, None, "ğüşiöç"]}), encoding="utf-8")
    assert read_json_file(path, limit=LIMIT, what="x") == {"naïve": [1, 2.5, None, "ğüşiöç"]}
    assert read_text_file(path, limit=LIMIT, what="x").startswith('{"na')


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_every_corrupt_case_is_one_warning_naming_the_file(tmp_path, caplog, case):
    path = tmp_path / "data.json"
    make_corrupt(path, case)
    with caplog.at_level(logging.WARNING):
        value = read_json_file(path, limit=LIMIT, what="test file")
    if case in JSON_OK:
        assert value is not None  # valid JSON: the shape is the caller's business
        assert warnings_about(caplog, path) == []
        return
    assert value is None
    (warning,) = warnings_about(caplog, path)
    assert warning.startswith(f"test file {path} ") and warning.endswith("; ignoring it")


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_text_reading_refuses_everything_but_small_utf8_files(tmp_path, caplog, case):
    path = tmp_path / "data.txt"
    make_corrupt(path, case)
    with caplog.at_level(logging.WARNING):
        text = read_text_file(path, limit=LIMIT, what="test file", consequence="using defaults")
    if case in TEXT_OK:
        assert isinstance(text, str)
    else:
        assert text is None
        (warning,) = warnings_about(caplog, path)
        assert warning.endswith("; using defaults")


@pytest.mark.parametrize("case, problem", [
    ("invalid-utf8", "not UTF-8"),
    ("truncated-json", "not valid JSON"),
    ("empty", "not valid JSON"),
    ("null", "JSON null"),
    ("overflowing-number", "out of range"),
    ("nan", "NaN is not allowed"),
    ("deep-nesting", "nested too deeply"),
    ("lone-surrogate", "surrogate"),
    ("directory", "is a directory"),
    ("fifo", "named pipe"),
    ("symlink-to-fifo", "named pipe"),
    ("symlink-to-directory", "is a directory"),
    ("dangling-symlink", "symbolic link to a file that does not exist"),
    ("huge", "too large"),
    ("unreadable", "cannot be opened"),
])
def test_the_problem_is_named_in_plain_words(tmp_path, case, problem):
    path = tmp_path / "data.json"
    make_corrupt(path, case)
    with pytest.raises(LocalFileError, match=problem):
        load_json(path, limit=LIMIT)


def test_a_fifo_with_a_writer_waiting_is_still_refused_at_once(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs")
    path = tmp_path / "pipe"
    os.mkfifo(path)
    started = time.monotonic()
    with pytest.raises(LocalFileError, match="named pipe"):
        load_text(path, limit=LIMIT)
    assert time.monotonic() - started < 1


def test_unreadable_file_simulated_for_root(tmp_path, monkeypatch, caplog):
    # Root reads chmod-000 files; simulate the EACCES the open would give everyone else.
    path = tmp_path / "secret.json"
    path.write_text("{}")
    real_open = os.open

    def refuse(target, flags, *args):
        if Path(target) == path:
            raise PermissionError(errno.EACCES, "Permission denied", str(target))
        return real_open(target, flags, *args)

    monkeypatch.setattr(localfiles.os, "open", refuse)
    with caplog.at_level(logging.WARNING):
        assert read_json_file(path, limit=LIMIT, what="test file") is None
    (warning,) = warnings_about(caplog, path)
    assert "cannot be opened (Permission denied)" in warning


def test_a_read_error_after_open_is_a_warning(tmp_path, monkeypatch, caplog):
    path = tmp_path / "data.json"
    path.write_text("{}")

    def broken_read(fd, size):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(localfiles.os, "read", broken_read)
    with caplog.at_level(logging.WARNING):
        assert read_text_file(path, limit=LIMIT, what="test file") is None
    assert "Input/output error" in warnings_about(caplog, path)[0]


def test_size_limit_is_exact(tmp_path):
    path = tmp_path / "data.txt"
    path.write_bytes(b"x" * 100)
    assert load_text(path, limit=100) == "x" * 100
    with pytest.raises(LocalFileError, match="too large"):
        load_text(path, limit=99)


def test_write_atomic_replaces_whole_files_privately(tmp_path):
    path = tmp_path / "deep" / "er" / "file.json"
    assert write_atomic(path, b"one") is True
    assert write_atomic(path, b"two") is True
    assert path.read_bytes() == b"two"
    if sys.platform != "win32":
        assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["file.json"]  # no temp files left


@pytest.mark.parametrize("case", ["directory", "fifo", "dangling-symlink", "invalid-utf8"])
def test_write_atomic_over_a_bad_file(tmp_path, case):
    path = tmp_path / "file.json"
    make_corrupt(path, case)
    ok = write_atomic(path, b"{}")
    if case == "directory":
        assert ok is False and path.is_dir()  # never deletes a directory
    else:
        assert ok is True and not path.is_symlink() and path.read_bytes() == b"{}"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_write_atomic_failure_is_a_warning_and_leaves_no_temp(tmp_path, monkeypatch, caplog):
    path = tmp_path / "file.json"

    def fail(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(localfiles.os, "replace", fail)
    with caplog.at_level(logging.WARNING):
        assert write_atomic(path, b"{}", what="test file", consequence="keeping it in memory") is False
    assert list(tmp_path.iterdir()) == []
    (warning,) = [r.getMessage() for r in caplog.records]
    assert warning == f"cannot write the test file {path} (No space left on device); keeping it in memory"
    with pytest.raises(OSError):
        replace_file(path, b"{}")


def test_write_atomic_under_a_file_is_false(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    assert write_atomic(blocker / "sub" / "file.json", b"{}") is False
    assert blocker.read_text() == "x"


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_exclusive_lock_excludes_another_holder(tmp_path):
    lock = tmp_path / "x.lock"
    order: list[str] = []

    def other() -> None:
        with exclusive_lock(lock) as held:
            assert held
            order.append("other")

    with exclusive_lock(lock) as held:
        assert held
        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.05)  # the other holder is now waiting on the lock
        order.append("first")
    thread.join(5)
    assert order == ["first", "other"]


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_exclusive_lock_gives_up_after_waiting(tmp_path, caplog):
    lock = tmp_path / "x.lock"
    with exclusive_lock(lock), caplog.at_level(logging.WARNING):
        with exclusive_lock(lock, wait=0.05) as held:
            assert held is False
    assert any("still held" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("case", ["directory", "fifo"])
def test_an_unusable_lock_file_runs_unlocked(tmp_path, case):
    lock = tmp_path / "x.lock"
    make_corrupt(lock, case)
    with exclusive_lock(lock) as held:
        assert held is False


def test_without_fcntl_the_lock_is_a_no_op(tmp_path, monkeypatch):
    monkeypatch.setattr(localfiles, "fcntl", None)
    with exclusive_lock(tmp_path / "x.lock") as held:
        assert held is False
    assert not (tmp_path / "x.lock").exists()
