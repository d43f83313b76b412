"""The ASGI wrapper that authenticates, authorizes and audits requests to the registry app.

It sits directly around `RegistryApp` (inside leader forwarding, so a follower forwards a
write with the caller's credentials untouched and only the leader decides on it). For each
request it matches the route once, reads the route's declared `Access`, and:

* `OPEN` routes pass as they are;
* otherwise the caller must authenticate (401 with `WWW-Authenticate`);
* then the principal needs the declared permission on the route's subject, scope, schema id
  or GUID, or on the registry (403, Confluent's 40301);
* listings get a `may_read` predicate (scope key `MAY_READ_KEY`) to leave out subjects
  the principal may not read.

Writes are audited with the status they got. Without an auth config the gate only audits
(principal `anonymous`), and reads pass without even a route match.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from registry.errors import (
    ForbiddenError,
    MethodNotAllowedError,
    NotFoundError,
    RegistryError,
    UnauthorizedError,
)
from registry.http.app import RegistryApp, error_reply
from registry.http.context import MAY_READ_KEY, REQUEST_ID_KEY, ROUTE_KEY
from registry.http.negotiation import SCHEMA_REGISTRY_V1
from registry.http.params import flag
from registry.http.request_ids import REQUEST_ID_HEADER
from registry.http.responses import send_bytes
from registry.http.routing import Route
from registry.security.access import Access, Permission, Target
from registry.security.audit import ANONYMOUS, AuditLog
from registry.security.authentication import authenticate
from registry.security.config import AuthConfig, AuthConfigSource
from registry.state import StoredSchema
from registry.subjects import QualifiedSubject, config_scope, normalize_subject

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_CONTENT_TYPE = SCHEMA_REGISTRY_V1.encode()
#: Schema-read decisions remembered before the memo starts over.
GRANTS_LIMIT = 65536
_REALM = b'realm="cairn"'


class SecurityGate:
    """Authentication, authorization and auditing around the registry app."""

    def __init__(
        self,
        app: RegistryApp,
        auth: AuthConfigSource | None,
        *,
        audit: AuditLog | None = None,
    ) -> None:
        self._app = app
        #: The registry behind the gate (what the metrics read).
        self.registry = app.registry
        self._state = app.registry.store.state
        self._auth = auth
        self._audit = audit or AuditLog()
        self._schema_grants: dict[
            tuple[str, Target, str | None, str | None], tuple[int, AuthConfig, bool]
        ] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point: lifespan and other scopes pass straight through."""
        if scope["type"] != "http" or (self._auth is None and scope["method"] in ("GET", "HEAD")):
            await self._app(scope, receive, send)
            return
        try:
            route, captured = self._app.router.match(
                scope["method"], scope.get("raw_path") or scope["path"].encode()
            )
        except (NotFoundError, MethodNotAllowedError, RegistryError):
            await self._app(scope, receive, send)  # the app renders the error
            return
        scope[ROUTE_KEY] = (route, captured)
        access = route.access
        if access.target is Target.OPEN:
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        given_id = next((v for k, v in scope["headers"] if k == REQUEST_ID_HEADER), None)
        request_id = self._app.request_ids.for_request(given_id)
        scope[REQUEST_ID_KEY] = request_id  # the app answers with the same id
        raw_query = scope["query_string"]
        query = dict(parse_qsl(raw_query.decode("latin-1"))) if raw_query else {}
        principal = ANONYMOUS
        config = None if self._auth is None else self._auth.current
        try:
            if config is not None:
                principal = (await authenticate(config, scope)).name
                self._authorize(config, principal, route, captured, query, scope)
        except RegistryError as exc:
            if route.writes:
                self._record(principal, route, captured, query, exc.status)
            await self._refuse(send, exc, config, request_id)
            telemetry = self._app.registry.telemetry
            if telemetry is not None:
                elapsed = time.perf_counter() - started
                telemetry.request(route.template, scope["method"], exc.status, elapsed)
            return
        if not route.writes:
            await self._app(scope, receive, send)
            return
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, recording_send)
        finally:
            self._record(principal, route, captured, query, status)

    def _authorize(
        self,
        config: AuthConfig,
        principal: str,
        route: Route,
        captured: list[str],
        query: dict[str, str],
        scope: Scope,
    ) -> None:
        access = route.access
        acl = config.acl
        permission = _permission(access, query)
        target = access.target
        if target is Target.AUTHENTICATED:
            return
        if target is Target.LISTING:
            scope[MAY_READ_KEY] = acl.reader(principal)
            return
        if target in (Target.SUBJECT, Target.SCOPE):
            subject = _subject(route, captured)
            if subject is None:  # a context or the registry
                if target is Target.SCOPE and permission is Permission.READ:
                    return  # registry-wide settings every client reads
                if acl.allows_registry(principal, permission):
                    return
                raise _forbidden(permission, None)
            if acl.allows(principal, permission, subject):
                return
            raise _forbidden(permission, subject)
        if target in (Target.SCHEMA_ID, Target.SCHEMA_GUID):
            if not self._may_read_schema(config, principal, route, captured, query):
                raise _forbidden(Permission.READ, None, what="Schema")
            scope[MAY_READ_KEY] = acl.reader(principal)
            return
        if acl.allows_registry(principal, permission):
            return
        raise _forbidden(permission, None)

    def _may_read_schema(
        self,
        config: AuthConfig,
        principal: str,
        route: Route,
        captured: list[str],
        query: dict[str, str],
    ) -> bool:
        """Whether a subject `principal` may read holds the schema (True when there is no
        such schema: the handler answers 404). Decisions are remembered until the state
        or the config changes: this is on the hottest read path."""
        target = route.access.target
        param = route.raw_param(captured, "guid" if target is Target.SCHEMA_GUID else "id")
        key = (principal, target, param, query.get("subject"))
        offset = self._state.next_offset
        known = self._schema_grants.get(key)
        if known is not None and known[0] == offset and known[1] is config:
            return known[2]
        schemas = self._schemas(route, captured, query)
        queries = self._app.registry.queries
        allowed = schemas is None or any(
            config.acl.allows(principal, Permission.READ, carrier.subject)
            for schema in schemas
            for carrier in queries.carriers(schema, deleted=True)
        )
        if len(self._schema_grants) >= GRANTS_LIMIT:
            self._schema_grants.clear()
        self._schema_grants[key] = (offset, config, allowed)
        return allowed

    def _schemas(
        self, route: Route, captured: list[str], query: dict[str, str]
    ) -> list[StoredSchema] | None:
        queries = self._app.registry.queries
        try:
            if route.access.target is Target.SCHEMA_GUID:
                return queries.by_guid(route.raw_param(captured, "guid") or "")
            schema, _ = queries.schema_by_id(
                int(route.raw_param(captured, "id") or ""), query.get("subject") or None
            )
        except (ValueError, NotFoundError):
            return None
        return [schema]

    def _record(
        self,
        principal: str,
        route: Route,
        captured: list[str],
        query: dict[str, str],
        status: int,
    ) -> None:
        action = route.handler.__name__
        if route.access.admin_if is not None and flag(query, route.access.admin_if):
            action += f"({route.access.admin_if})"
        try:
            subject = _subject(route, captured)
        except RegistryError:
            subject = route.raw_param(captured, "subject") or route.raw_param(captured, "scope")
        if subject is None:
            subject = route.raw_param(captured, "context")
        self._audit.record(principal=principal, action=action, subject=subject, status=status)

    async def _refuse(
        self, send: Send, exc: RegistryError, config: AuthConfig | None, request_id: bytes
    ) -> None:
        status, body = error_reply(exc)
        headers: list[tuple[bytes, bytes]] = [(REQUEST_ID_HEADER, request_id)]
        if isinstance(exc, UnauthorizedError):
            headers.append((b"www-authenticate", b"Basic " + _REALM))
            if config is not None and config.tokens is not None:
                headers.append((b"www-authenticate", b"Bearer " + _REALM))
        await send_bytes(send, status, body, content_type=_CONTENT_TYPE, headers=headers)


def _permission(access: Access, query: dict[str, str]) -> Permission:
    if access.admin_if is not None and flag(query, access.admin_if):
        return Permission.ADMIN
    return access.permission


def _subject(route: Route, captured: list[str]) -> str | None:
    """The stored form of the route's subject; None for a context or the whole registry."""
    if route.access.target is Target.SCOPE:
        scope = config_scope(route.raw_param(captured, "scope"))
        if scope is None or QualifiedSubject.parse(scope).is_context_scope:
            return None
        return scope
    raw = route.raw_param(captured, "subject")
    return None if raw is None else normalize_subject(raw)


def _forbidden(
    permission: Permission, subject: str | None, *, what: str = "Subject"
) -> ForbiddenError:
    operation = permission.value.capitalize()
    if subject is None and what == "Subject":
        return ForbiddenError(f"User is denied operation {operation} on the registry")
    if subject is None:
        return ForbiddenError(f"User is denied operation {operation} on {what}")
    return ForbiddenError(f"User is denied operation {operation} on {what}: {subject}")
