"""Rewrite any manifest input schema into the JSON Schema subset every major MCP client accepts.

The provider's manifest decides our tool schemas, and clients disagree about JSON Schema: the
Anthropic API rejects root combinators, Gemini rejects ``$ref``, type arrays, ``additionalProperties``
and non-string enums, OpenAI rejects arrays without ``items`` and objects without ``properties``.
``make_portable`` publishes one schema that all of them take (rules and sources:
docs/client-compatibility.md; the matching lint lives in ``schema_lint``).

The published schema only *guides* the model. The server still validates every call against the
ORIGINAL manifest schema, so the rewrite never has to be lossless; it must only avoid steering the
model towards values the original rejects. That is why a ``["string", "integer"]`` union becomes
``string`` (both "123456" and 123456 stay valid) while an integer enum keeps ``integer`` and moves
its values into the description instead of becoming a string enum the original would refuse.

Every published byte is read by the model on every request, so notes are short and said once: a
union's number bounds join its "(or a number)" note, a note the description already gives is left
out, and a pattern is left to the description that explains the value in words (the server still
checks it).

Manifest text is untrusted (see ``text``). Prose (descriptions, titles) is published through
``text.plain``; text the model would send back as written (property names, enum and const values,
defaults, examples) cannot be cleaned without changing the wire, so a value with a hidden character
is left out of the published schema, and ``schema_text.wire_text_problem`` lets the catalog refuse the tool.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from typing import Any

from .schema_text import publishable
from .strict import resolve_ref
from .text import is_clean, plain

__all__ = ["MAX_DESCRIPTION", "PORTABLE_KEYWORDS", "is_portable_pattern", "make_portable"]

MAX_DESCRIPTION = 1024
# Every keyword make_portable may emit; schema_lint treats anything else as unportable.
PORTABLE_KEYWORDS = frozenset(
    {"type", "description", "properties", "required", "items", "enum", "format", "pattern",
     "minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "default"}
)

_TYPES = ("string", "integer", "number", "boolean", "array", "object")
_NUMERIC = frozenset({"integer", "number"})
_OR_NUMBER = "(or a number)"
_TYPE_WORDS = {"integer": "a number", "number": "a number", "boolean": "true/false",
               "object": "a JSON object", "array": "a list", "string": "text"}
_MIN_KEYS = ("minimum", "exclusiveMinimum", "minLength", "minItems")
_MAX_KEYS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems")
_NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_COUNT_KEYS = ("minLength", "maxLength", "minItems", "maxItems")
# Where a constraint that the published type cannot carry is explained in the description.
_FOLD_TEXT = {
    "minimum": "minimum {}", "maximum": "maximum {}", "exclusiveMinimum": "greater than {}",
    "exclusiveMaximum": "less than {}", "multipleOf": "a multiple of {}",
    "minLength": "at least {} characters", "maxLength": "at most {} characters",
    "pattern": "pattern {}", "format": "format: {}", "minItems": "at least {} items",
    "maxItems": "at most {} items",
}
_STUB_NOTE = "(recursive structure; deeper levels are not described)"
_MAX_REF_DEPTH = 16
_MAX_DEPTH = 48
_NODE_BUDGET = 5000
_MISSING = object()
# Keywords whose values are data, not subschemas: what a model may send back as written.


class _Ctx:
    """Conversion state: the original document (for local $ref) and a node budget."""

    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.budget = _NODE_BUDGET


def make_portable(schema: Any) -> dict[str, Any]:
    """Return a client-portable copy of ``schema``; pure, deterministic and idempotent.

    The result is always ``{"type": "object", "properties": {...}}`` at the root, uses one string
    ``type`` per node, has no ``$ref``/combinators/``additionalProperties``, string-only enums, and
    descriptions of at most 1024 characters. Property names are never renamed (that would change
    the wire format); ``schema_lint`` reports names that some clients reject. No string anywhere in
    the result holds a hidden character (``text.is_hidden``) other than a newline in a description.
    """
    root = schema if isinstance(schema, dict) else {}
    partial: dict[str, Any] | None = _convert(root, _Ctx(root), ("#",), 0, objects_only=True)
    partial = partial if partial is not None else {}
    kind = partial.get("type") or _infer_type(partial)
    if kind == "string" and "type" not in partial and "enum" not in partial:
        kind = "object"  # a root with no hints at all means "no arguments"
    if kind != "object":
        partial = {"_notes": ["(the provider schema does not describe named arguments)"]}
    partial["type"] = "object"
    # Raw values (defaults, examples) may still be shared with the input or with each other.
    return copy.deepcopy(_finalize(partial))


# --- step 1: convert any JSON Schema node into a "partial" (type may still be unknown) ---------


def _convert(node: Any, ctx: _Ctx, stack: tuple[str, ...], depth: int,
             objects_only: bool = False) -> dict[str, Any] | None:
    """None means "no value is valid" (a ``false`` schema); {} means "anything"."""
    if node is False:
        return None
    if not isinstance(node, dict):
        return {}
    ctx.budget -= 1
    if depth > _MAX_DEPTH or ctx.budget < 0:
        return _stub()
    parts: list[dict[str, Any] | None] = [_convert_plain(node, ctx, stack, depth)]
    ref = node.get("$ref", node.get("$dynamicRef"))
    if isinstance(ref, str):
        parts.append(_follow_ref(ref, ctx, stack, depth))
    if isinstance(node.get("allOf"), list):
        parts.extend(_convert(s, ctx, stack, depth + 1) for s in node["allOf"])
    for key in ("anyOf", "oneOf"):
        if isinstance(node.get(key), list):
            branches = [_convert(s, ctx, stack, depth + 1) for s in node[key]]
            parts.append(_union(branches, objects_only))
    return _intersect(parts)


def _convert_plain(node: dict[str, Any], ctx: _Ctx, stack: tuple[str, ...],
                   depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    notes: list[str] = []
    kind = node.get("type")
    if isinstance(kind, list):
        names = _dedupe(t for t in kind if t in _TYPES)
        if names:
            out["type"], note = _collapse_types(names)
            notes += [note] if note else []
        elif "null" in kind:
            out["type"] = "null"
    elif kind in _TYPES or kind == "null":
        out["type"] = kind
    text = plain(node["description"]).strip() if isinstance(node.get("description"), str) else ""
    title = plain(node["title"]).strip() if isinstance(node.get("title"), str) else ""
    if text:
        out["description"] = text
    elif title:
        out["description"] = title
    if isinstance(node.get("properties"), dict):
        props = {}
        for name, sub in node["properties"].items():
            if not is_clean(name):
                continue  # renaming would change the wire; the catalog refuses such a tool (wire_text_problem)
            converted = _convert(sub, ctx, stack, depth + 1)
            if converted is not None:  # a `false` property can never be sent: leave it out
                props[name] = converted
        out["properties"] = props
    if isinstance(node.get("required"), list):
        out["required"] = _dedupe(r for r in node["required"] if isinstance(r, str))
    free = node.get("additionalProperties", False) not in (False, None) or node.get("patternProperties")
    if free and not node.get("properties"):
        notes.append("(any keys are accepted)")
    items = node.get("items", node.get("prefixItems"))
    if isinstance(items, list):  # tuple form: describe the union of the positions
        out["items"] = _union([_convert(s, ctx, stack, depth + 1) for s in items]) or {}
    elif items is not None:
        out["items"] = _convert(items, ctx, stack, depth + 1) or {}
    if isinstance(node.get("enum"), list):
        shown = [v for v in node["enum"] if publishable(v)]
        if shown or not node["enum"]:
            out["enum"] = shown
        else:  # every value hides characters: leave the choice open rather than publish none
            notes.append("(the allowed values are not shown)")
    if "const" in node and publishable(node["const"]):
        out["enum"] = [node["const"]]
    for key in _NUMBER_KEYS:
        if _is_number(node.get(key)):
            out[key] = node[key]
    for key in _COUNT_KEYS:
        if isinstance(node.get(key), int) and not isinstance(node[key], bool) and node[key] >= 0:
            out[key] = node[key]
    for key in ("pattern", "format"):
        if isinstance(node.get(key), str) and is_clean(node[key]):
            out[key] = node[key]
    if node.get("uniqueItems") is True:
        out["uniqueItems"] = True
    if "default" in node and publishable(node["default"]):
        out["default"] = node["default"]
    examples = node.get("examples")
    if isinstance(examples, list) and examples:
        example = examples[0]
    else:
        example = node.get("example", _MISSING)
    if example is not _MISSING and publishable(example):
        out["_example"] = example
    if notes:
        out["_notes"] = notes
    return out


def _follow_ref(ref: str, ctx: _Ctx, stack: tuple[str, ...], depth: int) -> dict[str, Any] | None:
    if ref in stack or len(stack) > _MAX_REF_DEPTH:
        return _stub()
    target = resolve_ref(ref, ctx.root)  # same-document only: remote references are never fetched
    if target is None:
        return {"_notes": ["(refers to a schema that is not included here)"]}
    return _convert(target, ctx, stack + (ref,), depth + 1)


def _stub() -> dict[str, Any]:
    return {"type": "object", "properties": {}, "_notes": [_STUB_NOTE]}


# --- combining partials: allOf (intersection) and anyOf/oneOf (union) ---------------------------


def _intersect(parts: Sequence[dict[str, Any] | None]) -> dict[str, Any] | None:
    if any(p is None for p in parts):
        return None
    present = [p for p in parts if p]
    if len(present) <= 1:
        return dict(present[0]) if present else {}
    out: dict[str, Any] = {}
    types = _dedupe(p["type"] for p in present if "type" in p)
    if types:
        out["type"] = "integer" if set(types) == _NUMERIC else types[0]
    for p in present:
        for key, value in p.items():
            if key == "properties":
                merged = out.setdefault("properties", {})
                for name, sub in value.items():
                    merged[name] = _intersect([merged[name], sub]) if name in merged else sub
                    if merged[name] is None:
                        del merged[name]
            elif key == "items":
                out["items"] = (_intersect([out["items"], value]) or {}) if "items" in out else value
            elif key in ("required", "_notes"):
                out[key] = _dedupe([*out.get(key, []), *value])
            elif key == "enum" and "enum" in out:
                common = [v for v in out["enum"] if _contains(value, v)]
                out["enum"] = common or out["enum"]
            elif key in _MIN_KEYS and key in out:
                out[key] = max(out[key], value)
            elif key in _MAX_KEYS and key in out:
                out[key] = min(out[key], value)
            elif key != "type":
                out.setdefault(key, value)
    return out


def _union(branches: Sequence[dict[str, Any] | None], objects_only: bool = False) -> dict[str, Any] | None:
    if all(b is None for b in branches):
        return None
    alts = [b for b in branches if b is not None and b.get("type") != "null"]
    if objects_only:  # a tool's arguments are always an object: ignore scalar root branches
        alts = [b for b in alts if _infer_type(b) == "object"]
    if not alts:
        return {}
    if len(alts) == 1:
        return alts[0]
    if any(_is_unconstrained(b) for b in alts):
        return {}
    kind, note = _collapse_types(_dedupe(_infer_type(b) for b in alts))
    same = [b for b in alts if _infer_type(b) == kind or (kind == "number" and _infer_type(b) in _NUMERIC)]
    merged = _join(same, kind)
    merged["type"] = kind
    if note:
        merged["_notes"] = _dedupe([*merged.get("_notes", []), note])
    return merged


def _join(alts: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """Merge same-typed alternatives into one schema that admits each of them."""
    if len(alts) == 1:
        return dict(alts[0])
    out: dict[str, Any] = {}
    texts = [b["description"] for b in alts if b.get("description")]
    if texts:
        out["description"] = texts[0]
    notes = _dedupe(n for b in alts for n in b.get("_notes", []))
    if kind == "object":
        props: dict[str, list[dict[str, Any]]] = {}
        for b in alts:
            for name, sub in b.get("properties", {}).items():
                props.setdefault(name, []).append(sub)
        out["properties"] = {n: (s[0] if len(s) == 1 else _union(s) or {}) for n, s in props.items()}
        required = [set(b.get("required", [])) for b in alts]
        out["required"] = [r for r in alts[0].get("required", []) if all(r in s for s in required)]
        notes.append("(accepts alternative shapes: fields required by only some of them are shown as optional)")
    elif kind == "array":
        items = [b.get("items") for b in alts]
        out["items"] = {} if any(i is None for i in items) else (_union(items) or {})
    if all("enum" in b for b in alts):
        out["enum"] = _dedupe(v for b in alts for v in b["enum"])
    for key in (*_NUMBER_KEYS, *_COUNT_KEYS, "pattern", "format", "uniqueItems", "default"):
        values = [b.get(key, _MISSING) for b in alts]
        if any(v is _MISSING for v in values):
            continue  # one alternative is unbounded here, so the union is too
        if key in _MIN_KEYS:  # the loosest bound admits every alternative
            out[key] = min(values)
        elif key in _MAX_KEYS:
            out[key] = max(values)
        elif all(v == values[0] for v in values):
            out[key] = values[0]
    if notes:
        out["_notes"] = notes
    return out


def _collapse_types(names: list[str]) -> tuple[str, str | None]:
    """Pick one published type for a union of JSON types, plus a note naming the others."""
    names = [n for n in names if n != "null"]
    if len(names) <= 1:
        return (names[0] if names else "string"), None
    if set(names) <= _NUMERIC:
        return "number", None
    chosen = "string" if "string" in names else names[0]
    others = _dedupe(_TYPE_WORDS[n] for n in names if n != chosen)
    return chosen, "(or " + " or ".join(others) + ")"


# --- step 2: finalize a partial into the published subset ---------------------------------------


def _finalize(p: dict[str, Any]) -> dict[str, Any]:
    kind = _infer_type(p)
    notes = list(p.get("_notes", []))
    if kind == "null":
        kind = "string"
        notes.append("(the provider expects null here)")
    body: dict[str, Any] = {}
    if kind == "object":
        props = {name: _finalize(sub) for name, sub in p.get("properties", {}).items()}
        body["properties"] = props
        required = [r for r in p.get("required", []) if r in props]
        if required:
            body["required"] = required
    elif kind == "array":
        body["items"] = _finalize(p.get("items") or {})
        body.update((k, p[k]) for k in ("minItems", "maxItems") if k in p)
        if p.get("uniqueItems"):
            notes.append("(items must be unique)")
    elif kind == "string":
        _finalize_string(p, body, notes)
    elif kind in _NUMERIC:
        _finalize_number(p, kind, body, notes)
    if "enum" in p and kind != "string":
        values = [v for v in p["enum"] if v is not None]
        if values:
            notes.append("(allowed values: " + ", ".join(_show(v) for v in values) + ")")
    notes = _with_folded(p, body, kind, notes)  # constraints the published type cannot carry
    if "default" in p:
        if _fits(p["default"], kind, body.get("enum")):
            body["default"] = p["default"]
        elif p["default"] is not None:
            notes.append("(default: " + _show(p["default"]) + ")")
    if "_example" in p and p["_example"] is not None:
        notes.append("(example: " + _show(p["_example"]) + ")")
    out: dict[str, Any] = {"type": kind}
    text = _compose(p.get("description", ""), notes)
    if text:
        out["description"] = text
    out.update(body)
    return out


def _with_folded(p: dict[str, Any], body: dict[str, Any], kind: str, notes: list[str]) -> list[str]:
    """``notes`` plus the constraints the published type cannot carry. The number bounds of a union
    published as text join its "(or a number)" note ("(or a number, 1 to 1000)"), and what the
    description already says ("1 to 1000", "or an integer") is not said again."""
    notes = list(notes)
    text = p.get("description", "")
    if _OR_NUMBER in notes and "integer" in text.lower():
        notes.remove(_OR_NUMBER)  # "a numeric string or an integer"
    keys = {k: v for k, v in p.items() if k in _FOLD_TEXT and k not in body and not _handled(k, kind)}
    bounds = ""
    if "minimum" in keys and "maximum" in keys:
        bounds = f"{_show(keys.pop('minimum'))} to {_show(keys.pop('maximum'))}"
        bounds = "" if bounds in text else bounds
    elif "minimum" in keys or "maximum" in keys:
        key = "minimum" if "minimum" in keys else "maximum"
        bounds = _FOLD_TEXT[key].format(_show(keys.pop(key)))
    folded = ["(" + _FOLD_TEXT[k].format(_show(v)) + ")" for k, v in keys.items()]
    if bounds and _OR_NUMBER in notes:
        notes[notes.index(_OR_NUMBER)] = f"(or a number, {bounds})"
    elif bounds:
        folded.insert(0, f"({bounds})")
    return notes + folded


def _handled(key: str, kind: str) -> bool:
    """True when ``key`` belongs to ``kind`` and its finalizer already emitted or folded it."""
    if kind == "string":
        return key in ("minLength", "maxLength", "pattern", "format")
    if kind in _NUMERIC:
        return key in _NUMBER_KEYS
    if kind == "array":
        return key in ("minItems", "maxItems")
    return False


def _finalize_string(p: dict[str, Any], body: dict[str, Any], notes: list[str]) -> None:
    if "enum" in p:
        # Gemini wants non-empty string values only; non-string values are unreachable anyway
        # when the published type is string, so they are dropped rather than stringified.
        values = _dedupe(v for v in p["enum"] if isinstance(v, str) and v != "")
        if "" in p["enum"]:
            notes.append("(an empty string is also accepted)")
        if values:
            body["enum"] = values
    if "format" in p:
        if p["format"] == "date-time":  # the only string format both Gemini and OpenAI accept
            body["format"] = "date-time"
        else:
            notes.append("(format: " + p["format"] + ")")
    if "pattern" in p:
        if p.get("description", "").strip():
            pass  # said in words ("YYYY-MM-DD HH:MM:SS", "digits only"); the server still checks it
        elif is_portable_pattern(p["pattern"]):
            body["pattern"] = p["pattern"]
        else:
            notes.append("(pattern " + _show(p["pattern"]) + ")")
    for key in ("minLength", "maxLength"):
        if key in p:
            body[key] = p[key]


def _finalize_number(p: dict[str, Any], kind: str, body: dict[str, Any], notes: list[str]) -> None:
    low, high = p.get("minimum"), p.get("maximum")
    exclusive_low, exclusive_high = p.get("exclusiveMinimum"), p.get("exclusiveMaximum")
    # Gemini's schema has no exclusive bounds; for integers they convert exactly.
    if exclusive_low is not None:
        if kind == "integer" and float(exclusive_low).is_integer():
            bound = int(exclusive_low) + 1
            low = bound if low is None else max(low, bound)
        else:
            notes.append("(greater than " + _show(exclusive_low) + ")")
    if exclusive_high is not None:
        if kind == "integer" and float(exclusive_high).is_integer():
            bound = int(exclusive_high) - 1
            high = bound if high is None else min(high, bound)
        else:
            notes.append("(less than " + _show(exclusive_high) + ")")
    if low is not None:
        body["minimum"] = low
    if high is not None:
        body["maximum"] = high
    if "multipleOf" in p:
        notes.append("(a multiple of " + _show(p["multipleOf"]) + ")")


# --- hidden characters in what the model sends back --------------------------------------------


# --- helpers ------------------------------------------------------------------------------------


def _infer_type(p: dict[str, Any]) -> str:
    kind = p.get("type")
    if kind:
        return kind
    if "properties" in p or "required" in p:
        return "object"
    if "items" in p or "minItems" in p or "maxItems" in p or "uniqueItems" in p:
        return "array"
    if p.get("enum"):
        return _collapse_types(_dedupe(_json_type(v) for v in p["enum"] if v is not None))[0]
    if any(k in p for k in _NUMBER_KEYS):
        return "number"
    return "string"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def _fits(value: Any, kind: str, enum: list[Any] | None) -> bool:
    if value is None:
        return False
    actual = _json_type(value)
    if actual != kind and not (kind == "number" and actual == "integer"):
        return False
    return enum is None or _contains(enum, value)


def _is_unconstrained(p: dict[str, Any]) -> bool:
    return not set(p) - {"description", "_notes", "default", "_example"}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_portable_pattern(pattern: str) -> bool:
    """True if ``pattern`` compiles and avoids Python-only syntax (clients use ECMAScript)."""
    if "(?P" in pattern or "(?#" in pattern:
        return False
    try:
        re.compile(pattern)
    except (re.error, RecursionError):
        return False
    return True


def _contains(values: list[Any], value: Any) -> bool:
    return any(v == value and type(v) is type(value) for v in values)


def _dedupe(values: Any) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if not _contains(out, value):
            out.append(value)
    return out


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:79] + "…"


def _compose(base: str, notes: list[str]) -> str:
    """Append notes to a description, keeping the whole within MAX_DESCRIPTION characters."""
    tail = " ".join(n for n in _dedupe(notes) if n not in base)
    if not tail:
        text = base
    elif not base.strip():
        text = tail
    else:
        text = base.rstrip() + " " + tail
    if len(text) <= MAX_DESCRIPTION:
        return text
    if not tail or len(tail) > MAX_DESCRIPTION // 2:
        return text[: MAX_DESCRIPTION - 1] + "…"
    room = MAX_DESCRIPTION - len(tail) - 2
    return base[:room].rstrip() + "… " + tail
