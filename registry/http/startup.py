"""Serving while the log replays: health endpoints answer at once, the API once replayed.

A registry on a large topic can take a while to replay. Listening only afterwards would make
a starting node look dead (connection refused) to load balancers and orchestrators, which
may then kill it mid-replay. Instead the process listens at once: `GET /health/live` answers
200 from the first moment, `GET /health/ready` answers 503 with the replay's progress until
the state has caught up with the end offset captured at start, then 200; every other request
gets a 503 in Confluent's error shape until then, so no client ever reads a partial state.

The replay runs in a worker thread (`build`), and the built app's own lifespan start-up runs
on the server's event loop once it is ready.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.http.responses import send_bytes

logger = logging.getLogger(__name__)

LIVE_PATH = "/health/live"
READY_PATH = "/health/ready"


@dataclass(slots=True)
class ReplayStatus:
    """How far the start-up replay got; written by the replay thread, read by requests."""

    target_offset: int
    applied_offset: int = 0


class _Lifespan:
    """Drives an ASGI app's lifespan protocol from the outside (start-up, then shutdown)."""

    def __init__(self, app: ASGIApp) -> None:
        self._inbox: asyncio.Queue[Message] = asyncio.Queue()
        self._outbox: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] = asyncio.get_running_loop().create_task(self._run(app))

    async def _run(self, app: ASGIApp) -> None:
        await app({"type": "lifespan", "asgi": {"version": "3.0"}}, self._inbox.get, self._send)

    async def _send(self, message: Message) -> None:
        await self._outbox.put(message)

    async def _step(self, kind: str) -> None:
        await self._inbox.put({"type": f"lifespan.{kind}"})
        reply = await self._outbox.get()
        if reply["type"].endswith(".failed"):
            raise RuntimeError(reply.get("message", f"lifespan {kind} failed"))

    async def startup(self) -> None:
        """Run the app's start-up hooks."""
        await self._step("startup")

    async def shutdown(self) -> None:
        """Run the app's shutdown hooks and wait for its lifespan task to end."""
        await self._step("shutdown")
        await self._task


class StartupGate:
    """The ASGI app of a starting node: health endpoints now, the registry once replayed.

    `build` replays the log (reporting progress through `status`) and returns the app to
    serve; it runs in a worker thread, started by the lifespan start-up. If it fails, the
    process stays not-ready and the error is logged; uvicorn is asked to exit.
    """

    def __init__(self, build: Callable[[ReplayStatus], ASGIApp], status: ReplayStatus) -> None:
        self._build = build
        self.status = status
        self._app: ASGIApp | None = None
        self._lifespan: _Lifespan | None = None
        self._task: asyncio.Task[None] | None = None
        self.failure: BaseException | None = None

    @property
    def ready(self) -> bool:
        """Whether the replay has finished and the registry serves requests."""
        return self._app is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Health endpoints always; the registry once ready; 503 before."""
        if scope["type"] == "lifespan":
            await self._run_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path in (LIVE_PATH, READY_PATH) and scope["method"] not in ("GET", "HEAD"):
            body = {"error_code": 405, "message": "HTTP 405 Method Not Allowed"}
            await _reply(send, 405, body, headers=((b"allow", b"GET, HEAD"),))
        elif path == LIVE_PATH:
            await _reply(send, 200, {"live": True})
        elif path == READY_PATH:
            await _reply(send, 200 if self.ready else 503, self._readiness())
        elif self._app is not None:
            await self._app(scope, receive, send)
        else:
            message = (
                "The registry is starting: replaying its log "
                f"({self.status.applied_offset} of {self.status.target_offset} records)"
            )
            await _reply(send, 503, {"error_code": 503, "message": message})

    def _readiness(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "appliedOffset": self.status.applied_offset,
            "targetOffset": self.status.target_offset,
        }

    async def _run_lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._task = asyncio.get_running_loop().create_task(self._start())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._task is not None and not self._task.done():
                    self._task.cancel()
                if self._lifespan is not None:
                    await self._lifespan.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _start(self) -> None:
        try:
            app = await asyncio.to_thread(self._build, self.status)
            lifespan = _Lifespan(app)
            await lifespan.startup()
        except Exception as exc:
            self.failure = exc
            logger.exception("start-up failed; the registry will not become ready: stopping")
            # The server's own signal handling shuts it down cleanly.
            signal.raise_signal(signal.SIGTERM)
            return
        self._lifespan = lifespan
        self._app = app
        logger.info("ready: replayed %d records", self.status.applied_offset)


async def _reply(
    send: Send, status: int, body: dict[str, Any], headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    await send_bytes(
        send, status, json.dumps(body).encode(), content_type=b"application/json", headers=headers
    )
