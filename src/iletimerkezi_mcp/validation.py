"""Argument problems in plain words: field path, what was expected, what was given."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

MAX_PROBLEMS = 20
_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer",
               float: "number", type(None): "null"}


def describe_errors(validators: Iterable[Draft202012Validator], arguments: dict[str, Any]) -> str:
    """'' when the arguments are valid; otherwise one line per problem."""
    lines: list[str] = []
    for validator in validators:
        for error in sorted(validator.iter_errors(arguments), key=lambda e: list(e.absolute_path)):
            line = f"- {_where(error)}: {_explain(error)}"
            if line not in lines:
                lines.append(line)
    if len(lines) > MAX_PROBLEMS:
        lines = lines[:MAX_PROBLEMS] + [f"- … and {len(lines) - MAX_PROBLEMS} more"]
    return "\n".join(lines)


def _where(error: ValidationError) -> str:
    path = ""
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "arguments"


def _given(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False, default=str)
    if len(shown) > 60:
        shown = shown[:57] + "…"
    return f"{shown} ({_JSON_TYPES.get(type(value), type(value).__name__)})"


def _explain(error: ValidationError) -> str:
    kind, expected, value = error.validator, error.validator_value, error.instance
    hint = error.schema.get("description") if isinstance(error.schema, dict) else None
    if kind == "required":
        missing = [name for name in expected if isinstance(value, dict) and name not in value]
        return f"missing required field(s) {', '.join(repr(m) for m in missing)}"
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(value) - set(allowed)) if isinstance(value, dict) else []
        return f"unknown field(s) {', '.join(repr(e) for e in extra)}; allowed: {', '.join(allowed) or 'none'}"
    if kind == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        return f"expected {wanted}, got {_given(value)}"
    if kind == "enum":
        return f"must be one of {', '.join(json.dumps(v, ensure_ascii=False) for v in expected)}; got {_given(value)}"
    if kind == "pattern":
        rule = f" ({hint})" if hint else f" (pattern {expected})"
        return f"wrong format{rule}; got {_given(value)}"
    limits = {
        "minLength": f"must have at least {expected} character(s)",
        "maxLength": f"must have at most {expected} character(s)",
        "minItems": f"must have at least {expected} item(s)",
        "maxItems": f"must have at most {expected} item(s)",
        "minimum": f"must be at least {expected}",
        "maximum": f"must be at most {expected}",
    }
    if kind in limits:
        return f"{limits[kind]}; got {_given(value)}"
    return error.message[:200]
