"""The three guides (sending rules, İYS rules, error codes): true to the project's constants, complete,
and clean Markdown a model can read. No network, no MCP: the functions are called directly."""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from iletimerkezi_mcp.contracts import BY_NAME
from iletimerkezi_mcp.errors.codes import CODES, ERROR_CODES_DOCS, ERROR_CODES_DOCS_TR
from iletimerkezi_mcp.guide import docs
from iletimerkezi_mcp.guide.docs import error_codes, iys_rules, sending_rules
from iletimerkezi_mcp.results.labels import STATUS_TEXT
from iletimerkezi_mcp.rules.consent import CHANNELS, IYS_START, RECIPIENT_TYPES
from iletimerkezi_mcp.rules.reports import MAX_REPORT_SPAN_DAYS
from iletimerkezi_mcp.sandbox.iys import MAX_BATCH
from iletimerkezi_mcp.sandbox.sending import MAX_RECIPIENTS
from iletimerkezi_mcp.sandbox.state import DUPLICATE_WINDOW
from iletimerkezi_mcp.sms import (
    API_MAX_PARTS,
    MAX_RECIPIENTS_PER_REQUEST,
    MAX_SENDER_LENGTH,
    SUFFIX,
    TURKISH_LETTERS,
    count_segments,
    parse_send_datetime,
)
from iletimerkezi_mcp.sms.encoding import CAPACITIES, TURKISH_SHIFT_LETTERS, Model
from iletimerkezi_mcp.text import is_clean

DOCS: list[tuple[Callable[[], str], int]] = [(sending_rules, 6000), (iys_rules, 6000), (error_codes, 12000)]
IDS = [fn.__name__ for fn, _ in DOCS]
_PIPE = re.compile(r"(?<!\\)\|")


