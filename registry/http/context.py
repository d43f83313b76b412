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
#: Scope key: the request id a wrapper in front of the app already settled on.
REQUEST_ID_KEY = "cairn.request_id"


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
        return parse_json(self.body)


#: The deepest nesting of arrays and objects a request body may have. Confluent's bodies
#: need four levels (a rule's params inside a rule list inside a rule set); the schema
#: itself is a string, so this limit never constrains a schema.
MAX_BODY_DEPTH = 64


def parse_json(body: bytes) -> Any:
    """`body` as JSON, nested at most `MAX_BODY_DEPTH` deep; 400 for anything else.

    The standard decoder recurses once per level and raises `RecursionError` past the
    interpreter's limit, so a body of a few thousand `[` would otherwise be a 500.
    """
    try:
        value = json.loads(body)
    except ValueError as exc:
        # JSONDecodeError and UnicodeDecodeError, and the plain ValueError of an integer
        # literal longer than the interpreter converts (4300 digits by default).
        raise BadRequestError(f"Unrecognized JSON in request body: {exc}") from exc
    except RecursionError:
        raise _too_deep() from None
    if _depth_exceeds(value, MAX_BODY_DEPTH):
        raise _too_deep()
    return value


def _too_deep() -> BadRequestError:
    return BadRequestError(
        f"The request body nests arrays and objects deeper than {MAX_BODY_DEPTH} levels"
    )


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether `value` nests containers more than `limit` deep (iterative: no recursion)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
