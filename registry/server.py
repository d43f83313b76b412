"""Assembles a registry process: log, state, formats, service, ASGI app, and uvicorn."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.error
import urllib.request
from email.message import Message
from typing import Protocol

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from compat.avro import AvroFormat
from compat.jsonschema import JsonSchemaFormat
from compat.plugins import Formats
from compat.protobuf import ProtobufFormat
from registry.errors import StoreError
from registry.http.app import RegistryApp, create_app
from registry.log.base import Log
from registry.service import RegistryService
from registry.settings import Settings
from registry.store import Store

logger = logging.getLogger(__name__)


def default_formats() -> Formats:
    """The schema formats this build of Cairn supports."""
    return Formats([AvroFormat(), JsonSchemaFormat(), ProtobufFormat()])


class ReplayProgress:
    """Logs how far a start-up replay got, at most every `interval_s` seconds."""

    def __init__(self, target: int, started: float, *, interval_s: float = 2.0) -> None:
        self._target = target
        self._started = started
        self._interval_s = interval_s
        self._last = started

    def __call__(self, next_offset: int) -> None:
        now = time.perf_counter()
        if now - self._last < self._interval_s:
            return
        self._last = now
        logger.info(
            "replaying the log: offset %d of %d (%.0f%%) after %.1f s",
            next_offset,
            self._target,
            100.0 * next_offset / max(self._target, 1),
            now - self._started,
        )


def build_service(log: Log, settings: Settings, formats: Formats | None = None) -> RegistryService:
    """Replay the log into a fresh state and return a service over it."""
    store = Store(log)
    started = time.perf_counter()
    store.catch_up(ReplayProgress(log.end_offset(), started))
    logger.info(
        "replayed %d records in %.3f s (%d skipped)",
        store.state.next_offset,
        time.perf_counter() - started,
        store.state.skipped_records,
    )
    return RegistryService(store, formats or default_formats(), settings)


def build_app(
    log: Log,
    settings: Settings,
    formats: Formats | None = None,
    *,
    follow_every_s: float | None = None,
) -> RegistryApp:
    """The ASGI app over `log`; the log is closed when the app shuts down.

    `follow_every_s` is for a log that other processes write too (a Kafka topic): the state
    then keeps applying their records, polling at that interval, while the app runs.
    """
    service = build_service(log, settings, formats)
    if follow_every_s is None:
        return create_app(service, on_shutdown=log.close)
    follower = Follower(service.store, follow_every_s)

    def shutdown() -> None:
        follower.stop()
        log.close()

    return create_app(service, on_startup=follower.start, on_shutdown=shutdown)


def build_cluster_app(
    log: Log,
    settings: Settings,
    leadership: Leadership,
    *,
    follow_every_s: float,
    forward_timeout_s: float,
    formats: Formats | None = None,
) -> LeaderGate:
    """The app of one node among several on a shared log: it follows the log, and its
    writes go through `leadership`'s leader (`LeaderGate`)."""
    app = build_app(log, settings, formats, follow_every_s=follow_every_s)
    return LeaderGate(app, app.service.store, leadership, timeout_s=forward_timeout_s)


class Follower:
    """Runs `Store.follow` as a task of the server's event loop, from startup to shutdown."""

    def __init__(self, store: Store, every_s: float) -> None:
        self._store = store
        self._every_s = every_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start following; called by the app at startup, on the running loop."""
        self._task = asyncio.get_running_loop().create_task(
            self._store.follow(every_s=self._every_s), name="registry-log-follower"
        )

    def stop(self) -> None:
        """Stop following (at shutdown)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None


class Leadership(Protocol):
    """Who may write: this node (the leader) or the node at `leader_url()`."""

    @property
    def is_leader(self) -> bool:
        """Whether this node is the leader."""

    @property
    def term(self) -> int:
        """Changes each time this node becomes the leader (again)."""

    def leader_url(self) -> str | None:
        """The leader's base URL, or None while no leader is known. Must not block."""


#: `GET` here tells which node leads: `{"leader": URL or null, "isLeader": bool}`.
LEADER_PATH = "/v1/metadata/leader"
#: The least time between two warnings about failed forwarding.
WARN_EVERY_S = 5.0
#: Marks a request one node forwarded to another, so it is never forwarded twice.
FORWARDED_HEADER = b"x-cairn-forwarded"
#: Request headers not passed on when forwarding (hop-by-hop or recomputed).
_NOT_FORWARDED = frozenset({b"host", b"content-length", b"connection", b"transfer-encoding"})


