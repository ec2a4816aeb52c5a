"""`completion/complete`: values for prompt and resource-template arguments with a known set.

Approved sender names come from the tool whose contract feeds them (cached briefly: they change in
days, not seconds); recent order ids from this server's ledger, else from the tool that lists orders.
Every value is filtered by what the person has typed so far, and never more than MCP allows.
"""

from __future__ import annotations

import time
import weakref
from typing import Any

import mcp.types as types

from iletimerkezi_mcp.app import AppState
from iletimerkezi_mcp.dispatch import call_tool

from . import prompts, resources
from .uris import ORDER, ORDER_ID, SENDER

MAX_VALUES = 100  # the MCP specification's ceiling per answer
CACHE_SECONDS = 60.0
LEDGER_ROWS = 200  # recent ledger rows looked at for order ids

_cache: weakref.WeakKeyDictionary[AppState, dict[str, tuple[float, list[str]]]] = weakref.WeakKeyDictionary()


def kind_of(state: AppState, ref: types.PromptReference | types.ResourceTemplateReference, argument: str
            ) -> str | None:
    """Which kind of value `argument` of `ref` takes, when it has a known set."""
    if isinstance(ref, types.ResourceTemplateReference):
        # Only while the template is listed: a tool the settings do not offer feeds nothing.
        return ORDER_ID if ref.uri == ORDER and argument == "id" and resources.feeders(state, ORDER) else None
    prompt = next((p for p in prompts.offered(state.catalog) if p.name == ref.name), None)
    arg = next((a for a in prompt.arguments if a.name == argument), None) if prompt is not None else None
    return arg.kind if arg is not None else None


async def _from_tool(state: AppState, kind: str) -> list[str]:
    """The values the served tool feeding `kind` lists; none when it is not served or fails."""
    for spec, feed in resources.feeders(state, completes=kind):
        if feed.values is None:
            continue
        result = await call_tool(state, spec.name, feed.arguments({}))
        if not result.is_error and result.structured_content is not None:
            return feed.values(result.structured_content)
    return []


def _from_ledger(state: AppState) -> list[str]:
    """Order ids this server's sends got, newest first, on the API it serves now (never the sandbox's
    ids for a real account, or the other way round)."""
    rows, _ = state.ledger.history(limit=LEDGER_ROWS)
    ids: list[str] = []
    for row in rows:
        if row.binding == state.binding and row.order_id and row.order_id not in ids:
            ids.append(row.order_id)
    return ids


async def values_of(state: AppState, kind: str) -> list[str]:
    if kind == ORDER_ID:
        # The ledger is local and changes with every send: read it each time, never from the cache
        # (a send made since must be offered at once).
        found = _from_ledger(state)
        if found:
            return found
    cached = _cache.setdefault(state, {}).get(kind)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    found = await _from_tool(state, kind)
    if kind == SENDER or found:  # an empty order list is not kept: the next send adds one
        _cache[state][kind] = (time.monotonic(), found)
    return found


async def complete(state: AppState, ref: Any, argument: types.CompletionArgument) -> types.Completion:
    kind = kind_of(state, ref, argument.name)
    if kind is None:
        return types.Completion(values=[], has_more=False)
    typed = argument.value.casefold()
    matches = [v for v in await values_of(state, kind) if v.casefold().startswith(typed)]
    return types.Completion(values=matches[:MAX_VALUES], total=len(matches), has_more=len(matches) > MAX_VALUES)


__all__ = ["complete", "kind_of", "values_of"]
