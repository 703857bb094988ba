"""Tests that need a service of the machine (Redis): skipped locally when it is missing, with
a message naming it, but failed under CI (CI=true), so that a green CI run always ran them."""

from __future__ import annotations

import os
import socket
from typing import NoReturn

import pytest


def under_ci() -> bool:
    return os.environ.get("CI") == "true"


def missing_service(service: str, problem: str) -> NoReturn:
    """Skip the test (fail it under CI) because `service` is not there."""
    message = f"{service} is not available: {problem}"
    if under_ci():
        pytest.fail(f"{message} (CI=true: the tests that need it must run)", pytrace=False)
    pytest.skip(message)


def redis_answers(host: str, port: int, timeout: float = 1.0) -> str | None:
    """None if a Redis server answers PING at host:port, else what went wrong."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.sendall(b"PING\r\n")
            reply = conn.recv(64)
    except OSError as error:
        return f"{host}:{port}: {error}"
    return None if reply.startswith(b"+PONG") else f"{host}:{port} answered {reply!r}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
