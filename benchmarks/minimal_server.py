"""The least an MCP server on this SDK can do for get_balance: a reference, not our server.

One low-level `Server`, one tool, one reused `httpx.AsyncClient`, the same POST our executor
makes, the parsed body returned as structuredContent. The benchmark runs it beside ours so
the per-call delta can be split into what the SDK's stdio path costs and what our code adds.
Reads ILETIMERKEZI_BASE_URL / _API_KEY / _API_HASH like the real server.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx
import mcp.types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server

TOOL = types.Tool(name="get_balance", description="Account balance.",
                  input_schema={"type": "object", "properties": {}})


def build() -> Server[httpx.AsyncClient]:
    url = os.environ["ILETIMERKEZI_BASE_URL"].rstrip("/") + "/v1/get-balance/json"
    auth = {"key": os.environ["ILETIMERKEZI_API_KEY"], "hash": os.environ["ILETIMERKEZI_API_HASH"]}
    body = json.dumps({"request": {"authentication": auth}}).encode()

    @asynccontextmanager
    async def lifespan(_: Server[httpx.AsyncClient]) -> AsyncIterator[httpx.AsyncClient]:
        async with httpx.AsyncClient(headers={"Content-Type": "application/json"}) as client:
            yield client

    async def list_tools(ctx: ServerRequestContext[httpx.AsyncClient],
                         params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[TOOL])

    async def call_tool(ctx: ServerRequestContext[httpx.AsyncClient],
                        params: types.CallToolRequestParams) -> types.CallToolResult:
        response = await ctx.lifespan_context.post(url, content=body)
        data = response.json()["response"]
        return types.CallToolResult(content=[types.TextContent(type="text", text=json.dumps(data))],
                                    structured_content=data, is_error=False)

    return Server("minimal", version="0", lifespan=lifespan, on_list_tools=list_tools, on_call_tool=call_tool)


async def serve() -> None:
    server = build()
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


if __name__ == "__main__":
    anyio.run(serve)
