"""Typed tool results: an ``outputSchema`` per tool, ``structuredContent`` and a short summary.

Modules, each importing only those listed after it:
``compose`` (shape_result) → ``shapers``, ``summaries`` → ``paging``, ``labels`` → ``coerce``, ``schemas``.
The wire quirks handled here are listed in api-reference §1.7 and §2.
"""

from __future__ import annotations

from .compose import shape_result
from .labels import STATUS_TEXT, status_text
from .schemas import KNOWN_TOOLS, REPORTS_PAGE_SIZE, output_schema, validate_structured

__all__ = [
    "KNOWN_TOOLS",
    "REPORTS_PAGE_SIZE",
    "STATUS_TEXT",
    "output_schema",
    "shape_result",
    "status_text",
    "validate_structured",
]
