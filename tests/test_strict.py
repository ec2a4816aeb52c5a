"""strict.py: the server validates against a closed copy of each schema, combinators included."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import iletimerkezi_mcp
from iletimerkezi_mcp.strict import close_schema, known_names, property_paths, resolve_ref, strict_validator

MANIFEST = json.loads((Path(iletimerkezi_mcp.__file__).parent / "manifest" / "manifest.fallback.json").read_text())
SCHEMAS: dict[str, dict[str, Any]] = {e["mcp_tool"]: e["input_schema"] for e in MANIFEST["endpoints"]}


def valid(schema: dict[str, Any], instance: Any) -> bool:
    return strict_validator(schema).is_valid(instance)


def test_every_object_of_a_bundled_schema_is_closed() -> None:
    closed = close_schema(SCHEMAS["send_sms"])
    order = closed["properties"]["order"]
    assert order["additionalProperties"] is False
    assert order["properties"]["message"]["additionalProperties"] is False
    assert order["properties"]["message"]["properties"]["receipents"]["additionalProperties"] is False
    items = close_schema(SCHEMAS["iys_register"])["properties"]["consent"]["properties"]["list"]["items"]
    assert items["additionalProperties"] is False
    assert "unevaluatedProperties" not in json.dumps(closed)  # no combinators: the fast keyword only


def test_the_input_schema_is_never_changed() -> None:
    for schema in [*SCHEMAS.values(), ALL_OF, EITHER, REFS]:
        before = copy.deepcopy(schema)
        closed = close_schema(schema)
        strict_validator(schema)
        assert schema == before
        assert closed is not schema


def test_unknown_keys_are_refused_at_every_depth_known_ones_accepted() -> None:
    schema = SCHEMAS["iys_check"]
    good = {"consent": {"brandCode": "1", "recipient": "+905320000000", "recipientType": "TACIR", "type": "MESAJ"}}
    assert valid(schema, good)
    assert Draft202012Validator(schema).is_valid({"consent": {**good["consent"], "brandcode": "1"}})
    assert not valid(schema, {"consent": {**good["consent"], "brandcode": "1"}})


def test_explicitly_open_objects_stay_open() -> None:
    schema = {"type": "object", "properties": {
        "meta": {"type": "object", "properties": {"a": {}}, "additionalProperties": True},
        "tags": {"type": "object", "properties": {"a": {}}, "additionalProperties": {"type": "string"}},
        "loose": {"type": "object", "properties": {"a": {}}, "unevaluatedProperties": True},
        "free": {"type": "object"},  # describes no properties: nothing to close against
    }}
    closed = close_schema(schema)
    assert closed["additionalProperties"] is False
    assert closed["properties"]["meta"]["additionalProperties"] is True
    assert closed["properties"]["loose"] == schema["properties"]["loose"]
    assert valid(schema, {"meta": {"x": 1}, "tags": {"x": "y"}, "loose": {"x": 1}, "free": {"anything": 1}})
    assert not valid(schema, {"tags": {"x": 1}})
    assert not valid(schema, {"other": 1})


def test_an_open_object_still_closes_what_it_declares() -> None:
    schema = {"type": "object", "additionalProperties": True,
              "properties": {"inner": {"type": "object", "properties": {"a": {}}}}}
    assert valid(schema, {"anything": 1, "inner": {"a": 1}})
    assert not valid(schema, {"inner": {"b": 1}})


def test_pattern_properties_count_as_known() -> None:
    schema = {"type": "object", "patternProperties": {"^x-": {"type": "string"}}, "properties": {"id": {}}}
    assert close_schema(schema)["additionalProperties"] is False
    assert valid(schema, {"id": 1, "x-trace": "abc"})
    assert not valid(schema, {"id": 1, "trace": "abc"})


def test_nested_arrays_and_tuples_are_closed() -> None:
    schema = {"type": "object", "properties": {
        "grid": {"type": "array", "items": {"type": "array", "items": {"type": "object", "properties": {"v": {}}}}},
        "pair": {"type": "array", "prefixItems": [{"type": "object", "properties": {"k": {}}}],
                 "items": {"type": "object", "properties": {"v": {}}}},
    }}
    assert valid(schema, {"grid": [[{"v": 1}], []], "pair": [{"k": 1}, {"v": 2}]})
    assert not valid(schema, {"grid": [[{"v": 1}, {"w": 1}]]})
    assert not valid(schema, {"pair": [{"v": 1}]})
    assert not valid(schema, {"pair": [{"k": 1}, {"k": 2}]})


ALL_OF: dict[str, Any] = {
    "type": "object",
    "properties": {"id": {"type": "string"}},
    "allOf": [{"properties": {"start": {"type": "string"}}, "required": ["start"]},
              {"properties": {"end": {"type": "string"}}}],
}


def test_all_of_keys_from_sibling_branches_are_accepted() -> None:
    closed = close_schema(ALL_OF)
    # Every allOf branch must pass, so the names are fixed: listed on the node, closed the fast way.
    assert closed["additionalProperties"] is False and "unevaluatedProperties" not in closed
    assert closed["properties"] == {"id": {"type": "string"}, "start": True, "end": True}
    assert all("additionalProperties" not in b for b in closed["allOf"])  # branches stay open
    assert valid(ALL_OF, {"id": "1", "start": "a", "end": "b"})
    assert not valid(ALL_OF, {"id": "1", "start": "a", "ende": "b"})
    assert not valid(ALL_OF, {"id": "1", "start": 1, "end": "b"})  # branch constraints still apply


def test_all_of_with_a_conditional_or_open_branch_uses_unevaluated_properties() -> None:
    schema = {"type": "object", "allOf": [
        {"properties": {"a": {}}},
        {"anyOf": [{"properties": {"b": {}}, "required": ["b"]}, {"properties": {"c": {}}, "required": ["c"]}]}]}
    assert close_schema(schema)["unevaluatedProperties"] is False
    assert valid(schema, {"a": 1, "b": 1}) and valid(schema, {"a": 1, "c": 1})
    assert not valid(schema, {"a": 1, "b": 1, "d": 1})
    open_branch = {"type": "object", "allOf": [{"properties": {"a": {}}}, {"additionalProperties": True}]}
    assert close_schema(open_branch)["unevaluatedProperties"] is False
    assert valid(open_branch, {"a": 1, "anything": 2})  # the schema itself says extra keys are fine


def test_any_of_two_object_shapes_accepts_the_keys_of_the_matching_one() -> None:
    schema = {"type": "object", "anyOf": [
        {"properties": {"number": {"type": "string"}}, "required": ["number"]},
        {"properties": {"email": {"type": "string"}}, "required": ["email"]}]}
    assert close_schema(schema)["unevaluatedProperties"] is False
    assert valid(schema, {"number": "1"}) and valid(schema, {"email": "a"})
    assert valid(schema, {"number": "1", "email": "a"})
    assert not valid(schema, {"number": "1", "mail": "a"})


MESSAGE = SCHEMAS["send_sms"]["properties"]["order"]["properties"]["message"]
EITHER: dict[str, Any] = {"type": "object",
                          "properties": {"message": {"anyOf": [MESSAGE, {"type": "array", "items": MESSAGE}]}}}


def test_object_or_array_of_objects_closes_the_object_branch_itself() -> None:
    message = close_schema(EITHER)["properties"]["message"]
    # Only one branch can see an object's keys: closing it is equivalent and avoids unevaluatedProperties.
    assert "unevaluatedProperties" not in message
    assert message["anyOf"][0]["additionalProperties"] is False
    assert message["anyOf"][1]["items"]["additionalProperties"] is False
    ok = {"text": "hi", "receipents": {"number": ["5320000000"]}}
    assert valid(EITHER, {"message": ok}) and valid(EITHER, {"message": [ok, ok]})
    assert not valid(EITHER, {"message": {**ok, "txt": "x"}})
    assert not valid(EITHER, {"message": [ok, {**ok, "receipents": {"number": ["5320000000"], "n": 1}}]})


REFS: dict[str, Any] = {
    "type": "object",
    "properties": {"order": {"$ref": "#/$defs/order"}, "copy": {"$ref": "#/$defs/order", "description": "again"}},
    "$defs": {
        "order": {"type": "object", "properties": {"id": {}, "paging": {"$ref": "#/$defs/paging"}}},
        "paging": {"type": "object", "properties": {"page": {}}},
        "unused": {"type": "object", "properties": {"a": {}}},
    },
}


def test_references_close_at_the_referring_node_and_definitions_stay_reusable() -> None:
    closed = close_schema(REFS)
    assert closed["properties"]["order"]["additionalProperties"] is False
    assert closed["properties"]["order"]["properties"] == {"id": True, "paging": True}
    assert "additionalProperties" not in closed["$defs"]["order"]  # a branch: may be extended where used
    assert closed["$defs"]["unused"] == REFS["$defs"]["unused"]
    assert valid(REFS, {"order": {"id": 1, "paging": {"page": 2}}, "copy": {"id": 2}})
    assert not valid(REFS, {"order": {"id": 1, "ID": 2}})
    assert not valid(REFS, {"copy": {"paging": {"pag": 2}}})


def test_a_reference_extended_by_siblings_accepts_both() -> None:
    schema = {"type": "object", "$defs": {"base": {"properties": {"id": {}}}},
              "properties": {"item": {"$ref": "#/$defs/base", "properties": {"note": {}}}}}
    assert valid(schema, {"item": {"id": 1, "note": "x"}})
    assert not valid(schema, {"item": {"id": 1, "nite": "x"}})


def test_recursive_references_terminate() -> None:
    schema = {"type": "object", "properties": {"name": {}, "children": {"type": "array", "items": {"$ref": "#"}}}}
    assert valid(schema, {"name": "a", "children": [{"name": "b", "children": []}]})
    assert not valid(schema, {"name": "a", "children": [{"nme": "b"}]})


def test_references_we_cannot_see_into_leave_the_node_open() -> None:
    schema = {"type": "object", "properties": {"x": {"$dynamicRef": "#meta", "properties": {"a": {}}}}}
    closed = close_schema(schema)
    assert "unevaluatedProperties" not in closed["properties"]["x"]
    assert "additionalProperties" not in closed["properties"]["x"]


def test_if_then_else_keys_from_the_applied_branch_are_accepted_and_if_is_left_as_written() -> None:
    schema = {"type": "object", "properties": {"iys": {"enum": ["0", "1"]}},
              "if": {"properties": {"iys": {"const": "1"}}, "required": ["iys"]},
              "then": {"properties": {"iysList": {"enum": ["BIREYSEL", "TACIR"]}}, "required": ["iysList"]},
              "else": {"properties": {"note": {}}}}
    closed = close_schema(schema)
    assert closed["if"] == schema["if"]
    assert closed["unevaluatedProperties"] is False
    assert valid(schema, {"iys": "1", "iysList": "TACIR"})
    assert valid(schema, {"iys": "0", "note": "x"})
    assert not valid(schema, {"iys": "0", "iysList": "TACIR"})
    assert not valid(schema, {"iys": "1", "iysList": "TACIR", "iyslist": "TACIR"})


def test_not_is_left_as_written_closing_it_would_loosen_it() -> None:
    forbidden = {"type": "object", "properties": {"a": {"const": 1}}, "required": ["a"]}
    schema = {"type": "object", "properties": {"x": {"type": "object", "not": forbidden}}}
    assert close_schema(schema)["properties"]["x"]["not"] == forbidden
    assert not valid(schema, {"x": {"a": 1, "b": 2}})  # an open `not` still forbids this


def test_dependent_schemas_add_their_keys_when_triggered() -> None:
    schema = {"type": "object", "properties": {"card": {}},
              "dependentSchemas": {"card": {"properties": {"cvv": {}}, "required": ["cvv"]}}}
    assert valid(schema, {"card": 1, "cvv": 2}) and valid(schema, {})
    assert not valid(schema, {"cvv": 2})
    assert not valid(schema, {"card": 1, "cvv": 2, "pin": 3})


def test_boolean_subschemas_and_the_preview_shape_compile() -> None:
    schema = {"type": "object", "properties": {"a": True, "b": False, "c": {"type": "array", "items": True}}}
    assert valid(schema, {"a": 1, "c": [1]})
    assert not valid(schema, {"b": 1}) and not valid(schema, {"d": 1})


@pytest.mark.parametrize(("ref", "expected"), [("#", "root"), ("#/$defs/a~1b", "slash"), ("#/$defs/x%20y", "space"),
                                               ("#anchored", "anchor"), ("#/$defs/missing", None),
                                               ("other.json#/x", None)])
def test_resolve_ref(ref: str, expected: str | None) -> None:
    root = {"title": "root", "$defs": {"a/b": {"title": "slash"}, "x y": {"title": "space"},
                                       "n": {"$anchor": "anchored", "title": "anchor"}}}
    found = resolve_ref(ref, root)
    assert (found or {}).get("title") == expected


def test_known_names_and_property_paths_see_through_combinators() -> None:
    assert sorted(known_names(ALL_OF, ALL_OF)) == ["end", "id", "start"]
    assert known_names(REFS["properties"]["order"], REFS) == ["id", "paging"]
    paths = property_paths(SCHEMAS["iys_register"])
    assert "consent.list[].recipient" in paths and "consent.brandCode" in paths
    assert "order.paging.page" in property_paths(REFS)


def test_a_value_too_long_for_its_pattern_is_refused_before_the_pattern_runs() -> None:
    import time

    from iletimerkezi_mcp.strict import PATTERN_TEXT_LIMIT
    from iletimerkezi_mcp.validation import describe_errors

    # Quadratic for re.search on digits without the final x: safe by the manifest check, slow if long.
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^\\d*\\d*x"}}}
    validator = strict_validator(schema)
    assert describe_errors([validator], {"code": "1" * PATTERN_TEXT_LIMIT + "x"}) != ""  # "1…1x" is 1001 long
    assert describe_errors([validator], {"code": "1" * (PATTERN_TEXT_LIMIT - 1) + "x"}) == ""
    started = time.perf_counter()
    problems = describe_errors([validator], {"code": "1" * 200_000})
    assert time.perf_counter() - started < 5  # without the limit: minutes
    assert "too long (200000 characters; at most 1000 are checked against its format)" in problems


def test_a_large_array_does_not_run_a_pattern_on_a_value_too_long_for_it() -> None:
    """The quick pass over large arrays compiles the pattern itself: it must keep the same length bound."""
    import time

    from iletimerkezi_mcp.strict import FAST_MIN_ITEMS
    from iletimerkezi_mcp.validation import describe_errors

    schema = {"type": "object", "properties": {"codes": {"type": "array", "items": {
        "type": "string", "pattern": "^\\d*\\d*x"}}}}
    codes = ["12x"] * FAST_MIN_ITEMS + ["1" * 200_000]
    started = time.perf_counter()
    problems = describe_errors([strict_validator(schema)], {"codes": codes})
    assert time.perf_counter() - started < 5  # without the bound: minutes in re.search
    assert f"codes[{FAST_MIN_ITEMS}]" in problems and "too long (200000 characters" in problems
    assert describe_errors([strict_validator(schema)], {"codes": ["12x"] * FAST_MIN_ITEMS}) == ""
