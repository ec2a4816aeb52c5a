"""What a tool call will send, or why nothing was sent: the shared vocabulary of the contracts.

A contract's `prepare()` turns validated arguments into a `PreparedCall` (exactly what will be
sent, normalised, with the parts a confirmation binds to and the lines a person is shown), or
raises `Refusal` listing every problem in plain words, before any HTTP request.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from iletimerkezi_mcp.sms import SmsPreview

MAX_PROBLEMS_SHOWN = 50
_LINE = 400  # characters of one problem line
_QUOTED = re.compile(r"'([^'\n]{60,})'")  # a long value echoed from the input


def _bounded(problem: str) -> str:
    """One problem line that never echoes a huge input: long quoted values are cut, then the line."""
    problem = _QUOTED.sub(lambda m: f"'{m.group(1)[:40]}…' ({len(m.group(1)):,} characters)", problem)
    return problem if len(problem) <= _LINE else problem[: _LINE - 1] + "…"


class Refusal(ValueError):
    """Nothing was sent; the message lists every problem and how to fix it."""

    def __init__(self, tool: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(refusal_text(tool, problems))


class Sweep(BaseModel):
    """A read that needs several requests (a date range wider than one API window, and its pages):
    sent one after another, never more than `limit`, and folded into one answer by the contract."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    requests: list[dict[str, Any]]  # argument sets known up front, in order
    # (arguments sent, the answer) -> the next page's arguments, or None
    next_page: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any] | None]
    # ([(arguments, answer)], the requests left unsent) -> one answer, shaped as usual
    merge: Callable[[list[tuple[dict[str, Any], dict[str, Any]]], list[dict[str, Any]]], dict[str, Any]]
    describe: Callable[[dict[str, Any]], str]  # one request, for progress messages
    limit: int


class PreparedCall(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    arguments: dict[str, Any]
    # Labelled, normalised parts of the payload a confirmation token is bound to (the same
    # numbers in another order or spelling give the same parts).
    parts: dict[str, Any] = Field(default_factory=dict)
    lines: list[str] = Field(default_factory=list)  # what the person is shown when asked to confirm
    # What the ledger records: the numbers a write reaches (masked and hashed there, never kept whole)
    # and the text it sends.
    numbers: list[str] = Field(default_factory=list)
    text: str | None = None
    previews: list[SmsPreview] = Field(default_factory=list)
    recipients: int = 0
    credits: int = 0
    notes: list[str] = Field(default_factory=list)
    sweep: Sweep | None = None  # a read of several requests; `arguments` is then the call as asked
    progress: str | None = None  # for a long write: what was checked, said when progress is asked for

    def preview_summary(self) -> dict[str, Any] | None:
        if not self.previews:
            return None
        first = self.previews[0].for_result()
        if len(self.previews) == 1:
            return first
        return {"messages": [p.for_result() for p in self.previews],
                "recipient_count": self.recipients, "credits": self.credits}

    def preview_line(self) -> str:
        encodings = ", ".join(sorted({p.encoding for p in self.previews}))
        parts = "+".join(str(p.parts) for p in self.previews)
        return (f"Preview of this send: {encodings}, {parts} part(s) per recipient, {self.recipients} "
                f"recipient(s), about {self.credits} credit(s).")


def refusal_text(tool: str, problems: list[str]) -> str:
    shown = [_bounded(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > len(shown):
        shown.append(f"… and {len(problems) - len(shown):,} more")
    lines = "\n".join(f"- {p}" for p in shown)
    return (f"{tool}: nothing was sent. Fix the following and call again:\n{lines}\n"
            f"Hiçbir şey gönderilmedi. Yukarıdaki sorunları düzeltip tekrar deneyin.")


def remainder(arguments: dict[str, Any], covered: tuple[tuple[str, ...], ...]) -> dict[str, Any]:
    """`arguments` without the paths a contract already binds in its parts (a path continues into
    every item of a list), and without objects left empty. Only what is kept is copied, so a
    50,000-number list the parts already hold is never copied again."""
    rest = _without(arguments, list(covered))
    return rest if isinstance(rest, dict) else {}


def _without(node: Any, paths: list[tuple[str, ...]]) -> Any:
    if isinstance(node, list):
        return [_without(item, paths) for item in node]
    if not isinstance(node, dict):
        return copy.deepcopy(node)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if (key,) in paths:
            continue
        deeper = [path[1:] for path in paths if len(path) > 1 and path[0] == key]
        kept = _without(value, deeper) if deeper else copy.deepcopy(value)
        if deeper and _empty(kept):
            continue
        out[key] = kept
    return out


def _empty(value: Any) -> bool:
    return value == {} or (isinstance(value, list) and all(_empty(item) for item in value))
