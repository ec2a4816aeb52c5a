"""Schemas whose wire text holds hidden characters: the one kind a tool cannot be served with.

Prose in a schema can be cleaned (`schema_compat`); names and allowed values cannot, because the
model sends them back to the API exactly as published.
"""

from __future__ import annotations

import json
from typing import Any

from .text import is_clean, visible

VALUE_KEYWORDS = ("enum", "const", "default", "examples", "example")  # values, not subschemas
_PROBLEM_NODES = 100_000  # a walk bound far above any real manifest schema


def publishable(value: Any) -> bool:
    """True when no string in ``value`` (object keys included) holds a hidden character."""
    todo = [value]  # a loop, not recursion: a value may nest as deep as the JSON parser allowed
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            if not is_clean(item):
                return False
        elif isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return True


def wire_text_problem(schema: Any) -> str | None:
    """Why a tool with this input schema must not be served, or None.

    A property name, required name, enum or const value with a hidden character is text the model
    must send back exactly: publishing it raw would pass the characters on, and cleaning it would
    make the model send something the API does not expect. Descriptions, defaults and examples are
    no reason: ``make_portable`` cleans or leaves them out.
    """
    # Every catalog build walks every schema, so the walk keeps no paths; one is found only for a problem.
    todo: list[Any] = [schema]
    seen = 0
    while todo and seen < _PROBLEM_NODES:
        node = todo.pop()
        seen += 1
        if isinstance(node, list):
            todo.extend(v for v in node if isinstance(v, (dict, list)))
            continue
        found = _hidden_wire_text(node)
        if found is not None:
            what, value = found
            shown = visible(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
            shown = shown if len(shown) <= 80 else shown[:79] + "…"
            where = visible(_path_to(schema, node) or "#")[:120]
            return (f"input_schema {what} '{shown}' at {where} holds control, zero-width or bidi "
                    "characters; cleaning it would change what the API receives, so the tool is not served")
        todo.extend(v for k, v in node.items() if k not in VALUE_KEYWORDS and isinstance(v, (dict, list)))
    return None


def _hidden_wire_text(node: dict[str, Any]) -> tuple[str, Any] | None:
    properties = node.get("properties")
    if isinstance(properties, dict):
        for name in properties:
            if not is_clean(str(name)):
                return "property name", name
    required = node.get("required")
    if isinstance(required, list):
        for name in required:
            if isinstance(name, str) and not is_clean(name):
                return "required name", name
    enum = node.get("enum")
    if isinstance(enum, list):
        for value in enum:
            if not publishable(value):
                return "enum value", value
    if "const" in node and not publishable(node["const"]):
        return "const value", node["const"]
    return None


def _path_to(root: Any, target: dict[str, Any]) -> str | None:
    """The JSON-pointer-like path from ``root`` to the node ``target`` (by identity)."""
    todo: list[tuple[Any, str]] = [(root, "#")]
    while todo:
        node, where = todo.pop()
        if node is target:
            return where
        if isinstance(node, list):
            todo.extend((v, f"{where}/{i}") for i, v in enumerate(node) if isinstance(v, (dict, list)))
        elif isinstance(node, dict):
            todo.extend((v, f"{where}/{k}") for k, v in node.items()
                        if k not in VALUE_KEYWORDS and isinstance(v, (dict, list)))
    return None


__all__ = ["VALUE_KEYWORDS", "publishable", "wire_text_problem"]
