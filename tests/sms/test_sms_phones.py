"""Turkish mobile number normalisation and recipient-list checks."""

from __future__ import annotations

import pytest

from iletimerkezi_mcp.sms import MOBILE_PREFIXES, InvalidNumber, check_recipients, normalise_number


@pytest.mark.parametrize(
    "raw",
    [
        "+90 532 111 22 33",
        "+905321112233",
        "0090 532 111 22 33",
        "0090(532)111-22-33",
        "90 532 111 22 33",
        "905321112233",
        "0 532 111 22 33",
        "0532.111.22.33",
        "(0532) 111-22-33",
        "5321112233",
        "532-111-22-33",
        "  5321112233\t",
        "+90 0532 111 22 33",  # trunk 0 repeated after the country code
    ],
)
def test_accepted_forms_normalise_to_api_form(raw: str) -> None:
    assert normalise_number(raw) == "905321112233"


@pytest.mark.parametrize(
    "prefix",
    [
        "501", "505", "506", "507", "530", "542", "549", "551", "559",
        "500", "502", "508", "509", "550", "556", "557", "558",  # rest of Türk Telekom's 50X/55X blocks
        "510", "516", "561",  # virtual operators and Turkcell (51616…, 56161…)
        "512", "522", "524", "592", "594", "596",  # paging, personal and other listed ranges
    ],
)
def test_real_operator_ranges_are_not_rejected(prefix: str) -> None:
    assert normalise_number(f"0{prefix} 123 45 67") == f"90{prefix}1234567"


@pytest.mark.parametrize(
    "raw",
    [
        "+90 533 850 12 34",  # KKTC Turkcell (Northern Cyprus), reached through +90
        "+90 542 855 12 34",  # KKTC Telsim
        "+90 548 850 12 34",  # KKTC Telsim
        "905000000000",  # the sandbox's APITEST number
    ],
)
def test_northern_cyprus_and_sandbox_numbers_are_accepted(raw: str) -> None:
    assert normalise_number(raw) == raw.replace(" ", "").lstrip("+")


# The exact refused set, so any change to the prefix table is a deliberate one.
REFUSED_PREFIXES = (
    ["511", "513", "514", "515", "517", "518", "519", "520", "521", "523"]
    + [str(p) for p in range(525, 530)]
    + ["560"]
    + [str(p) for p in range(562, 592)]
    + ["593", "595", "597", "598", "599"]
)


def test_prefix_table_is_exactly_the_complement_of_the_refused_set() -> None:
    every = {str(p) for p in range(500, 600)}
    assert set(MOBILE_PREFIXES) == every - set(REFUSED_PREFIXES)
    assert all(MOBILE_PREFIXES.values())  # every allowed prefix says who uses it


@pytest.mark.parametrize("prefix", REFUSED_PREFIXES)
def test_unallocated_prefixes_are_refused_with_466(prefix: str) -> None:
    with pytest.raises(InvalidNumber) as info:
        normalise_number(f"+90 {prefix} 112 23 34")
    reason = info.value.reason
    assert f"{prefix}1… is not in a range any Turkish mobile operator uses" in reason
    assert "466" in reason


@pytest.mark.parametrize("raw", ["905999112233", "05999112233", "5999112233", "+90 599 911 22 33"])
def test_made_up_599_prefix_is_refused_in_every_spelling(raw: str) -> None:
    with pytest.raises(InvalidNumber, match=r"5999… is not in a range any Turkish mobile operator uses"):
        normalise_number(raw)


def test_length_is_reported_before_the_range() -> None:
    # A short number in a made-up range: the digit count is the more useful hint.
    with pytest.raises(InvalidNumber, match="has 9 digits"):
        normalise_number("599 911 22 3")


@pytest.mark.parametrize(
    ("raw", "reason_part"),
    [
        ("+90 532 111 22 3", "has 9 digits after +90, needs 10"),
        ("0090 532 111 22 333", "has 11 digits after 0090, needs 10"),
        ("90 532 111 22 3", "has 9 digits after the country code 90, needs 10"),
        ("0532 111 22", "has 8 digits after the leading 0, needs 10"),
        ("532 111 22 33 44", "has 12 digits, needs 10"),
        ("+90 212 555 12 12", "must start with 5 after +90, but starts with 2"),
        ("0212 555 12 12", "must start with 5 after the leading 0, but starts with 2"),
        ("212 555 12 12", "not a Turkish mobile number: must start with 5"),
        ("+49 151 1234567", "not a Turkish number"),
        ("0049 151 1234567", "instead of 0090"),
        ("0532 ABC 22 33", "contains letters"),
        ("five three two", "contains letters"),
        ("#5321112233", "contains '#'"),
        ("5321112233+", "'+' that is not at the start"),
        ("", "is empty"),
        ("   ", "is empty"),
        ("+", "contains no digits"),
    ],
)
def test_invalid_numbers_have_plain_reasons(raw: str, reason_part: str) -> None:
    with pytest.raises(InvalidNumber) as info:
        normalise_number(raw)
    assert reason_part in info.value.reason
    assert isinstance(info.value, ValueError)
    assert info.value.raw == raw


