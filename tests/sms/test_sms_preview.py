"""preview_sms: parts, caps, warnings, notes, credits.

Arithmetic: units = text + 5 (" B186"). GSM-7: 160 single / 153 per part; Turkish 155 / 149;
UCS-2 70 / 67. Cap totals for 7 parts: GSM-7 7 × 153 - 5 = 1066, Turkish 7 × 149 - 5 = 1038,
UCS-2 7 × 67 - 5 = 464 characters.
"""

from __future__ import annotations

import json

import pytest

from iletimerkezi_mcp.sms import SmsPreview, ascii_fold, preview_sms


def _has(items: list[str], fragment: str) -> bool:
    return any(fragment in item for item in items)


@pytest.mark.parametrize(
    ("length", "parts", "left"),
    [
        (155, 1, 0),  # 160 units = single capacity
        (156, 2, 145),  # 161 → 153 + 8
        (301, 2, 0),  # 306 = 2 × 153
        (302, 3, 152),  # 307 → 153 + 153 + 1
        (1066, 7, 0),  # 1071 = 7 × 153, exactly at the cap
    ],
)
def test_plain_gsm7_boundaries(length: int, parts: int, left: int) -> None:
    p = preview_sms("a" * length)
    assert p.encoding == "GSM-7"
    assert (p.characters, p.units, p.parts, p.parts_optimistic) == (length, length + 5, parts, parts)
    assert p.chars_left_in_last_part == left
    assert not p.over_cap and p.warnings == []
    assert p.forcing_characters == [] and p.suffix == " B186"
    assert _has(p.notes, "B186")
    # All of these sit within 1 character of a boundary.
    assert _has(p.notes, "within 1 character")


def test_gsm7_over_cap_blocks() -> None:
    # 1067 + 5 = 1072 > 1071 → 8 parts; over by 1 unit.
    p = preview_sms("a" * 1067)
    assert (p.parts, p.parts_optimistic, p.over_cap) == (8, 8, True)
    assert _has(p.warnings, "Too long") and _has(p.warnings, "at least 1 character") and _has(p.warnings, "453")


def test_no_boundary_note_far_from_boundaries() -> None:
    p = preview_sms("a" * 100)  # 105 units, 55 left
    assert p.chars_left_in_last_part == 55
    assert not _has(p.notes, "within 1 character")


def test_turkish_150_151_boundary() -> None:
    # 150 chars with one ş. Locking: 150 + 5 = 155 → 1 part. Single shift: 156 → 2 parts.
    p = preview_sms("ş" + "a" * 149)
    assert p.encoding == "GSM-7 Turkish" and p.forcing_characters == ["ş"]
    assert (p.characters, p.units, p.units_optimistic) == (150, 156, 155)
    assert (p.parts, p.parts_optimistic) == (2, 1)
    assert p.chars_left_in_last_part == 142  # conservative: part 2 holds 2 a + 5 = 7
    assert not p.over_cap
    assert _has(p.notes, "single-shift") and _has(p.notes, "locking-shift")
    # Unicode figure for comparison: 150 + 5 = 155 UTF-16 units → 67 + 67 + 21 → 3 parts.
    assert p.parts_if_ucs2 == 3
    # 151 chars: locking 156 → 2 parts; single shift 157 → 2 parts.
    q = preview_sms("ş" + "a" * 150)
    assert (q.parts, q.parts_optimistic) == (2, 2)


def test_turkish_warn_but_not_block() -> None:
    # "ı" + 1037 a = 1038 chars. Locking: 1043 = 7 × 149 → 7 parts (allowed).
    # Single shift: part 1 = ı(2) + 147 a; left 890 a + 5 = 895 > 6 × 149 = 894 → 7 more → 8 parts.
    p = preview_sms("ı" + "a" * 1037)
    assert (p.parts, p.parts_optimistic, p.over_cap) == (8, 7, False)
    assert _has(p.warnings, "Possibly too long")
    # One more character: locking 1044 > 1043 → 8 parts even optimistically → block.
    q = preview_sms("ı" + "a" * 1038)
    assert (q.parts_optimistic, q.over_cap) == (8, True)
    assert _has(q.warnings, "Too long")


def test_turkish_with_locking_displaced_letter_uses_single_shift_only() -> None:
    p = preview_sms("şè")  # locking table has no è
    assert (p.units, p.units_optimistic) == (8, 8)  # ş 2 + è 1 + 5
    assert _has(p.notes, "cannot carry")


