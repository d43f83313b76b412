"""Routing on the raw request path, with named, typed path parameters.

Subjects may contain `/` (sent as `%2F`) and `:`. ASGI servers decode `%2F` before routing,
which would split a subject in two; Cairn matches on `raw_path` and percent-decodes each
segment itself. A route is declared as a template (`/subjects/{subject}/versions/{version}`);
each parameter's name picks its converter (`version` → an int with `latest` = -1, `id` → a
schema id, `scope` → a config/mode scope), so handlers receive typed values by name. Routes
also declare whether they change the registry, which is what decides where a request runs
when several nodes share one log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from registry.errors import (
    BadRequestError,
    InvalidVersionError,
    MethodNotAllowedError,
    NotFoundError,
    SchemaNotFoundError,
)
from registry.subjects import LATEST, config_scope

if TYPE_CHECKING:
    from registry.http.context import RequestContext

Handler = Callable[["RequestContext"], Awaitable[Any]]

_MAX_VERSION = 2**31 - 1


def version_param(raw: str) -> int:
    """A `{version}` segment: `latest` (any case) or -1 mean latest, else 1..2^31-1 (42202)."""
    text = raw.strip()
    if text.lower() == "latest":
        return LATEST
    try:
        number = int(text)
    except ValueError:
        raise InvalidVersionError(raw) from None
    if number == LATEST or 1 <= number <= _MAX_VERSION:
        return number
    raise InvalidVersionError(raw)


def schema_id_param(raw: str) -> int:
    """An `{id}` segment; anything but an integer names no schema (40403, as Confluent)."""
    try:
        return int(raw)
    except ValueError:
        raise SchemaNotFoundError(f"Schema {raw} not found") from None


def context_param(raw: str) -> str:
    """A `{context}` segment: `ctx` and `.ctx` name the same context."""
    return raw if raw.startswith(".") else f".{raw}"


#: Parameter name → converter; any other name is kept as the decoded text.
CONVERTERS: Mapping[str, Callable[[str], Any]] = {
    "version": version_param,
    "id": schema_id_param,
    "scope": config_scope,
    "context": context_param,
}


@dataclass(frozen=True, slots=True)
class Route:
    """A method, a path template split into segments, a handler, and whether it writes.

    A segment is a literal string or, for `{name}`, the parameter's name wrapped in a tuple.
    """

    method: str
    segments: tuple[str | tuple[str], ...]
    handler: Handler
    writes: bool

    def params(self, captured: list[str]) -> dict[str, Any]:
        """The captured, decoded segments converted to typed values by parameter name."""
        names = [seg[0] for seg in self.segments if isinstance(seg, tuple)]
        out: dict[str, Any] = {}
        for name, raw in zip(names, captured, strict=True):
            converter = CONVERTERS.get(name)
            out[name] = raw if converter is None else converter(raw)
        return out


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A handler with whether it changes the registry; reads are the default."""

    handler: Handler
    writes: bool = False


def read(handler: Handler) -> Endpoint:
    """A handler that only reads (any node may answer it)."""
    return Endpoint(handler, writes=False)


def write(handler: Handler) -> Endpoint:
    """A handler that changes the registry (only the leader may run it)."""
    return Endpoint(handler, writes=True)


RouteTable = Mapping[str, Mapping[str, Endpoint]]
"""`{"/subjects/{subject}/versions": {"GET": read(h), "POST": write(h)}}`."""


class Router:
    """Matches (method, raw path) to a route and its captured, decoded segments."""

    def __init__(self, table: RouteTable) -> None:
        self._by_shape: dict[tuple[int, str | None], list[Route]] = {}
        for route in _routes(table):
            head = route.segments[0] if route.segments else ""
            key = (len(route.segments), head if isinstance(head, str) else None)
            self._by_shape.setdefault(key, []).append(route)

    def match(self, method: str, raw_path: bytes) -> tuple[Route, list[str]]:
        """The route and its captured segments; 404 or 405 errors otherwise."""
        path = raw_path.decode("latin-1")
        if path.endswith("/") and len(path) > 1:
            path = path[:-1]
        segments = path[1:].split("/") if path != "/" else []
        head = segments[0] if segments else ""
        candidates = self._by_shape.get((len(segments), head), []) + self._by_shape.get(
            (len(segments), None), []
        )
        allowed = False
        for route in candidates:
            captured = _capture(route.segments, segments)
            if captured is None:
                continue
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                return route, captured
            allowed = True
        if allowed:
            raise MethodNotAllowedError("HTTP 405 Method Not Allowed")
        raise NotFoundError("HTTP 404 Not Found")

    def writes(self, method: str, raw_path: bytes) -> bool:
        """Whether the request changes the registry; unknown paths do not (they are 404s)."""
        try:
            route, _ = self.match(method, raw_path)
        except (NotFoundError, MethodNotAllowedError, BadRequestError):
            return False
        return route.writes


def _capture(pattern: tuple[str | tuple[str], ...], segments: list[str]) -> list[str] | None:
    captured = []
    for expected, actual in zip(pattern, segments, strict=True):
        if isinstance(expected, tuple):
            try:
                captured.append(unquote(actual, errors="strict"))
            except UnicodeDecodeError:
                raise BadRequestError(
                    "The request path is not valid percent-encoded UTF-8"
                ) from None
        elif expected != actual:
            return None
    return captured


def _routes(table: RouteTable) -> list[Route]:
    routes = []
    for template, methods in table.items():
        segments: list[str | tuple[str]] = []
        for part in template.strip("/").split("/"):
            if part.startswith("{") and part.endswith("}"):
                segments.append((part[1:-1],))
            elif part:
                segments.append(part)
        for method, endpoint in methods.items():
            routes.append(Route(method, tuple(segments), endpoint.handler, endpoint.writes))
    return routes
