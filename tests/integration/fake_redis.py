"""A peer on 127.0.0.1 that speaks just enough of the Redis protocol (RESP) to be connected
to, and answers every script with what the test chose: a Redis gone wrong. Or, with
`redis=False`, a peer that is not Redis at all and answers every command ``+OK``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

#: What a Redis 7 server answers HELLO 3 with (the parts redis-py reads).
_HELLO = (
    b"%3\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.2.0\r\n$5\r\nproto\r\n:3\r\n"
)


async def _command(reader: asyncio.StreamReader) -> list[bytes]:
    """One command the client sent: an array of bulk strings."""
    count = int((await reader.readline())[1:])
    args = []
    for _ in range(count):
        size = int((await reader.readline())[1:])
        args.append((await reader.readexactly(size + 2))[:-2])
    return args


@contextlib.asynccontextmanager
async def fake_redis(script_answer: bytes, *, redis: bool = True) -> AsyncIterator[str]:
    """The URL of a peer answering scripts (EVALSHA) with the RESP bytes `script_answer`."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, ValueError):
            while True:
                name = (await _command(reader))[0].upper()
                if not redis:
                    writer.write(b"+OK\r\n")
                elif name == b"HELLO":
                    writer.write(_HELLO)
                elif name == b"EVALSHA":
                    writer.write(script_answer)
                else:
                    writer.write(b"+OK\r\n")
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.close()
        await server.wait_closed()