def test_extension_characters_cost_two() -> None:
    text = "{}[]~\\|^€"  # 9 characters × 2 septets = 18, + 5 = 23
    p = preview_sms(text)
    assert p.encoding == "GSM-7"
    assert (p.characters, p.units, p.parts, p.chars_left_in_last_part) == (9, 23, 1, 137)


def test_escape_pair_at_part_boundary() -> None:
    # 152 a + "{" + 10 b: part 1 closes at 152 (pair would reach 154); part 2 = 2 + 10 + 5 = 17.
    p = preview_sms("a" * 152 + "{" + "b" * 10)
    assert (p.parts, p.units, p.chars_left_in_last_part) == (2, 169, 136)
    # 306 units that would fit 2 × 153 need 3 parts when the pair sits on the boundary.
    q = preview_sms("a" * 152 + "{" + "b" * 147)
    assert (q.units, q.parts) == (306, 3)


def test_emoji_forces_ucs2_65_66_boundary() -> None:
    # 😀 (2 units) + 63 a = 65 units + 5 = 70 → 1 part; 64 characters as the user sees them.
    p = preview_sms("😀" + "a" * 63)
    assert p.encoding == "UCS-2" and p.forcing_characters == ["😀"]
    assert (p.characters, p.units, p.parts, p.chars_left_in_last_part) == (64, 70, 1, 0)
    assert _has(p.warnings, "U+1F600")
    # One more a: 71 → 67 + 4 → 2 parts.
    q = preview_sms("😀" + "a" * 64)
    assert (q.units, q.parts, q.chars_left_in_last_part) == (71, 2, 63)


def test_surrogate_pair_at_part_boundary() -> None:
    # 66 a + 😀: the pair would end part 1 at 68 > 67, so part 1 closes at 66;
    # part 2 = 2 + 10 + 5 = 17 → 50 left.
    p = preview_sms("a" * 66 + "😀" + "b" * 10)
    assert (p.parts, p.chars_left_in_last_part) == (2, 50)


def test_circumflex_forces_ucs2() -> None:
    # "â" + 64 a = 65 characters + 5 = 70 → 1 part; 66 characters → 71 → 2 parts.
    p = preview_sms("â" + "a" * 64)
    assert (p.encoding, p.forcing_characters, p.parts) == ("UCS-2", ["â"], 1)
    assert preview_sms("â" + "a" * 65).parts == 2
    # UCS-2 cap: 464 + 5 = 469 = 7 × 67 → 7 parts; 465 → 8 → block.
    assert preview_sms("â" + "a" * 463).over_cap is False
    assert preview_sms("â" + "a" * 464).over_cap is True


def test_nfd_input_is_normalised() -> None:
    # NFD ş is s + U+0327; without NFC the combining mark would force UCS-2 (3 parts).
    p = preview_sms("s\u0327" + "a" * 149)
    assert p.encoding == "GSM-7 Turkish"
    assert (p.characters, p.parts_optimistic) == (150, 1)
    assert _has(p.notes, "NFC")


def test_crlf_counts_as_one_character() -> None:
    # 154 a + CRLF → 154 a + LF = 155 characters + 5 = 160 → 1 part (CRLF kept would be 2 parts).
    p = preview_sms("a" * 154 + "\r\n")
    assert (p.characters, p.units, p.parts) == (155, 160, 1)
    assert _has(p.notes, "CR LF")
    # A lone CR is a real GSM-7 character (1 septet) and is kept.
    assert preview_sms("a\rb").characters == 3


def test_case_is_never_changed() -> None:
    # İ and ı must stay as they are: upper/lower casing would change the count.
    p = preview_sms("İı")
    assert p.forcing_characters == ["İ", "ı"]
    assert p.units == 2 * 2 + 5


def test_empty_text() -> None:
    p = preview_sms("", ["5321112233"])
    assert (p.parts, p.units, p.credits, p.over_cap) == (0, 0, 0, False)
    assert _has(p.warnings, "454")
    assert p.recipient_count == 1


def test_whitespace_only_text_warns() -> None:
    p = preview_sms("   ")
    assert p.parts == 1 and _has(p.warnings, "whitespace")


