"""Sender ID (başlık) shape check: 459 for empty, 460 for too long or Turkish letters."""

from __future__ import annotations

import unicodedata

import pytest

from iletimerkezi_mcp.sms import MAX_SENDER_LENGTH, check_sender


@pytest.mark.parametrize(
    "sender",
    [
        "APITEST",
        "A",
        "ORNEKMAGAZA",  # exactly 11
        "ORNEK DESTEK"[:11],
        "ornekmagaza",  # case is the API's business (450), not ours
        "Ornek Mgz",
        "SIRKETIM",  # capital dotless I is plain ASCII
        "OTP-2FA.TR",
        " APITEST",  # spaces count and must match get_sender exactly; not refused here
    ],
)
def test_fine_senders_pass(sender: str) -> None:
    assert check_sender(sender) is None


@pytest.mark.parametrize("sender", ["", " ", "\t\n", "\u00a0"])
def test_empty_sender_is_459(sender: str) -> None:
    problem = check_sender(sender)
    assert problem is not None
    assert "sender is empty" in problem and "459" in problem and "get_sender" in problem


@pytest.mark.parametrize(
    ("sender", "parts"),
    [
        ("ŞİRKETİM", ["sender 'ŞİRKETİM' contains Turkish letters (Ş, İ)", "460"]),
        ("çiçekçi", ["contains Turkish letters (ç)"]),
        ("ĞÖÜÇŞİ", ["(Ğ, Ö, Ü, Ç, Ş, İ)"]),
        ("ğöüışç", ["(ğ, ö, ü, ı, ş, ç)"]),
        ("ORNEKMAGAZA1", ["is 12 characters long (at most 11)", "460"]),
        ("ŞİRKETİMİZ ÖRNEK", ["is 16 characters long (at most 11) and contains Turkish letters (Ş, İ, Ö)"]),
        ("CAFÉ", ["contains characters outside plain ASCII (É)"]),
        ("SHOP★", ["outside plain ASCII (★)"]),
        ("ZERO\u200bWIDTH", ["outside plain ASCII (U+200B)"]),
        ("ŞİRKETİMİZÉ", ["sender 'ŞİRKETİMİZÉ' contains Turkish letters (Ş, İ) and contains characters "
                         "outside plain ASCII (É)"]),  # 11 characters: no length complaint
        ("ŞİRKETİMİZ ÉX", ["is 13 characters long (at most 11), contains Turkish letters (Ş, İ) and "
                           "contains characters outside plain ASCII (É)"]),
    ],
)
def test_bad_senders_are_460_with_the_reason(sender: str, parts: list[str]) -> None:
    problem = check_sender(sender)
    assert problem is not None
    for part in parts:
        assert part in problem
    assert "the API refuses it with 460" in problem
    assert "Use the exact approved name from get_sender (at most 11 characters, no Turkish letters)." in problem


def test_decomposed_letters_count_as_one_character() -> None:
    # "İ" typed as I + combining dot: one letter, reported as İ.
    sender = unicodedata.normalize("NFD", "ŞİRKET")
    assert len(sender) > len("ŞİRKET")
    problem = check_sender(sender)
    assert problem is not None
    assert "(Ş, İ)" in problem and "characters long" not in problem


def test_limit_matches_the_docs() -> None:
    assert MAX_SENDER_LENGTH == 11
    assert check_sender("X" * 11) is None
    assert check_sender("X" * 12) is not None


def test_non_text_is_treated_as_empty() -> None:
    problem = check_sender(None)  # type: ignore[arg-type]
    assert problem is not None and "459" in problem
