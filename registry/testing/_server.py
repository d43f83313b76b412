"""A uvicorn server on a loopback port, in a background thread, serving a swappable app.

The listening socket is bound and put in listening state before the thread starts, so the
URL is usable at once: a client that connects before uvicorn's loop runs waits in the
kernel's backlog instead of being refused, and nothing has to poll for readiness. The app
behind the server can be replaced between tests, which is what makes a fresh registry per
test cost a fraction of a millisecond instead of a server start.
"""

from __future__ import annotations

import asyncio
import socket
import threading

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

HOST = "127.0.0.1"
#: The most a stop waits for the server thread (uvicorn checks for exit every 0.1 s).
STOP_TIMEOUT_S = 10.0


class _Swappable:
    """The ASGI app uvicorn runs: forwards each request to whatever app is current."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class LoopbackServer:
    """One uvicorn server on 127.0.0.1 (a free port unless given), serving `app`."""

    def __init__(self, app: ASGIApp, *, port: int = 0) -> None:
        self._app = _Swappable(app)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((HOST, port))
        self._socket.listen(128)
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(
            self._app,
            lifespan="off",
            log_level="warning",
            access_log=False,
            server_header=False,
            loop="asyncio",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._run, name=f"cairn-test-registry-{self.port}", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://{HOST}:{self.port}"

    def serve(self, app: ASGIApp) -> None:
        """Answer every request from now on with `app`."""
        self._app.app = app

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=[self._socket]))

    def stop(self) -> None:
        """Stop serving and wait for the thread; idempotent."""
        self._server.should_exit = True
        self._thread.join(STOP_TIMEOUT_S)
        self._socket.close()
