"""The ASGI application: Confluent's API over a lean dispatcher.

Requests are routed on the raw path by Cairn's own router, so the framework's routing and
middleware layers are not on the hot path: with them, a cached read cost about twice the
CPU of the work itself (measured with `bench/read_path.py`). Starlette's data structures
parse the query string. Errors are rendered in exactly one place (`error_reply`): a
`RegistryError` becomes Confluent's `{"error_code", "message"}` body; anything else is
logged and answered with a 500 body of the same shape, never a stack trace.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.errors import MethodNotAllowedError, RegistryError
from registry.http import (
    compatibility_routes,
    config_routes,
    dek_routes,
    meta_routes,
    openapi_routes,
    schema_routes,
    subject_routes,
)
from registry.http.context import (
    MAY_READ_KEY,
    REQUEST_ID_KEY,
    ROUTE_KEY,
    RequestContext,
    anyone_may_read,
)
from registry.http.negotiation import SCHEMA_REGISTRY_V1, check_request_type, response_type
from registry.http.replies import Reply
from registry.http.request_ids import REQUEST_ID_HEADER, RequestIds
from registry.http.responses import read_body, send_bytes
from registry.http.routing import Endpoint, Router
from registry.http.views import ResponseMemo, dump
from registry.services import Registry

logger = logging.getLogger(__name__)

_NO_QUERY = QueryParams("")
_CACHE_CONTROL = ((b"cache-control", b"no-cache, no-store, must-revalidate"),)
_BODY_METHODS = frozenset({"POST", "PUT"})
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
#: The route label of requests that match no route (404s, 405s), so that probing random
#: paths cannot create one time series per path.
UNMATCHED_ROUTE = "(unmatched)"


def build_router() -> Router:
    """Every endpoint of the API."""
    table: dict[str, dict[str, Endpoint]] = {}
    for module in (
        meta_routes,
        schema_routes,
        subject_routes,
        config_routes,
        compatibility_routes,
        dek_routes,
        openapi_routes,
    ):
        for template, methods in module.ROUTES.items():
            table.setdefault(template, {}).update(methods)
    return Router(table)


def error_reply(exc: Exception) -> tuple[int, bytes]:
    """The status and Confluent body for `exc`: the one place errors become responses."""
    if isinstance(exc, RegistryError):
        return exc.status, dump({"error_code": exc.error_code, "message": exc.message})
    logger.exception("unhandled error while serving a request", exc_info=exc)
    return 500, dump({"error_code": 500, "message": "Internal Server Error"})


class RegistryApp:
    """The registry's ASGI application over ready services."""

    def __init__(
        self,
        registry: Registry,
        *,
        on_startup: Callable[[], Any] | None = None,
        on_shutdown: Callable[[], Any] | None = None,
    ) -> None:
        self.registry = registry
        self.router = build_router()
        self.memo = ResponseMemo()
        self.body_limit = registry.settings.max_request_bytes
        self._telemetry = registry.telemetry
        self.request_ids = RequestIds()
        self._on_startup = on_startup
        self._on_shutdown = on_shutdown
        self._mounts: tuple[tuple[str, ASGIApp], ...] = ()

    def mount(self, prefix: str, app: ASGIApp) -> None:
        """Serve `app` for paths at or under `prefix` (`/ui`) that no API route matches.

        It is looked at only once the router has found no route, so API requests never
        pay for it; it gets the request as it came, behind the same gates as the API.
        """
        self._mounts = (*self._mounts, (prefix, app))

    def _mounted(self, path: str) -> tuple[str, ASGIApp] | None:
        for prefix, app in self._mounts:
            if path == prefix or path.startswith(prefix + "/"):
                return prefix, app
        return None

    async def _serve_mounted(
        self,
        mounted: tuple[str, ASGIApp],
        scope: Scope,
        receive: Receive,
        send: Send,
        request_id: bytes,
        started: float,
    ) -> None:
        """Let a mounted app answer, with the request id echoed and the request counted
        under the mount's prefix (one series for all its pages)."""
        prefix, app = mounted
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", ()), (REQUEST_ID_HEADER, request_id)]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_id)
        if self._telemetry is not None:
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            self._telemetry.request(prefix, method, status, time.perf_counter() - started)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point: HTTP requests and the lifespan protocol."""
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    if self._on_startup is not None:
                        self._on_startup()
                except Exception as exc:
                    logger.exception("start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._on_shutdown is not None:
                    self._on_shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        accept = content_type = content_length = given_id = None
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value.decode("latin-1")
            elif name == b"content-type":
                content_type = value.decode("latin-1")
            elif name == b"content-length":
                content_length = value
            elif name == REQUEST_ID_HEADER:
                given_id = value
        request_id = scope.get(REQUEST_ID_KEY) or self.request_ids.for_request(given_id)
        started = time.perf_counter()
        media_type = SCHEMA_REGISTRY_V1
        method = scope["method"]
        template = UNMATCHED_ROUTE
        extra: tuple[tuple[bytes, bytes], ...] = ()
        try:
            media_type = response_type(accept)
            matched = scope.get(ROUTE_KEY)  # set by the security gate
            route, captured = matched or self.router.match(
                method, scope.get("raw_path") or scope["path"].encode()
            )
            template = route.template
            body = b""
            if method in _BODY_METHODS:
                check_request_type(content_type)
                body = await read_body(
                    receive, limit=self.body_limit, declared_length=content_length
                )
            query = scope["query_string"]
            params = QueryParams(query) if query else _NO_QUERY
            ctx = RequestContext(
                self.registry,
                self.memo,
                params,
                route.params(captured),
                body,
                scope.get(MAY_READ_KEY, anyone_may_read),  # set by the security gate
            )
            result = await route.handler(ctx)
            if isinstance(result, Reply):
                status, payload = result.status, result.body
            else:
                status, payload = 200, dump(result)
        except Exception as exc:
            mounted = self._mounted(scope["path"]) if template is UNMATCHED_ROUTE else None
            if mounted is not None:
                await self._serve_mounted(mounted, scope, receive, send, request_id, started)
                return
            status, payload = error_reply(exc)
            if isinstance(exc, MethodNotAllowedError):
                extra = ((b"allow", ", ".join(exc.allowed).encode()),)
        content_type = None if status == 204 else media_type.encode()
        await send_bytes(
            send,
            status,
            payload,
            content_type=content_type,
            headers=(*_CACHE_CONTROL, (REQUEST_ID_HEADER, request_id), *extra),
        )
        if self._telemetry is not None:
            if template is UNMATCHED_ROUTE and method not in _METHODS:
                method = "OTHER"
            self._telemetry.request(template, method, status, time.perf_counter() - started)


def create_app(
    registry: Registry,
    *,
    on_startup: Callable[[], Any] | None = None,
    on_shutdown: Callable[[], Any] | None = None,
) -> RegistryApp:
    """The registry's ASGI app over ready services."""
    return RegistryApp(registry, on_startup=on_startup, on_shutdown=on_shutdown)
