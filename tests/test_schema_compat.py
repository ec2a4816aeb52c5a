"""make_portable: every awkward input becomes a schema every major MCP client accepts."""

from __future__ import annotations

import copy
import json
import math
import random
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from json_strings import strings
from jsonschema import Draft202012Validator

from iletimerkezi_mcp.schema_compat import MAX_DESCRIPTION, make_portable
from iletimerkezi_mcp.schema_lint import lint_schema
from iletimerkezi_mcp.schema_text import wire_text_problem

DATA = Path(__file__).parent / "data" / "awkward_manifests"
FALLBACK = Path(__file__).parents[1] / "src" / "iletimerkezi_mcp" / "manifest" / "manifest.fallback.json"


def _tool_schemas(path: Path) -> dict[str, Any]:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    return {e["mcp_tool"]: e["input_schema"] for e in manifest["endpoints"]
            if e.get("mcp_tool") and "input_schema" in e}


AWKWARD = _tool_schemas(DATA / "awkward.json")
RECONSTRUCTED = _tool_schemas(DATA / "reconstructed.json")
ALL_CASES = {**{f"awkward/{k}": v for k, v in AWKWARD.items()},
             **{f"reconstructed/{k}": v for k, v in RECONSTRUCTED.items()}}


def _portable(name: str) -> dict[str, Any]:
    return make_portable(AWKWARD[name])


def _errors(schema: dict[str, Any]) -> list[Any]:
    return [f for f in lint_schema(schema) if f.severity == "error"]


def _walk(node: Any):
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


# --- invariants over every hand-written case ------------------------------------------------


@pytest.mark.parametrize("case", sorted(ALL_CASES))
def test_invariants_hold_for_every_case(case: str) -> None:
    original = ALL_CASES[case]
    before = copy.deepcopy(original)
    out = make_portable(original)
    assert original == before, "make_portable mutated its input"
    assert make_portable(out) == out, "not idempotent"
    assert json.dumps(make_portable(original)) == json.dumps(out), "not deterministic"
    Draft202012Validator.check_schema(out)
    assert out["type"] == "object" and isinstance(out["properties"], dict)
    errors = _errors(out)
    if case == "awkward/odd_property_names":  # names are never renamed: reported, not fixed
        assert {f.rule for f in errors} == {"property-name"}
    else:
        assert errors == []
    text = json.dumps(out)
    for banned in ("$ref", "$defs", "definitions", "anyOf", "oneOf", "allOf", "additionalProperties",
                   "$schema", "$id", "$comment", "const", "title", "exclusiveM"):
        assert f'"{banned}"' not in text


def test_output_is_not_aliased_to_the_input() -> None:
    original = {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"},
                                                          "default": ["a"]}}}
    out = make_portable(original)
    out["properties"]["tags"]["default"].append("b")
    assert original["properties"]["tags"]["default"] == ["a"]


# --- the individual awkward shapes ------------------------------------------------------------


def test_root_any_of_is_merged_with_required_intersection() -> None:
    out = _portable("root_any_of")
    assert list(out["properties"]) == ["id", "page", "filter"]
    assert out["required"] == ["id"]
    assert "alternative shapes" in out["description"]


def test_root_all_of_takes_the_union_of_required() -> None:
    out = _portable("root_all_of")
    assert out["properties"] == {"a": {"type": "string"}, "b": {"type": "integer"}}
    assert out["required"] == ["a", "b"]


def test_local_refs_are_inlined_and_sibling_description_wins() -> None:
    out = _portable("refs_and_defs")
    target = out["properties"]["target"]
    assert target["description"] == "Where to send."
    assert target["required"] == ["number"]
    assert target["properties"]["kind"] == {"type": "string", "enum": ["GSM", "FIXED"]}
    assert out["properties"]["legacy"] == {"type": "boolean"}


def test_recursive_refs_stop_with_an_object_and_a_note() -> None:
    tree = _portable("recursive_refs")["properties"]["tree"]
    child = tree["properties"]["children"]["items"]
    assert child["type"] == "object" and child["properties"] == {}
    assert "recursive" in child["description"]


