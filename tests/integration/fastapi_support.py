"""A FastAPI app under a real uvicorn server, for the integration tests."""

from __future__ import annotations

import asyncio
import socket
import threading
from typing import Any

import uvicorn


class ServerThread(threading.Thread):
    """uvicorn serving `app` on a free 127.0.0.1 port in its own thread and event loop."""

    def __init__(self, app: Any) -> None:
        super().__init__(daemon=True)
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
        self.leftover_tasks: list[asyncio.Task[Any]] | None = None

    def run(self) -> None:
        async def serve() -> None:
            await self.server.serve(sockets=[self.socket])
            await asyncio.sleep(0)  # let cancelled tasks finish
            current = asyncio.current_task()
            self.leftover_tasks = [t for t in asyncio.all_tasks() if t is not current]

        asyncio.run(serve())

    async def __aenter__(self) -> ServerThread:
        self.start()
        while not self.server.started:  # noqa: ASYNC110 - uvicorn's flag, set in its thread
            await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.server.should_exit = True
        await asyncio.to_thread(self.join, 10)
        self.socket.close()
