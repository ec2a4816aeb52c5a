"""Every line the SDK cannot read gets a JSON-RPC answer, addressed as the spec says."""

from __future__ import annotations

import json

import pytest

from iletimerkezi_mcp.jsonrpc_lines import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    PARSE_ERROR,
    arguments_refusal,
    reply_to_malformed,
    request_read_as_notification,
    top_level_id,
)

DEEP = '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"arguments":' + "[" * 5000 + "]" * 5000 + "}}"


@pytest.mark.parametrize(("line", "code", "request_id", "words"), [
    ("{not json", PARSE_ERROR, None, "not valid JSON"),
    ("\ufffd\ufffd", PARSE_ERROR, None, "not valid JSON"),
    ('{"jsonrpc":"1.0","id":5,"method":"tools/list"}', INVALID_REQUEST, 5, 'jsonrpc must be "2.0"'),
    ('[{"jsonrpc":"2.0","id":6,"method":"tools/list"}]', INVALID_REQUEST, None, "batches are not supported"),
    ('"just a string"', INVALID_REQUEST, None, "must be a JSON object"),
    ('{"jsonrpc":"2.0","id":9}', INVALID_REQUEST, 9, "no method"),
    ('{"jsonrpc":"2.0","id":"a","method":5}', INVALID_REQUEST, "a", "method must be a string"),
    ('{"jsonrpc":"2.0","id":11,"method":"tools/call","params":"x"}', INVALID_REQUEST, 11, "params must be"),
    (DEEP, INVALID_REQUEST, 7, "nested too deeply"),
])
def test_unreadable_lines_are_answered(line, code, request_id, words):
    answer = json.loads(reply_to_malformed(line) or "null")
    assert answer["jsonrpc"] == "2.0" and answer["id"] == request_id
    assert answer["error"]["code"] == code and words in answer["error"]["message"]


@pytest.mark.parametrize("line", ["", "   ", '{"jsonrpc":"2.0","id":3,"result":{"x":1}}',
                                  '{"jsonrpc":"2.0","id":3,"result":5}', '{"jsonrpc":"2.0","id":3,"error":"bad"}'])
def test_blank_lines_and_a_clients_own_responses_are_not_answered(line):
    assert reply_to_malformed(line) is None


@pytest.mark.parametrize(("raw_id", "addressed"), [("null", None), ("true", None), ("13.5", 13.5), ('{"a":1}', None),
                                                   ("[1]", None)])
def test_a_request_with_an_unusable_id_is_not_taken_for_a_notification(raw_id, addressed):
    answer = request_read_as_notification(f'{{"jsonrpc":"2.0","id":{raw_id},"method":"ping"}}')
    assert answer is not None
    message = json.loads(answer)
    assert message["id"] == addressed and message["error"]["code"] == INVALID_REQUEST
    assert "id must be a string or an integer" in message["error"]["message"]


def test_a_true_notification_is_left_alone():
    assert request_read_as_notification('{"jsonrpc":"2.0","method":"notifications/cancelled",'
                                        '"params":{"requestId":"id"}}') is None


@pytest.mark.parametrize(("arguments", "kind"), [([1, 2], "a list"), ('"x"', "a string"), ("5", "a number"),
                                                 ("true", "true/false")])
def test_tool_arguments_that_are_not_an_object_get_our_own_message(arguments, kind):
    answer = json.loads(arguments_refusal(4, "tools/call", {"name": "preview_sms",
                                                             "arguments": json.loads(str(arguments))}) or "null")
    assert answer["id"] == 4 and answer["error"]["code"] == INVALID_PARAMS
    assert f"not {kind}" in answer["error"]["message"] and "JSON nesnesi" in answer["error"]["message"]


def test_object_or_missing_arguments_and_other_methods_pass():
    assert arguments_refusal(1, "tools/call", {"name": "x", "arguments": {"a": 1}}) is None
    assert arguments_refusal(1, "tools/call", {"name": "x"}) is None
    assert arguments_refusal(1, "tools/list", {"arguments": [1]}) is None


@pytest.mark.parametrize(("text", "found"), [
    ('{"params":{"id":99},"id":"top"}', "top"),
    ('{"a":"\\"id\\":1","id":2}', 2),
    ('{"id" : 3, "x": [' + "[" * 3000 + "]" * 3000 + "]}", 3),
    ('{"x":{"id":1}}', None),
    ('{"id":', None),
])
def test_the_top_level_id_is_found_whatever_the_depth(text, found):
    assert top_level_id(text) == found
