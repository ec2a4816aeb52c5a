"""tokens.py: confirmation tokens bound to tool, binding and payload parts; refusals say what changed.
Spending a token once (across processes) is the ledger's job: tests/ledger/test_ledger_tokens.py."""

from __future__ import annotations

import re
from typing import Any

import pytest

from iletimerkezi_mcp.tokens import CONFIRMATION_TTL, ConfirmationBook, canonical

pytestmark = pytest.mark.timeout(20)

ORIGIN = "https://api.iletimerkezi.com"
SECRET = bytes(range(32))


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
    return ConfirmationBook(SECRET, clock=clock)


def redeem(book: ConfirmationBook, token: str, tool: str, binding: str, payload: dict[str, Any]) -> str | None:
    return book.check(token, tool, binding, payload).problem


# --------------------------------------------------------------------------- the token itself

def test_a_fresh_token_authorises_its_payload_and_carries_what_the_ledger_spends(book, clock):
    token, expires = book.issue("send_sms", ORIGIN, parts())
    assert expires == clock.now + CONFIRMATION_TTL == 1_000_300.0
    checked = book.check(token, "send_sms", ORIGIN, parts())
    assert checked.problem is None and checked.expires == expires
    assert checked.mac == token.rsplit(".", 1)[1]  # the full MAC: the key the ledger spends it under


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
    assert redeem(book, token, "send_sms", ORIGIN, parts()) == \
        "the confirmation_token has expired; a new token is needed"
    clock.now = expires  # still valid at the last second
    assert redeem(book, token, "send_sms", ORIGIN, parts()) is None


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
    problem = redeem(book, token, "send_sms", ORIGIN, parts(**{label: value}))
    assert problem == (f"the confirmation_token was issued for a different payload: the {label} changed; "
                       "a new token is needed")


def test_several_changed_parts_are_listed_in_the_callers_order(book):
    token, _ = book.issue("send_sms", ORIGIN, parts())
    changed = {"recipients": ["905329999999"], "text": "Yeni metin"}
    problem = redeem(book, token, "send_sms", ORIGIN, {**parts(), **changed})
    assert problem == ("the confirmation_token was issued for a different payload: the text and recipients "
                       "changed; a new token is needed")
    three = redeem(book, token, "send_sms", ORIGIN, parts(sender="X", text="Y", schedule="Z"))
    assert "the sender, text and schedule changed" in three


def test_a_refused_token_is_not_spent(book):
    token, _ = book.issue("send_sms", ORIGIN, parts())
    assert redeem(book, token, "send_sms", ORIGIN, parts(text="changed")) is not None
    assert redeem(book, token, "cancel_order", ORIGIN, parts()) is not None
    assert redeem(book, token, "send_sms", ORIGIN, parts()) is None


def test_another_tool_or_another_origin_is_named(book):
    token, _ = book.issue("send_sms", ORIGIN, parts())
    assert redeem(book, token, "cancel_order", ORIGIN, parts()) == \
        "the confirmation_token was issued for another tool, not cancel_order; a new token is needed"
    problem = redeem(book, token, "send_sms", "sandbox", parts())
    assert problem == ("the confirmation_token was issued for another API origin (this call goes to sandbox); "
                       "a new token is needed")


def test_a_different_set_of_parts_is_a_different_payload(book):
    token, _ = book.issue("send_sms", ORIGIN, parts())
    fewer = parts()
    del fewer["options"]
    assert redeem(book, token, "send_sms", ORIGIN, fewer) == \
        "the confirmation_token was issued for a different payload; a new token is needed"


def test_key_order_never_matters(book):
    token, _ = book.issue("send_sms", ORIGIN, parts(options={"a": 1, "b": {"x": 1, "y": 2}}))
    reordered = dict(reversed(list(parts(options={"b": {"y": 2, "x": 1}, "a": 1}).items())))
    assert redeem(book, token, "send_sms", ORIGIN, reordered) is None
    assert canonical({"b": 1, "a": "ğ"}) == '{"a":"ğ","b":1}'


def test_the_expiry_cannot_be_edited(book):
    token, expires = book.issue("send_sms", ORIGIN, parts())
    edited = token.replace(str(int(expires)), str(int(expires) + 3600), 1)
    assert redeem(book, edited, "send_sms", ORIGIN, parts()) == \
        "the confirmation_token does not match this payload (it was altered); a new token is needed"


def test_tokens_of_another_server_are_refused_as_such(clock):
    token, _ = ConfirmationBook(SECRET, clock=clock).issue("send_sms", ORIGIN, parts())
    problem = redeem(ConfirmationBook(bytes(32), clock=clock), token, "send_sms", ORIGIN, parts())
    assert problem is not None and "not issued by this server" in problem


@pytest.mark.parametrize("token", ["", "abc", "v1.", "v1.123.abc", "123.abcdef", "v2.1.2.3.4.5.6", "\u00e9" * 40,
                                   "v1.-5.00000000.0000.0000..00000000000000000000000000000000", None, 42])
def test_malformed_tokens_are_refused(book, token):
    problem = redeem(book, token, "send_sms", ORIGIN, parts())
    assert problem == "the confirmation_token is malformed; use the exact token from the preview result"


def test_surrounding_whitespace_and_case_are_tolerated_and_spend_the_same_token(book):
    token, _ = book.issue("send_sms", ORIGIN, parts())
    macs = {book.check(variant, "send_sms", ORIGIN, parts()).mac
            for variant in (token, f"  {token.upper()}\n", f" {token}", token.upper())}
    assert len(macs) == 1  # so a respelled token is still the one spent token


def test_empty_parts_work(book):
    token, _ = book.issue("get_balance", "sandbox", {})
    assert redeem(book, token, "get_balance", "sandbox", {}) is None
