"""Server-side strictness: validate tool arguments against a closed copy of the input schema.

Manifest objects are open (no additionalProperties), so a misspelt key such as
`order.sendDatetime` would reach the API, which ignores it: a campaign meant for tomorrow
goes out now. The copy closes every object that describes its properties, unless the
schema says explicitly how extra keys are treated. Clients still see the schema as published.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft202012Validator

# Applied to the same instance as their parent, so their properties belong to the parent's object.
IN_PLACE_LISTS = ("allOf", "anyOf", "oneOf")
IN_PLACE_ONE = ("if", "then", "else")
OPAQUE_REFS = ("$dynamicRef", "$recursiveRef")
# Subschemas at a new instance location: each is an object of its own, closed on its own.
CHILD_ONE = ("additionalProperties", "unevaluatedProperties", "items", "additionalItems", "unevaluatedItems")
CHILD_MAPS = ("properties", "patternProperties")
# Say how extra keys are handled; a node with one of these is left as written.
EXPLICIT = ("additionalProperties", "unevaluatedProperties")
OWN_SHAPE = ("properties", "patternProperties", *EXPLICIT)


def strict_validator(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for the closed copy of `schema`; compile once and reuse."""
    return Draft202012Validator(close_schema(schema))


def close_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of `schema` in which unknown keys are refused at every depth.

    An object made of one node gets `additionalProperties: false` (fast). A node whose keys
    are spread over anyOf/oneOf, then/else or dependentSchemas gets `unevaluatedProperties:
    false` instead, and its branches stay open so a key declared in one branch is not refused
    by a sibling. Over allOf/$ref alone the accepted names are fixed: they are listed on the
    node (as `true`) and the fast keyword is used. `if`, `not`, `contains` and `propertyNames` are
    conditions: closing inside them would change what they match (closing inside `not` would
    even loosen it), so they are left as written.
    """
    closed = copy.deepcopy(schema)
    _Closer(closed).visit(closed, as_object=True)
    return closed


class _Closer:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.done: set[tuple[int, bool]] = set()

    def visit(self, node: Any, *, as_object: bool) -> None:
        """as_object: node is applied to an instance location of its own (not a branch of another)."""
        if not isinstance(node, dict) or (id(node), as_object) in self.done:
            return
        self.done.add((id(node), as_object))
        hoisted = self._close(node) if as_object else False
        for keyword in CHILD_MAPS:
            if isinstance(node.get(keyword), dict):
                for sub in node[keyword].values():
                    self.visit(sub, as_object=True)
        for keyword in (*CHILD_ONE, "prefixItems"):
            value = node.get(keyword)
            for sub in value if isinstance(value, list) else [value]:
                self.visit(sub, as_object=True)
        for keyword in IN_PLACE_LISTS:
            if isinstance(node.get(keyword), list):
                for sub in node[keyword]:
                    self.visit(sub, as_object=hoisted)
        for keyword in ("then", "else"):
            self.visit(node.get(keyword), as_object=False)
        if isinstance(node.get("dependentSchemas"), dict):
            for sub in node["dependentSchemas"].values():
                self.visit(sub, as_object=False)
        if isinstance(node.get("$ref"), str):
            # $defs are reached through their references only: a definition used only
            # inside a condition stays as written.
            self.visit(resolve_ref(node["$ref"], self.root), as_object=False)

    def _close(self, node: dict[str, Any]) -> bool:
        """Close one object node; True when its anyOf/oneOf branches should be closed instead."""
        if any(keyword in node for keyword in EXPLICIT):
            return False
        own = "properties" in node or "patternProperties" in node
        combined = [k for k in (*IN_PLACE_LISTS, *IN_PLACE_ONE, "dependentSchemas", "$ref", *OPAQUE_REFS) if k in node]
        if not combined:
            if own:
                node["additionalProperties"] = False
            return False
        branches = node.get(combined[0])
        if (not own and len(combined) == 1 and combined[0] in ("anyOf", "oneOf") and isinstance(branches, list)
                and sum(_admits_objects(b) for b in branches) <= 1):
            # "object OR array of objects": only one branch can see an object's keys, so closing
            # that branch is equivalent and avoids unevaluatedProperties re-validating each branch.
            return True
        shapes = [_shape(sub, self.root, set()) for sub in in_place(node, self.root, with_if=False)]
        if None in shapes or any(k in node for k in OPAQUE_REFS) or (
                isinstance(node.get("$ref"), str) and resolve_ref(node["$ref"], self.root) is None):
            return False  # a reference we cannot see into may allow any key: leave it open
        if not any(shapes):
            if own:
                node["additionalProperties"] = False
            return False
        union = self._unconditional_names(node)
        if union is None:
            node["unevaluatedProperties"] = False
        else:
            # Only allOf/$ref: every branch must pass, so the accepted names are fixed and the
            # fast keyword is equivalent (unevaluatedProperties would re-validate every branch).
            names, patterns = union
            node["properties"] = {**dict.fromkeys(names, True), **node.get("properties", {})}
            if patterns:
                node["patternProperties"] = {**dict.fromkeys(patterns, True), **node.get("patternProperties", {})}
            node["additionalProperties"] = False
        return False

    def _unconditional_names(self, node: dict[str, Any]) -> tuple[list[str], list[str]] | None:
        """Names and patterns of an in-place tree made only of allOf/$ref; None if any branch is conditional."""
        names: dict[str, None] = {}
        patterns: dict[str, None] = {}
        stack, seen = [node], set()
        while stack:
            current = stack.pop()
            if not isinstance(current, dict) or id(current) in seen:
                continue
            seen.add(id(current))
            conditional = ("anyOf", "oneOf", *IN_PLACE_ONE, "dependentSchemas", *OPAQUE_REFS)
            if any(k in current for k in conditional) or (current is not node and any(k in current for k in EXPLICIT)):
                return None
            for keyword, into in (("properties", names), ("patternProperties", patterns)):
                if isinstance(current.get(keyword), dict):
                    into.update(dict.fromkeys(current[keyword]))
            stack.extend(in_place(current, self.root))
        return list(names), list(patterns)


def _admits_objects(branch: Any) -> bool:
    if isinstance(branch, bool):
        return branch
    if not isinstance(branch, dict):
        return False
    kind = branch.get("type")
    if isinstance(kind, str):
        return kind == "object"
    if isinstance(kind, list):
        return "object" in kind
    return True


def _shape(node: Any, root: dict[str, Any], seen: set[int]) -> bool | None:
    """Whether node (or what it applies in place) says anything about an object's keys; None: unknowable."""
    if not isinstance(node, dict) or id(node) in seen:
        return False
    seen.add(id(node))
    if any(k in node for k in OPAQUE_REFS):
        return None
    if isinstance(node.get("$ref"), str) and resolve_ref(node["$ref"], root) is None:
        return None
    found = any(k in node for k in OWN_SHAPE)
    for sub in in_place(node, root, with_if=False):
        shaped = _shape(sub, root, seen)
        if shaped is None:
            return None
        found = found or shaped
    return found


