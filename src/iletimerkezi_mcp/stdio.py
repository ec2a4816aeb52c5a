"""MCP over the stdio wire the front claimed: the SDK's framing (one JSON message per line), read and
written on the event loop, with an answer for every line the SDK cannot read (see jsonrpc_lines)."""

from __future__ import annotations

import logging

import anyio
import mcp.types as types
from mcp.server import Server
from mcp.server.models import InitializationOptions
from mcp.shared.message import SessionMessage
from pydantic import ValidationError

from iletimerkezi_mcp.front import Handover
from iletimerkezi_mcp.jsonrpc_lines import arguments_refusal, reply_to_malformed, request_read_as_notification

log = logging.getLogger(__name__)


async def serve_on_wire(server: Server, options: InitializationOptions, handover: Handover) -> None:
    """Run `server` on the wire until the client closes its input (or the run is cancelled)."""
    source, sink = handover.source(), handover.sink()
    to_server, server_reads = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    server_writes, from_server = anyio.create_memory_object_stream[SessionMessage](0)

    async def read_lines() -> None:
        async with to_server:
            async for line in source:
                try:
                    message = types.jsonrpc_message_adapter.validate_json(line, by_name=False)
                except (ValidationError, ValueError, RecursionError):
                    answer = reply_to_malformed(line)
                    log.debug("unreadable line answered: %s", answer)
                    if answer is not None:
                        await sink.write(answer + "\n")
                    continue
                refusal = None
                if isinstance(message, types.JSONRPCRequest):
                    refusal = arguments_refusal(message.id, message.method, message.params)
                elif isinstance(message, types.JSONRPCNotification):
                    refusal = request_read_as_notification(line)
                if refusal is not None:
                    await sink.write(refusal + "\n")
                    continue
                await to_server.send(SessionMessage(message))

    async def write_lines() -> None:
        async with from_server:
            async for item in from_server:
                await sink.write(item.message.model_dump_json(by_alias=True, exclude_unset=True) + "\n")

    async with anyio.create_task_group() as group:
        group.start_soon(write_lines)
        reading = anyio.CancelScope()

        async def read_until_done() -> None:
            with reading:
                await read_lines()

        group.start_soon(read_until_done)
        async with server_writes:
            await server.run(server_reads, server_writes, options)
        reading.cancel()  # the server stopped for its own reasons: stop reading too


__all__ = ["serve_on_wire"]
