"""iletimerkezi-mcp: a safe MCP server for the iletiMerkezi SMS API."""

__version__ = "0.1.0"
