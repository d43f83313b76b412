"""`/schemas...` endpoints: schemas by id, listings and the supported types."""

from __future__ import annotations

from typing import Any

from registry.http import views
from registry.http.context import RequestContext
from registry.http.params import flag, integer, page
from registry.http.replies import Reply
from registry.http.routing import RouteTable, read
from registry.security.access import AUTHENTICATED, LISTING, Access, Permission, Target
from registry.state import StoredSchema, SubjectVersion

#: Confluent's default and maximum page size for `GET /schemas` and `referencedby`.
SCHEMA_PAGE = 1000
UNLIMITED = 2**31 - 1

#: Readable when a subject the principal may read holds the schema.
_BY_ID = Access(Permission.READ, Target.SCHEMA_ID)
_BY_GUID = Access(Permission.READ, Target.SCHEMA_GUID)


async def get_by_id(ctx: RequestContext) -> Any:
    """`GET /schemas/ids/{id}`."""
    queries = ctx.registry.queries
    subject = ctx.params.get("subject")
    schema, carrier = queries.schema_by_id(ctx.path["id"], subject or None)
    fmt = ctx.params.get("format")
    text = queries.render(schema, fmt) if fmt else None
    fetch_max_id = flag(ctx.params, "fetchMaxId")
    if carrier is None and text is None and not fetch_max_id:
        return Reply(ctx.memo.schema_string(schema))
    out = views.schema_string(schema, text, carrier=carrier)
    if fetch_max_id:
        out["maxId"] = queries.max_id(schema.context)
    return out


async def get_text_by_id(ctx: RequestContext) -> Any:
    """`GET /schemas/ids/{id}/schema`: the schema text alone."""
    queries = ctx.registry.queries
    schema, _ = queries.schema_by_id(ctx.path["id"], ctx.params.get("subject"))
    text = queries.render(schema, ctx.params.get("format"))
    return Reply((schema.schema if text is None else text).encode())


def _carriers(ctx: RequestContext) -> list[SubjectVersion]:
    queries = ctx.registry.queries
    schema, _ = queries.schema_by_id(ctx.path["id"], ctx.params.get("subject"))
    carriers = queries.carriers(schema, deleted=flag(ctx.params, "deleted"))
    carriers = [c for c in carriers if ctx.may_read(c.subject)]
    offset = integer(ctx.params, "offset", 0)
    return page(carriers, offset, integer(ctx.params, "limit", -1), UNLIMITED)


async def get_subjects_by_id(ctx: RequestContext) -> Any:
    """`GET /schemas/ids/{id}/subjects`."""
    return list(dict.fromkeys(c.subject for c in _carriers(ctx)))


async def get_versions_by_id(ctx: RequestContext) -> Any:
    """`GET /schemas/ids/{id}/versions`."""
    return [{"subject": c.subject, "version": c.version} for c in _carriers(ctx)]


async def list_schemas(ctx: RequestContext) -> Any:
    """`GET /schemas`: versions of matching subjects, by subject then version."""
    chosen = ctx.registry.queries.list_schemas(
        ctx.params.get("subjectPrefix", ""),
        deleted=flag(ctx.params, "deleted"),
        latest_only=flag(ctx.params, "latestOnly"),
    )
    chosen = [v for v in chosen if ctx.may_read(v.subject)]
    offset = integer(ctx.params, "offset", 0)
    selected = page(chosen, offset, integer(ctx.params, "limit", -1), SCHEMA_PAGE)
    return Reply(b"[" + b",".join(ctx.memo.version(v) for v in selected) + b"]")


def _by_guid(ctx: RequestContext) -> list[StoredSchema]:
    return ctx.registry.queries.by_guid(ctx.path["guid"])


async def get_by_guid(ctx: RequestContext) -> Any:
    """`GET /schemas/guids/{guid}`: the same content in any context."""
    schema = _by_guid(ctx)[0]
    text = ctx.registry.queries.render(schema, ctx.params.get("format"))
    if text is None:
        return Reply(ctx.memo.schema_string(schema))
    return views.schema_string(schema, text)


async def get_ids_by_guid(ctx: RequestContext) -> Any:
    """`GET /schemas/guids/{guid}/ids`: where the content is registered."""
    return [{"context": s.context, "id": s.id} for s in _by_guid(ctx)]


async def schema_types(ctx: RequestContext) -> Any:
    """`GET /schemas/types`."""
    return [t.value for t in ctx.registry.queries.schema_types()]


ROUTES: RouteTable = {
    "/schemas": {"GET": read(list_schemas, LISTING)},
    "/schemas/types": {"GET": read(schema_types, AUTHENTICATED)},
    "/schemas/ids/{id}": {"GET": read(get_by_id, _BY_ID)},
    "/schemas/ids/{id}/schema": {"GET": read(get_text_by_id, _BY_ID)},
    "/schemas/ids/{id}/subjects": {"GET": read(get_subjects_by_id, _BY_ID)},
    "/schemas/ids/{id}/versions": {"GET": read(get_versions_by_id, _BY_ID)},
    "/schemas/guids/{guid}": {"GET": read(get_by_guid, _BY_GUID)},
    "/schemas/guids/{guid}/ids": {"GET": read(get_ids_by_guid, _BY_GUID)},
}
