"""Server-side strictness: validate tool arguments against a closed copy of the input schema.

Manifest objects are open (no additionalProperties), so a misspelt key such as
`order.sendDatetime` would reach the API, which ignores it: a campaign meant for tomorrow
goes out now. The copy closes every object that describes its properties, unless the
schema says explicitly how extra keys are treated. Clients still see the schema as published.
"""

from __future__ import annotations

import copy
import math
import re
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, cast
from urllib.parse import unquote

from jsonschema import Draft202012Validator, _keywords
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend

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


# A manifest's pattern passed a backtracking check (manifest/patterns.py), but even a safe pattern
# may be quadratic on a long enough value: values checked against one are kept short.
PATTERN_TEXT_LIMIT = 1000


def _bounded_pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if isinstance(instance, str) and len(instance) > PATTERN_TEXT_LIMIT:
        yield ValidationError(f"{len(instance)} characters: too long to check against its pattern")
        return
    yield from cast(Iterator[ValidationError], _keywords.pattern(validator, pattern, instance, schema))


_Bounded = extend(Draft202012Validator, {"pattern": _bounded_pattern})


def bounded_validator(schema: dict[str, Any]) -> Draft202012Validator:
    """jsonschema's 2020-12 validator for `schema`, with values checked against a pattern kept short."""
    return cast(Draft202012Validator, _Bounded(schema))


