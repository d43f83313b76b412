"""What a handler gets: the registry's services, the query, typed path parameters, the body."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams

from registry.errors import BadRequestError
from registry.http.views import ResponseMemo
from registry.services import Registry

#: The ASGI scope key under which the security gate leaves `may_read` for the handlers.
MAY_READ_KEY = "cairn.may_read"
#: The ASGI scope key under which a wrapper that already matched the route leaves
#: `(route, captured)`, so the app does not match it again.
ROUTE_KEY = "cairn.route"


def anyone_may_read(subject: str) -> bool:
    """Without authorization every subject is readable."""
    return True


@dataclass(frozen=True, slots=True)
class RequestContext:
    """One request, as the handlers see it.

    `path` holds the route's parameters by name, already converted (`version` and `id` are
    ints, `scope` is a config scope or None); `memo` keeps rendered responses of stored
    entities so repeated reads send the same bytes without rendering them again;
    `may_read` tells which subjects the caller may read, for listings to leave out others.
    """

    registry: Registry
    memo: ResponseMemo
    params: QueryParams
    path: Mapping[str, Any]
    body: bytes
    may_read: Callable[[str], bool] = anyone_may_read

    def readable(self, subjects: Iterable[str]) -> list[str]:
        """`subjects` without those the caller may not read."""
        may_read = self.may_read
        return [s for s in subjects if may_read(s)]

    def json_body(self) -> Any:
        """The body parsed as JSON; 400 with the parser's message when it is not JSON."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadRequestError(f"Unrecognized JSON in request body: {exc}") from exc
