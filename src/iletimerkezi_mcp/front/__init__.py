"""The fast front of a stdio start: answer initialize and tools/list from a snapshot, then hand over.

Importing the MCP SDK takes most of a start. A client's first two requests (initialize and
tools/list) have answers that depend only on what `snapshot` keys on, so a full start records
them and a later identical start answers them from that record while the SDK is still loading.
Everything the front read is then replayed to the SDK, whose own answers to the replayed requests
are held back and compared: a differing tool list is followed by `notifications/tools/list_changed`
(the client lists again), and the snapshot is dropped. Any doubt (no snapshot, another key, a
first message that is not initialize, an unknown protocol version, a parse error) means the front
answers nothing and the SDK sees the stream from its first byte.

Stdlib only up to the answers; nothing here may import pydantic or the SDK.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .snapshot import Snapshot, compute_key, load, render, snapshot_dir
from .wire import LineSink, LineSource, Wire, claim

log = logging.getLogger(__name__)

# Command-line words that mean "not the stdio server": the front stays out of their way.
_NOT_SERVING = {"sandbox", "doctor", "manifest", "tools", "history", "call", "serve-http", "token", "-h", "--help",
                "--version"}  # every sub-command (a test checks this against the CLI's parser)
FOLLOW_UP_WAIT = 0.25  # seconds to wait for tools/list after answering initialize before loading the SDK
_WATCHED_MESSAGES = 16  # a snapshot is taken from the first messages of a session only
_LIST_CHANGED = render({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"}) + "\n"


def _key(request_id: object) -> str:
    return json.dumps(request_id)


def _request(line: bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return message if isinstance(message, dict) and message.get("jsonrpc") == "2.0" else None


def _is_plain_list(message: dict[str, Any]) -> bool:
    return message.get("method") == "tools/list" and "id" in message and message.get("params") in (None, {})


@dataclass
class Handover:
    """What the front did on the wire, for the full server to continue from."""

    wire: Wire
    snapshot: Snapshot | None
    replay: list[bytes] = field(default_factory=list)
    answered: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (method, line sent)
    version: str | None = None  # the protocol version the client asked for
    early: tuple[str, ...] = ()  # what the front answered, in order
    recording: bool = False
    _pending: dict[str, str] = field(default_factory=dict)  # id -> method whose answer is to be recorded
    _taken: dict[str, Any] = field(default_factory=dict)  # method -> the SDK's response
    _seen: int = 0
    _save_due: bool = False  # both answers taken: written once the answer is out, not before

    def record(self, cache_dir: Path, valid_until: float | None) -> None:
        """Let this session's first answers become the snapshot: only when the front answered nothing
        and the settings' cache folder is the one the front reads (its manifest copies are in the key)."""
        snapshot = self.snapshot
        if snapshot is None or self.early or not _same_folder(snapshot.path.parent, cache_dir):
            return
        self.recording = True
        snapshot.valid_until = valid_until  # this start knows when its manifest stops being fresh

    # --- the SDK's side of the wire -------------------------------------------------------------

    def source(self) -> LineSource:
        return LineSource(self.wire, self.replay, self._watch_incoming)

    def sink(self) -> LineSink:
        return LineSink(self.wire, self._screen_outgoing, self._after_write)

    def _watch_incoming(self, line: bytes) -> None:
        if not self.recording:
            return
        self._seen += 1
        if self._seen > _WATCHED_MESSAGES:  # a session that never listed its tools: stop looking
            self.recording = False
            self._pending.clear()
            return
        message = _request(line)
        if message is None or "id" not in message:
            return
        params = message.get("params")
        if message.get("method") == "initialize" and isinstance(params, dict):
            version = params.get("protocolVersion")
            if isinstance(version, str) and self.version in (None, version):
                self.version = version
                self._pending[_key(message["id"])] = "initialize"
        elif _is_plain_list(message) and "tools" not in self._taken:
            self._pending[_key(message["id"])] = "tools"

    def _screen_outgoing(self, text: str) -> str | None:
        if not self.answered and not self._pending:
            return text
        message = _request(text.encode("utf-8"))
        answers = message is not None and ("result" in message or "error" in message)
        request_id = _key(message.get("id")) if message is not None and answers else None
        if request_id in self.answered:  # the client has its answer already: never a second one
            method, sent = self.answered.pop(request_id)
            if sent == text.rstrip("\n"):
                return None
            self._drop_snapshot(f"its {method} answer differs from this start's")
            return _LIST_CHANGED if method == "tools" else None
        if request_id in self._pending and message is not None and "result" in message:
            method = self._pending.pop(request_id)
            if render(message) == text.rstrip("\n"):  # the front would write exactly these bytes
                self._taken[method] = {**message, "id": None}
                self._save_when_complete()
        return text

    def _save_when_complete(self) -> None:
        snapshot = self.snapshot
        if snapshot is None or self.version is None or set(self._taken) != {"initialize", "tools"}:
            return
        snapshot.answers[self.version] = dict(self._taken)
        self._pending.clear()
        self._save_due = True

    def _after_write(self) -> None:
        if not self._save_due or self.snapshot is None:
            return
        self._save_due = False
        try:
            self.snapshot.save()
        except OSError as exc:
            log.debug("start snapshot not written (%s)", exc.strerror or exc)

    def _drop_snapshot(self, why: str) -> None:
        # Corrected on its own (tools/list_changed follows): nothing for the person to act on.
        log.info("start snapshot dropped: %s", why)
        self.recording = False
        if self.snapshot is not None:
            try:
                os.unlink(self.snapshot.path)
            except OSError:
                pass


