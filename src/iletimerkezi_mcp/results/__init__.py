"""Typed tool results: shared output-schema properties, coercion, paging and labels.

Modules, each importing only those listed after it:
``compose`` (shape_result) → ``paging``, ``labels`` → ``coerce``, ``schemas``.
Each tool's own shaper, summary and output properties live in its contract (``contracts/``).
"""

from __future__ import annotations

from .compose import shape_result
from .labels import STATUS_TEXT, status_text
from .schemas import output_schema_with, validate_structured

__all__ = [
    "STATUS_TEXT",
    "output_schema_with",
    "shape_result",
    "status_text",
    "validate_structured",
]
