"""validation.py: every argument problem as one line with path, expectation and given value."""

from __future__ import annotations

from jsonschema import Draft202012Validator

from iletimerkezi_mcp.validation import MAX_PROBLEMS, describe_errors

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


def test_unknown_field_lists_what_is_allowed() -> None:
    args = {**good(), "extra": 1, "other": 2}
    assert lines(args) == ["- arguments: unknown field(s) 'extra', 'other'; allowed: order"]


def test_unknown_field_with_no_properties_says_none_allowed() -> None:
    v = (Draft202012Validator({"type": "object", "properties": {}, "additionalProperties": False}),)
    assert describe_errors(v, {"foo": 1}) == "- arguments: unknown field(s) 'foo'; allowed: none"


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
        "- arguments: unknown field(s) 'extra'; allowed: order",
        '- order.message.text: must have at most 3 character(s); got "too long" (string)',
    ]


def test_the_number_of_lines_is_bounded() -> None:
    schema = {"type": "object", "properties": {f"f{i:02d}": {"type": "string"} for i in range(40)}}
    v = (Draft202012Validator(schema),)
    out = describe_errors(v, {f"f{i:02d}": i for i in range(40)}).splitlines()
    assert len(out) == MAX_PROBLEMS + 1
    assert out[-1] == f"- … and {40 - MAX_PROBLEMS} more"