def test_self_reference_to_the_root_and_remote_refs_terminate() -> None:
    out = make_portable({"type": "object", "properties": {
        "again": {"$ref": "#"}, "remote": {"$ref": "https://example.com/s.json"},
        "anchor": {"$ref": "#Phone"}, "broken": {"$ref": "#/$defs/Nope"}},
        "$defs": {"P": {"$anchor": "Phone", "type": "string", "pattern": "^5[0-9]{9}$"}}})
    props = out["properties"]
    assert props["again"]["type"] == "object" and "recursive" in props["again"]["description"]
    assert props["remote"]["type"] == "string" and "not included" in props["remote"]["description"]
    assert props["anchor"] == {"type": "string", "pattern": "^5[0-9]{9}$"}
    assert props["broken"]["type"] == "string"


def test_mutually_recursive_defs_and_ref_explosion_are_bounded() -> None:
    defs = {f"D{i}": {"type": "object", "properties": {"a": {"$ref": f"#/$defs/D{i + 1}"},
                                                       "b": {"$ref": f"#/$defs/D{i + 1}"}}}
            for i in range(30)}
    defs["D30"] = {"type": "object", "properties": {"back": {"$ref": "#/$defs/D0"}}}
    out = make_portable({"type": "object", "properties": {"x": {"$ref": "#/$defs/D0"}}, "$defs": defs})
    assert _errors(out) == []
    assert len(json.dumps(out)) < 5_000_000


def test_type_arrays_collapse_to_one_type_with_a_note() -> None:
    props = _portable("type_arrays")["properties"]
    assert props["brandCode"] == {"type": "string", "description": "(or a number)"}
    assert props["amount"] == {"type": "string", "description": "(or a number)"}
    assert props["note"] == {"type": "string"}
    assert props["count"] == {"type": "integer", "minimum": 0}
    assert props["flag"]["type"] == "boolean" and "number" in props["flag"]["description"]
    assert props["mixed"]["type"] == "string"


def test_nullable_unions_and_nested_any_of_collapse() -> None:
    props = _portable("nulls_and_nested_unions")["properties"]
    assert props["maybe"] == {"type": "string"}
    assert props["id"] == {"type": "string", "description": "(or a number)"}
    assert props["dates"]["items"] == {"type": "string", "description": "(format: date)"}


def test_bare_true_and_empty_become_strings_and_false_is_dropped() -> None:
    out = _portable("bare_schemas")
    assert out["properties"]["anything"] == {"type": "string"}
    assert out["properties"]["empty"] == {"type": "string"}
    assert out["properties"]["described"] == {"type": "string", "description": "Free text."}
    assert "never" not in out["properties"]
    assert out["required"] == ["anything"]


def test_missing_types_are_inferred_from_keywords() -> None:
    out = _portable("missing_types")
    props = out["properties"]
    assert out["type"] == "object"
    assert props["obj"]["type"] == "object"
    assert props["arr"] == {"type": "array", "items": {"type": "string"}}
    assert props["choice"] == {"type": "string", "enum": ["a", "b"]}
    assert props["num"] == {"type": "number", "minimum": 1}
    assert props["plain"]["type"] == "string"


def test_non_string_enums_keep_their_type_and_move_values_to_the_description() -> None:
    # A string enum ["1", "2", "3"] would steer the model to values the original schema rejects.
    props = _portable("non_string_enums")["properties"]
    assert props["level"] == {"type": "integer", "description": "(allowed values: 1, 2, 3)"}
    assert props["switch"]["type"] == "boolean" and "enum" not in props["switch"]
    assert props["mix"] == {"type": "string", "enum": ["a"]}
    assert props["blank"]["enum"] == ["x"] and "empty string" in props["blank"]["description"]


def test_const_becomes_a_single_enum_or_a_described_value() -> None:
    props = _portable("consts")["properties"]
    assert props["version"] == {"type": "string", "enum": ["v1"]}
    assert props["kind"] == {"type": "string", "enum": ["sms"]}
    assert props["answer"] == {"type": "integer", "description": "(allowed values: 42)"}


def test_arrays_get_items_and_objects_get_properties() -> None:
    props = _portable("missing_items_properties")["properties"]
    assert props["list"] == {"type": "array", "items": {"type": "string"}}
    assert props["bag"] == {"type": "object", "properties": {}}
    assert props["map"]["properties"] == {} and "any keys" in props["map"]["description"]


def test_unknown_keywords_are_dropped_or_folded_into_descriptions() -> None:
    out = _portable("unknown_keywords")
    props = out["properties"]
    assert out["description"] == "Args"  # title used as the description
    assert props["url"] == {"type": "string", "description": "(format: uri) (example: https://x)"}
    assert props["when"] == {"type": "string", "format": "date-time"}
    assert props["n"]["description"] == "(greater than 0) (a multiple of 0.5)"
    assert props["k"] == {"type": "integer", "minimum": 1, "maximum": 9}
    assert props["tags"]["description"] == "(items must be unique)"
    assert "pattern" not in props["re"] and "(?P<x>a)" in props["re"]["description"]
    assert props["nullable"] == {"type": "string"}