def is_write(method: str, path: str) -> bool:
    """Whether a request changes the registry (and so must reach the leader).

    POSTs that only look things up are reads: `/compatibility/...` checks and
    `POST /subjects/{subject}` (is this schema registered?).
    """
    if method in ("PUT", "DELETE"):
        return True
    if method != "POST":
        return False
    parts = [part for part in path.split("/") if part]
    if parts and parts[0] == "compatibility":
        return False
    return not (len(parts) == 2 and parts[0] == "subjects")


class LeaderGate:
    """ASGI middleware sending writes to the leader; reads are served by any node.

    On the leader, the first write after taking office first applies what the log holds:
    the previous leader's last records (its claim on the log is fenced, so no more come).
    On another node a write is forwarded, with the caller's headers (authentication
    included), to the leader's advertised URL, and the leader's answer is returned as it
    is. With no leader known the answer is Confluent's 50004 at once; a leader that cannot
    be reached gives 50003 (a refused connection fails at once; a hung leader after the
    forwarding timeout).
    """

    def __init__(
        self, app: RegistryApp, store: Store, leadership: Leadership, *, timeout_s: float
    ) -> None:
        self._app = app
        self._store = store
        self._leadership = leadership
        self._timeout_s = timeout_s
        self._warned_at = -WARN_EVERY_S
        self._caught_up_term = -1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route writes to the leader; everything else straight to the app."""
        if scope["type"] == "http" and scope["path"] == LEADER_PATH and scope["method"] == "GET":
            await self._describe_leader(send)
            return
        if scope["type"] != "http" or not is_write(scope["method"], scope["path"]):
            await self._app(scope, receive, send)
            return
        if self._leadership.is_leader:
            term = self._leadership.term
            if term != self._caught_up_term:
                # New in office: apply the previous leader's last records before writing.
                # Later, this node is the only writer and reads back its own writes.
                try:
                    await self._store.refresh()
                except StoreError as exc:
                    await _error(send, 50001, exc.message)
                    return
                self._caught_up_term = term
            await self._app(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in _NOT_FORWARDED]
        if any(k.lower() == FORWARDED_HEADER for k, _ in headers):
            await _error(send, 50004, "Unknown leader: the node forwarded to is not the leader")
            return
        url = self._leadership.leader_url()
        if url is None:
            await _error(send, 50004, "Unknown leader: no leader is elected at the moment")
            return
        body = await _read_body(receive)
        target = url.rstrip("/") + scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        request = urllib.request.Request(target, data=body, method=scope["method"])
        for key, value in [*headers, (FORWARDED_HEADER, b"1")]:
            request.add_header(key.decode("latin-1"), value.decode("latin-1"))
        try:
            status, content_type, content = await asyncio.to_thread(
                _forward, request, self._timeout_s
            )
        except OSError as exc:
            self._warn(f"forwarding {request.method} {target} to {url} failed: {exc}")
            await _error(send, 50003, f"Error while forwarding the request to the leader: {exc}")
            return
        await _reply(send, status, content_type, content)

    def _warn(self, message: str) -> None:
        """Log a forwarding failure, at most once per `WARN_EVERY_S` (a dead leader fails
        every request until the election replaces it)."""
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY_S:
            self._warned_at = now
            logger.warning("%s", message)

    async def _describe_leader(self, send: Send) -> None:
        url = self._leadership.leader_url()
        body = {"leader": url, "isLeader": self._leadership.is_leader}
        await _reply(send, 200, b"application/json", json.dumps(body).encode())


def _forward(request: urllib.request.Request, timeout_s: float) -> tuple[int, bytes, bytes]:
    """Send `request`; any HTTP status is an answer to pass back, only I/O failures raise."""
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return response.status, _content_type(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, _content_type(exc.headers), exc.read()


def _content_type(headers: Message) -> bytes:
    return str(headers.get("Content-Type", "application/json")).encode("latin-1")


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _reply(send: Send, status: int, content_type: bytes, content: bytes) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(content)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


async def _error(send: Send, code: int, message: str) -> None:
    body = json.dumps({"error_code": code, "message": message}).encode()
    await _reply(send, 500, b"application/vnd.schemaregistry.v1+json", body)


def serve(app: ASGIApp, settings: Settings) -> None:
    """Run `app` under uvicorn with httptools and uvloop (both come with uvicorn[standard])."""
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        access_log=settings.access_log,
        log_level="info",
        server_header=False,
        lifespan="on",
    )
    uvicorn.Server(config).run()
