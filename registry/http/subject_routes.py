"""`/subjects...` endpoints: registration, lookup, versions and deletion."""

from __future__ import annotations

from typing import Any

from registry.http import views
from registry.http.bodies import schema_request, tag_schema_request
from registry.http.context import RequestContext
from registry.http.params import flag, integer, optional_flag, page
from registry.http.replies import Reply
from registry.http.routing import RouteTable, read, write
from registry.security.access import LISTING, Access, Permission, Target
from registry.state import SubjectVersion
from registry.subjects import WILDCARD

UNLIMITED = 2**31 - 1
REFERENCED_BY_PAGE = 1000

_READ = Access(Permission.READ, Target.SUBJECT)
_WRITE = Access(Permission.WRITE, Target.SUBJECT)
#: A soft delete is a write; a permanent one (`?permanent=true`) needs admin.
_DELETE = Access(Permission.WRITE, Target.SUBJECT, admin_if="permanent")


def _render(ctx: RequestContext, found: SubjectVersion) -> Reply | dict[str, Any]:
    text = ctx.registry.queries.render(found.schema, ctx.params.get("format"))
    if text is not None:
        return views.version_entity(found, text)
    return Reply(ctx.memo.version(found))


async def list_all(ctx: RequestContext) -> Any:
    """`GET /subjects`."""
    subjects = ctx.readable(
        ctx.registry.queries.list_subjects(
            ctx.params.get("subjectPrefix") or WILDCARD,
            deleted=flag(ctx.params, "deleted"),
            deleted_only=flag(ctx.params, "deletedOnly"),
        )
    )
    offset = integer(ctx.params, "offset", 0)
    return page(subjects, offset, integer(ctx.params, "limit", -1), UNLIMITED)


async def register(ctx: RequestContext) -> Any:
    """`POST /subjects/{s}/versions`: the 8.x response, a superset of `{"id": N}`."""
    registered = await ctx.registry.registration.register(
        ctx.path["subject"],
        schema_request(ctx.json_body(), allow_empty=True),
        normalize=optional_flag(ctx.params, "normalize"),
        force=flag(ctx.params, "force"),
    )
    return Reply(ctx.memo.registered(registered))


async def modify_tags(ctx: RequestContext) -> Any:
    """`POST /subjects/{s}/versions/{v}/tags`: a new version with schema tags edited."""
    registered = await ctx.registry.tagging.modify_tags(
        ctx.path["subject"], ctx.path["version"], tag_schema_request(ctx.json_body())
    )
    return Reply(ctx.memo.registered(registered))


async def lookup(ctx: RequestContext) -> Any:
    """`POST /subjects/{s}`: which version holds this schema."""
    found = ctx.registry.registration.lookup(
        ctx.path["subject"],
        schema_request(ctx.json_body()),
        normalize=optional_flag(ctx.params, "normalize"),
        deleted=flag(ctx.params, "deleted") or flag(ctx.params, "lookupDeletedSchema"),
    )
    return _render(ctx, found)


async def delete_subject(ctx: RequestContext) -> Any:
    """`DELETE /subjects/{s}`."""
    return await ctx.registry.deletion.delete_subject(
        ctx.path["subject"], permanent=flag(ctx.params, "permanent")
    )


async def list_versions(ctx: RequestContext) -> Any:
    """`GET /subjects/{s}/versions`."""
    found = ctx.registry.queries.subject_versions(
        ctx.path["subject"],
        deleted=flag(ctx.params, "deleted"),
        deleted_only=flag(ctx.params, "deletedOnly"),
    )
    negative = flag(ctx.params, "deletedAsNegative")
    numbers = [-v.version if negative and v.deleted else v.version for v in found]
    offset = integer(ctx.params, "offset", 0)
    return page(numbers, offset, integer(ctx.params, "limit", -1), UNLIMITED)


def _version(ctx: RequestContext) -> SubjectVersion:
    return ctx.registry.queries.get_version(
        ctx.path["subject"], ctx.path["version"], deleted=flag(ctx.params, "deleted")
    )


async def get_one(ctx: RequestContext) -> Any:
    """`GET /subjects/{s}/versions/{v}`."""
    return _render(ctx, _version(ctx))


async def get_text(ctx: RequestContext) -> Any:
    """`GET /subjects/{s}/versions/{v}/schema`: the schema text alone."""
    found = _version(ctx)
    text = ctx.registry.queries.render(found.schema, ctx.params.get("format"))
    return Reply((found.schema.schema if text is None else text).encode())


async def referenced_by(ctx: RequestContext) -> Any:
    """`GET /subjects/{s}/versions/{v}/referencedby`: ids of schemas referencing it."""
    referrers = ctx.registry.queries.referrers(_version(ctx), deleted=flag(ctx.params, "deleted"))
    ids = sorted({r.schema.id for r in referrers})
    offset = integer(ctx.params, "offset", 0)
    return page(ids, offset, integer(ctx.params, "limit", -1), REFERENCED_BY_PAGE)


async def delete_version(ctx: RequestContext) -> Any:
    """`DELETE /subjects/{s}/versions/{v}`."""
    return await ctx.registry.deletion.delete_version(
        ctx.path["subject"], ctx.path["version"], permanent=flag(ctx.params, "permanent")
    )


async def by_metadata(ctx: RequestContext) -> Any:
    """`GET /subjects/{s}/metadata`: the newest version matching key/value pairs."""
    keys = ctx.params.getlist("key")
    values = ctx.params.getlist("value")
    found = ctx.registry.queries.latest_with_metadata(
        ctx.path["subject"],
        dict(zip(keys, values, strict=False)),
        deleted=flag(ctx.params, "deleted"),
    )
    return _render(ctx, found)


ROUTES: RouteTable = {
    "/subjects": {"GET": read(list_all, LISTING)},
    "/subjects/{subject}": {
        # A lookup reads, yet tells whether content is registered: write permission.
        "POST": read(lookup, _WRITE),
        "DELETE": write(delete_subject, _DELETE),
    },
    "/subjects/{subject}/versions": {
        "GET": read(list_versions, _READ),
        "POST": write(register, _WRITE),
    },
    "/subjects/{subject}/versions/{version}": {
        "GET": read(get_one, _READ),
        "DELETE": write(delete_version, _DELETE),
    },
    "/subjects/{subject}/versions/{version}/schema": {"GET": read(get_text, _READ)},
    "/subjects/{subject}/versions/{version}/referencedby": {"GET": read(referenced_by, _READ)},
    "/subjects/{subject}/versions/{version}/tags": {"POST": write(modify_tags, _WRITE)},
    "/subjects/{subject}/metadata": {"GET": read(by_metadata, _READ)},
}