def _same_folder(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve()
    except (OSError, RuntimeError):
        return False


def early_start(argv: Sequence[str], env: Mapping[str, str], *, stdin_fd: int = 0, stdout_fd: int = 1,
                divert: bool = True) -> Handover | None:
    """Claim the stdio wire and answer what the snapshot can; None when this is not a pipe-served
    stdio start (the caller then uses the SDK's transport)."""
    if any(token in _NOT_SERVING for token in argv):
        return None
    wire = claim(stdin_fd, stdout_fd, divert=divert)
    if wire is None:
        return None
    try:
        cache_dir = snapshot_dir(argv, env)
        snapshot = load(cache_dir, compute_key(argv, env, cache_dir))
    except Exception as exc:  # noqa: BLE001 - a snapshot is an optimisation: nothing about it may stop a start
        log.debug("no start snapshot (%s)", exc)
        return Handover(wire, None)
    handover = Handover(wire, snapshot)
    if snapshot.answers and snapshot.usable():
        try:
            _answer_from_snapshot(handover, snapshot)
        except OSError:  # the client went away mid-answer: the SDK finds the input closed and ends
            wire.gone = True
    return handover


def _answer_from_snapshot(handover: Handover, snapshot: Snapshot) -> None:
    wire = handover.wire
    line = wire.next_line(timeout=None)  # a client speaks first, and at once
    if line is None:
        return
    handover.replay.append(line)
    message = _request(line)
    params = message.get("params") if message is not None else None
    if message is None or message.get("method") != "initialize" or "id" not in message or not isinstance(params, dict):
        return
    version = params.get("protocolVersion")
    if not isinstance(version, str):
        return
    answer = snapshot.answer(version, "initialize", message["id"])
    if answer is None:
        return
    wire.write(answer.encode("utf-8") + b"\n")
    handover.version = version
    handover.early = ("initialize",)
    handover.answered[_key(message["id"])] = ("initialize", answer)
    while True:
        line = wire.next_line(timeout=FOLLOW_UP_WAIT)
        if line is None:
            return
        handover.replay.append(line)
        message = _request(line)
        if message is None:
            return
        if message.get("method") == "notifications/initialized" and "id" not in message:
            continue
        if _is_plain_list(message):
            tools = snapshot.answer(version, "tools", message["id"])
            if tools is not None:
                wire.write(tools.encode("utf-8") + b"\n")
                handover.answered[_key(message["id"])] = ("tools", tools)
                handover.early = ("initialize", "tools/list")
        return


__all__ = ["Handover", "early_start"]
