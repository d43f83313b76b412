"""The ASGI application: Starlette for the transport, Confluent's API on top.

One catch-all Starlette route hands every request to Cairn's raw-path router. Errors are
rendered in exactly one place (`_error_reply`): a `RegistryError` becomes Confluent's
`{"error_code", "message"}` body; anything else is logged and answered with a 500 body of
the same shape, never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.errors import PayloadTooLargeError, RegistryError
from registry.http import meta_routes, schema_routes, settings_routes, subject_routes
from registry.http.context import RequestContext
from registry.http.negotiation import SCHEMA_REGISTRY_V1, check_request_type, response_type
from registry.http.replies import Reply
from registry.http.routing import Router, routes_table
from registry.http.views import dump
from registry.service import RegistryService

logger = logging.getLogger(__name__)

_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
_HEADERS = {"Cache-Control": "no-cache, no-store, must-revalidate"}


def build_router() -> Router:
    """Every endpoint of the API."""
    table: dict[str, Any] = {}
    for module in (meta_routes, schema_routes, subject_routes, settings_routes):
        table.update(module.ROUTES)
    return Router(routes_table(table))


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"Request body is larger than the limit of {limit} bytes")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(f"Request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _error_reply(exc: Exception) -> tuple[int, bytes]:
    if isinstance(exc, RegistryError):
        return exc.status, dump({"error_code": exc.error_code, "message": exc.message})
    logger.exception("unhandled error while serving a request", exc_info=exc)
    return 500, dump({"error_code": 500, "message": "Internal Server Error"})


def create_app(
    service: RegistryService,
    *,
    on_startup: Callable[[], Any] | None = None,
    on_shutdown: Callable[[], Any] | None = None,
) -> Starlette:
    """The registry's ASGI app over a ready `RegistryService`."""
    router = build_router()
    limit = service.settings.max_request_bytes

    async def dispatch(request: Request) -> Response:
        scope = request.scope
        media_type = SCHEMA_REGISTRY_V1
        try:
            media_type = response_type(request.headers.get("accept"))
            method = scope["method"]
            raw_path = scope.get("raw_path") or scope["path"].encode()
            handler, args = router.match(method, raw_path)
            body = b""
            if method in ("POST", "PUT"):
                check_request_type(request.headers.get("content-type"))
                body = await _read_body(request, limit)
            result = await handler(RequestContext(service, request.query_params, args, body))
            if isinstance(result, Reply):
                status, payload = result.status, result.body
            else:
                status, payload = 200, dump(result)
        except Exception as exc:
            status, payload = _error_reply(exc)
        if status == 204:
            return Response(status_code=204, headers=_HEADERS)
        return Response(payload, status_code=status, media_type=media_type, headers=_HEADERS)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if on_startup is not None:
            on_startup()
        try:
            yield
        finally:
            if on_shutdown is not None:
                on_shutdown()

    return Starlette(routes=[Route("/{path:path}", dispatch, methods=_METHODS)], lifespan=lifespan)