def test_descriptions_are_bounded_and_notes_survive_truncation() -> None:
    out = _portable("long_descriptions")
    assert len(out["description"]) == MAX_DESCRIPTION
    text = out["properties"]["text"]["description"]
    assert len(text) <= MAX_DESCRIPTION
    assert text.endswith("(or a number)") and text.startswith("DDD")


def test_every_description_in_every_case_is_bounded() -> None:
    for schema in ALL_CASES.values():
        for node in _walk(make_portable(schema)):
            if isinstance(node, dict) and isinstance(node.get("description"), str):
                assert len(node["description"]) <= MAX_DESCRIPTION


def test_property_names_are_never_renamed() -> None:
    out = _portable("odd_property_names")
    assert list(out["properties"]) == ["filter[id]", "$top", "ok.name", "9lives"]
    assert out["required"] == ["filter[id]"]  # "missing" is not a property


@pytest.mark.parametrize("value", [None, True, False, [], "x", {}, {"type": "string"}])
def test_non_object_roots_become_an_empty_argument_object(value: Any) -> None:
    out = make_portable(value)
    assert out["type"] == "object" and out["properties"] == {}
    assert _errors(out) == []


def test_defaults_are_kept_only_when_they_fit_the_published_type() -> None:
    out = make_portable({"type": "object", "properties": {
        "page": {"type": "integer", "default": 1},
        "code": {"type": ["string", "integer"], "default": 7},
        "mode": {"type": "string", "enum": ["a", "b"], "default": "c"}}})
    props = out["properties"]
    assert props["page"] == {"type": "integer", "default": 1}
    assert "default" not in props["code"] and "(default: 7)" in props["code"]["description"]
    assert "default" not in props["mode"]


# --- hidden characters: prose cleaned, wire text left out -------------------------------------

HIDDEN = "\x1b[2J\x1b]0;title\x07\u200b\u202e\x9b2J"
_NOT_POISONED = frozenset({"type", "$ref", "$dynamicRef"})


def _hidden(text: str) -> list[str]:
    return [c for c in text if c in "\u200b\u202e\u2028\u2029" or unicodedata.category(c) in ("Cc", "Cf")]


