"""The team server: the same MCP server over streamable HTTP, as an OAuth 2.1 resource server.

`caller` (who is asking: stdlib only, read by dispatch), `auth` (static tokens and JWTs), `app` (the
Starlette app and `serve_http`). Only `caller` is imported by the stdio path; the rest loads with
`serve-http`.
"""
