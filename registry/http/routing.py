"""Routing on the raw request path, with named, typed path parameters.

Subjects may contain `/` (sent as `%2F`) and `:`. ASGI servers decode `%2F` before routing,
which would split a subject in two; Cairn matches on `raw_path` and percent-decodes each
segment itself. A route is declared as a template (`/subjects/{subject}/versions/{version}`);
each parameter's name picks its converter (`version` → an int with `latest` = -1, `id` → a
schema id, `scope` → a config/mode scope), so handlers receive typed values by name. Routes
also declare whether they change the registry, which is what decides where a request runs
when several nodes share one log, and the `Access` they need (a permission and what it is
checked on), which the security gate reads from the matched route.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from registry.errors import (
    BadRequestError,
    InvalidVersionError,
    MethodNotAllowedError,
    NotFoundError,
    SchemaNotFoundError,
)
from registry.security.access import Access, Permission, Target
from registry.subjects import LATEST, config_scope, normalize_subject

if TYPE_CHECKING:
    from registry.http.context import RequestContext

Handler = Callable[["RequestContext"], Awaitable[Any]]

_MAX_VERSION = 2**31 - 1
_NO_PARAMS: Mapping[str, Any] = MappingProxyType({})


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


#: Parameter name → converter; any other name is kept as the decoded text. A subject is
#: normalised, so `:.:orders` (the default context spelt out) names the subject `orders`
#: on every route, as the state stores it.
CONVERTERS: Mapping[str, Callable[[str], Any]] = {
    "subject": normalize_subject,
    "version": version_param,
    "id": schema_id_param,
    "scope": config_scope,
    "context": context_param,
}


_REGISTRY_READ = Access(Permission.READ, Target.REGISTRY)
_REGISTRY_ADMIN = Access(Permission.ADMIN, Target.REGISTRY)

PARAM = None
"""A path segment that captures a parameter's value."""


@dataclass(frozen=True, slots=True)
class Route:
    """A method, a path pattern, a handler, whether it writes, the access it needs, and its
    parameters' converters.

    `template` is the path as declared (`/subjects/{subject}`), the route's name in metrics;
    `pattern` holds literal segments and `PARAM` where a parameter is captured; `converters`
    names those parameters in order, each with its converter (None: the decoded text).
    """

    method: str
    template: str
    pattern: tuple[str | None, ...]
    handler: Handler
    writes: bool
    converters: tuple[tuple[str, Callable[[str], Any] | None], ...]
    access: Access

    def raw_param(self, captured: list[str], name: str) -> str | None:
        """The decoded, unconverted segment captured for parameter `name`, if any."""
        for (param, _), raw in zip(self.converters, captured, strict=True):
            if param == name:
                return raw
        return None

    def params(self, captured: list[str]) -> Mapping[str, Any]:
        """The captured, decoded segments converted to typed values by parameter name."""
        if not captured:
            return _NO_PARAMS
        return {
            name: raw if convert is None else convert(raw)
            for (name, convert), raw in zip(self.converters, captured, strict=True)
        }


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A handler with whether it changes the registry and the access it needs."""

    handler: Handler
    writes: bool = False
    access: Access = _REGISTRY_READ


def read(handler: Handler, access: Access = _REGISTRY_READ) -> Endpoint:
    """A handler that only reads (any node may answer it); unless declared otherwise it
    needs read permission on every subject, so an undeclared route never leaks."""
    return Endpoint(handler, writes=False, access=access)


def write(handler: Handler, access: Access = _REGISTRY_ADMIN) -> Endpoint:
    """A handler that changes the registry (only the leader may run it); unless declared
    otherwise it needs registry-wide admin."""
    return Endpoint(handler, writes=True, access=access)


RouteTable = Mapping[str, Mapping[str, Endpoint]]
"""`{"/subjects/{subject}/versions": {"GET": read(h), "POST": write(h)}}`."""


class Router:
    """Matches (method, raw path) to a route and its captured, decoded segments."""

    def __init__(self, table: RouteTable) -> None:
        self._by_shape: dict[tuple[int, str | None], list[Route]] = {}
        for route in _routes(table):
            head = route.pattern[0] if route.pattern else ""
            self._by_shape.setdefault((len(route.pattern), head), []).append(route)

    def routes(self) -> list[Route]:
        """Every route, in no particular order (for descriptions of the API and their tests)."""
        return [route for routes in self._by_shape.values() for route in routes]

    def match(self, method: str, raw_path: bytes) -> tuple[Route, list[str]]:
        """The route and its captured segments; 404 or 405 errors otherwise."""
        path = raw_path.decode("latin-1")
        if path.endswith("/") and len(path) > 1:
            path = path[:-1]
        segments = path[1:].split("/") if path != "/" else []
        head = segments[0] if segments else ""
        candidates = self._by_shape.get((len(segments), head), []) + self._by_shape.get(
            (len(segments), PARAM), []
        )
        allowed: list[str] = []
        for route in candidates:
            captured = _capture(route.pattern, segments)
            if captured is None:
                continue
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                return route, captured
            allowed.append(route.method)
        if allowed:
            if "GET" in allowed:
                allowed.append("HEAD")
            raise MethodNotAllowedError("HTTP 405 Method Not Allowed", tuple(sorted(allowed)))
        raise NotFoundError("HTTP 404 Not Found")

    def writes(self, method: str, raw_path: bytes) -> bool:
        """Whether the request changes the registry; unknown paths do not (they are 404s)."""
        try:
            route, _ = self.match(method, raw_path)
        except (NotFoundError, MethodNotAllowedError, BadRequestError):
            return False
        return route.writes


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


def _routes(table: RouteTable) -> list[Route]:
    routes = []
    for template, methods in table.items():
        pattern: list[str | None] = []
        converters: list[tuple[str, Callable[[str], Any] | None]] = []
        for part in template.strip("/").split("/"):
            if part.startswith("{") and part.endswith("}"):
                pattern.append(PARAM)
                name = part[1:-1]
                converters.append((name, CONVERTERS.get(name)))
            elif part:
                pattern.append(part)
        for method, endpoint in methods.items():
            routes.append(
                Route(
                    method,
                    template,
                    tuple(pattern),
                    endpoint.handler,
                    endpoint.writes,
                    tuple(converters),
                    endpoint.access,
                )
            )
    return routes
