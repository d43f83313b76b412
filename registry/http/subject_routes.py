"""`/subjects...` endpoints: registration, lookup, versions and deletion."""

from __future__ import annotations

from typing import Any

from registry.http import views
from registry.http.bodies import schema_request
from registry.http.context import RequestContext
from registry.http.params import flag, integer, optional_flag, page, version
from registry.http.replies import Reply
from registry.http.routing import Handler
from registry.queries import get_version, latest_with_metadata, list_subjects, subject_versions
from registry.state import SubjectVersion
from registry.subjects import WILDCARD

UNLIMITED = 2**31 - 1
REFERENCED_BY_PAGE = 1000


def _render(ctx: RequestContext, found: SubjectVersion) -> Reply | dict[str, Any]:
    fmt = ctx.params.get("format")
    if fmt:
        service = ctx.service
        parsed = service.resolver.parsed(found.schema)
        text = service.formats.get(found.schema.schema_type).render(parsed, fmt)
        if text is not None:
            return views.version_entity(found, text)
    return Reply(views.version_bytes(found))


async def list_all(ctx: RequestContext) -> Any:
    """`GET /subjects`."""
    subjects = list_subjects(
        ctx.service.store.state,
        ctx.params.get("subjectPrefix") or WILDCARD,
        deleted=flag(ctx.params, "deleted"),
        deleted_only=flag(ctx.params, "deletedOnly"),
    )
    offset = integer(ctx.params, "offset", 0)
    return page(subjects, offset, integer(ctx.params, "limit", -1), UNLIMITED)


async def register(ctx: RequestContext) -> Any:
    """`POST /subjects/{s}/versions`: the 8.x response, a superset of `{"id": N}`."""
    registered = await ctx.service.register(
        ctx.args[0],
        schema_request(ctx.json_body(), allow_empty=True),
        normalize=optional_flag(ctx.params, "normalize"),
        force=flag(ctx.params, "force"),
    )
    return Reply(views.registered_bytes(registered))


async def lookup(ctx: RequestContext) -> Any:
    """`POST /subjects/{s}`: which version holds this schema."""
    found = ctx.service.lookup(
        ctx.args[0],
        schema_request(ctx.json_body()),
        normalize=optional_flag(ctx.params, "normalize"),
        deleted=flag(ctx.params, "deleted") or flag(ctx.params, "lookupDeletedSchema"),
    )
    return _render(ctx, found)


async def delete_subject(ctx: RequestContext) -> Any:
    """`DELETE /subjects/{s}`."""
    return await ctx.service.delete_subject(ctx.args[0], permanent=flag(ctx.params, "permanent"))


async def list_versions(ctx: RequestContext) -> Any:
    """`GET /subjects/{s}/versions`."""
    found = subject_versions(
        ctx.service.store.state,
        ctx.args[0],
        deleted=flag(ctx.params, "deleted"),
        deleted_only=flag(ctx.params, "deletedOnly"),
    )
    negative = flag(ctx.params, "deletedAsNegative")
    numbers = [-v.version if negative and v.deleted else v.version for v in found]
    offset = integer(ctx.params, "offset", 0)
    return page(numbers, offset, integer(ctx.params, "limit", -1), UNLIMITED)


def _version(ctx: RequestContext) -> SubjectVersion:
    return get_version(
        ctx.service.store.state,
        ctx.args[0],
        version(ctx.args[1]),
        deleted=flag(ctx.params, "deleted"),
    )


async def get_one(ctx: RequestContext) -> Any:
    """`GET /subjects/{s}/versions/{v}`."""
    return _render(ctx, _version(ctx))


async def get_text(ctx: RequestContext) -> Any:
    """`GET /subjects/{s}/versions/{v}/schema`: the schema text alone."""
    found = _version(ctx)
    fmt = ctx.params.get("format")
    text = None
    if fmt:
        parsed = ctx.service.resolver.parsed(found.schema)
        text = ctx.service.formats.get(found.schema.schema_type).render(parsed, fmt)
    return Reply((found.schema.schema if text is None else text).encode())


async def referenced_by(ctx: RequestContext) -> Any:
    """`GET /subjects/{s}/versions/{v}/referencedby`: ids of schemas referencing it."""
    found = _version(ctx)
    state = ctx.service.store.state
    referrers = state.referrers(found.subject, found.version)
    if not flag(ctx.params, "deleted"):
        referrers = [r for r in referrers if not r.deleted]
    ids = sorted({r.schema.id for r in referrers})
    offset = integer(ctx.params, "offset", 0)
    return page(ids, offset, integer(ctx.params, "limit", -1), REFERENCED_BY_PAGE)


async def delete_version(ctx: RequestContext) -> Any:
    """`DELETE /subjects/{s}/versions/{v}`."""
    number = version(ctx.args[1])
    return await ctx.service.delete_version(
        ctx.args[0], number, permanent=flag(ctx.params, "permanent")
    )


async def by_metadata(ctx: RequestContext) -> Any:
    """`GET /subjects/{s}/metadata`: the newest version matching key/value pairs."""
    keys = ctx.params.getlist("key")
    values = ctx.params.getlist("value")
    found = latest_with_metadata(
        ctx.service.store.state,
        ctx.args[0],
        dict(zip(keys, values, strict=False)),
        deleted=flag(ctx.params, "deleted"),
    )
    return _render(ctx, found)


ROUTES: dict[str, dict[str, Handler]] = {
    "/subjects": {"GET": list_all},
    "/subjects/{}": {"POST": lookup, "DELETE": delete_subject},
    "/subjects/{}/versions": {"GET": list_versions, "POST": register},
    "/subjects/{}/versions/{}": {"GET": get_one, "DELETE": delete_version},
    "/subjects/{}/versions/{}/schema": {"GET": get_text},
    "/subjects/{}/versions/{}/referencedby": {"GET": referenced_by},
    "/subjects/{}/metadata": {"GET": by_metadata},
}
