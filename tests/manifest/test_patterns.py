"""manifest/patterns.py: a manifest's regular expressions are judged from their parsed shape before
anything runs them, because Python's `re` backtracks without a timeout."""

from __future__ import annotations

import sys
import time
from typing import Any

import pytest
from manifest_server import bundled_manifest, endpoint

from iletimerkezi_mcp.manifest.loader import LoadedManifest
from iletimerkezi_mcp.manifest.models import parse_manifest
from iletimerkezi_mcp.manifest.patterns import MAX_PATTERN_LENGTH, pattern_problem
from iletimerkezi_mcp.settings import Settings
from iletimerkezi_mcp.tools import build_catalog
from iletimerkezi_mcp.validation import describe_errors

pytestmark = pytest.mark.timeout(20)


def patterns_in(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                found.add(value)
            if key == "patternProperties" and isinstance(value, dict):
                found.update(value)
            found |= patterns_in(value)
    elif isinstance(node, list):
        for item in node:
            found |= patterns_in(item)
    return found


BUNDLED_PATTERNS = sorted(patterns_in(bundled_manifest()))


def test_the_bundled_manifest_has_patterns_to_check() -> None:
    assert len(BUNDLED_PATTERNS) >= 5


@pytest.mark.parametrize("pattern", BUNDLED_PATTERNS)
def test_every_bundled_pattern_is_safe(pattern: str) -> None:
    assert pattern_problem(pattern) is None


@pytest.mark.parametrize("pattern", [
    r"^[0-9]{1,20}$",
    r"^HS_[A-Z0-9_]+$",
    r"^\+?[0-9]+$",
    r"[A-Z0-9_]+",  # unanchored, one repeat: two of the two allowed
    r"^[a-z]+@[a-z]+$",
    r"\A\d+\Z",
    r"^(?:a|b|c)*$",  # single characters: one character class, no alternation
    r"^(\d{3})+$",  # a fixed count inside a repeat is not ambiguous
    r"^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$",
    r"^(abc|def)?$",
    r"^[0-9]{0,1000}$",
    r"^(a|a){9}$",  # 512 ways, under the limit
    r"^.*$",
    r"(?i)^[a-zğüşöçı ]{1,11}$",
    "",
    "x" * MAX_PATTERN_LENGTH,
])
def test_safe_patterns_pass(pattern: str) -> None:
    assert pattern_problem(pattern) is None


@pytest.mark.parametrize("pattern, reason", [
    # star height above one: exponential backtracking
    (r"^(a+)+$", "repeats or alternates"),
    (r"(a*)*", "repeats or alternates"),
    (r"^(a|aa)*$", "repeats or alternates"),
    (r"^(a|a)+$", "repeats or alternates"),
    (r"^(\d?\d?)*$", "repeats or alternates"),
    (r"^(ab|a)*c$", "repeats or alternates"),
    (r"^([a-z]+\.)+[a-z]+$", "repeats or alternates"),
    (r"^(a{1,5}){2,}$", "repeats or alternates"),
    (r"^(a|b c){1,100}$", "repeats or alternates"),  # a large bounded count is as bad as +
    # short bounded repeats whose ways multiply
    (r"^(a|a){20}$", "more than 1000 ways"),
    (r"^(a?){30}a{30}$", "more than 1000 ways"),
    (r"^((ab|cd){4}){4}$", "more than 1000 ways"),
    (r"^\d{0,32}\d{0,32}\d{0,32}x$", "more than 1000 ways"),
    # polynomial: each unbounded repeat (and the scan of an unanchored pattern) multiplies by the length
    (r"\d*\d*\d*\d*x", "5 unbounded repeats"),
    (r"^\d*\d*\d*x", "3 unbounded repeats"),
    (r"\d*\d*x", "3 unbounded repeats"),
    (r"(?m)^\d*\d*x", "3 unbounded repeats"),  # ^ matches after every newline: no anchor
    (r"^(a+x){3}$", "3 unbounded repeats"),  # a repeat inside a count of 3 is 3 repeats
    (r"^\d{0,50}\d{0,50}\d{0,50}x$", "3 unbounded repeats"),
    # constructs that are never safe (or never portable)
    (r"(a)\1", "backreference"),
    (r"(?P<x>a)(?P=x)", "backreference"),
    (r"(a)?(?(1)b|c)", "backreference"),
    (r"(?=a)a", "lookahead or lookbehind"),
    (r"(?!a)b", "lookahead or lookbehind"),
    (r"(?<=a)b", "lookahead or lookbehind"),
    (r"(?<!a)b", "lookahead or lookbehind"),
    ("x" * (MAX_PATTERN_LENGTH + 1), f"longer than {MAX_PATTERN_LENGTH}"),
    ("(", "does not compile"),
    ("[a-", "does not compile"),
    ("a{2,1}", "does not compile"),
    ("a{99999999999}", "does not compile"),
    ("*", "does not compile"),
])
def test_unsafe_patterns_are_refused_with_a_reason(pattern: str, reason: str) -> None:
    problem = pattern_problem(pattern)
    assert problem is not None and reason in problem


@pytest.mark.skipif(sys.version_info < (3, 11), reason="atomic groups and possessive repeats are 3.11+")
def test_atomic_and_possessive_forms_are_judged_like_the_plain_ones() -> None:
    assert pattern_problem("^(?>a+)+$") is not None
    assert pattern_problem("^a++$") is None


def test_a_refusal_never_carries_the_patterns_control_characters() -> None:
    problem = pattern_problem("(?<\x1b[2J)")
    assert problem is not None and "does not compile" in problem and "\x1b" not in problem


def test_deep_nesting_is_judged_not_a_crash() -> None:
    pattern_problem("(" * 250 + ")" * 250)  # a verdict either way, never an exception
    assert pattern_problem("(?:" * 80 + "a" + ")*" * 80) is not None


def test_judging_a_pattern_is_fast() -> None:
    worst = "^" + "(?:ab[0-9]{1,3}c)" * 29 + "$"
    started = time.perf_counter()
    for _ in range(100):
        pattern_problem(worst)
    assert time.perf_counter() - started < 1


def test_a_manifest_with_a_catastrophic_pattern_never_runs_it() -> None:
    """The endpoint is skipped, so the tool is not offered and its argument never meets the regex.

    Offered, `^(a+)+$` against 40 a's and a '!' would hold the server for hours."""
    document = bundled_manifest()
    schema = endpoint(document, "get_report")["input_schema"]
    schema["properties"]["order"]["properties"]["id"]["pattern"] = "^(a+)+$"
    parsed = parse_manifest(document)
    ((slug, reason),) = parsed.skipped
    assert slug == "get-report" and "/properties/order/properties/id/pattern" in reason
    catalog = build_catalog(LoadedManifest(source="live", parsed=parsed, origin="test"), Settings())
    assert "get_report" not in catalog.specs and "get_reports" in catalog.specs
    crafted = {"order": {"id": "a" * 40 + "!"}}
    started = time.perf_counter()
    for spec in catalog.specs.values():
        describe_errors(spec.validators, crafted)
    assert time.perf_counter() - started < 2
