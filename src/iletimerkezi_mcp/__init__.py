"""iletimerkezi-mcp: a safe MCP server for the iletiMerkezi SMS API."""

from __future__ import annotations

__all__ = ["__version__"]
__version__: str  # declared only: module __getattr__ below reads it on first use


def __getattr__(name: str) -> str:
    # Read on first use, not at import: importlib.metadata costs tens of milliseconds, and a stdio
    # start answers from its snapshot before anything needs the number.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        # pyproject.toml is the only place the number is written; this reads it back from the
        # installed distribution's metadata.
        found = version("iletimerkezi-mcp")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found
