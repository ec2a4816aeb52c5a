"""Capping long lists and describing pages of rowCount-paged results."""

from __future__ import annotations

import math
from typing import Any

from .coerce import ShapeContext, to_int
from .schemas import MAX_ROW_COUNT


def cap_list(items: list[Any], ctx: ShapeContext) -> tuple[list[Any], dict[str, Any]]:
    """The first ``ctx.max_items`` items plus received/returned/truncated stats."""
    shown = items[: ctx.max_items]
    return shown, {"received": len(items), "returned": len(shown), "truncated": len(shown) < len(items)}


def as_list(value: Any) -> list[Any] | None:
    """A list stays a list; a lone value becomes a one-item list (older wire shape); None stays None."""
    if value is None or isinstance(value, list):
        return value
    return list(value) if isinstance(value, tuple) else [value]


def paging_info(
    ctx: ShapeContext,
    stats: dict[str, Any],
    *,
    page_arg: Any,
    rows_arg: Any,
    total: int | None,
    block: str,
    noun: str,
) -> dict[str, Any]:
    """Page object for rowCount-paged lists, plus a notice on how to read the rest."""
    page = max(to_int(page_arg) or 1, 1)
    rows = min(max(to_int(rows_arg) or MAX_ROW_COUNT, 1), MAX_ROW_COUNT)
    info: dict[str, Any] = {"page": page, "rowCount": rows}
    if total is not None:
        info["pages"] = max(1, math.ceil(total / rows))
    info.update(stats)
    if stats["truncated"]:
        cap = ctx.max_items
        hint = f"call again with {block}.rowCount={cap} and {block}.page=N"
        if rows % cap == 0:
            hint += f"; the rest of this page starts at {block}.page={(page - 1) * rows // cap + 2}"
        shown = f"Showing the first {stats['returned']:,} of {stats['received']:,} {noun} on this page"
        ctx.notices.append(f"{shown}. To see more, {hint}.")
    elif info.get("pages", 0) > page:
        ctx.notices.append(f"This is page {page} of {info['pages']}; pass {block}.page={page + 1} for the next one.")
    return info
