"""Encoding tables, encoding choice and the raw part counter.

Every expected number is worked out by hand in the comments: units = text + 5 for " B186".
"""

from __future__ import annotations

import pytest

from iletimerkezi_mcp.sms import SUFFIX, count_segments, detect_encoding, normalise_text
from iletimerkezi_mcp.sms.encoding import GSM7_BASIC, GSM7_EXTENSION, TURKISH_SHIFT_LETTERS


def test_tables_match_the_reference() -> None:
    assert SUFFIX == " B186"
    assert len(GSM7_BASIC) == 127  # 128 positions minus ESC (0x1B)
    for greek in "\u0394\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e":
        assert greek in GSM7_BASIC
    assert "$" in GSM7_BASIC and "¤" in GSM7_BASIC and "Ç" in GSM7_BASIC
    assert "`" not in GSM7_BASIC and "ç" not in GSM7_BASIC
    assert set("[]{}\\^~|€\f") == set(GSM7_EXTENSION)
    assert not (GSM7_BASIC & GSM7_EXTENSION)
    assert set("çğĞıİşŞ") == set(TURKISH_SHIFT_LETTERS)


@pytest.mark.parametrize(
    ("text", "encoding", "forcing"),
    [
        ("Hello {world} €5", "GSM-7", []),
        ("ÇÖöÜü", "GSM-7", []),  # all in the basic table
        ("İstanbul'da şık çay", "GSM-7 Turkish", ["İ", "ş", "ı", "ç"]),
        ("Ğğ", "GSM-7 Turkish", ["Ğ", "ğ"]),
        ("kâr şu", "UCS-2", ["â"]),  # Turkish letters don't count as forcing UCS-2
        ("use `code`", "UCS-2", ["`"]),
        ("a\tb", "UCS-2", ["\t"]),
        ("a\u00a0b", "UCS-2", ["\u00a0"]),
        ("“quoted” … –", "UCS-2", ["“", "”", "…", "–"]),
        ("hi 😀😀", "UCS-2", ["😀"]),
        ("Привет", "UCS-2", ["П", "р", "и", "в", "е", "т"]),
    ],
)
def test_detect_encoding_and_forcing_characters(text: str, encoding: str, forcing: list[str]) -> None:
    assert detect_encoding(text) == (encoding, forcing)


def test_normalise_text_nfc_crlf_and_never_changes_case() -> None:
    assert normalise_text("s\u0327") == "ş"  # NFD ş → NFC
    assert normalise_text("a\r\nb\rc") == "a\nb\rc"  # only CRLF pairs collapse
    assert normalise_text("İı Ii") == "İı Ii"


def test_gsm7_single_and_concatenated() -> None:
    # 155 + 5 = 160 ≤ 160 → 1 part, nothing left.
    one = count_segments("a" * 155, "gsm7")
    assert one is not None and (one.parts, one.units, one.chars_left_in_last_part) == (1, 160, 0)
    assert one.near_boundary
    # 156 + 5 = 161 > 160 → 153 + 8 → 2 parts, 153 - 8 = 145 left.
    two = count_segments("a" * 156, "gsm7")
    assert two is not None and (two.parts, two.units, two.chars_left_in_last_part) == (2, 161, 145)
    # 100 + 5 = 105, far from any boundary.
    mid = count_segments("a" * 100, "gsm7")
    assert mid is not None and (mid.parts, mid.chars_left_in_last_part, mid.near_boundary) == (1, 55, False)


def test_escape_pair_is_never_split() -> None:
    # 151 a + "{" (2) = 153 fills part 1 exactly; part 2 = 11 + 5 = 16 → 137 left.
    fits = count_segments("a" * 151 + "{" + "b" * 11, "gsm7")
    assert fits is not None and (fits.parts, fits.chars_left_in_last_part) == (2, 137)
    # 152 a + "{" would end part 1 mid-pair (154 > 153): part 1 closes at 152,
    # part 2 = 2 + 10 + 5 = 17 → 136 left.
    moved = count_segments("a" * 152 + "{" + "b" * 10, "gsm7")
    assert moved is not None and (moved.parts, moved.units, moved.chars_left_in_last_part) == (2, 169, 136)


def test_escape_pair_at_boundary_can_add_a_part() -> None:
    # Both are 306 units = 2 × 153.
    # 151 a + "{" + 148 b + 5: part 1 = 153, part 2 = 148 + 5 = 153 → 2 parts.
    aligned = count_segments("a" * 151 + "{" + "b" * 148, "gsm7")
    assert aligned is not None and (aligned.units, aligned.parts) == (306, 2)
    # 152 a + "{" + 147 b + 5: part 1 = 152, part 2 = 2 + 147 + 4 = 153, last suffix char → part 3.
    shifted = count_segments("a" * 152 + "{" + "b" * 147, "gsm7")
    assert shifted is not None and (shifted.units, shifted.parts, shifted.chars_left_in_last_part) == (306, 3, 152)


def test_turkish_models_differ() -> None:
    text = "ş" + "a" * 149  # 150 characters
    # Locking: 150 + 5 = 155 ≤ 155 → 1 part.
    locking = count_segments(text, "turkish_locking")
    assert locking is not None and (locking.parts, locking.units, locking.chars_left_in_last_part) == (1, 155, 0)
    # Single shift: ş = 2 → 151 + 5 = 156 > 155; part 1 = ş + 147 a = 149, part 2 = 2 a + 5 = 7.
    single = count_segments(text, "turkish_single")
    assert single is not None and (single.parts, single.units, single.chars_left_in_last_part) == (2, 156, 142)
    # Plain GSM-7 cannot carry ş at all.
    assert count_segments(text, "gsm7") is None


def test_turkish_single_shift_pairs_are_never_split() -> None:
    # 100 ş = 200 septets + 5 = 205 > 155. Part 1: 74 pairs = 148 (the 75th would make 150 > 149);
    # part 2: 26 pairs = 52 + 5 = 57 → 149 - 57 = 92 left.
    single = count_segments("ş" * 100, "turkish_single")
    assert single is not None and (single.parts, single.units, single.chars_left_in_last_part) == (2, 205, 92)


def test_locking_model_cannot_send_displaced_letters() -> None:
    assert count_segments("şè", "turkish_locking") is None
    single = count_segments("şè", "turkish_single")
    assert single is not None and single.units == 2 + 1 + 5


def test_ucs2_surrogate_pairs() -> None:
    # 😀 is 2 UTF-16 units: 2 + 63 + 5 = 70 → 1 part.
    one = count_segments("😀" + "a" * 63, "ucs2")
    assert one is not None and (one.parts, one.units, one.chars_left_in_last_part) == (1, 70, 0)
    # 65 a + 😀 = 67 fills part 1; part 2 = 11 + 5 = 16 → 51 left.
    fits = count_segments("a" * 65 + "😀" + "b" * 11, "ucs2")
    assert fits is not None and (fits.parts, fits.chars_left_in_last_part) == (2, 51)
    # 66 a + 😀 would split the pair (68 > 67): part 1 closes at 66; part 2 = 2 + 10 + 5 = 17 → 50 left.
    moved = count_segments("a" * 66 + "😀" + "b" * 10, "ucs2")
    assert moved is not None and (moved.parts, moved.units, moved.chars_left_in_last_part) == (2, 83, 50)


def test_zwj_sequence_counts_every_code_point() -> None:
    family = "👨\u200d👩\u200d👧"  # 3 emoji (2 units each) + 2 ZWJ (1 each) = 8
    seg = count_segments(family, "ucs2")
    assert seg is not None and seg.units == 8 + 5
