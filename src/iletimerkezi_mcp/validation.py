"""Argument problems in plain words: field path, what was expected, what was given.

An unknown key gets one line with its full path and the nearest known name, looked for
first in the object that refused it, then anywhere else in the schema ("did you mean
'filter.page'?"), because a misplaced key is as silently ignored by the API as a misspelt one.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from iletimerkezi_mcp.strict import PATTERN_TEXT_LIMIT, collect_errors, known_names, property_paths, strict_validator
from iletimerkezi_mcp.text import clean_text, visible

__all__ = ["MAX_PROBLEMS", "describe_errors", "strict_validator"]

MAX_PROBLEMS = 20
MAX_SUGGESTED = 60  # unknown keys that get a suggestion; the rest only count toward "… and N more"
MAX_ALLOWED_SHOWN = 12
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer",
               float: "number", type(None): "null"}
_UNEXPECTED = re.compile(r"\((.*) (?:was|were) unexpected\)$", re.S)
_COMBINED = ("anyOf", "oneOf")

Problem = tuple[tuple[tuple[int, Any], ...], str]  # (sort key by path, line)


def describe_errors(validators: Iterable[Draft202012Validator], arguments: dict[str, Any]) -> str:
    """'' when the arguments are valid; otherwise one line per problem, sorted by path."""
    found: dict[str, tuple[tuple[int, Any], ...]] = {}
    for validator in validators:
        errors = collect_errors(validator, arguments)  # large arrays without a jsonschema call per item
        if errors:
            for key, line in _Describer(validator.schema).problems(errors):
                found.setdefault(line, key)  # several validators may report the same problem
    lines = sorted(found, key=lambda line: found[line])
    if len(lines) > MAX_PROBLEMS:
        lines = lines[:MAX_PROBLEMS] + [f"- … and {len(lines) - MAX_PROBLEMS} more"]
    return "\n".join(lines)


def arguments_json(arguments: dict[str, Any]) -> str:
    """The arguments as JSON text ('' if they cannot be: the schema check then says what is wrong)."""
    try:
        return json.dumps(arguments, ensure_ascii=False)
    except (ValueError, TypeError, RecursionError):
        return ""


def unpaired_surrogate(arguments: dict[str, Any], as_json: str) -> str | None:
    """A problem line when some string holds half of a UTF-16 pair ("\\ud800" in JSON): that is not
    text, and would break every later step (SMS encoding, the request body, the ledger)."""
    try:
        as_json.encode("utf-8")
        return None
    except UnicodeEncodeError:
        pass
    where = _surrogate_path(arguments, ())
    return (f"- {_where(where or ())}: holds an unpaired UTF-16 surrogate (an escape such as \\ud800 with no "
            "partner), which is not text; send the characters themselves.")


def _surrogate_path(value: Any, path: tuple[Any, ...]) -> tuple[Any, ...] | None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _surrogate_path(key, path) if isinstance(key, str) else None
        found = found if found is not None else _surrogate_path(item, (*path, key))
        if found is not None:
            return found
    return None


class _Describer:
    def __init__(self, root: Any) -> None:
        self.root = root if isinstance(root, dict) else {}
        self._paths: list[str] | None = None
        self.suggested = 0

    def problems(self, errors: Sequence[ValidationError]) -> Iterator[Problem]:
        for error in errors:
            kind = error.validator if isinstance(error.validator, str) else None
            if kind in _COMBINED and error.context:
                yield from self._best_branch(error)
            elif kind in ("additionalProperties", "unevaluatedProperties") and error.validator_value is False:
                yield from self._unknown_keys(error, errors)
            else:
                yield _sort_key(error.absolute_path), f"- {_where(error.absolute_path)}: {_explain(error)}"

    def _best_branch(self, error: ValidationError) -> Iterator[Problem]:
        """anyOf/oneOf: report why the closest alternative failed, not 'not valid under any'."""
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0] if sub.relative_schema_path else 0, []).append(sub)

        def misfit(errs: list[ValidationError]) -> tuple[bool, bool, int]:
            at_root = [e.validator for e in errs if not e.relative_path]
            return "type" in at_root, "const" in at_root or "enum" in at_root, len(errs)

        ranked = sorted(branches.values(), key=misfit)
        if misfit(ranked[0])[0]:  # the value's type fits no alternative: say which types would
            wanted: list[str] = []
            for errs in ranked:
                for e in errs:
                    value: Any = e.validator_value
                    if e.validator == "type" and not e.relative_path:
                        wanted += [str(w) for w in (value if isinstance(value, list) else [value]) if w not in wanted]
            got = f"expected {' or '.join(wanted)}, got {_given(error.instance)}"
            yield _sort_key(error.absolute_path), f"- {_where(error.absolute_path)}: {got}"
            return
        yield from self.problems(ranked[0])

    def _unknown_keys(self, error: ValidationError, siblings: Sequence[ValidationError]) -> Iterator[Problem]:
        node, instance, path = error.schema, error.instance, list(error.absolute_path)
        if not isinstance(node, dict) or not isinstance(instance, dict):
            yield _sort_key(path), f"- {_where(path)}: {error.message[:200]}"
            return
        known = known_names(node, self.root)
        patterns = [p for p in node.get("patternProperties", {}) if isinstance(p, str)]
        if error.validator == "additionalProperties":
            extra = [k for k in instance if k not in node.get("properties", {}) and not _matches(k, patterns)]
        else:
            extra = _listed_keys(error.message) or [k for k in instance if k not in known]
        # A failing branch loses its annotations, so its declared keys show up as unevaluated
        # too; the branch's own error explains that better than "not allowed" would.
        explained = any(e is not error and list(e.absolute_path)[:len(path)] == path for e in siblings)
        for key in extra:
            where = [*path, key]
            if key not in known and not _matches(key, patterns):
                yield _sort_key(where), f"- {_where(where)}: unknown field; {self._suggest(key, known, path)}"
            elif not explained:
                yield _sort_key(where), f"- {_where(where)}: not allowed together with the other fields given"

    def _suggest(self, key: str, known: list[str], path: list[Any]) -> str:
        self.suggested += 1
        if self.suggested > MAX_SUGGESTED:
            return "see the tool's input schema"
        folded = _fold(key)
        same = [name for name in known if _fold(name) == folded]
        if same:
            return f"did you mean '{same[0]}'?"
        if self._paths is None:
            self._paths = property_paths(self.root)
        here = _schema_path(path)
        elsewhere = [p for p in self._paths if _parent(p) != here]
        exact = [p for p in elsewhere if _fold(_leaf(p)) == folded]
        if exact:
            return "did you mean " + " or ".join(f"'{p}'" for p in exact[:3]) + "?"
        close = nearest_name(key, known, 0.6)
        if close:
            return f"did you mean '{close}'?"
        far = nearest_name(key, [_leaf(p) for p in elsewhere], 0.8)
        if far:
            paths = [p for p in elsewhere if _leaf(p) == far]
            return "did you mean " + " or ".join(f"'{p}'" for p in paths[:3]) + "?"
        shown = sorted(known)[:MAX_ALLOWED_SHOWN]
        more = ", …" if len(known) > MAX_ALLOWED_SHOWN else ""
        return f"allowed: {', '.join(shown) or 'none'}{more}"


def _fold(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def nearest_name(key: str, names: list[str], cutoff: float) -> str | None:
    by_fold: dict[str, str] = {}
    for name in names:
        by_fold.setdefault(_fold(name), name)
    match = difflib.get_close_matches(_fold(key), list(by_fold), n=1, cutoff=cutoff)
    return by_fold[match[0]] if match else None


def _leaf(path: str) -> str:
    return re.split(r"[.\]]", path)[-1]


def _parent(path: str) -> str:
    leaf = _leaf(path)
    return path[: -len(leaf) - 1] if path != leaf else ""


def _schema_path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out += "[]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _matches(key: str, patterns: list[str]) -> bool:
    try:
        return any(re.search(p, key) for p in patterns)
    except re.error:
        return False


def _listed_keys(message: str) -> list[str]:
    """The keys jsonschema names in "(... was/were unexpected)"; [] if the wording ever changes."""
    found = _UNEXPECTED.search(message)
    try:
        keys = ast.literal_eval(f"[{found.group(1)}]") if found else []
    except (ValueError, SyntaxError):
        return []
    return [k for k in keys if isinstance(k, str)]


def _sort_key(path: Iterable[Any]) -> tuple[tuple[int, Any], ...]:
    # Array indices and names can meet at one depth (object-or-array unions): never compare int to str.
    return tuple((0, p) if isinstance(p, int) else (1, str(p)) for p in path)


def _where(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "arguments"


def _given(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False, default=str)
    if len(shown) > 60:
        shown = shown[:57] + "…"
    return f"{shown} ({_JSON_TYPES.get(type(value), type(value).__name__)})"


def _explain(error: ValidationError) -> str:
    kind = error.validator if isinstance(error.validator, str) else None
    expected: Any = error.validator_value
    value: Any = error.instance
    # Manifest text: cleaned like every description a client sees (it reaches the model here too).
    hint = clean_text(error.schema.get("description"), limit=300, single_line=True) \
        if isinstance(error.schema, dict) else None
    if kind is None:  # a `false` subschema
        return "not allowed here"
    if kind == "required":
        missing = [name for name in expected if isinstance(value, dict) and name not in value]
        return f"missing required field(s) {', '.join(repr(m) for m in missing)}"
    if kind == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        return f"expected {wanted}, got {_given(value)}"
    if kind == "enum":
        return f"must be one of {', '.join(json.dumps(v, ensure_ascii=False) for v in expected)}; got {_given(value)}"
    if kind == "const":
        return f"must be {json.dumps(expected, ensure_ascii=False)[:60]}; got {_given(value)}"
    if kind == "pattern" and isinstance(value, str) and len(value) > PATTERN_TEXT_LIMIT:
        return f"too long ({len(value)} characters; at most {PATTERN_TEXT_LIMIT} are checked against its format)"
    if kind == "pattern":
        rule = f" ({hint})" if hint else f" (pattern {visible(str(expected))[:120]})"
        return f"wrong format{rule}; got {_given(value)}"
    if kind == "not":
        return f"this value is not allowed here; got {_given(value)}"
    if kind == "oneOf":
        return f"matches more than one of the allowed forms; got {_given(value)}"
    limits = {
        "minLength": f"must have at least {expected} character(s)",
        "maxLength": f"must have at most {expected} character(s)",
        "minItems": f"must have at least {expected} item(s)",
        "maxItems": f"must have at most {expected} item(s)",
        "minimum": f"must be at least {expected}",
        "maximum": f"must be at most {expected}",
        "exclusiveMinimum": f"must be more than {expected}",
        "exclusiveMaximum": f"must be less than {expected}",
        "multipleOf": f"must be a multiple of {expected}",
        "uniqueItems": "must not repeat items",
    }
    if kind in limits:
        return f"{limits[kind]}; got {_given(value)}"
    return error.message[:200]