def test_recipients_and_credits() -> None:
    recipients = ["+90 532 111 22 33", "05321112233", "5351112233", "12345", "abc", "0535 111 22 33"]
    # 156 a → 2 parts; 2 unique valid numbers → 4 credits.
    p = preview_sms("a" * 156, recipients)
    assert p.recipients.valid == ["905321112233", "905351112233"]
    assert p.recipients.duplicates == ["05321112233", "0535 111 22 33"]
    assert [bad.raw for bad in p.recipients.invalid] == ["12345", "abc"]
    assert (p.recipient_count, p.credits_per_recipient, p.credits) == (2, 2, 4)
    assert _has(p.warnings, "2 recipient(s) are not valid")
    assert _has(p.notes, "2 duplicate")


def test_credits_use_conservative_turkish_count() -> None:
    p = preview_sms("ş" + "a" * 149, ["5321112233", "5331112233", "5341112233"])
    assert (p.parts, p.parts_optimistic) == (2, 1)
    assert p.credits == 2 * 3


def test_no_recipients_means_zero_credits_but_per_recipient_cost() -> None:
    p = preview_sms("hello")
    assert (p.recipient_count, p.credits_per_recipient, p.credits) == (0, 1, 0)


def test_too_many_recipients_warns() -> None:
    numbers = [f"5{i:09d}" for i in range(50_001)]
    p = preview_sms("hi", numbers)
    assert p.recipient_count == 50_001
    assert _has(p.warnings, "50,000")


def test_max_parts() -> None:
    p = preview_sms("a" * 156, max_parts=1)  # 2 parts > 1
    assert (p.max_parts, p.over_cap) == (1, True)
    # 1 part capacity 160 units; 161 → over by 1.
    assert _has(p.warnings, "at least 1 character")
    q = preview_sms("a" * 1067, max_parts=10)
    assert (q.max_parts, q.over_cap) == (7, True)
    assert _has(q.notes, "lowered to 7")
    with pytest.raises(ValueError):
        preview_sms("a", max_parts=0)


def test_ascii_suggestion_only_when_it_saves_parts() -> None:
    # 100 ş: single shift 205 units → 2 parts. Folded: 100 s + 5 = 105 → 1 part, saves 1.
    p = preview_sms("ş" * 100)
    assert p.parts == 2 and p.ascii_suggestion is not None
    assert p.ascii_suggestion.text == "s" * 100
    assert (p.ascii_suggestion.encoding, p.ascii_suggestion.parts, p.ascii_suggestion.parts_saved) == ("GSM-7", 1, 1)
    assert p.ascii_suggestion.replaced_characters == ["ş"]
    # Short Turkish text: 1 part either way → no suggestion.
    assert preview_sms("Şeker ığdır").ascii_suggestion is None
    # An emoji keeps it UCS-2 whatever we fold → no saving → no suggestion.
    assert preview_sms("ş" * 80 + "😀").ascii_suggestion is None


def test_ascii_suggestion_for_circumflex() -> None:
    # "kâr" + 100 a: UCS-2, 103 + 5 = 108 → 2 parts. Folded "kar…": GSM-7 108 → 1 part.
    p = preview_sms("kâr" + "a" * 100)
    assert p.encoding == "UCS-2" and p.parts == 2
    assert p.ascii_suggestion is not None and p.ascii_suggestion.parts_saved == 1
    assert p.ascii_suggestion.text.startswith("kar")


def test_ascii_fold_map() -> None:
    assert ascii_fold("şŞğĞıİçÇöÖüÜ") == "sSgGiIcCoOuU"
    assert ascii_fold("Hello {x}") == "Hello {x}"


def test_preview_is_json_serialisable() -> None:
    p = preview_sms("Sipariş 😀", ["0532 111 22 33", "x"])
    dumped = p.model_dump()
    again = json.loads(json.dumps(dumped, ensure_ascii=False))
    assert again["encoding"] == "UCS-2"
    assert again["recipients"]["invalid"][0]["raw"] == "x"
    assert SmsPreview.model_validate(again) == p


def test_an_already_checked_list_is_counted_as_it_is() -> None:
    from iletimerkezi_mcp.sms import RecipientCheck, check_recipients

    check = check_recipients(["+90 532 111 22 33", "05321112233", "5351112233", "12345"])
    given = RecipientCheck.model_construct(valid=check.valid)
    p = preview_sms("ş" * 80, given)
    assert p.recipients is given  # not normalised a second time
    assert p.model_dump() == preview_sms("ş" * 80, check.valid).model_dump()
    assert preview_sms("hi", check).for_result()["recipients"] == preview_sms("hi", [
        "+90 532 111 22 33", "05321112233", "5351112233", "12345"]).for_result()["recipients"]
