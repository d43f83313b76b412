"""Routing on the raw request path, so subjects may contain `/` (sent as `%2F`) and `:`.

ASGI servers decode `%2F` before routing, which would split a subject in two; Cairn matches
on `raw_path` and percent-decodes each segment itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from registry.errors import BadRequestError, MethodNotAllowedError, NotFoundError

if TYPE_CHECKING:
    from registry.http.context import RequestContext

Handler = Callable[["RequestContext"], Awaitable[Any]]
PARAM = None
"""A path segment that captures a value."""


@dataclass(frozen=True, slots=True)
class Route:
    """A method and a segment pattern (strings match literally, PARAM captures)."""

    method: str
    pattern: tuple[str | None, ...]
    handler: Handler


class Router:
    """Matches (method, raw path) to a handler and its captured, decoded segments."""

    def __init__(self, routes: list[Route]) -> None:
        self._by_shape: dict[tuple[int, str | None], list[Route]] = {}
        for route in routes:
            head = route.pattern[0] if route.pattern else ""
            self._by_shape.setdefault((len(route.pattern), head), []).append(route)

    def match(self, method: str, raw_path: bytes) -> tuple[Handler, list[str]]:
        """The handler and captured segments; 404 or 405 errors otherwise."""
        path = raw_path.decode("latin-1")
        if path.endswith("/") and len(path) > 1:
            path = path[:-1]
        segments = path[1:].split("/") if path != "/" else []
        head = segments[0] if segments else ""
        candidates = self._by_shape.get((len(segments), head), []) + self._by_shape.get(
            (len(segments), PARAM), []
        )
        allowed = False
        for route in candidates:
            captured = _capture(route.pattern, segments)
            if captured is None:
                continue
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                return route.handler, captured
            allowed = True
        if allowed:
            raise MethodNotAllowedError("HTTP 405 Method Not Allowed")
        raise NotFoundError("HTTP 404 Not Found")


def _capture(pattern: tuple[str | None, ...], segments: list[str]) -> list[str] | None:
    captured = []
    for expected, actual in zip(pattern, segments, strict=True):
        if expected is PARAM:
            try:
                captured.append(unquote(actual, errors="strict"))
            except UnicodeDecodeError:
                raise BadRequestError(
                    "The request path is not valid percent-encoded UTF-8"
                ) from None
        elif expected != actual:
            return None
    return captured


def routes_table(table: Mapping[str, Mapping[str, Handler]]) -> list[Route]:
    """Build routes from `{"/subjects/{}/versions": {"GET": handler, ...}}`."""
    routes = []
    for path, methods in table.items():
        pattern = tuple(PARAM if seg == "{}" else seg for seg in path.strip("/").split("/") if seg)
        for method, handler in methods.items():
            routes.append(Route(method, pattern, handler))
    return routes
