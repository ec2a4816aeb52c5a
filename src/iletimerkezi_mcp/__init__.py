"""iletimerkezi-mcp: a safe MCP server for the iletiMerkezi SMS API."""

from importlib.metadata import PackageNotFoundError, version

try:
    # pyproject.toml is the only place the number is written; this reads it back from the
    # installed distribution's metadata.
    __version__ = version("iletimerkezi-mcp")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
