"""Through the real stdio wire: every malformed line gets an answer and the session goes on."""

from __future__ import annotations

import pytest
from front_support import INITIALIZED, initialize, server_env, start

pytestmark = pytest.mark.timeout(60)

LINES = [
    b"{not json",
    b'{"jsonrpc":"1.0","id":5,"method":"tools/list"}',
    b'{"jsonrpc":"2.0","id":{"a":1},"method":"tools/list"}',
    b'[{"jsonrpc":"2.0","id":6,"method":"tools/list"}]',
    b'{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"preview_sms","arguments":'
    + b"[" * 5000 + b"]" * 5000 + b"}}",
    b'{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"preview_sms","arguments":[1,2]}}',
    b'{"jsonrpc":"2.0","id":9}',
    b'"just a string"',
    b'{"jsonrpc":"2.0","id":10,"method":5}',
    b'{"jsonrpc":"2.0","id":11,"method":"tools/call","params":"x"}',
    b"\xff\xfe",
    b'{"jsonrpc":"2.0","id":13.5,"method":"ping"}',
    b'{"jsonrpc":"2.0","id":null,"method":"ping"}',
    b'{"jsonrpc":"2.0","id":true,"method":"ping"}',
]


def test_every_malformed_line_is_answered_and_the_session_goes_on(tmp_path):
    peer = start(server_env(tmp_path))
    try:
        peer.send(initialize(1, "2025-06-18"))
        peer.message()
        peer.send(INITIALIZED)
        answers = []
        for line in LINES:
            peer.send(line + b"\n")
            answers.append(peer.message())
        peer.send(b"\n", {"jsonrpc": "2.0", "id": 99, "method": "ping"})  # a blank line is not answered
        pong = peer.message()
    finally:
        peer.close()
    assert all("error" in answer and answer["jsonrpc"] == "2.0" for answer in answers), answers
    assert [a["id"] for a in answers] == [None, 5, None, None, 7, 8, 9, None, 10, 11, None, 13.5, None, None]
    assert pong == {"jsonrpc": "2.0", "id": 99, "result": {}}
