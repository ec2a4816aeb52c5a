"""tokens.py: confirmation tokens bound to tool, binding and payload parts; single use across
processes; refusals say what changed; unusable key or spent-list files are warnings, never crashes."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from corrupt_files import CORRUPT, make_corrupt

from iletimerkezi_mcp import localfiles
from iletimerkezi_mcp.tokens import (
    CONFIRMATION_TTL,
    KEY_FILE,
    SPENT_FILE,
    ConfirmationBook,
    canonical,
    store_problems,
)

pytestmark = pytest.mark.timeout(20)

ORIGIN = "https://api.iletimerkezi.com"


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def parts(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "sender": "ACME",
        "text": "Kargonuz yolda, takip no 12345",
        "recipients": ["905320000000", "905320000001"],
        "schedule": None,
        "iys": {"enabled": False, "list": None},
        "options": {"encoding": "default"},
    }
    value.update(changes)
    return value


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def book(clock: FakeClock) -> ConfirmationBook:
    return ConfirmationBook(clock=clock)


# --------------------------------------------------------------------------- the token itself

def test_a_fresh_token_authorises_its_payload_once(book, clock):
    token, expires = book.issue("send_sms", ORIGIN, parts())
    assert expires == clock.now + CONFIRMATION_TTL == 1_000_300.0
    assert book.redeem(token, "send_sms", ORIGIN, parts()) is None
    problem = book.redeem(token, "send_sms", ORIGIN, parts())
    assert problem == "the confirmation_token was already used; a new token is needed"


def test_token_is_short_ascii_without_spaces_and_leaks_nothing(book):
    token, _ = book.issue("send_sms", ORIGIN, parts())
    assert token.isascii() and " " not in token and len(token) < 120
    assert re.fullmatch(r"[0-9a-z.]+", token)
    for secret in ("ACME", "Kargonuz", "905320000000", "send_sms", "iletimerkezi"):
        assert secret not in token
    # Two tokens for one payload share nothing but the version: the sub-MACs are salted per token.
    other, _ = book.issue("send_sms", ORIGIN, parts())
    assert token.split(".")[2:] != other.split(".")[2:]
    assert all(a != b for a, b in zip(token.split(".")[2:], other.split(".")[2:], strict=True))


def test_token_expires_after_five_minutes_and_is_not_spent_then(book, clock):
    token, expires = book.issue("send_sms", ORIGIN, parts())
    clock.now = expires + 1
    assert book.redeem(token, "send_sms", ORIGIN, parts()) == \
        "the confirmation_token has expired; a new token is needed"
    clock.now = expires  # still valid at the last second
    assert book.redeem(token, "send_sms", ORIGIN, parts()) is None


@pytest.mark.parametrize("label, value", [
    ("sender", "OTHER"),
    ("text", "Kargonuz yolda, takip no 12346"),
    ("recipients", ["905320000000"]),
    ("schedule", "2030-01-01T10:00:00+03:00"),
    ("iys", {"enabled": True, "list": "BIREYSEL"}),
    ("options", {"encoding": "turkish"}),
])
def test_the_refusal_names_the_part_that_changed(book, label, value):
    token, _ = book.issue("send_sms", ORIGIN, parts())
    problem = book.redeem(token, "send_sms", ORIGIN, parts(**{label: value}))
    assert problem == (f"the confirmation_token was issued for a different payload: the {label} changed; "
                       "a new token is needed")


def test_several_changed_parts_are_listed_in_the_callers_order(book):
    token, _ = book.issue("send_sms", ORIGIN, parts())
    changed = {"recipients": ["905329999999"], "text": "Yeni metin"}
    problem = book.redeem(token, "send_sms", ORIGIN, {**parts(), **changed})
    assert problem == ("the confirmation_token was issued for a different payload: the text and recipients "
                       "changed; a new token is needed")
    three = book.redeem(token, "send_sms", ORIGIN, parts(sender="X", text="Y", schedule="Z"))
    assert "the sender, text and schedule changed" in three


def test_a_refused_token_is_not_spent(book):
    token, _ = book.issue("send_sms", ORIGIN, parts())
    assert book.redeem(token, "send_sms", ORIGIN, parts(text="changed")) is not None
    assert book.redeem(token, "cancel_order", ORIGIN, parts()) is not None
    assert book.redeem(token, "send_sms", ORIGIN, parts()) is None


def test_another_tool_or_another_origin_is_named(book):
    token, _ = book.issue("send_sms", ORIGIN, parts())
    assert book.redeem(token, "cancel_order", ORIGIN, parts()) == \
        "the confirmation_token was issued for another tool, not cancel_order; a new token is needed"
    problem = book.redeem(token, "send_sms", "sandbox", parts())
    assert problem == ("the confirmation_token was issued for another API origin (this call goes to sandbox); "
                       "a new token is needed")


def test_a_different_set_of_parts_is_a_different_payload(book):
    token, _ = book.issue("send_sms", ORIGIN, parts())
    fewer = parts()
    del fewer["options"]
    assert book.redeem(token, "send_sms", ORIGIN, fewer) == \
        "the confirmation_token was issued for a different payload; a new token is needed"


def test_key_order_never_matters(book):
    token, _ = book.issue("send_sms", ORIGIN, parts(options={"a": 1, "b": {"x": 1, "y": 2}}))
    reordered = dict(reversed(list(parts(options={"b": {"y": 2, "x": 1}, "a": 1}).items())))
    assert book.redeem(token, "send_sms", ORIGIN, reordered) is None
    assert canonical({"b": 1, "a": "ğ"}) == '{"a":"ğ","b":1}'


def test_the_expiry_cannot_be_edited(book):
    token, expires = book.issue("send_sms", ORIGIN, parts())
    edited = token.replace(str(int(expires)), str(int(expires) + 3600), 1)
    assert book.redeem(edited, "send_sms", ORIGIN, parts()) == \
        "the confirmation_token does not match this payload (it was altered); a new token is needed"


def test_tokens_of_another_server_are_refused_as_such(clock):
    token, _ = ConfirmationBook(clock=clock).issue("send_sms", ORIGIN, parts())
    problem = ConfirmationBook(clock=clock).redeem(token, "send_sms", ORIGIN, parts())
    assert problem is not None and "not issued by this server" in problem


@pytest.mark.parametrize("token", ["", "abc", "v1.", "v1.123.abc", "123.abcdef", "v2.1.2.3.4.5.6", "\u00e9" * 40,
                                   "v1.-5.00000000.0000.0000..00000000000000000000000000000000", None, 42])
def test_malformed_tokens_are_refused(book, token):
    problem = book.redeem(token, "send_sms", ORIGIN, parts())
    assert problem == "the confirmation_token is malformed; use the exact token from the preview result"


def test_surrounding_whitespace_and_case_are_tolerated_but_cannot_reuse_a_token(book):
    token, _ = book.issue("send_sms", ORIGIN, parts())
    assert book.redeem(f"  {token.upper()}\n", "send_sms", ORIGIN, parts()) is None
    for variant in (f" {token}", f"{token} ", f"{token}\n", token.upper()):
        assert "already used" in book.redeem(variant, "send_sms", ORIGIN, parts())


def test_empty_parts_work(book):
    token, _ = book.issue("get_balance", "sandbox", {})
    assert book.redeem(token, "get_balance", "sandbox", {}) is None


# --------------------------------------------------------------------------- the store

def test_a_token_is_honoured_by_the_next_process_and_spent_for_all(tmp_path):
    first = ConfirmationBook(store=tmp_path)
    token, _ = first.issue("send_sms", ORIGIN, parts())
    second = ConfirmationBook(store=tmp_path)
    assert second.redeem(token, "send_sms", ORIGIN, parts()) is None
    assert "already used" in first.redeem(token, "send_sms", ORIGIN, parts())
    assert "already used" in ConfirmationBook(store=tmp_path).redeem(token, "send_sms", ORIGIN, parts())
    if sys.platform != "win32":
        assert (tmp_path / KEY_FILE).stat().st_mode & 0o777 == 0o600  # private to the user


def test_an_unusable_store_keeps_tokens_in_this_process(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with caplog.at_level(logging.WARNING):
        book = ConfirmationBook(store=blocker / "sub")
    assert any("confirmation key" in r.getMessage() for r in caplog.records)
    token, _ = book.issue("send_sms", ORIGIN, parts())
    assert book.redeem(token, "send_sms", ORIGIN, parts()) is None
    assert "already used" in book.redeem(token, "send_sms", ORIGIN, parts())
    assert ConfirmationBook(store=blocker / "sub").redeem(token, "send_sms", ORIGIN, parts()) is not None
    assert blocker.read_text() == "not a directory"


def test_spent_entries_are_pruned_when_expired(tmp_path, clock):
    book = ConfirmationBook(store=tmp_path, clock=clock)
    old, _ = book.issue("send_sms", ORIGIN, parts())
    assert book.redeem(old, "send_sms", ORIGIN, parts()) is None
    clock.now += CONFIRMATION_TTL + 10
    new, _ = book.issue("send_sms", ORIGIN, parts())
    assert book.redeem(new, "send_sms", ORIGIN, parts()) is None
    spent = json.loads((tmp_path / SPENT_FILE).read_text())
    assert list(spent) == [new.rsplit(".", 1)[1]]


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_an_unusable_key_file_is_a_warning_and_a_new_key(tmp_path, caplog, case):
    make_corrupt(tmp_path / KEY_FILE, case)
    assert store_problems(tmp_path)[0][:2] == ("confirmation key", tmp_path / KEY_FILE)
    with caplog.at_level(logging.WARNING):
        book = ConfirmationBook(store=tmp_path)
    warnings = [r.getMessage() for r in caplog.records if str(tmp_path / KEY_FILE) in r.getMessage()]
    assert warnings and warnings[0].startswith(f"confirmation key {tmp_path / KEY_FILE} ")
    token, _ = book.issue("send_sms", ORIGIN, parts())
    assert book.redeem(token, "send_sms", ORIGIN, parts()) is None
    if case == "directory":  # cannot be replaced: this process keeps its key in memory
        assert (tmp_path / KEY_FILE).is_dir()
    else:
        assert re.fullmatch(r"[0-9a-f]{64}", (tmp_path / KEY_FILE).read_text())
        assert ConfirmationBook(store=tmp_path).redeem(token, "send_sms", ORIGIN, parts()) is not None
        assert store_problems(tmp_path) == []


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_an_unusable_spent_list_counts_as_empty_with_a_warning(tmp_path, caplog, case):
    book = ConfirmationBook(store=tmp_path)
    token, _ = book.issue("send_sms", ORIGIN, parts())
    make_corrupt(tmp_path / SPENT_FILE, case)
    assert store_problems(tmp_path) == [("spent-token list", tmp_path / SPENT_FILE, store_problems(tmp_path)[0][2])]
    with caplog.at_level(logging.WARNING):
        assert book.redeem(token, "send_sms", ORIGIN, parts()) is None
    assert any(r.getMessage().startswith(f"spent-token list {tmp_path / SPENT_FILE} ") for r in caplog.records)
    assert "already used" in book.redeem(token, "send_sms", ORIGIN, parts())  # this process remembers


@pytest.mark.parametrize("document", [
    {"0" * 32: "soon"}, {"0" * 32: True}, {"short": 1.0}, {"0" * 32: None}, {"0" * 32: [1]},
])
def test_malformed_spent_entries_are_dropped_and_good_ones_kept(tmp_path, caplog, clock, document):
    book = ConfirmationBook(store=tmp_path, clock=clock)
    spent_token, _ = book.issue("send_sms", ORIGIN, parts())
    assert book.redeem(spent_token, "send_sms", ORIGIN, parts()) is None
    on_disk = json.loads((tmp_path / SPENT_FILE).read_text())
    (tmp_path / SPENT_FILE).write_text(json.dumps({**on_disk, **document}))
    fresh = ConfirmationBook(store=tmp_path, clock=clock)
    with caplog.at_level(logging.WARNING):
        assert "already used" in fresh.redeem(spent_token, "send_sms", ORIGIN, parts())
    assert any("1 malformed entry" in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------- races

def test_one_token_redeemed_by_many_books_at_once_passes_once(tmp_path):
    token, _ = ConfirmationBook(store=tmp_path).issue("send_sms", ORIGIN, parts())
    books = [ConfirmationBook(store=tmp_path) for _ in range(8)]  # each has its own lock file handle
    results: list[str | None] = []
    start = threading.Barrier(len(books))

    def redeem(book: ConfirmationBook) -> None:
        start.wait()
        results.append(book.redeem(token, "send_sms", ORIGIN, parts()))

    threads = [threading.Thread(target=redeem, args=(b,)) for b in books]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results.count(None) == 1 and len(results) == 8


CHILD = """
import json, sys, time
from pathlib import Path
from iletimerkezi_mcp.tokens import ConfirmationBook
store, token, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
book = ConfirmationBook(store=store)
parts = json.loads(sys.argv[4])
while not go.exists():  # line the processes up so they really race
    time.sleep(0.005)
print(json.dumps(book.redeem(token, "send_sms", sys.argv[5], parts)))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="no flock: single use across processes is best effort there")
def test_separate_processes_cannot_both_redeem_one_token(tmp_path):
    store = tmp_path / "store"
    token, _ = ConfirmationBook(store=store).issue("send_sms", ORIGIN, parts())
    go = tmp_path / "go"
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(store), token, str(go), json.dumps(parts()),
                                  ORIGIN], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(3)]
    try:
        time.sleep(0.1)  # let them import and wait at the line
        go.touch()
        outputs = [child.communicate(timeout=15) for child in children]
        results = [json.loads(out or "false") for out, _ in outputs]
        assert False not in results, outputs
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    assert results.count(None) == 1
    assert all("already used" in r for r in results if r is not None)


def test_without_fcntl_everything_still_works(tmp_path, monkeypatch):
    monkeypatch.setattr(localfiles, "fcntl", None)
    book = ConfirmationBook(store=tmp_path)
    token, _ = book.issue("send_sms", ORIGIN, parts())
    assert book.redeem(token, "send_sms", ORIGIN, parts()) is None
    assert "already used" in ConfirmationBook(store=tmp_path).redeem(token, "send_sms", ORIGIN, parts())
