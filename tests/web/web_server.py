"""The app served by uvicorn on a free loopback port, for the browser tests.

A module of its own (not conftest) so test files import it by a name no other test
directory uses.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from cellwatch.api.app import create_app
from cellwatch.settings import Settings

UPLOAD_LIMIT = 1024 * 1024


@dataclass(frozen=True)
class LiveServer:
    """A running cellwatch on loopback, with the home it serves."""

    url: str
    settings: Settings


@contextmanager
def serve(settings: Settings) -> Iterator[LiveServer]:
    """The whole app (API and web, from ``create_app``) under uvicorn in a thread."""
    app = create_app(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    # The socket is bound before the thread starts, so no other process can take the port.
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])),
                              daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        threading.Event().wait(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        app.state.lake.close()
        app.state.store.dispose()
