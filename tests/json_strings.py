"""Every string in a JSON value, for tests that look for text that must never get through."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(the key it sits under, the string) for every string, object keys included (under "<key>")."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield "<key>", k
            yield from strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v, key)
