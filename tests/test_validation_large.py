"""Large arrays: the fast path of strict.collect_errors gives exactly jsonschema's errors.

Every case is run twice, through the fast path and through plain `iter_errors` (the fast path
switched off), and both the raw errors (kind, path, schema path, message) and the text
`describe_errors` makes of them must be identical.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import iletimerkezi_mcp
from iletimerkezi_mcp import strict
from iletimerkezi_mcp.strict import collect_errors
from iletimerkezi_mcp.validation import MAX_PROBLEMS, describe_errors, strict_validator

MANIFEST = json.loads((Path(iletimerkezi_mcp.__file__).parent / "manifest" / "manifest.fallback.json").read_text())
SCHEMAS: dict[str, dict] = {e["mcp_tool"]: e["input_schema"] for e in MANIFEST["endpoints"]}
SEND = strict_validator(SCHEMAS["send_sms"])
REGISTER = strict_validator(SCHEMAS["iys_register"])
NUMBERS = "order", "message", "receipents", "number"
RECORDS = "consent", "list"
RECORD = {"recipient": "+905320000000", "recipientType": "BIREYSEL", "type": "MESAJ", "status": "ONAY",
          "source": "HS_WEB", "consentDate": "2026-01-05 10:30:00"}


def numbers(count: int) -> list[str]:
    return [f"+90 532 {i // 10000:03d} {i // 100 % 100:02d} {i % 100:02d}" for i in range(count)]


def send(count: int = 5000) -> dict[str, Any]:
    return {"order": {"sender": "ACME", "iys": "0",
                      "message": {"text": "Merhaba", "receipents": {"number": numbers(count)}}}}


def register(count: int = 1000) -> dict[str, Any]:
    return {"consent": {"brandCode": "123456",
                        "list": [{**RECORD, "recipient": f"+90532{i:07d}"} for i in range(count)]}}


def at(arguments: dict[str, Any], path: tuple[str, ...]) -> Any:
    for name in path:
        arguments = arguments[name]
    return arguments


def raw(errors: list[Any]) -> list[tuple[Any, ...]]:
    return [(e.validator, list(e.absolute_path), list(e.absolute_schema_path), e.message, e.validator_value)
            for e in errors]


def plain(validator: Draft202012Validator, arguments: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[list, str]:
    with monkeypatch.context() as patch:
        patch.setattr(strict, "FAST_MIN_ITEMS", 10**9)
        return raw(collect_errors(validator, arguments)), describe_errors((validator,), arguments)


def assert_same(validator: Draft202012Validator, arguments: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    fast_raw, fast_text = raw(collect_errors(validator, arguments)), describe_errors((validator,), arguments)
    assert (fast_raw, fast_text) == plain(validator, arguments, monkeypatch)
    assert fast_raw == raw(list(validator.iter_errors(arguments)))
    return fast_text


def test_the_bundled_send_and_register_schemas_take_the_fast_path() -> None:
    send_plan, register_plan = strict._plan(SEND), strict._plan(REGISTER)
    assert send_plan is not None and [h.location for h in send_plan.holes] == [NUMBERS]
    assert register_plan is not None and [h.location for h in register_plan.holes] == [RECORDS]
    # Nothing else in the bundled manifest has an array of items.
    for name, schema in SCHEMAS.items():
        if name not in ("send_sms", "iys_register"):
            assert strict._plan(strict_validator(schema)) is None, name


def test_valid_large_arguments_have_no_errors_and_no_item_is_given_to_jsonschema(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    validator_class = type(SEND)  # the strict validators' own class (jsonschema's, with a bounded `pattern`)
    original = validator_class.iter_errors

    def counting(self: Draft202012Validator, instance: Any, *args: Any) -> Any:
        seen.append(instance)
        return original(self, instance, *args)

    monkeypatch.setattr(validator_class, "iter_errors", counting)
    for validator, arguments in ((SEND, send(50_000)), (REGISTER, register(5000))):
        seen.clear()
        assert collect_errors(validator, arguments) == []
        assert describe_errors((validator,), arguments) == ""
        items = at(arguments, NUMBERS if validator is SEND else RECORDS)
        assert len(seen) == 2 and all(x is items for x in seen)  # the array's own keywords, never an item


def _send_cases() -> dict[str, Any]:
    def change(edit: Any, count: int = 5000) -> Any:
        def make() -> dict[str, Any]:
            arguments = send(count)
            edit(arguments, at(arguments, NUMBERS))
            return arguments
        return make

    return {
        "a number in the middle of the list": change(lambda a, n: n.__setitem__(2500, 5321234567)),
        "null and a bool in the list": change(lambda a, n: (n.__setitem__(7, None), n.__setitem__(4999, True))),
        "a too long and a too short number": change(lambda a, n: (n.__setitem__(3, "1" * 25), n.__setitem__(9, "5"))),
        "too many items": change(lambda a, n: None, count=50_001),
        "an object and a list as items": change(lambda a, n: (n.__setitem__(0, {"x": 1}), n.__setitem__(1, []))),
        "every item wrong": change(lambda a, n: n.__setitem__(slice(None), [1] * 300), count=300),
        "unknown keys at every depth": change(lambda a, n: (a.__setitem__("extra", 1),
                                                            a["order"].__setitem__("sendDatetime", "x"),
                                                            a["order"]["message"]["receipents"].__setitem__("numbr", 1),
                                                            n.__setitem__(10, 7))),
        "wrong types around the list": change(lambda a, n: (a["order"].__setitem__("sender", 5),
                                                            a["order"].__setitem__("iys", "2"),
                                                            a["order"]["message"].__setitem__("text", ""))),
        "a required field missing beside the list": change(lambda a, n: a["order"]["message"].pop("text")),
    }


@pytest.mark.parametrize("case", list(_send_cases()))
def test_send_errors_are_identical(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = assert_same(SEND, _send_cases()[case](), monkeypatch)
    assert text
    if case == "too many items":
        assert text.startswith('- order.message.receipents.number: must have at most 50000 item(s); got ["+90 532')


def test_the_wording_is_the_one_users_know(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _send_cases()
    assert assert_same(SEND, cases["a number in the middle of the list"](), monkeypatch) == (
        "- order.message.receipents.number[2500]: expected string, got 5321234567 (integer)")
    text = assert_same(SEND, cases["every item wrong"](), monkeypatch)
    assert text.splitlines()[-1] == f"- … and {300 - MAX_PROBLEMS} more"


def _register_cases() -> dict[str, Any]:
    def change(edit: Any, count: int = 1000) -> Any:
        def make() -> dict[str, Any]:
            arguments = register(count)
            edit(arguments, at(arguments, RECORDS))
            return arguments
        return make

    return {
        "a bad status": change(lambda a, r: r[100].__setitem__("status", "MAYBE")),
        "a misspelt key": change(lambda a, r: r[100].__setitem__("statsu", "ONAY")),
        "unknown keys in 80 records (suggestion budget)": change(
            lambda a, r: [rec.__setitem__(f"extra{i % 3}", 1) for i, rec in enumerate(r[:80])]),
        "a missing field": change(lambda a, r: r[999].pop("source")),
        "a record that is not an object": change(lambda a, r: r.__setitem__(10, "x")),
        "a date in the wrong form and a bad brand code": change(
            lambda a, r: (a["consent"].__setitem__("brandCode", "abc"), r[9].__setitem__("consentDate", "2024-13-01"))),
        "a number where text belongs": change(lambda a, r: r[5].__setitem__("recipient", 905320000000)),
        "too many records": change(lambda a, r: None, count=5001),
        "an empty record": change(lambda a, r: r.__setitem__(0, {})),
        "an unknown key beside the list": change(lambda a, r: a["consent"].__setitem__("lists", [])),
    }


@pytest.mark.parametrize("case", list(_register_cases()))
def test_register_errors_are_identical(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert assert_same(REGISTER, _register_cases()[case](), monkeypatch)


def test_random_damage_gives_identical_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    junk: list[Any] = [None, True, 0, 5320000000, 1.5, "", "5", "x" * 30, [], {}, {"a": 1}, "ONAY", "HS_web",
                      "2026-02-30 10:00:00", "+905320000000", "a@b.co"]
    for round_ in range(40):
        arguments = send(300) if round_ % 2 else register(300)
        validator, path = (SEND, NUMBERS) if round_ % 2 else (REGISTER, RECORDS)
        items = at(arguments, path)
        for _ in range(rng.randint(1, 6)):
            index = rng.randrange(len(items))
            if isinstance(items[index], dict) and rng.random() < 0.7:
                key = rng.choice([*RECORD, "extra", "Status"])
                if rng.random() < 0.3:
                    items[index].pop(key, None)
                else:
                    items[index][key] = rng.choice(junk)
            else:
                items[index] = copy.deepcopy(rng.choice(junk))
        assert_same(validator, arguments, monkeypatch)


def test_small_bundled_cases_forced_through_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(strict, "FAST_MIN_ITEMS", 0)
    small_send, small_register = send(2), register(2)
    at(small_register, RECORDS).append({**RECORD, "type": "EPOSTA", "recipient": "a@example.com"})
    for validator, arguments in ((SEND, small_send), (REGISTER, small_register)):
        assert assert_same(validator, arguments, monkeypatch) == ""
    at(small_send, NUMBERS).extend(["12345", 7])
    at(small_send, NUMBERS[:-1])["Number"] = []
    at(small_register, RECORDS)[0]["consentdate"] = at(small_register, RECORDS)[0].pop("consentDate")
    at(small_register, RECORDS)[1]["type"] = "SMS"
    assert assert_same(SEND, small_send, monkeypatch).splitlines() == [
        '- order.message.receipents.Number: unknown field; did you mean \'number\'?',
        '- order.message.receipents.number[2]: must have at least 10 character(s); got "12345" (string)',
        "- order.message.receipents.number[3]: expected string, got 7 (integer)",
    ]
    assert assert_same(REGISTER, small_register, monkeypatch).splitlines() == [
        "- consent.list[0]: missing required field(s) 'consentDate'",
        "- consent.list[0].consentdate: unknown field; did you mean 'consentDate'?",
        '- consent.list[1].type: must be one of "MESAJ", "EPOSTA", "ARAMA"; got "SMS" (string)',
    ]


def test_small_arrays_and_other_shapes_use_jsonschema_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = strict._plan(SEND)
    assert plan is not None
    monkeypatch.setattr(strict, "FAST_MIN_ITEMS", 100)
    arguments = send(99)
    assert not plan.holes[0].is_large(arguments)
    assert plan.holes[0].is_large(send(100))
    for odd in ({}, {"order": []}, {"order": {"message": "x"}}, {"order": {"message": {"receipents": None}}},
                {"order": {"message": {"receipents": {"number": "5320000000"}}}}, []):
        assert_same(SEND, odd, monkeypatch)


# --- The generic rules, with the fast path forced on every array -----------------------------------

GENERIC = {
    "type": "object",
    "required": ["a"],
    "properties": {
        "a": {
            "type": "object",
            "properties": {
                "codes": {"type": "array", "minItems": 1, "maxItems": 400,
                          "items": {"type": "string", "pattern": "^[A-Z]+$", "minLength": 2, "maxLength": 5,
                                    "description": "upper-case code"}},
                "levels": {"type": "array", "items": {"type": ["integer", "string"], "minimum": 1, "maximum": 9,
                                                      "exclusiveMaximum": 9, "maxLength": 1}},
                "choices": {"items": {"enum": ["x", "y", 3]}, "description": "no type on the array"},
                "fixed": {"type": "array", "items": {"const": "k"}},
                "rows": {"type": "array", "maxItems": 300, "items": {
                    "type": "object", "required": ["id"], "additionalProperties": False,
                    "properties": {"id": {"type": "integer", "minimum": 0}, "name": {"type": "string"},
                                   "tag": {"enum": ["a", "b"]}}}},
                "open_rows": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "string"}}}},
            },
        },
    },
}
GENERIC_VALUES: list[Any] = ["AB", "ABCDE", "ABCDEF", "A", "ab", "", 1, 5, 9, 0, -1, 2.0, True, False, None, "x", "y",
                             "k", 3, "3", [], {}, {"id": 1}, {"id": 1, "name": "n", "tag": "a"}, {"id": -1},
                             {"name": "n"}, {"id": 1, "other": 2}, {"id": 1, "tag": "c"}, {"n": 1}, {"n": "s", "m": 1}]


@pytest.mark.parametrize("name", ["codes", "levels", "choices", "fixed", "rows", "open_rows"])
def test_generic_arrays_forced_through_the_fast_path(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    validator = Draft202012Validator(strict.close_schema(GENERIC))
    plan = strict._plan(validator)
    assert plan is not None and ("a", name) in [h.location for h in plan.holes]
    rng = random.Random(name)
    for _ in range(30):
        values = [rng.choice(GENERIC_VALUES) for _ in range(rng.choice([0, 1, 3, 50, 450]))]
        arguments = {"a": {name: copy.deepcopy(values)}}
        monkeypatch.setattr(strict, "FAST_MIN_ITEMS", 0)
        fast = raw(collect_errors(validator, arguments)), describe_errors((validator,), arguments)
        monkeypatch.setattr(strict, "FAST_MIN_ITEMS", 10**9)
        assert fast == (raw(collect_errors(validator, arguments)), describe_errors((validator,), arguments))


@pytest.mark.parametrize("schema", [
    {"type": "string", "minLength": 2, "pattern": "^[0-9]+$"},
    {"type": ["string", "integer"], "maxLength": 3, "minimum": 0, "exclusiveMaximum": 10},
    {"enum": ["a", "b", 1, None]},
    {"const": "a"},
    {"type": "integer", "minimum": 1.5},
    {"type": "number"},
    {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}, "additionalProperties": False},
    {"type": "object", "properties": {"a": {"enum": ["x"]}}},
])
def test_the_quick_checks_never_pass_what_jsonschema_refuses(schema: dict[str, Any]) -> None:
    tests = strict._object_tests(schema, None) if schema.get("type") == "object" else strict._scalar_tests(schema, None)
    assert tests is not None
    one, every = tests
    check = Draft202012Validator(schema)
    values: list[Any] = [*GENERIC_VALUES, "12", "123", "1234", "a", "b", 10, 1, 2, 1.0, 1.5, "é", {"a": "s"},
                         {"a": 1}, {"a": "x"}, {"a": "y"}, {"a": "s", "b": 1}, {"b": 1}, 2**70, -(2**70)]
    for value in values:
        if one(value):
            assert check.is_valid(value), value
        if every([value, value]):
            assert check.is_valid(value), value
    assert every([]) is True
    passed = [v for v in values if one(v)]
    assert passed and every(passed)  # the quick check does accept the common valid values


@pytest.mark.parametrize("schema", [
    {"type": "object", "properties": {"a": {"type": "array", "items": {"$ref": "#/$defs/x"}}},
     "$defs": {"x": {"type": "string"}}},
    {"type": "object", "properties": {"a": {"type": "array", "uniqueItems": True, "items": {"type": "string"}}}},
    {"type": "object", "properties": {"a": {"type": "array", "prefixItems": [{}], "items": {"type": "string"}}}},
    {"type": "object", "anyOf": [{}], "properties": {"a": {"type": "array", "items": {"type": "string"}}}},
    {"type": "object", "patternProperties": {"^a": {}}, "properties": {"a": {"type": "array", "items": {}}}},
    {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string", "format": "email"}}}},
    {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string", "pattern": "("}}}},
    {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "object", "properties": {
        "b": {"type": "object"}}}}}},
    {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string", "maxLength": True}}}},
])
def test_schemas_the_quick_checks_cannot_decide_are_left_to_jsonschema(schema: dict[str, Any]) -> None:
    from jsonschema import FormatChecker

    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    assert strict._plan(validator) is None


def test_plans_are_forgotten_with_their_validator() -> None:
    import gc

    validator = strict_validator(SCHEMAS["send_sms"])
    strict._plan(validator)
    key = id(validator)
    assert key in strict._PLANS
    del validator
    gc.collect()
    assert key not in strict._PLANS
