"""Running a `Sweep`: a read of several requests, one after another, folded into one answer.

Used where the API's own limit would make the model split the work itself (a report range over the
provider's 10-day window). A read is safe to repeat, but a failed request still ends the sweep: a
partial answer that looks whole would be worse than the error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from iletimerkezi_mcp.executor import Outcome
from iletimerkezi_mcp.progress import Progress
from iletimerkezi_mcp.safety import Sweep


async def run_sweep(sweep: Sweep, send: Callable[[dict[str, Any]], Awaitable[Outcome]],
                    progress: Progress | None) -> Outcome:
    queue = list(sweep.requests)
    answers: list[tuple[dict[str, Any], dict[str, Any]]] = []
    while queue and len(answers) < sweep.limit:
        arguments = queue.pop(0)
        if progress is not None:  # known so far: what was sent and what is queued (pages appear as found)
            await progress.report(len(answers), len(answers) + 1 + len(queue), sweep.describe(arguments))
        outcome = await send(arguments)
        if outcome.kind != "ok" or outcome.response is None:
            return outcome
        answers.append((arguments, outcome.response))
        following = sweep.next_page(arguments, outcome.response)
        if following is not None:
            queue.insert(0, following)
    if progress is not None:
        left = f"; stopped with {len(queue)} left (limit {sweep.limit})" if queue else ""
        await progress.report(len(answers), len(answers), f"read {len(answers)} of {len(answers)} requests{left}")
    return Outcome(kind="ok", http_status=200, code=200, response=sweep.merge(answers, queue), attempts=len(answers))
