"""The local channel of the processes serving one data directory: writes go to the writer.

The process that writes the log listens on a Unix socket in the data directory
(`ChannelServer`); the other processes hand it the writes they receive (`ChannelForwarder`, a
`Forwarder` for `LeaderGate`). It is not HTTP: the public port may speak TLS and its security
gate expects the caller's connection, so a forwarded write travels as its method, target,
headers, body and the caller's TLS facts, and the writer runs it through its own gate as if
the caller had connected to it. The answer carries the offset the writer had applied, so the
forwarding process applies the log that far before answering (read your writes).

A message is two big-endian 32-bit lengths, a JSON head of that first length and a body of
the second. The socket is only reachable by the data directory's owner (mode 0600).
Connections are kept and reused; one carries one exchange at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from starlette.types import ASGIApp, Message

from registry.http.forwarding import Forwarded, LeaderAnswer
from registry.http.request_ids import REQUEST_ID_HEADER

logger = logging.getLogger(__name__)

#: The socket's name in the data directory.
SOCKET_NAME = "cairn-writer.sock"
#: Longest path a Unix socket address can hold on Linux (108 bytes with the final NUL).
MAX_SOCKET_PATH = 107
#: How long a write waits for a writer to listen (one starting, or taking over).
CONNECT_WAIT_S = 5.0
#: The pause between two attempts to connect meanwhile.
CONNECT_PAUSE_S = 0.01
#: Idle connections a forwarding process keeps to the writer.
POOL_SIZE = 16

#: Answer headers the forwarding process sets itself.
_RECOMPUTED_HEADERS = frozenset({b"content-type", b"content-length", REQUEST_ID_HEADER})

_LENGTHS = struct.Struct(">II")


def socket_path(data_dir: Path) -> Path:
    """Where the writer of `data_dir` listens; a clear error if the path is too long."""
    path = data_dir.resolve() / SOCKET_NAME
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        raise ValueError(
            f"the data directory's path is too long for a local socket ({path}); "
            "choose a shorter --data-dir to run several workers"
        )
    return path


def _encode(head: dict[str, Any], body: bytes) -> bytes:
    encoded = json.dumps(head).encode()
    return _LENGTHS.pack(len(encoded), len(body)) + encoded + body


async def _read(reader: asyncio.StreamReader) -> tuple[dict[str, Any], bytes]:
    head_length, body_length = _LENGTHS.unpack(await reader.readexactly(_LENGTHS.size))
    head = json.loads(await reader.readexactly(head_length))
    return head, await reader.readexactly(body_length)


def _headers(pairs: list[list[str]]) -> list[tuple[bytes, bytes]]:
    return [(key.encode("latin-1"), value.encode("latin-1")) for key, value in pairs]


def _texts(headers: Any) -> list[list[str]]:
    return [[key.decode("latin-1"), value.decode("latin-1")] for key, value in headers]


class ChannelServer:
    """Runs the writes other processes hand over through `app`, in the writing process.

    `applied` tells the offset the registry has applied, sent with every answer.
    """

    def __init__(self, app: ASGIApp, applied: Callable[[], int]) -> None:
        self._app = app
        self._applied = applied
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[asyncio.StreamWriter] = set()

    async def start(self, path: Path) -> None:
        """Listen at `path`, replacing the socket a previous writer left there."""
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        self._server = await asyncio.start_unix_server(self._serve, path)
        os.chmod(path, 0o600)
        logger.info("taking writes from the other workers at %s", path)

    def close(self) -> None:
        """Stop listening and close the connections."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for connection in self._connections:
            connection.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        try:
            while True:
                try:
                    head, body = await _read(reader)
                except asyncio.IncompleteReadError:
                    return
                status, headers, content = await self._run(head, body)
                answer = {"status": status, "headers": _texts(headers), "applied": self._applied()}
                writer.write(_encode(answer, content))
                await writer.drain()
        except (OSError, ValueError) as exc:
            logger.warning("a forwarded write failed: %s", exc)
        finally:
            self._connections.discard(writer)
            writer.close()

    async def _run(
        self, head: dict[str, Any], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Run one request through the app; return its status, headers and body."""
        path, _, query = str(head["target"]).partition("?")
        raw_path = path.encode("latin-1")
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": head["method"],
            "scheme": "https" if head["tls"] is not None else "http",
            "path": unquote(path),
            "raw_path": raw_path,
            "query_string": query.encode("latin-1"),
            "root_path": "",
            "headers": _headers(head["headers"]),
            "client": None,
            "server": None,
            "extensions": {} if head["tls"] is None else {"tls": head["tls"]},
        }
        sent_body = False

        async def receive() -> Message:
            nonlocal sent_body
            if sent_body:
                return {"type": "http.disconnect"}
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}

        status = 500
        headers: list[tuple[bytes, bytes]] = []
        parts: list[bytes] = []

        async def send(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status, headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        await self._app(scope, receive, send)
        return status, headers, b"".join(parts)


class ChannelForwarder:
    """Hands writes to the writer over its local socket (a `Forwarder` for `LeaderGate`)."""

    def __init__(self) -> None:
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def __call__(self, leader: str, request: Forwarded, timeout_s: float) -> LeaderAnswer:
        """Send `request` to the writer listening at the path `leader`; wait for its answer."""
        head = {
            "method": request.method,
            "target": request.target,
            "headers": _texts(request.headers),
            "tls": request.tls,
        }
        data = _encode(head, request.body)
        reader, writer = await self._connection(leader, timeout_s)
        try:
            writer.write(data)
        except (OSError, RuntimeError):
            # A kept connection the writer closed meanwhile; nothing was sent on it.
            writer.close()
            reader, writer = await self._open(leader, timeout_s)
            writer.write(data)
        try:
            answer, body = await asyncio.wait_for(self._exchange(reader, writer), timeout_s)
        except BaseException as exc:
            writer.close()
            if isinstance(exc, asyncio.IncompleteReadError | TimeoutError | RuntimeError):
                raise ConnectionError(f"the writer did not answer: {exc!r}") from exc
            raise
        if len(self._idle) < POOL_SIZE:
            self._idle.append((reader, writer))
        else:
            writer.close()
        headers = _headers(answer["headers"])
        content_type = next(
            (value for key, value in headers if key.lower() == b"content-type"),
            b"application/json",
        )
        passed = tuple(
            (key, value) for key, value in headers if key.lower() not in _RECOMPUTED_HEADERS
        )
        return LeaderAnswer(answer["status"], content_type, body, passed, int(answer["applied"]))

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[dict[str, Any], bytes]:
        await writer.drain()
        return await _read(reader)

    async def _connection(
        self, path: str, timeout_s: float
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while self._idle:
            reader, writer = self._idle.pop()
            # A writer that went away closed its end: such a connection is dropped here.
            if not reader.at_eof() and not writer.is_closing():
                return reader, writer
            writer.close()
        return await self._open(path, timeout_s)

    async def _open(
        self, path: str, timeout_s: float
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """Connect, waiting up to `CONNECT_WAIT_S` for a writer to listen: one is starting,
        or taking over from one that died (nothing has been sent, so waiting is safe)."""
        deadline = time.monotonic() + min(CONNECT_WAIT_S, timeout_s)
        while True:
            try:
                return await asyncio.wait_for(asyncio.open_unix_connection(path), timeout_s)
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    raise
            except TimeoutError as exc:
                raise ConnectionError(f"no connection to the writer at {path}") from exc
            await asyncio.sleep(CONNECT_PAUSE_S)

    def close(self) -> None:
        """Close the idle connections."""
        while self._idle:
            self._idle.pop()[1].close()
