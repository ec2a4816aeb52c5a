"""`notifications/progress` for a call whose client sent a progress token.

Progress only ever grows (the MCP specification requires it), every notification is best effort (a
client that went away must not break the call), and while one long request is out a heartbeat says
the call is still alive every few seconds; some clients also extend their timeout on each one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2.0
T = TypeVar("T")


class Progress:
    def __init__(self, session: Any, token: str | int, request_id: Any = None) -> None:
        self._session = session
        self._token = token
        self._request_id = request_id
        self._last = -1.0

    async def report(self, progress: float, total: float | None, message: str) -> None:
        if progress <= self._last:
            return
        self._last = progress
        try:
            await self._session.send_progress_notification(self._token, progress, total, message[:300],
                                                           related_request_id=self._request_id)
        except Exception as exc:  # advisory: never let a notification fail the call
            log.debug("progress notification not sent (%s)", type(exc).__name__)

    async def during(self, at: float, total: float | None, what: str, work: Callable[[], Awaitable[T]]) -> T:
        """Report `what` at `at`, then a heartbeat (above `at`, below `at + 1`) until `work` is done."""
        await self.report(at, total, what)
        started = time.monotonic()

        async def beat() -> None:
            beats = 0
            while True:
                await anyio.sleep(HEARTBEAT_SECONDS)
                beats += 1
                elapsed = time.monotonic() - started
                await self.report(at + beats / (beats + 1), total, f"{what} (waiting {elapsed:.0f} s)")

        result: list[T] = []
        error: BaseException | None = None
        async with anyio.create_task_group() as group:
            group.start_soon(beat)
            try:
                result.append(await work())
            except BaseException as exc:  # re-raised as it is, not wrapped in the task group's ExceptionGroup
                error = exc
            finally:
                group.cancel_scope.cancel()
        if error is not None:
            raise error
        return result[0]


def from_request(session: Any, meta: Any, request_id: Any) -> Progress | None:
    """A reporter when the request's `_meta` carries a progress token, else None."""
    token = meta.get("progress_token", meta.get("progressToken")) if isinstance(meta, dict) else None
    if isinstance(token, bool) or not isinstance(token, str | int):
        return None
    return Progress(session, token, request_id)
