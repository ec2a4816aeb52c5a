"""Whether a regular expression from the manifest is safe to run on untrusted input.

The schema validator runs every `pattern` (and `patternProperties` key) with Python's `re`, which
backtracks and has no timeout: `^(a+)+$` against a few dozen crafted characters holds the whole
server for seconds. So a pattern is parsed, never run, and refused when its shape allows
catastrophic backtracking. The rules are deliberately coarse: a harmless pattern may be refused
(its endpoint is then skipped); the exponential forms and the steeper polynomial ones never pass.
"""

from __future__ import annotations

import importlib
import re
import sys
from typing import Any

# The parser behind re.compile; renamed in 3.11 (importing the old name there warns).
_parser: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")

MAX_PATTERN_LENGTH = 512  # the bundled manifest's longest is under 120
# Repeats whose count can vary by more than this (or without bound) backtrack like `*`.
OPEN_ABOVE = 32
# At most this many of them in one pattern; an unanchored pattern counts one more, because the
# validator searches from every position. Each one multiplies the worst case by the argument's
# length: measured on 3.11, `^\d*\d*x` costs 2.4 s on 30,000 digits, `^\d*\d*\d*x` 24 s on 3,000.
MAX_OPEN_REPEATS = 2
# Ways alternatives and short optional parts can combine (the `(a|a){20}` family): each is tried
# again on failure. The bundled manifest's highest is 20.
MAX_WAYS = 1000

_ATOMS = {_parser.LITERAL, _parser.NOT_LITERAL, _parser.ANY, _parser.IN, _parser.AT, _parser.CATEGORY}
_REPEATS = {_parser.MAX_REPEAT, _parser.MIN_REPEAT, getattr(_parser, "POSSESSIVE_REPEAT", None)} - {None}
_LOOKAROUNDS = {_parser.ASSERT, _parser.ASSERT_NOT}
_BACKREFERENCES = {_parser.GROUPREF, _parser.GROUPREF_EXISTS}
_STARTS = {_parser.AT_BEGINNING, _parser.AT_BEGINNING_STRING}


class _Unsafe(Exception):
    pass


def pattern_problem(pattern: str) -> str | None:
    """None when `pattern` is safe to run on untrusted input, else why not (a short phrase)."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"longer than {MAX_PATTERN_LENGTH} characters"
    try:
        tree = _parser.parse(pattern)
        re.compile(pattern)
        ways, opened, _ = _shape(tree)
    except _Unsafe as exc:
        return str(exc)
    except RecursionError:
        return "nested too deeply"
    except (re.error, OverflowError, ValueError, TypeError) as exc:
        return f"does not compile ({repr(str(exc)[:80])[1:-1]})"  # repr: the message may quote control characters
    if not _anchored(tree):
        opened += 1
    if opened > MAX_OPEN_REPEATS:
        return (f"{opened} unbounded repeats, more than {MAX_OPEN_REPEATS} (a pattern without ^ counts one more); "
                "each multiplies the time a failing match can take")
    if ways > MAX_WAYS:
        return f"its alternatives and repeats combine in more than {MAX_WAYS} ways, each retried when a match fails"
    return None


def _shape(items: Any) -> tuple[int, int, bool]:
    """(ways, open repeats, ambiguous) of a sequence; ambiguous: it alternates or repeats a variable count."""
    ways, opened, ambiguous = 1, 0, False
    for op, av in items:
        w, o, a = _item(op, av)
        ways, opened, ambiguous = min(ways * w, MAX_WAYS + 1), opened + o, ambiguous or a
    return ways, opened, ambiguous


def _item(op: Any, av: Any) -> tuple[int, int, bool]:
    if op in _ATOMS:
        return 1, 0, False
    if op is _parser.SUBPATTERN:
        return _shape(av[-1])
    if op is getattr(_parser, "ATOMIC_GROUP", None):
        return _shape(av)
    if op is _parser.BRANCH:
        shapes = [_shape(branch) for branch in av[1]]
        # On failure every branch is tried in turn: ways add up; only one branch's repeats run at a time.
        return min(sum(s[0] for s in shapes), MAX_WAYS + 1), max(s[1] for s in shapes), True
    if op in _REPEATS:
        low, high, body = av
        ways, opened, ambiguous = _shape(body)
        if high == _parser.MAXREPEAT or high - low > OPEN_ABOVE:
            if ambiguous:
                # Star height above one: `(a+)+`, `(a|ab)*`, `(\d?\d?)*` try exponentially many splits.
                raise _Unsafe("a repeat of a part that itself repeats or alternates")
            return 1, 1, True
        # Each of up to `high` rounds picks one of the body's ways, and the count itself may vary.
        combined = high - low + 1 if ways == 1 else MAX_WAYS + 1 if high > 64 else ways**high * (high - low + 1)
        return min(combined, MAX_WAYS + 1), min(opened * high, MAX_OPEN_REPEATS + 1), ambiguous or low != high
    if op in _BACKREFERENCES:
        raise _Unsafe("a backreference")
    if op in _LOOKAROUNDS:
        raise _Unsafe("a lookahead or lookbehind")
    raise _Unsafe(f"an unsupported construct ({str(op).lower()})")


def _anchored(tree: Any) -> bool:
    """True when the pattern can match only at the start (re.search then tries one position)."""
    if not len(tree) or tree[0][0] is not _parser.AT or tree[0][1] not in _STARTS:
        return False
    return tree[0][1] is _parser.AT_BEGINNING_STRING or not tree.state.flags & _parser.SRE_FLAG_MULTILINE
