"""validation.py: every argument problem as one line with path, expectation and given value."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from jsonschema import Draft202012Validator

import iletimerkezi_mcp
from iletimerkezi_mcp.strict import close_schema
from iletimerkezi_mcp.validation import MAX_PROBLEMS, describe_errors, strict_validator

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["order"],
    "properties": {
        "order": {
            "type": "object",
            "required": ["sender", "iys", "message"],
            "properties": {
                "sender": {"type": "string", "minLength": 1, "maxLength": 11},
                "iys": {"type": "string", "enum": ["0", "1"]},
                "sendDateTime": {"type": "string", "description": "dd/MM/yyyy HH:mm",
                                 "pattern": "^[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}$"},
                "code": {"type": "string", "pattern": "^[A-Z]+$"},
                "page": {"type": "integer", "minimum": 1, "maximum": 9},
                "id": {"type": ["string", "integer"]},
                "message": {
                    "type": "object",
                    "required": ["text", "receipents"],
                    "properties": {
                        "text": {"type": "string", "minLength": 1},
                        "receipents": {
                            "type": "object",
                            "properties": {
                                "number": {"type": "array", "minItems": 1, "maxItems": 2,
                                           "items": {"type": "string", "minLength": 10}},
                            },
                        },
                    },
                },
            },
        }
    },
}
V = (Draft202012Validator(SCHEMA),)


def good() -> dict:
    return {"order": {"sender": "ACME", "iys": "0",
                      "message": {"text": "hi", "receipents": {"number": ["5320000000"]}}}}


def lines(arguments: dict) -> list[str]:
    text = describe_errors(V, arguments)
    return text.splitlines() if text else []


def test_valid_arguments_give_an_empty_string() -> None:
    assert describe_errors(V, good()) == ""


def test_missing_required_fields_are_named_at_their_path() -> None:
    assert lines({}) == ["- arguments: missing required field(s) 'order'"]
    args = good()
    del args["order"]["iys"]
    del args["order"]["message"]["text"]
    assert lines(args) == [
        "- order: missing required field(s) 'iys'",
        "- order.message: missing required field(s) 'text'",
    ]


def test_unknown_field_with_nothing_close_lists_what_is_allowed_one_line_per_key() -> None:
    args = {**good(), "extra": 1, "misc": 2}
    assert lines(args) == ["- extra: unknown field; allowed: order", "- misc: unknown field; allowed: order"]


def test_unknown_field_with_no_properties_says_none_allowed() -> None:
    v = (Draft202012Validator({"type": "object", "properties": {}, "additionalProperties": False}),)
    assert describe_errors(v, {"foo": 1}) == "- foo: unknown field; allowed: none"


def test_wrong_types_show_expectation_and_given_value_with_its_json_type() -> None:
    args = good()
    args["order"]["sender"] = 123
    args["order"]["message"]["receipents"]["number"] = "5320000000"
    args["order"]["id"] = 1.5
    out = lines(args)
    assert "- order.sender: expected string, got 123 (integer)" in out
    assert "- order.message.receipents.number: expected array, got \"5320000000\" (string)" in out
    assert "- order.id: expected string or integer, got 1.5 (number)" in out
    assert len(out) == 3


def test_enum_lists_allowed_values() -> None:
    args = good()
    args["order"]["iys"] = "2"
    assert lines(args) == ['- order.iys: must be one of "0", "1"; got "2" (string)']


def test_pattern_uses_the_description_as_the_hint_or_the_pattern_itself() -> None:
    args = good()
    args["order"]["sendDateTime"] = "2030-06-15"
    args["order"]["code"] = "abc"
    out = lines(args)
    assert '- order.sendDateTime: wrong format (dd/MM/yyyy HH:mm); got "2030-06-15" (string)' in out
    assert '- order.code: wrong format (pattern ^[A-Z]+$); got "abc" (string)' in out


def test_limits_and_array_indices_in_the_path() -> None:
    args = good()
    args["order"]["sender"] = "TWELVE_CHARS"
    args["order"]["page"] = 0
    args["order"]["message"]["receipents"]["number"] = ["5320000000", "12345", "5320000001"]
    args["order"]["message"]["text"] = ""
    out = lines(args)
    assert '- order.sender: must have at most 11 character(s); got "TWELVE_CHARS" (string)' in out
    assert "- order.page: must be at least 1; got 0 (integer)" in out
    assert '- order.message.receipents.number[1]: must have at least 10 character(s); got "12345" (string)' in out
    assert "- order.message.receipents.number: must have at most 2 item(s); got" in "\n".join(out)
    assert '- order.message.text: must have at least 1 character(s); got "" (string)' in out


def test_lines_are_sorted_by_path() -> None:
    args = {"order": {"sender": 1, "iys": 2, "message": {"text": 3, "receipents": {}}}}
    paths = [line.split(":")[0] for line in lines(args)]
    assert paths == sorted(paths)


def test_long_given_values_are_shortened() -> None:
    args = good()
    args["order"]["sender"] = "X" * 500
    (line,) = lines(args)
    assert "X" * 500 not in line
    assert "…" in line
    assert len(line) < 200


def test_problems_from_several_validators_are_merged_without_duplicates() -> None:
    tighter = Draft202012Validator({"type": "object", "properties": {"order": {"type": "object", "properties": {
        "message": {"type": "object", "properties": {"text": {"type": "string", "maxLength": 3}}}}}}})
    args = good()
    args["order"]["message"]["text"] = "too long"
    args["extra"] = 1
    text = describe_errors((V[0], tighter, V[0]), args)
    assert text.splitlines() == [
        "- extra: unknown field; allowed: order",
        '- order.message.text: must have at most 3 character(s); got "too long" (string)',
    ]


def test_the_number_of_lines_is_bounded() -> None:
    schema = {"type": "object", "properties": {f"f{i:02d}": {"type": "string"} for i in range(40)}}
    v = (Draft202012Validator(schema),)
    out = describe_errors(v, {f"f{i:02d}": i for i in range(40)}).splitlines()
    assert len(out) == MAX_PROBLEMS + 1
    assert out[-1] == f"- … and {40 - MAX_PROBLEMS} more"


# --- Unknown keys against the closed copies of the bundled manifest's schemas -------------------

MANIFEST = json.loads((Path(iletimerkezi_mcp.__file__).parent / "manifest" / "manifest.fallback.json").read_text())
SCHEMAS: dict[str, dict] = {e["mcp_tool"]: e["input_schema"] for e in MANIFEST["endpoints"]}
STRICT = {name: strict_validator(schema) for name, schema in SCHEMAS.items()}
RECORD = {"recipient": "+905320000000", "recipientType": "BIREYSEL", "type": "MESAJ", "status": "ONAY",
          "source": "HS_WEB", "consentDate": "2026-01-05 10:30:00"}
# A realistic valid call per tool; the first test fails when the manifest gains a tool without one.
VALID: dict[str, dict] = {
    "send_sms": {"order": {"sender": "ACME", "sendDateTime": "15/06/2026 09:05", "iys": "1", "iysList": "BIREYSEL",
                           "message": {"text": "Merhaba", "receipents": {"number": ["905320000000", "5320000001"]}}}},
    "cancel_order": {"order": {"id": "48210457"}},
    "get_report": {"order": {"id": 48210457, "page": 2, "rowCount": "500"}},
    "get_reports": {"filter": {"start": "2026-06-01", "end": "2026-06-10", "page": 2}},
    "get_balance": {},
    "get_sender": {},
    "get_blacklist": {"blacklist": {"filter": {"start": "2026-06-01 00:00:00", "end": "2026-06-02 23:59:59"},
                                    "page": "2", "rowCount": 100}},
    "add_blacklist": {"blacklist": {"number": "905320000000"}},
    "delete_blacklist": {"blacklist": {"number": "+905320000000"}},
    "iys_register": {"consent": {"brandCode": "123456", "list": [RECORD, {**RECORD, "type": "EPOSTA",
                                                                         "recipient": "a@example.com"}]}},
    "iys_check": {"consent": {"brandCode": 123456, "recipient": "+905320000000", "recipientType": "TACIR",
                              "type": "MESAJ"}},
    "get_inbox": {},
}


def strict_lines(tool: str, arguments: dict) -> list[str]:
    text = describe_errors((STRICT[tool],), arguments)
    return text.splitlines() if text else []


def send(**message: object) -> dict:
    return {"order": {"sender": "ACME", "iys": "0", "message": message}}


def test_every_bundled_tool_accepts_a_realistic_valid_call() -> None:
    assert set(VALID) == set(SCHEMAS)
    for tool, arguments in VALID.items():
        assert describe_errors((STRICT[tool],), arguments) == "", tool


def test_misspelt_schedule_is_refused_with_the_right_spelling() -> None:
    args = VALID["send_sms"]
    order = {**args["order"], "sendDatetime": args["order"]["sendDateTime"]}
    del order["sendDateTime"]
    assert strict_lines("send_sms", {"order": order}) == [
        "- order.sendDatetime: unknown field; did you mean 'sendDateTime'?"]


def test_snake_case_is_matched_to_the_camel_case_name() -> None:
    order = {**VALID["send_sms"]["order"], "send_date_time": "15/06/2026 09:05"}
    assert "- order.send_date_time: unknown field; did you mean 'sendDateTime'?" in strict_lines(
        "send_sms", {"order": order})


def test_the_correct_english_spelling_points_at_the_providers_spelling() -> None:
    out = strict_lines("send_sms", send(text="hi", recipients={"number": ["5320000000"]}))
    assert "- order.message.recipients: unknown field; did you mean 'receipents'?" in out
    assert "- order.message: missing required field(s) 'receipents'" in out
    assert len(out) == 2


def test_a_close_misspelling_gets_the_nearest_name() -> None:
    out = strict_lines("send_sms", send(txt="hi", receipents={"number": ["5320000000"]}))
    assert "- order.message.txt: unknown field; did you mean 'text'?" in out


def test_a_key_at_the_wrong_depth_points_at_its_full_path() -> None:
    assert strict_lines("get_reports", {"filter": {"start": "2026-06-01", "end": "2026-06-02"}, "page": 2}) == [
        "- page: unknown field; did you mean 'filter.page'?"]
    assert strict_lines("get_blacklist", {"page": 2, "rowCount": 10}) == [
        "- page: unknown field; did you mean 'blacklist.page'?",
        "- rowCount: unknown field; did you mean 'blacklist.rowCount'?",
    ]
    out = strict_lines("send_sms", send(text="hi", number=["5320000000"]))
    assert "- order.message.number: unknown field; did you mean 'order.message.receipents.number'?" in out
    out = strict_lines("send_sms", {**VALID["send_sms"], "sender": "ACME"})
    assert out == ["- sender: unknown field; did you mean 'order.sender'?"]


def test_unknown_keys_inside_array_items_carry_the_index() -> None:
    bad = dict(RECORD)
    bad["recipent"] = bad.pop("recipient")
    out = strict_lines("iys_register", {"consent": {"brandCode": "1", "list": [RECORD, RECORD, RECORD, bad]}})
    assert out == ["- consent.list[3]: missing required field(s) 'recipient'",
                   "- consent.list[3].recipent: unknown field; did you mean 'recipient'?"]


def test_nothing_close_lists_the_allowed_names() -> None:
    assert strict_lines("get_balance", {"verbose": 1}) == ["- verbose: unknown field; allowed: none"]
    args = {"order": {**VALID["cancel_order"]["order"], "reason": "oops"}}
    assert strict_lines("cancel_order", args) == ["- order.reason: unknown field; allowed: id"]


def test_the_allowed_list_is_bounded() -> None:
    schema = {"type": "object", "properties": {f"field{i:02d}": {} for i in range(30)}}
    (line,) = describe_errors((strict_validator(schema),), {"zzz": 1}).splitlines()
    assert line.startswith("- zzz: unknown field; allowed: field00, field01,")
    assert "field11, …" in line and "field12" not in line


def test_many_unknown_keys_stay_within_the_line_budget() -> None:
    out = strict_lines("get_balance", {f"k{i:03d}": i for i in range(500)})
    assert len(out) == MAX_PROBLEMS + 1
    assert out[-1] == f"- … and {500 - MAX_PROBLEMS} more"


# --- Combinators: errors come from the branch that fits, unknown keys from unevaluatedProperties ----

MESSAGE = SCHEMAS["send_sms"]["properties"]["order"]["properties"]["message"]
EITHER = copy.deepcopy(SCHEMAS["send_sms"])
# Some manifests take "one message object OR an array of them".
EITHER["properties"]["order"]["properties"]["message"] = {"anyOf": [MESSAGE, {"type": "array", "items": MESSAGE}]}


def either_lines(message: object) -> list[str]:
    text = describe_errors((strict_validator(EITHER),), {"order": {"sender": "ACME", "iys": "0", "message": message}})
    return text.splitlines() if text else []


def test_any_of_reports_the_unknown_key_in_the_branch_that_fits() -> None:
    ok = {"text": "hi", "receipents": {"number": ["5320000000"]}}
    assert either_lines(ok) == [] and either_lines([ok, ok]) == []
    assert either_lines({"text": "hi", "receipents": {"numbr": ["5320000000"]}}) == [
        "- order.message.receipents: missing required field(s) 'number'",
        "- order.message.receipents.numbr: unknown field; did you mean 'number'?",
    ]
    out = either_lines({"txt": "hi", "receipents": {"number": ["5320000000"]}})
    assert out == ["- order.message: missing required field(s) 'text'",
                   "- order.message.txt: unknown field; did you mean 'text'?"]
    assert either_lines([ok, {**ok, "sendDateTime": "x"}]) == [
        "- order.message[1].sendDateTime: unknown field; did you mean 'order.sendDateTime'?"]


def test_any_of_with_no_fitting_type_names_the_types() -> None:
    assert either_lines("hello") == ['- order.message: expected object or array, got "hello" (string)']


ALL_OF = {
    "type": "object",
    "allOf": [{"properties": {"start": {"type": "string"}}, "required": ["start"]},
              {"$ref": "#/$defs/paging"}],
    "$defs": {"paging": {"properties": {"page": {"type": "integer"}, "rowCount": {"type": "integer"}}}},
    # A conditional branch: the node is closed with unevaluatedProperties, whose errors read differently.
    "dependentSchemas": {"rowCount": {"required": ["page"]}},
}


def test_unevaluated_keys_get_the_same_one_line_treatment() -> None:
    assert close_schema(ALL_OF)["unevaluatedProperties"] is False
    v = (strict_validator(ALL_OF),)
    assert describe_errors(v, {"start": "x", "page": 1, "rowCount": 2}) == ""
    assert describe_errors(v, {"start": "x", "page": 1, "rowcount": 2}).splitlines() == [
        "- rowcount: unknown field; did you mean 'rowCount'?"]
    assert describe_errors(v, {"start": "x", "pages": 1}).splitlines() == [
        "- pages: unknown field; did you mean 'page'?"]


def test_a_failing_branch_does_not_make_its_own_keys_look_unknown() -> None:
    v = (strict_validator(ALL_OF),)
    # jsonschema drops a failing branch's annotations, so 'page' is "unevaluated" as well: not reported.
    assert describe_errors(v, {"start": "x", "page": "one", "extra": 1}).splitlines() == [
        "- extra: unknown field; allowed: page, rowCount, start",
        '- page: expected integer, got "one" (string)',
    ]


def test_a_key_of_another_one_of_variant_is_refused_without_calling_it_unknown() -> None:
    schema = {"type": "object", "properties": {"kind": {"enum": ["sms", "mail"]}}, "oneOf": [
        {"properties": {"kind": {"const": "sms"}, "number": {"type": "string"}}, "required": ["number"]},
        {"properties": {"kind": {"const": "mail"}, "email": {"type": "string"}}, "required": ["email"]}]}
    v = (strict_validator(schema),)
    assert describe_errors(v, {"kind": "sms", "number": "1"}) == ""
    assert describe_errors(v, {"kind": "sms", "number": "1", "email": "a@b"}) == (
        "- email: not allowed together with the other fields given")
    # The closest variant's problem, not "is not valid under any of the given schemas".
    assert describe_errors(v, {"kind": "sms", "numbr": "1"}).splitlines() == [
        "- arguments: missing required field(s) 'number'",
        "- numbr: unknown field; did you mean 'number'?",
    ]


def test_the_strict_and_an_overlay_validator_merge_without_duplicates() -> None:
    overlay = Draft202012Validator({"type": "object", "properties": {"order": {"type": "object", "properties": {
        "message": {"type": "object", "properties": {"text": {"type": "string", "maxLength": 3}}}}}}})
    args = copy.deepcopy(VALID["send_sms"])
    args["order"]["message"]["text"] = "too long"
    args["order"]["sendDatetime"] = "x"
    text = describe_errors((STRICT["send_sms"], overlay, STRICT["send_sms"]), args)
    assert text.splitlines() == [
        '- order.message.text: must have at most 3 character(s); got "too long" (string)',
        "- order.sendDatetime: unknown field; did you mean 'sendDateTime'?",
    ]


def test_strict_validator_is_importable_from_validation() -> None:
    from iletimerkezi_mcp import strict

    assert strict_validator is strict.strict_validator


def test_an_unpaired_surrogate_is_refused_with_its_place() -> None:
    from iletimerkezi_mcp.validation import arguments_json
    from iletimerkezi_mcp.validation import unpaired_surrogate as check

    def unpaired_surrogate(arguments):
        return check(arguments, arguments_json(arguments))

    assert unpaired_surrogate({"text": "Merhaba 😀 ş"}) is None
    problem = unpaired_surrogate({"order": {"message": {"receipents": {"number": ["5321112233", "53\ud800"]}}}})
    assert problem is not None and "order.message.receipents.number[1]" in problem
    assert "unpaired UTF-16 surrogate" in problem
    assert unpaired_surrogate({"\udc80": 1}) is not None


def test_a_lone_surrogate_through_the_command_line_is_a_clear_refusal(cli, tmp_path) -> None:
    run = cli({"ILETIMERKEZI_MCP_CACHE_DIR": str(tmp_path), "ILETIMERKEZI_MANIFEST": "bundled"}, "--sandbox", "call",
              "preview_sms", "--json", '{"text": "ok \\ud800"}')
    assert "text: holds an unpaired UTF-16 surrogate" in run.stdout + run.stderr
    assert "Traceback" not in run.stderr


def test_a_pattern_errors_hint_from_the_manifest_is_cleaned() -> None:
    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[0-9]+$",
                                                        "description": "Digits\x1b[2J only\u202e"}}}
    problems = describe_errors([Draft202012Validator(schema)], {"code": "abc"})
    assert "wrong format (Digits only)" in problems
    assert "\x1b" not in problems and "\u202e" not in problems
