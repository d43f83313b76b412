"""Several nodes on one log: writes go to the leader, reads are served by any node.

`LeaderGate` wraps the registry app. A write on the leader runs locally after the node has
applied what the log holds; a write on a follower is forwarded, with the caller's headers
(authentication included), to the leader's advertised URL, and the leader's answer is passed
back unchanged. How the leader is reached is a `Forwarder`: HTTP for nodes on a Kafka topic,
a local socket for the worker processes of one data directory (`registry.http.writer_channel`).
A leader that says which offset it had applied when it answered gets read-your-writes on the
forwarding node too: the node applies the log that far before passing the answer back.
Failures are Confluent's codes: 50004 when no leader is known, 50003 when the
leader cannot be reached.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import Message
from typing import Any, Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from registry.errors import RegistryError, RequestForwardingError, StoreError, UnknownLeaderError
from registry.http.app import RegistryApp, error_reply
from registry.http.negotiation import SCHEMA_REGISTRY_V1
from registry.http.request_ids import REQUEST_ID_HEADER
from registry.http.responses import Header, content_length, read_body, send_bytes

logger = logging.getLogger(__name__)


class Leadership(Protocol):
    """Who may write: this node (the leader) or the node at `leader_url()`."""

    @property
    def is_leader(self) -> bool:
        """Whether this node is the leader."""

    @property
    def term(self) -> int:
        """Changes each time this node becomes the leader (again)."""

    def leader_url(self) -> str | None:
        """Where the leader is (a base URL, or what the gate's `Forwarder` understands), or
        None while no leader is known. Must not block."""


#: `GET` here tells which node leads: `{"leader": URL or null, "isLeader": bool}`.
LEADER_PATH = "/v1/metadata/leader"
#: The least time between two warnings about failed forwarding.
WARN_EVERY_S = 5.0
#: Marks a request one node forwarded to another, so it is never forwarded twice.
FORWARDED_HEADER = b"x-cairn-forwarded"
#: The pause between two reads of the log while applying a write the leader made.
APPLY_PAUSE_S = 0.001
#: Request headers not passed on when forwarding (hop-by-hop or recomputed).
_NOT_FORWARDED = frozenset({b"host", b"content-length", b"connection", b"transfer-encoding"})


@dataclass(frozen=True, slots=True)
class Forwarded:
    """A write on its way to the leader, with the caller's headers as they came."""

    method: str
    #: The raw path and query string.
    target: str
    headers: tuple[Header, ...]
    body: bytes
    #: The ASGI TLS extension of the caller's connection (its client certificate), if any.
    tls: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class LeaderAnswer:
    """The leader's answer to a forwarded write, passed back as it is."""

    status: int
    content_type: bytes
    body: bytes
    headers: tuple[Header, ...]
    #: The offset the leader had applied when it answered, if it says: the forwarding node
    #: applies the log that far before passing the answer back.
    applied: int | None = None


class Forwarder(Protocol):
    """How a node reaches the leader: HTTP to its URL, or a local socket."""

    async def __call__(self, leader: str, request: Forwarded, timeout_s: float) -> LeaderAnswer:
        """The leader's answer; `OSError` if the leader cannot be reached in time."""


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
        self,
        app: RegistryApp,
        leadership: Leadership,
        *,
        timeout_s: float,
        local: ASGIApp | None = None,
        forward: Forwarder | None = None,
    ) -> None:
        self._app = app
        self.registry = app.registry
        #: What serves requests this node answers itself: `app`, or a wrapper around it
        #: (the security gate, which then sees only reads and the leader's own writes).
        self._local: ASGIApp = app if local is None else local
        self._store = app.registry.store
        self._telemetry = app.registry.telemetry
        self._leadership = leadership
        self._timeout_s = timeout_s
        #: How the leader is reached (None: HTTP to its URL).
        self._forward = forward or forward_over_http
        self._warned_at = -WARN_EVERY_S
        self._caught_up_term = -1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route writes to the leader; everything else straight to the app."""
        if scope["type"] == "http" and scope["path"] == LEADER_PATH and scope["method"] == "GET":
            await self._describe_leader(send)
            return
        if scope["type"] != "http" or not self._app.router.writes(
            scope["method"], scope.get("raw_path") or scope["path"].encode()
        ):
            await self._local(scope, receive, send)
            return
        if self._leadership.is_leader:
            term = self._leadership.term
            if term != self._caught_up_term:
                # New in office: apply the previous leader's last records before writing.
                # Later, this node is the only writer and reads back its own writes.
                try:
                    await self._store.refresh()
                except StoreError as exc:
                    await _error(send, exc)
                    return
                self._caught_up_term = term
            await self._local(scope, receive, send)
            return
        given_id = next((v for k, v in scope["headers"] if k.lower() == REQUEST_ID_HEADER), None)
        request_id = self._app.request_ids.for_request(given_id)
        # The leader logs and echoes the same id as this node.
        headers = [
            (k, v)
            for k, v in scope["headers"]
            if k.lower() not in _NOT_FORWARDED and k.lower() != REQUEST_ID_HEADER
        ]
        headers.append((REQUEST_ID_HEADER, request_id))
        echo = ((REQUEST_ID_HEADER, request_id),)
        if any(k.lower() == FORWARDED_HEADER for k, _ in headers):
            await _error(
                send,
                UnknownLeaderError("Unknown leader: the node forwarded to is not the leader"),
                echo,
            )
            return
        url = self._leadership.leader_url()
        if self._telemetry is not None:
            self._telemetry.forwarded_requests += 1
        if url is None:
            self._forwarding_failed()
            await _error(
                send, UnknownLeaderError("Unknown leader: no leader is elected at the moment"), echo
            )
            return
        try:
            body = await read_body(
                receive,
                limit=self._app.body_limit,
                declared_length=content_length(scope["headers"]),
            )
        except RegistryError as exc:
            await _error(send, exc, echo)
            return
        target = scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        request = Forwarded(
            method=scope["method"],
            target=target,
            headers=(*headers, (FORWARDED_HEADER, b"1")),
            body=body,
            tls=scope.get("extensions", {}).get("tls"),
        )
        try:
            answer = await self._forward(url, request, self._timeout_s)
        except OSError as exc:
            self._forwarding_failed()
            self._warn(f"forwarding {request.method} {target} to {url} failed: {exc}")
            await _error(
                send,
                RequestForwardingError(f"Error while forwarding the request to the leader: {exc}"),
                echo,
            )
            return
        if answer.applied is not None:
            await self._apply_through(answer.applied)
        await send_bytes(
            send,
            answer.status,
            answer.body,
            content_type=answer.content_type,
            headers=[*echo, *answer.headers],
        )

    async def _apply_through(self, applied: int) -> None:
        """Apply the log up to the leader's `applied` offset, so that this node's next read
        shows the write it just passed back (read your writes on every node)."""
        store = self._store
        deadline = time.monotonic() + self._timeout_s
        while store.state.next_offset < applied:
            try:
                await store.refresh()
            except StoreError as exc:
                self._warn(f"applying the leader's write failed: {exc}")
                return
            if store.state.next_offset >= applied:
                return
            if time.monotonic() > deadline:
                self._warn(f"the log did not show offset {applied - 1} the leader wrote")
                return
            await asyncio.sleep(APPLY_PAUSE_S)

    def _forwarding_failed(self) -> None:
        if self._telemetry is not None:
            self._telemetry.forwarding_errors += 1

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
        await send_bytes(send, 200, json.dumps(body).encode(), content_type=b"application/json")


#: Response headers passed back from the leader besides the content type (the leader's
#: authentication challenge must reach the caller).
_PASSED_BACK = ("WWW-Authenticate",)


async def forward_over_http(leader: str, request: Forwarded, timeout_s: float) -> LeaderAnswer:
    """Send `request` to the leader at the base URL `leader` (nodes on a Kafka topic)."""
    http_request = urllib.request.Request(
        leader.rstrip("/") + request.target, data=request.body, method=request.method
    )
    for key, value in request.headers:
        http_request.add_header(key.decode("latin-1"), value.decode("latin-1"))
    return await asyncio.to_thread(_forward, http_request, timeout_s)


def _forward(request: urllib.request.Request, timeout_s: float) -> LeaderAnswer:
    """Send `request`; any HTTP status is an answer to pass back, only I/O failures raise."""
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return LeaderAnswer(
                response.status,
                _content_type(response.headers),
                response.read(),
                _passed_back(response.headers),
            )
    except urllib.error.HTTPError as exc:
        with exc:
            return LeaderAnswer(
                exc.code, _content_type(exc.headers), exc.read(), _passed_back(exc.headers)
            )


def _passed_back(headers: Message) -> tuple[Header, ...]:
    return tuple(
        (name.lower().encode("latin-1"), str(value).encode("latin-1"))
        for name in _PASSED_BACK
        for value in headers.get_all(name) or ()
    )


def _content_type(headers: Message) -> bytes:
    return str(headers.get("Content-Type", "application/json")).encode("latin-1")


async def _error(send: Send, error: RegistryError, headers: Sequence[Header] = ()) -> None:
    status, body = error_reply(error)
    await send_bytes(send, status, body, content_type=SCHEMA_REGISTRY_V1.encode(), headers=headers)