def test_non_text_is_invalid() -> None:
    with pytest.raises(InvalidNumber, match="is not text"):
        normalise_number(5321112233)  # type: ignore[arg-type]


def test_check_recipients_keeps_order_drops_duplicates_and_reports_invalid() -> None:
    raw = [
        "0535 111 22 33",
        "+90 532 111 22 33",
        "05351112233",  # same as the first
        "12345",
        "5321112233",  # same as the second
        "abc",
        "905421112233",
        "905999112233",  # made-up range
    ]
    check = check_recipients(raw)
    assert check.valid == ["905351112233", "905321112233", "905421112233"]
    assert check.duplicates == ["05351112233", "5321112233"]
    assert [bad.raw for bad in check.invalid] == ["12345", "abc", "905999112233"]
    assert "contains letters" in check.invalid[1].reason
    assert "466" in check.invalid[2].reason
    # JSON-friendly
    assert check.model_dump()["invalid"][0]["raw"] == "12345"


def test_check_recipients_empty_list() -> None:
    check = check_recipients([])
    assert (check.valid, check.duplicates, check.invalid) == ([], [], [])


# --- The quick path for common spellings never differs from the full one -------------------------

def _spellings() -> list[str]:
    """Numbers as people type them, right and wrong, with every separator and prefix in odd places."""
    import random

    rng = random.Random(5)
    heads = ["", "+90", "+ 90", "0090", "90", "0", "00", "+", "+9", "9", "+90 0", "0 90", "(0)", "(+90)", "+(90)",
             "+49", "\t+90", " +90", "0-", "-"]
    separators = ["", " ", "-", ".", "/", "(", ")", "\t", "\u00a0", "\n", "+", "a", "٥"]
    out: list[str] = []
    for _ in range(4000):
        national = rng.choice(["5", "2", "9", "0"]) + "".join(rng.choice("0123456789") for _ in range(rng.choice(
            [8, 9, 9, 9, 10])))
        if rng.random() < 0.5:
            national = rng.choice(list(MOBILE_PREFIXES)) + national[3:]
        pieces = [national[:3], national[3:6], national[6:8], national[8:]]
        sep = rng.choice(separators) if rng.random() < 0.3 else rng.choice(["", " ", "-"])
        text = rng.choice(heads) + rng.choice(["", " ", "-", "("]) + sep.join(pieces)
        if rng.random() < 0.1:
            text = f" {text} "
        out.append(text)
    return out


def test_the_quick_path_agrees_with_the_full_one_on_thousands_of_spellings() -> None:
    from iletimerkezi_mcp.sms import phones

    quick_hits = valid = 0
    for raw in _spellings():
        try:
            expected: str | None = phones._normalise_fully(raw)
            valid += 1
        except InvalidNumber:
            expected = None
        quick = phones._quick(raw) if raw else None
        if quick is not None:
            quick_hits += 1
            assert quick == expected, raw
        assert (normalise_number(raw) if expected is not None else None) == expected
    # It does answer the common spellings (not "+90 0532…" or no-break spaces, which are rarer).
    assert valid > 500 and quick_hits > 0.8 * valid


def test_check_recipients_is_the_item_by_item_check() -> None:
    from iletimerkezi_mcp.sms import phones

    raw: list[object] = [*_spellings(), 5321112233, None, "", "  ", "905321112233", "+90 532 111 22 33"]
    check = check_recipients(raw)  # type: ignore[arg-type]
    valid: list[str] = []
    duplicates: list[object] = []
    invalid: list[tuple[str, str]] = []
    for item in raw:
        try:
            number = phones._normalise_fully(item) if isinstance(item, str) else normalise_number(item)  # type: ignore[arg-type]
        except InvalidNumber as exc:
            invalid.append((str(item), exc.reason))
            continue
        (duplicates if number in valid else valid).append(item if number in valid else number)
    assert check.valid == valid
    assert check.duplicates == duplicates
    assert [(bad.raw, bad.reason) for bad in check.invalid] == invalid
    assert check.model_dump() == type(check).model_validate(check.model_dump()).model_dump()