def _poison(node: Any, names: bool = False) -> Any:
    """Every string of a schema with hidden characters added: prose, values, property names."""
    if isinstance(node, str):
        return node + HIDDEN
    if isinstance(node, list):
        return [_poison(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        name = key + HIDDEN if names and len(out) % 2 == 0 else key  # every other property name
        out[name] = value if key in _NOT_POISONED and not names else _poison(value, names=key == "properties")
    return out


@pytest.mark.parametrize("case", sorted(ALL_CASES))
def test_hidden_characters_never_reach_the_published_schema(case: str) -> None:
    out = make_portable(_poison(ALL_CASES[case]))
    Draft202012Validator.check_schema(out)
    for key, text in strings(out):
        assert [c for c in _hidden(text) if not (key == "description" and c == "\n")] == [], (key, text)
    assert make_portable(out) == out


def test_wire_values_with_hidden_characters_are_left_out_and_prose_is_cleaned() -> None:
    out = make_portable({"type": "object", "required": ["ok", "bad\u200b"], "properties": {
        "ok": {"type": "string", "description": f"Sender{HIDDEN} name", "title": "ignored",
               "enum": ["A", f"B{HIDDEN}"], "default": f"A{HIDDEN}", "examples": [f"A{HIDDEN}"],
               "format": f"x{HIDDEN}", "pattern": f"^A{HIDDEN}$"},
        "bad\u200b": {"type": "string"},
        "mode": {"title": f"Mode{HIDDEN}", "enum": [f"x{HIDDEN}", f"y{HIDDEN}"]},
        "level": {"type": "integer", "enum": [1, 2], "default": 1, "examples": [{"k\u202e": 1}]},
        "fixed": {"const": f"c{HIDDEN}"}}})
    assert list(out["properties"]) == ["ok", "mode", "level", "fixed"] and out["required"] == ["ok"]
    assert out["properties"]["ok"] == {"type": "string", "description": "Sender name", "enum": ["A"]}
    assert out["properties"]["mode"] == {"type": "string", "description": "Mode (the allowed values are not shown)"}
    assert out["properties"]["level"] == {"type": "integer", "description": "(allowed values: 1, 2)", "default": 1}
    assert out["properties"]["fixed"] == {"type": "string"}


@pytest.mark.parametrize("schema,what", [
    ({"properties": {"a\u200b": {}}}, "property name"),
    ({"properties": {"a": {"type": "object", "required": ["b\x1b"]}}}, "required name"),
    ({"properties": {"a": {"enum": ["x", "y\u202e"]}}}, "enum value"),
    ({"properties": {"a": {"enum": [{"k": ["\x9b"]}]}}}, "enum value"),
    ({"properties": {"a": {"const": "\x07"}}}, "const value"),
    ({"properties": {"a": {"type": "array", "items": {"properties": {"\u2028": {}}}}}}, "property name"),
    ({"anyOf": [{"properties": {"a": {"const": "\u2066x"}}}]}, "const value"),
    ({"$defs": {"d": {"properties": {"\x1b[2J": {}}}}, "properties": {"a": {"$ref": "#/$defs/d"}}}, "property name"),
])
def test_wire_text_problem_finds_hidden_characters_the_model_would_send(schema: dict[str, Any], what: str) -> None:
    problem = wire_text_problem({"type": "object", **schema})
    assert problem is not None and what in problem and "not served" in problem
    assert _hidden(problem) == []  # the characters are shown as escapes


def test_wire_text_problem_ignores_prose_and_data() -> None:
    schema = {"type": "object", "description": f"d{HIDDEN}", "properties": {"a": {
        "type": "string", "title": f"t{HIDDEN}", "description": f"d{HIDDEN}", "default": f"x{HIDDEN}",
        "examples": [{"enum": [f"x{HIDDEN}"]}], "example": {"properties": {f"p{HIDDEN}": {}}},
        "format": f"f{HIDDEN}", "pattern": f"^{HIDDEN}$"}}}
    assert wire_text_problem(schema) is None
    for name, schema in {**ALL_CASES, **_tool_schemas(FALLBACK)}.items():
        assert wire_text_problem(schema) is None, name


# --- the real shapes of the input schemas ----------------------------------------------------


def test_reconstructed_manifest_schemas_have_no_findings_at_all() -> None:
    for name, schema in RECONSTRUCTED.items():
        assert lint_schema(make_portable(schema), tool=name) == [], name


def test_reconstructed_schemas_keep_their_validation_keywords() -> None:
    send = make_portable(RECONSTRUCTED["send_sms"])["properties"]["order"]
    assert send["required"] == ["sender", "iys", "message"]
    assert send["properties"]["sender"] == {"type": "string", "minLength": 1, "maxLength": 11}
    assert send["properties"]["iys"] == {"type": "string", "enum": ["0", "1"]}
    number = send["properties"]["message"]["properties"]["receipents"]["properties"]["number"]
    assert number == {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 50000}


_CONSENT = {"recipient": "+905321234567", "recipientType": "BIREYSEL", "type": "MESAJ",
            "status": "ONAY", "source": "HS_WEB", "consentDate": "2026-05-01 10:00:00"}


@pytest.mark.parametrize("tool, outer, inner, base", [
    ("iys_check", "consent", "brandCode",
     {"consent": {k: _CONSENT[k] for k in ("recipient", "recipientType", "type")}}),
    ("iys_register", "consent", "brandCode", {"consent": {"list": [_CONSENT]}}),
    ("cancel_order", "order", "id", {"order": {}}),
    ("get_report", "order", "id", {"order": {"page": 2}}),
])
def test_string_or_integer_fields_are_published_as_string_and_both_stay_valid(
        tool: str, outer: str, inner: str, base: dict[str, Any]) -> None:
    """The published schema says string; the server validates the original, which takes both."""
    original = RECONSTRUCTED[tool]
    published = make_portable(original)
    assert published["properties"][outer]["properties"][inner] == {
        "type": "string", "description": "(or a number)"}
    for value, valid_when_published in ((123456, False), ("123456", True)):
        instance = copy.deepcopy(base)
        instance[outer][inner] = value
        assert Draft202012Validator(original).is_valid(instance), (tool, value)
        assert Draft202012Validator(published).is_valid(instance) is valid_when_published


# --- property-style checks over generated schemas ---------------------------------------------

_NAMES = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta"]
_SCALARS = ["string", "integer", "number", "boolean"]


def _scalar(rng: random.Random, wire: bool) -> dict[str, Any]:
    kind = rng.choice(_SCALARS)
    node: dict[str, Any] = {"type": kind}
    if kind == "string" and rng.random() < 0.3:
        node["minLength"] = rng.randint(0, 3)
    if kind in ("integer", "number") and rng.random() < 0.3:
        node["minimum"] = rng.randint(-2, 5)
    if rng.random() < 0.2:
        node["description"] = "d" * rng.choice([5, 2000])
    if not wire and rng.random() < 0.2:
        node.update(rng.choice([{"format": "uri"}, {"x-extra": 1}, {"examples": [1]}, {"title": "T"},
                                {"exclusiveMinimum": 0}, {"multipleOf": 2}, {"nullable": True}]))
    return node


def _awkward(rng: random.Random, depth: int, defs: dict[str, Any], wire: bool) -> Any:
    kinds = ["scalar", "union", "nullable", "enum", "const", "bare", "untyped", "any_of"]
    if depth < 3:
        kinds += ["object", "object", "array", "ref", "all_of"]
        if not wire:
            kinds += ["object_union", "recursive", "false", "junk_enum"]
    kind = rng.choice(kinds)
    if kind == "scalar":
        return _scalar(rng, wire)
    if kind == "union":
        types = rng.sample(_SCALARS + ["null"], rng.randint(2, 3))
        return {"type": types if any(t != "null" for t in types) else ["string", "null"]}
    if kind == "nullable":
        return {"type": [rng.choice(_SCALARS + ["array", "object"]), "null"]}
    if kind == "enum":
        return {"type": "string", "enum": rng.sample(["a", "b", "c", "d"], rng.randint(1, 3))}
    if kind == "junk_enum":
        return {"enum": rng.sample([1, 2.5, True, None, "", "x", [1], {"k": 1}], rng.randint(1, 4))}
    if kind == "const":
        return {"const": rng.choice(["x", "y"]) if wire else rng.choice(["x", 3, False, None])}
    if kind == "bare":
        return rng.choice([True, {}, {"description": "anything"}])
    if kind == "untyped":
        return rng.choice([{"minimum": 1}, {"minLength": 2}, {"enum": ["p", "q"]},
                           {"properties": {"inner": {"type": "string"}}}, {"items": {"type": "integer"}}])
    if kind == "any_of":
        # oneOf with overlapping branches (integer/number, duplicates) rejects the overlap, so the
        # wire check uses anyOf; the portability check covers both.
        key = "anyOf" if wire else rng.choice(["anyOf", "oneOf"])
        return {key: [_scalar(rng, wire) for _ in range(rng.randint(1, 3))] + [{"type": "null"}] * rng.randint(0, 1)}
    if kind == "object":
        return _object(rng, depth + 1, defs, wire)
    if kind == "array":
        node: dict[str, Any] = {"type": "array", "items": _awkward(rng, depth + 1, defs, wire)}
        if not wire and rng.random() < 0.3:
            del node["items"]
        if rng.random() < 0.3:
            node["minItems"] = rng.randint(0, 2)
        return node
    if kind == "ref":
        name = f"D{len(defs)}"
        defs[name] = {}
        defs[name] = _awkward(rng, depth + 1, defs, wire)
        return {"$ref": f"#/$defs/{name}", **({"description": "via ref"} if rng.random() < 0.5 else {})}
    if kind == "all_of":
        left, right = rng.sample(_NAMES, 2)
        return {"allOf": [{"type": "object", "properties": {left: _scalar(rng, wire)}, "required": [left]},
                          {"properties": {right: _scalar(rng, wire)}, "required": [right]}]}
    if kind == "object_union":
        return {"oneOf": [_object(rng, depth + 1, defs, wire) for _ in range(2)]}
    if kind == "recursive":
        defs["R"] = {"type": "object", "properties": {"next": {"$ref": "#/$defs/R"}, "v": {"type": "string"}},
                     "required": ["v"]}
        return {"$ref": "#/$defs/R"}
    return False


def _object(rng: random.Random, depth: int, defs: dict[str, Any], wire: bool) -> dict[str, Any]:
    names = rng.sample(_NAMES, rng.randint(0, 4))
    props = {n: _awkward(rng, depth, defs, wire) for n in names}
    node: dict[str, Any] = {"type": "object", "properties": props}
    if names:
        node["required"] = rng.sample(names, rng.randint(0, len(names)))
    if rng.random() < 0.3:
        node["additionalProperties"] = False
    if not wire and rng.random() < 0.2:
        node["required"] = [*node.get("required", []), "ghost"]
    if rng.random() < 0.2:
        del node["type"]
    return node


def _root(rng: random.Random, wire: bool) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    if not wire and rng.random() < 0.2:
        root: dict[str, Any] = {"anyOf": [_object(rng, 1, defs, wire) for _ in range(2)] + [{"type": "string"}]}
    else:
        root = _object(rng, 0, defs, wire)
        root["type"] = "object"
    if defs:
        root["$defs"] = defs
    return root


def _minimal(schema: dict[str, Any]) -> Any:
    """The smallest instance a model might send for a published schema."""
    kind = schema["type"]
    if kind == "object":
        return {name: _minimal(schema["properties"][name]) for name in schema.get("required", [])}
    if kind == "array":
        return [_minimal(schema["items"]) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        return schema["enum"][0] if "enum" in schema else "a" * max(1, schema.get("minLength", 0))
    if kind in ("integer", "number"):
        return math.ceil(schema.get("minimum", 0))
    return False


@pytest.mark.parametrize("seed", range(4))
def test_generated_awkward_schemas_always_become_portable(seed: int) -> None:
    rng = random.Random(1000 + seed)
    for _ in range(100):
        original = _root(rng, wire=False)
        before = copy.deepcopy(original)
        out = make_portable(original)
        assert original == before
        Draft202012Validator.check_schema(out)
        assert _errors(out) == [], json.dumps(original)[:500]
        assert make_portable(out) == out, json.dumps(original)[:500]
        assert make_portable(copy.deepcopy(original)) == out


@pytest.mark.parametrize("seed", range(4))
def test_values_a_model_sends_for_the_published_schema_pass_the_original(seed: int) -> None:
    """Type collapsing must never steer the model to a value the server will reject."""
    rng = random.Random(2000 + seed)
    for _ in range(100):
        original = _root(rng, wire=True)
        out = make_portable(original)
        instance = _minimal(out)
        assert Draft202012Validator(out).is_valid(instance)
        assert Draft202012Validator(original).is_valid(instance), (json.dumps(original), instance)


def test_bundled_fallback_manifest_becomes_lint_clean() -> None:
    schemas = _tool_schemas(FALLBACK)
    assert len(schemas) >= 11
    for name, schema in schemas.items():
        published = make_portable(schema)
        assert _errors(published) == [], name
        assert make_portable(published) == published, name


# --- said once: notes the description already gives are left out ------------------------------


def _one(node: dict[str, Any]) -> dict[str, Any]:
    return make_portable({"type": "object", "properties": {"x": node}})["properties"]["x"]


def test_a_unions_number_bounds_join_its_note() -> None:
    union = {"type": ["string", "integer"]}
    assert _one({**union, "minimum": 1})["description"] == "(or a number, minimum 1)"
    assert _one({**union, "minimum": 1, "maximum": 1000})["description"] == "(or a number, 1 to 1000)"
    # Bounds the description already states are not repeated; the alternative type still is.
    said = _one({**union, "minimum": 1, "maximum": 1000, "description": "Rows, 1 to 1000."})
    assert said["description"] == "Rows, 1 to 1000. (or a number)"


def test_a_union_the_description_already_explains_gets_no_type_note() -> None:
    node = _one({"type": ["string", "integer"], "minimum": 1,
                 "description": "Digits only; a numeric string or the same value as an integer."})
    assert node["description"] == "Digits only; a numeric string or the same value as an integer. (minimum 1)"


def test_a_pattern_is_left_to_a_description_that_explains_the_value() -> None:
    date = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]) ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
    described = _one({"type": "string", "pattern": date, "description": "YYYY-MM-DD HH:MM:SS, Turkey time."})
    assert described == {"type": "string", "description": "YYYY-MM-DD HH:MM:SS, Turkey time."}
    # Without words for it, the pattern is the only guide and is published (or folded when unportable).
    assert _one({"type": "string", "pattern": date}) == {"type": "string", "pattern": date}
    assert _one({"type": "string", "pattern": "(?P<x>a)"})["description"] == "(pattern (?P<x>a))"


def test_the_server_still_checks_a_pattern_the_published_schema_leaves_out() -> None:
    from iletimerkezi_mcp.strict import strict_validator

    original = {"type": "object", "properties": {"day": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                                                          "description": "YYYY-MM-DD."}}}
    assert "pattern" not in make_portable(original)["properties"]["day"]
    assert not strict_validator(original).is_valid({"day": "01/05/2026"})