def strict_validator(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for the closed copy of `schema`; compile once and reuse."""
    return bounded_validator(close_schema(schema))


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


# --- Large arrays: the same errors, without jsonschema descending into every item ---------------
#
# jsonschema builds a child validator for every item it visits (about 5 µs each), so 50,000
# numbers cost a quarter of a second although each is one string. `collect_errors` finds, once per
# validator, arrays reached through plain objects (`properties` only) whose items are scalars or
# flat objects, and checks their items with plain Python. An item that check does not pass is
# handed to jsonschema itself (a validator compiled for the item schema), and its errors get the
# full path; the array's own keywords (type, minItems, …) are checked by jsonschema on the array.
# Everything else is validated by a copy of the schema in which each such array is a placeholder
# that reports where it was met, so the errors come out in exactly jsonschema's order. The quick
# check only ever says "valid" for an item jsonschema accepts; every error comes from jsonschema.

FAST_MIN_ITEMS = 100  # a shorter array is validated the plain way (the split costs more than it saves)
_HOLE = "x-iletimerkezi-large-array"
_MAX_DEPTH = 12
_ANNOTATIONS = frozenset({"description", "title", "default", "examples", "$comment", "deprecated", "readOnly",
                          "writeOnly"})
_SCALAR_KEYS = frozenset({"type", "enum", "const", "minLength", "maxLength", "pattern", "minimum", "maximum",
                          "exclusiveMinimum", "exclusiveMaximum"}) | _ANNOTATIONS
_OBJECT_KEYS = frozenset({"type", "properties", "required", "additionalProperties"}) | _ANNOTATIONS
_PATH_KEYS = frozenset({"type", "properties", "required", "additionalProperties", "minProperties",
                        "maxProperties"}) | _ANNOTATIONS
_ARRAY_KEYS = frozenset({"type", "items", "minItems", "maxItems"}) | _ANNOTATIONS
# Anything that can make one part of a schema apply somewhere else: no fast path at all.
_NONLOCAL = frozenset({"$ref", "$dynamicRef", "$recursiveRef", "$id", "$anchor", "$dynamicAnchor",
                       "$recursiveAnchor", "$schema"})
_JSON_TYPES = frozenset({"string", "integer", "number", "boolean", "null", "object", "array"})
_NO_CONST = object()

Test = Callable[[Any], bool]  # True only if jsonschema would find nothing wrong with the value
BatchTest = Callable[[list[Any]], bool]  # True only if that holds for every value of the list


def collect_errors(validator: Draft202012Validator, instance: Any) -> list[ValidationError]:
    """`list(validator.iter_errors(instance))`: the same errors in the same order, with paths and
    values, in linear and small time when the instance holds large arrays of simple items."""
    plan = _plan(validator)
    if plan is None or not any(hole.is_large(instance) for hole in plan.holes):
        return list(validator.iter_errors(instance))
    errors: list[ValidationError] = []
    for error in plan.rest.iter_errors(instance):
        if error.validator == _HOLE:
            errors.extend(plan.holes[error.validator_value].errors(error.instance))
        else:
            errors.append(error)
    return errors


@dataclass(frozen=True)
class _Hole:
    location: tuple[str, ...]  # property names from the root to the array
    schema_path: tuple[str, ...]  # ("properties", "order", …, "properties", "number")
    keywords: tuple[str, ...]  # the array node's keywords, in jsonschema's order
    node: Draft202012Validator  # the array node without `items`
    item: Draft202012Validator  # the items schema
    one: Test
    every: BatchTest

    def is_large(self, instance: Any) -> bool:
        for name in self.location:
            if not isinstance(instance, dict) or name not in instance:
                return False
            instance = instance[name]
        return isinstance(instance, list) and len(instance) >= FAST_MIN_ITEMS

    def errors(self, value: Any) -> list[ValidationError]:
        own: dict[str, list[ValidationError]] = {}
        for error in self.node.iter_errors(value):
            error.path.extendleft(reversed(self.location))
            error.schema_path.extendleft(reversed(self.schema_path))
            own.setdefault(str(error.validator), []).append(error)
        items: list[ValidationError] = []
        if isinstance(value, list) and not self.every(value):  # `items` applies to arrays only
            item_schema_path = (*self.schema_path, "items")
            for index, item in enumerate(value):
                if self.one(item):
                    continue
                for error in self.item.iter_errors(item):
                    error.path.extendleft(reversed((*self.location, index)))
                    error.schema_path.extendleft(reversed(item_schema_path))
                    items.append(error)
        ordered: list[ValidationError] = []
        for keyword in self.keywords:
            ordered.extend(items if keyword == "items" else own.get(keyword, ()))
        return ordered


@dataclass(frozen=True)
class _Plan:
    rest: Draft202012Validator  # the schema with each large array replaced by a placeholder
    holes: tuple[_Hole, ...]


_PLANS: dict[int, tuple[weakref.ref[Draft202012Validator], _Plan | None]] = {}
_HOLED: dict[type, type] = {}


def _plan(validator: Draft202012Validator) -> _Plan | None:
    """The validator's plan, made on first use and kept while the validator lives."""
    entry = _PLANS.get(id(validator))
    if entry is not None and entry[0]() is validator:
        return entry[1]
    plan = _make_plan(validator)
    _PLANS[id(validator)] = (weakref.ref(validator), plan)
    weakref.finalize(validator, _PLANS.pop, id(validator), None)
    return plan


def _make_plan(validator: Draft202012Validator) -> _Plan | None:
    schema = validator.schema
    if not isinstance(schema, dict) or _has_nonlocal({k: v for k, v in schema.items() if k != "$schema"}):
        return None
    cls, formats = type(validator), validator.format_checker
    found: list[tuple[tuple[str, ...], dict[str, Any], Test, BatchTest]] = []
    rest = _punch(schema, (), found, formats, root=True)
    if not found:
        return None
    holes = []
    for location, node, one, every in found:
        schema_path = tuple(part for name in location for part in ("properties", name))
        holes.append(_Hole(location=location, schema_path=schema_path, keywords=tuple(node),
                           node=cls({k: v for k, v in node.items() if k != "items"}, format_checker=formats),
                           item=cls(node["items"], format_checker=formats), one=one, every=every))
    return _Plan(rest=_holed(cls)(rest, format_checker=formats), holes=tuple(holes))


def _holed(cls: type) -> type:
    """`cls` with one more keyword: the placeholder, which reports where the array was met."""
    if cls not in _HOLED:
        def placeholder(validator: Any, index: int, instance: Any, schema: Any) -> Iterator[ValidationError]:
            yield ValidationError("a large array, checked separately")

        _HOLED[cls] = extend(cls, {_HOLE: placeholder})
    return _HOLED[cls]


def _punch(node: dict[str, Any], location: tuple[str, ...], found: list[Any], formats: Any, *,
           root: bool = False) -> dict[str, Any]:
    """`node`, or a copy of the path to each eligible array with that array replaced by a placeholder."""
    allowed = _PATH_KEYS | {"$schema"} if root else _PATH_KEYS
    properties = node.get("properties")
    if not node.keys() <= allowed or not isinstance(properties, dict) or len(location) >= _MAX_DEPTH:
        return node
    replaced: dict[str, Any] = {}
    for name, sub in properties.items():
        if not isinstance(sub, dict):
            continue
        tests = _array_tests(sub, formats)
        if tests is not None:
            replaced[name] = {_HOLE: len(found)}
            found.append(((*location, name), sub, *tests))
            continue
        punched = _punch(sub, (*location, name), found, formats)
        if punched is not sub:
            replaced[name] = punched
    if not replaced:
        return node
    return {**node, "properties": {**properties, **replaced}}


def _array_tests(node: dict[str, Any], formats: Any) -> tuple[Test, BatchTest] | None:
    items = node.get("items")
    if not node.keys() <= _ARRAY_KEYS or not isinstance(items, dict):
        return None
    if items.get("type") == "object":
        return _object_tests(items, formats)
    return _scalar_tests(items, formats)


def _has_nonlocal(schema: Any) -> bool:
    """Whether any object in `schema` (examples and defaults too: it errs on the side of no fast path)
    has a keyword in _NONLOCAL."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if not _NONLOCAL.isdisjoint(node):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _scalar_tests(schema: Any, formats: Any) -> tuple[Test, BatchTest] | None:
    """Tests for a schema of strings and integers; None when it says more than they can decide."""
    if schema is True:
        return (lambda value: True), (lambda values: True)
    # `format` only annotates, unless the validator was given a format checker.
    if not isinstance(schema, dict) or not schema.keys() <= (_SCALAR_KEYS | {"format"} if formats is None
                                                             else _SCALAR_KEYS):
        return None
    kind = schema.get("type", ["string", "integer"])
    kinds = [kind] if isinstance(kind, str) else kind
    if not isinstance(kinds, list) or not all(isinstance(k, str) and k in _JSON_TYPES for k in kinds):
        return None
    strings, integers = "string" in kinds, "integer" in kinds or "number" in kinds
    if not strings and not integers:
        return None  # nothing the quick check could pass
    lo, hi = schema.get("minLength", 0), schema.get("maxLength", math.inf)
    low, high = schema.get("minimum", -math.inf), schema.get("maximum", math.inf)
    above, below = schema.get("exclusiveMinimum", -math.inf), schema.get("exclusiveMaximum", math.inf)
    if not all(_number(v) for v in (lo, hi, low, high, above, below)):
        return None
    pattern = schema.get("pattern")
    try:
        search = re.compile(pattern).search if isinstance(pattern, str) else None
    except re.error:
        return None
    if pattern is not None and search is None:
        return None
    if search is not None:  # a value too long for its pattern fails here and is refused by the full check
        hi = min(hi, PATTERN_TEXT_LIMIT)
    enum = schema.get("enum")
    if enum is not None and not isinstance(enum, list):
        return None
    choices = None if enum is None else frozenset(v for v in enum if isinstance(v, str))
    const = schema.get("const", _NO_CONST)
    numeric = enum is None and const is _NO_CONST  # enum/const on a number: leave it to jsonschema

    def one(value: Any) -> bool:
        if type(value) is str:
            return (strings and lo <= len(value) <= hi and (search is None or search(value) is not None)
                    and (choices is None or value in choices) and (const is _NO_CONST or value == const))
        if type(value) is int:
            return integers and numeric and low <= value <= high and above < value < below
        return False

    def every(values: list[Any]) -> bool:
        if not values:
            return True
        if set(map(type, values)) != {str}:
            return all(map(one, values))
        if not strings:
            return False
        if lo > 0 or hi < math.inf:
            lengths = list(map(len, values))
            if min(lengths) < lo or max(lengths) > hi:
                return False
        if search is not None and not all(map(search, values)):
            return False
        if choices is not None and not set(values) <= choices:
            return False
        return const is _NO_CONST or values.count(const) == len(values)

    return one, every


def _object_tests(schema: dict[str, Any], formats: Any) -> tuple[Test, BatchTest] | None:
    """Tests for a flat object of scalars; None when the schema says more than they can decide."""
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    extra = schema.get("additionalProperties", True)
    if (not schema.keys() <= _OBJECT_KEYS or schema.get("type") != "object" or not isinstance(properties, dict)
            or not isinstance(required, list) or not all(isinstance(r, str) for r in required)
            or not isinstance(extra, bool)):
        return None
    tests: dict[str, tuple[Test, BatchTest]] = {}
    for name, sub in properties.items():
        compiled = _scalar_tests(sub, formats)
        if compiled is None:
            return None
        tests[name] = compiled
    must, names, closed = frozenset(required), frozenset(properties), extra is False
    single = {name: test for name, (test, _) in tests.items()}

    def shape(keys: Any) -> bool:
        return must <= keys and (not closed or keys <= names)

    def one(value: Any) -> bool:
        if type(value) is not dict or not shape(value.keys()):
            return False
        for name, field in value.items():
            test = single.get(name)
            if test is not None and not test(field):
                return False
        return True

    def every(values: list[Any]) -> bool:
        if not values:
            return True
        if set(map(type, values)) != {dict}:
            return all(map(one, values))
        shapes = set(map(frozenset, values))
        if not all(shape(keys) for keys in shapes):
            return False
        everywhere = frozenset.intersection(*shapes)
        for name, (_, column) in tests.items():
            if name in everywhere:
                if not column(list(map(itemgetter(name), values))):
                    return False
            elif not column([v[name] for v in values if name in v]):
                return False
        return True

    return one, every
