"""Forcing untrusted provider values into the output schema.

Numeric strings become numbers, ids become strings, and a value that cannot be coerced is
dropped and recorded on the :class:`ShapeContext` (reported in ``notice``) instead of being
passed through with the wrong type. Wire quirks seen: numeric strings for codes, counts and
balances, integer ids, and an empty array where an object is expected.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..sms.phones import InvalidNumber, normalise_number

MISSING = object()  # "leave this key out"; None is a legitimate passthrough value

_INT_RE = re.compile(r"[+-]?\d+")
_NUM_RE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def to_int(value: Any) -> int | None:
    """An int from ints, integral floats and numeric strings; None for anything else (bools too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        if _INT_RE.fullmatch(text):
            return int(text)
        num = to_number(text)
        return int(num) if isinstance(num, float) and num.is_integer() else None
    return None


def to_number(value: Any) -> int | float | None:
    """A finite int or float from numbers and numeric strings; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if _INT_RE.fullmatch(text):
            return int(text)
        if _NUM_RE.fullmatch(text):
            num = float(text)
            return num if math.isfinite(num) else None
    return None


def to_text(value: Any) -> str | None:
    """Strings stay; numbers become their plain decimal text (ids: 48210457 → "48210457")."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else repr(value)
    return None


def to_phone(value: Any) -> Any:
    """``+90…`` for anything that is a Turkish mobile number; other values unchanged."""
    text = to_text(value)
    if text is None or "@" in text:
        return value
    try:
        return "+" + normalise_number(text)
    except (InvalidNumber, ValueError, TypeError):
        return text


class ShapeContext:
    """Per-call state: the list cap and the notices collected while shaping."""

    def __init__(self, max_items: int) -> None:
        self.max_items = max_items
        self.notices: list[str] = []
        self.dropped: list[str] = []
        self.cut_lists = 0

    def drop(self, path: str, value: Any) -> None:
        shown = repr(value)
        self.dropped.append(f"{path} ({shown[:40]}{'…' if len(shown) > 40 else ''})")

    def notice(self) -> str | None:
        parts = list(self.notices)
        if self.dropped:
            n = len(self.dropped)
            parts.append(
                f"Dropped {n} value{'s' if n != 1 else ''} of an unexpected type from the provider's answer: "
                + ", ".join(self.dropped[:3])
                + (", …" if n > 3 else "")
                + "."
            )
        if self.cut_lists:
            parts.append(f"Unrecognised lists were cut to {self.max_items} items.")
        return " ".join(parts) or None


def sanitize(value: Any, ctx: ShapeContext, path: str, depth: int = 0) -> Any:
    """Pass JSON values through unchanged; drop anything that is not JSON."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else MISSING
    if depth > 32:
        return MISSING
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if isinstance(k, str) and (s := sanitize(v, ctx, f"{path}.{k}", depth + 1)) is not MISSING:
                out[k] = s
        return out
    if isinstance(value, (list, tuple)):
        if len(value) > ctx.max_items:
            ctx.cut_lists += 1
            value = value[: ctx.max_items]
        items = (sanitize(v, ctx, f"{path}[{i}]", depth + 1) for i, v in enumerate(value))
        return [s for s in items if s is not MISSING]
    return MISSING


def conform(schema: dict[str, Any], value: Any, ctx: ShapeContext, path: str) -> Any:
    """Coerce ``value`` to ``schema``; return MISSING (and note it) when that is impossible."""
    if value is None:
        return MISSING  # an absent optional field, not an error
    kind = schema["type"]
    result: Any = None
    if kind == "integer":
        result = to_int(value)
    elif kind == "number":
        result = to_number(value)
    elif kind == "string":
        result = to_text(value)
    elif kind == "boolean":
        result = value if isinstance(value, bool) else None
    elif kind == "object" and isinstance(value, dict):
        props = schema["properties"]
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                continue
            sub = f"{path}.{key}" if path else key
            got = conform(props[key], item, ctx, sub) if key in props else sanitize(item, ctx, sub)
            if got is not MISSING:
                result[key] = got
    elif kind == "array" and isinstance(value, (list, tuple)):
        items = (conform(schema["items"], v, ctx, f"{path}[{i}]") for i, v in enumerate(value))
        result = [v for v in items if v is not MISSING]
    if result is None:
        ctx.drop(path, value)
        return MISSING
    return result


def dig(args: dict[str, Any], *keys: str) -> Any:
    """``args[k1][k2]…``, or None as soon as a level is missing or not a dict."""
    node: Any = args
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node
