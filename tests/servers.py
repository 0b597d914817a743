"""Servers that tests start in their own processes (gunicorn, as `make serve` runs it): a free
port to give one, and waiting until it listens."""

from __future__ import annotations

import socket
import subprocess
import time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_listening(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    """Return once something accepts connections on `port`; fail if `server` stops first."""
    deadline = time.time() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            assert server.poll() is None, "the server stopped before it listened"
            assert time.time() < deadline, "the server did not start"
            time.sleep(0.2)