def _table_problems(doc: str) -> list[str]:
    """Tables whose rows do not all have the header's number of cells, or lack the separator row."""
    problems: list[str] = []
    block: list[str] = []
    for line in [*doc.split("\n"), ""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if block:
            widths = {len(_PIPE.findall(row)) for row in block}
            if len(widths) != 1 or not re.fullmatch(r"\|(?:---\|)+", block[1] if len(block) > 1 else ""):
                problems.append(block[0])
        block = []
    return problems


def _missing_codes(doc: str) -> list[int]:
    """Codes of errors/codes.py without a row holding all four bilingual texts."""
    rows = {int(m[1]): m[0] for m in re.finditer(r"^\| (\d{3}) \|.*$", doc, flags=re.MULTILINE)}
    return [
        code for code, info in CODES.items()
        if not all(text in rows.get(code, "") for text in
                   (info.meaning_en, info.action_en, info.meaning_tr, info.action_tr))
    ]


# --------------------------------------------------------------------------- all three documents

@pytest.mark.parametrize(("fn", "bound"), DOCS, ids=IDS)
def test_each_document_is_clean_markdown_under_its_bound(fn: Callable[[], str], bound: int) -> None:
    doc = fn()
    assert doc.startswith("# ") and doc.count("\n# ") == 0  # one title, first
    assert len(doc) < bound
    assert doc.endswith("\n") and not doc.endswith("\n\n") and "\n\n\n" not in doc
    for line in doc.split("\n"):
        assert is_clean(line), repr(line)  # no control, zero-width or bidi character; no tab
        assert line == line.rstrip(), repr(line)
        assert not line.startswith("#") or re.match(r"#{1,3} \S", line), line
    assert unicodedata.is_normalized("NFC", doc)
    assert doc.count("`") % 2 == 0  # no code span left open
    assert _table_problems(doc) == []


def test_the_table_check_can_fail() -> None:
    assert _table_problems("# T\n\n| a | b |\n|---|---|\n| 1 |\n") == ["| a | b |"]
    assert _table_problems("# T\n\n| a | b |\n| 1 | 2 |\n") == ["| a | b |"]


@pytest.mark.parametrize(("fn", "bound"), DOCS, ids=IDS)
def test_documents_are_deterministic(fn: Callable[[], str], bound: int) -> None:
    first = fn()
    fn.cache_clear()  # type: ignore[attr-defined]  # functools.cache: build it again from scratch
    assert fn() == first


@pytest.mark.parametrize(("fn", "bound"), DOCS, ids=IDS)
def test_every_tool_named_in_prose_exists(fn: Callable[[], str], bound: int) -> None:
    named = set(re.findall(r"\b(?:get|send|preview|cancel|iys|add|delete)_[a-z_]+\b", fn()))
    assert named and named <= set(BY_NAME), named - set(BY_NAME)


@pytest.mark.parametrize(("fn", "bound"), DOCS, ids=IDS)
def test_every_error_code_named_in_prose_is_a_provider_code(fn: Callable[[], str], bound: int) -> None:
    mentioned = {int(c) for c in re.findall(r"(?<![\w,.+|-])([45]\d\d)(?![\w,])", fn())}
    assert mentioned <= set(CODES), mentioned - set(CODES)


def test_no_tool_name_is_a_string_constant_in_the_module() -> None:
    tree = ast.parse(Path(docs.__file__).read_text(encoding="utf-8"))
    constants = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert not constants & set(BY_NAME)


# --------------------------------------------------------------------------- sending rules

def test_part_sizes_and_suffix_come_from_the_constants() -> None:
    doc = sending_rules()
    suffix = len(SUFFIX)
    rows: dict[str, tuple[Model, str]] = {"GSM-7": ("gsm7", "septets"), "GSM-7 Turkish": ("turkish_single", "septets"),
                                          "UCS-2": ("ucs2", "UTF-16 units")}
    for label, (model, unit) in rows.items():
        single, multi = CAPACITIES[model]
        row = f"| {label} | {unit} | {single} | {multi} | {single - suffix} | {API_MAX_PARTS * multi - suffix} |"
        assert row in doc, row
    assert f"`{SUFFIX.strip()}`" in doc and f'`"{SUFFIX}"`' in doc and f"{len(SUFFIX)} characters" in doc
    assert f"At most {API_MAX_PARTS} parts" in doc and f"Text fitting {API_MAX_PARTS} parts" in doc


@pytest.mark.parametrize(("model", "first"), [("gsm7", ""), ("turkish_single", "ş"), ("ucs2", "Ж")])
def test_the_fitting_sizes_are_what_the_counter_counts(model: Model, first: str) -> None:
    # The doc's "text fitting" columns are units; build texts of exactly that many units and one more.
    # `first` forces the encoding; under single shift "ş" costs 2 septets, so it stands for two units.
    single, multi = CAPACITIES[model]
    fill = "Ж" if model == "ucs2" else "a"
    head = len(first.encode("utf-16-le")) // 2 if model == "ucs2" else (2 if first else 0)

    def parts(units: int) -> int:
        count = count_segments(first + fill * (units - head), model)
        assert count is not None and count.units == units + len(SUFFIX)
        return count.parts

    one, seven = single - len(SUFFIX), API_MAX_PARTS * multi - len(SUFFIX)
    assert (parts(one), parts(one + 1)) == (1, 2)
    assert (parts(seven), parts(seven + 1)) == (API_MAX_PARTS, API_MAX_PARTS + 1)


def test_sending_rules_use_the_limits_of_the_checks() -> None:
    doc = sending_rules()
    assert f"At most {MAX_SENDER_LENGTH} characters" in doc
    assert f"({' '.join(sorted(TURKISH_LETTERS))})" in doc  # sender: no Turkish letters
    assert f"any of {' '.join(sorted(TURKISH_SHIFT_LETTERS))}" in doc  # what switches to Turkish mode
    assert f"At most {MAX_RECIPIENTS_PER_REQUEST:,} recipients" in doc
    assert MAX_RECIPIENTS == MAX_RECIPIENTS_PER_REQUEST  # the fake agrees with the rule written here
    assert f"within {int(DUPLICATE_WINDOW // 60)} minutes: 451" in doc
    assert f"at most {MAX_REPORT_SPAN_DAYS} days" in doc
    for word in ("preview_sms", "get_sender", "get_report ", "get_reports", "APITEST", "iysList"):
        assert word in doc, word


def test_the_send_time_examples_behave_as_the_rules_say() -> None:
    doc = sending_rules()
    assert "`dd/MM/yyyy HH:mm`" in doc
    found = re.search(r"e\.g\. `(\d\d/\d\d/\d{4} \d\d:\d\d)`", doc)
    assert found is not None
    long_ago = datetime(2000, 1, 1)
    plain = parse_send_datetime(found[1], now=long_ago)
    assert plain is not None and plain.value == found[1] and plain.notes == []
    assert f"`{found[1]}:00`" in doc  # the seconds trap, shown on the same example
    with_seconds = parse_send_datetime(found[1] + ":00", now=long_ago)
    assert with_seconds is not None and with_seconds.value == found[1] and with_seconds.notes


# --------------------------------------------------------------------------- İYS rules

def test_iys_rules_use_the_constants() -> None:
    doc = iys_rules()
    assert f"not before {IYS_START:%Y-%m-%d %H:%M:%S}" in doc
    assert f"1 to {MAX_BATCH:,} records per call" in doc  # no constant outside the sandbox: it must agree
    for value in (*RECIPIENT_TYPES, *CHANNELS, "ONAY", "RET", "HS_WEB"):
        assert f"`{value}`" in doc, value
    assert CODES[403].meaning_en in doc and "422" in doc
    assert "empty answer never means consent" in doc
    assert f"{ERROR_CODES_DOCS.rsplit('/', 1)[0]}/iys-register" in doc


# --------------------------------------------------------------------------- error codes

def test_every_code_has_a_row_in_both_languages() -> None:
    doc = error_codes()
    assert _missing_codes(doc) == []
    assert len(re.findall(r"^\| \d{3} \|", doc, flags=re.MULTILINE)) == len(CODES)  # one row each
    assert ERROR_CODES_DOCS in doc and ERROR_CODES_DOCS_TR in doc


def test_the_code_check_can_fail() -> None:
    doc = error_codes()
    without_451 = "\n".join(line for line in doc.split("\n") if not line.startswith("| 451 |"))
    assert _missing_codes(without_451) == [451]
    info = CODES[453]
    assert _missing_codes(doc.replace(info.action_tr, "")) == [453]


def test_report_statuses_are_listed_apart_and_not_as_errors() -> None:
    doc = error_codes()
    for status, label in STATUS_TEXT.items():
        assert f"{status} {label}" in doc
        assert f"| {status} |" not in doc
    head, _, tail = doc.partition("## Report statuses are not errors")
    assert tail and "Per message" in tail and "Per order" in tail
