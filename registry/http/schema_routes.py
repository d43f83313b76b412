"""`/schemas...` endpoints: schemas by id, listings and the supported types."""

from __future__ import annotations

from typing import Any

from registry.errors import SchemaNotFoundError
from registry.http import views
from registry.http.context import RequestContext
from registry.http.params import flag, integer, page
from registry.http.replies import Reply
from registry.http.routing import Handler
from registry.queries import list_subjects, schema_by_id
from registry.state import StoredSchema, SubjectVersion

#: Confluent's default and maximum page size for `GET /schemas` and `referencedby`.
SCHEMA_PAGE = 1000
UNLIMITED = 2**31 - 1


def _schema_id(ctx: RequestContext) -> int:
    try:
        return int(ctx.args[0])
    except ValueError:
        raise SchemaNotFoundError(f"Schema {ctx.args[0]} not found") from None


def _render_text(ctx: RequestContext, schema: StoredSchema) -> str | None:
    fmt = ctx.params.get("format")
    if not fmt:
        return None
    service = ctx.service
    parsed = service.resolver.parsed(schema)
    return service.formats.get(schema.schema_type).render(parsed, fmt)


async def get_by_id(ctx: RequestContext) -> Any:
    """`GET /schemas/ids/{id}`."""
    subject = ctx.params.get("subject")
    schema, carrier = schema_by_id(ctx.service.store.state, _schema_id(ctx), subject or None)
    text = _render_text(ctx, schema)
    if carrier is None and text is None and not flag(ctx.params, "fetchMaxId"):
        return Reply(views.schema_string_bytes(schema))
    out = views.schema_string(schema, text, carrier=carrier)
    if flag(ctx.params, "fetchMaxId"):
        out["maxId"] = ctx.service.store.state.max_id(schema.context)
    return out


async def get_text_by_id(ctx: RequestContext) -> Any:
    """`GET /schemas/ids/{id}/schema`: the schema text alone."""
    schema, _ = schema_by_id(ctx.service.store.state, _schema_id(ctx), ctx.params.get("subject"))
    text = _render_text(ctx, schema)
    return Reply((schema.schema if text is None else text).encode())


def _carriers(ctx: RequestContext) -> list[SubjectVersion]:
    state = ctx.service.store.state
    schema, _ = schema_by_id(state, _schema_id(ctx), ctx.params.get("subject"))
    carriers = state.carriers(schema.context, schema.id)
    if not flag(ctx.params, "deleted"):
        carriers = [c for c in carriers if not c.deleted]
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
    state = ctx.service.store.state
    deleted = flag(ctx.params, "deleted")
    latest_only = flag(ctx.params, "latestOnly")
    prefix = ctx.params.get("subjectPrefix", "")
    chosen: list[SubjectVersion] = []
    for subject in list_subjects(state, prefix or ":*:", deleted=deleted):
        versions = sorted(state.versions(subject).values(), key=lambda v: v.version)
        visible = [v for v in versions if deleted or not v.deleted]
        chosen.extend(visible[-1:] if latest_only else visible)
    offset = integer(ctx.params, "offset", 0)
    selected = page(chosen, offset, integer(ctx.params, "limit", -1), SCHEMA_PAGE)
    return Reply(b"[" + b",".join(views.version_bytes(v) for v in selected) + b"]")


def _by_guid(ctx: RequestContext) -> list[StoredSchema]:
    found = ctx.service.store.state.by_guid(ctx.args[0])
    if not found:
        raise SchemaNotFoundError(f"Schema {ctx.args[0]} not found")
    return found


async def get_by_guid(ctx: RequestContext) -> Any:
    """`GET /schemas/guids/{guid}`: the same content in any context."""
    schema = _by_guid(ctx)[0]
    text = _render_text(ctx, schema)
    if text is None:
        return Reply(views.schema_string_bytes(schema))
    return views.schema_string(schema, text)


async def get_ids_by_guid(ctx: RequestContext) -> Any:
    """`GET /schemas/guids/{guid}/ids`: where the content is registered."""
    return [{"context": s.context, "id": s.id} for s in _by_guid(ctx)]


async def schema_types(ctx: RequestContext) -> Any:
    """`GET /schemas/types`."""
    return [t.value for t in ctx.service.formats.supported]


ROUTES: dict[str, dict[str, Handler]] = {
    "/schemas": {"GET": list_schemas},
    "/schemas/types": {"GET": schema_types},
    "/schemas/ids/{}": {"GET": get_by_id},
    "/schemas/ids/{}/schema": {"GET": get_text_by_id},
    "/schemas/ids/{}/subjects": {"GET": get_subjects_by_id},
    "/schemas/ids/{}/versions": {"GET": get_versions_by_id},
    "/schemas/guids/{}": {"GET": get_by_guid},
    "/schemas/guids/{}/ids": {"GET": get_ids_by_guid},
}