def in_place(node: Any, root: dict[str, Any], *, with_if: bool = True) -> Iterator[Any]:
    """Subschemas applied to the same instance as node (local $ref resolved; unresolvable ones skipped)."""
    if not isinstance(node, dict):
        return
    for keyword in IN_PLACE_LISTS:
        if isinstance(node.get(keyword), list):
            yield from node[keyword]
    for keyword in IN_PLACE_ONE if with_if else IN_PLACE_ONE[1:]:
        if keyword in node:
            yield node[keyword]
    if isinstance(node.get("dependentSchemas"), dict):
        yield from node["dependentSchemas"].values()
    if isinstance(node.get("$ref"), str):
        target = resolve_ref(node["$ref"], root)
        if target is not None:
            yield target


def resolve_ref(ref: str, root: Any) -> Any:
    """The subschema a same-document reference ("#", "#/json/pointer", "#anchor") names; None otherwise."""
    if ref == "#":
        return root
    if ref.startswith("#/"):
        node = root
        for raw in ref[2:].split("/"):
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node
    if ref.startswith("#") and len(ref) > 1:
        return _find_anchor(root, ref[1:], 0)
    return None


def _find_anchor(node: Any, name: str, depth: int) -> Any:
    if depth > 40:
        return None
    if isinstance(node, dict):
        if node.get("$anchor") == name:
            return node
        values: Any = node.values()
    elif isinstance(node, list):
        values = node
    else:
        return None
    for value in values:
        found = _find_anchor(value, name, depth + 1)
        if found is not None:
            return found
    return None


def known_names(node: Any, root: dict[str, Any]) -> list[str]:
    """Property names the object at node accepts, its in-place branches included."""
    names: dict[str, None] = {}
    stack, seen = [node], set()
    while stack:
        current = stack.pop(0)
        if not isinstance(current, dict) or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current.get("properties"), dict):
            names.update(dict.fromkeys(current["properties"]))
        stack.extend(in_place(current, root))
    return list(names)


def property_paths(root: dict[str, Any], limit: int = 2000) -> list[str]:
    """Every property the schema declares, as a dotted path ("filter.page", "consent.list[].recipient")."""
    paths: dict[str, None] = {}
    stack: list[tuple[Any, str, int]] = [(root, "", 0)]
    seen: set[tuple[int, str]] = set()
    while stack and len(paths) < limit:
        node, where, depth = stack.pop()
        if not isinstance(node, dict) or (id(node), where) in seen or depth > 12:
            continue
        seen.add((id(node), where))
        if isinstance(node.get("properties"), dict):
            for name, sub in node["properties"].items():
                path = f"{where}.{name}" if where else name
                paths[path] = None
                stack.append((sub, path, depth + 1))
        for keyword in ("items", "prefixItems", "additionalItems"):
            value = node.get(keyword)
            for sub in value if isinstance(value, list) else [value]:
                stack.append((sub, f"{where}[]", depth + 1))
        stack.extend((sub, where, depth + 1) for sub in in_place(node, root))
    return list(paths)
