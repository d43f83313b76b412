"""`/dek-registry/v1/keks/...`: Confluent's DEK registry API (KEKs, and DEKs under them).

Who may do what: KEK names and metadata are readable by anyone authenticated (clients look
their KEK up before every first use); creating a KEK, as a producer's encryption rule does,
needs registry-wide write, and changing or deleting one registry-wide admin. DEKs belong to
a subject (the serializer's), so they are checked like the subject's schemas: read to fetch
them, write to create, delete or undelete them, admin for a permanent delete.
"""

from __future__ import annotations

from typing import Any

from registry.http.context import RequestContext
from registry.http.dek_bodies import dek_request, kek_request, kek_update
from registry.http.params import flag, integer, page
from registry.http.replies import Reply
from registry.http.routing import RouteTable, read, write
from registry.security.access import AUTHENTICATED, LISTING, Access, Permission, Target

UNLIMITED = 2**31 - 1
PREFIX = "/dek-registry/v1/keks"
_NO_CONTENT = Reply(b"", status=204)


def _paged(ctx: RequestContext, items: list[Any]) -> list[Any]:
    offset = integer(ctx.params, "offset", 0)
    return page(items, offset, integer(ctx.params, "limit", -1), UNLIMITED)


async def list_keks(ctx: RequestContext) -> Any:
    """`GET /keks`: names, or with `subjectPrefix` those of KEKs with matching DEKs."""
    prefixes = ctx.params.getlist("subjectPrefix")
    names = ctx.registry.keys.kek_names(prefixes, deleted=flag(ctx.params, "deleted"))
    return _paged(ctx, names)


async def create_kek(ctx: RequestContext) -> Any:
    """`POST /keks`."""
    request = kek_request(ctx.json_body())
    test = flag(ctx.params, "testSharing")
    return (await ctx.registry.keys.create_kek(request, test_sharing=test)).to_json()


async def get_kek(ctx: RequestContext) -> Any:
    """`GET /keks/{name}`."""
    return ctx.registry.keys.kek(ctx.path["name"], deleted=flag(ctx.params, "deleted")).to_json()


async def update_kek(ctx: RequestContext) -> Any:
    """`PUT /keks/{name}`."""
    update = kek_update(ctx.json_body())
    test = flag(ctx.params, "testSharing")
    kek = await ctx.registry.keys.update_kek(ctx.path["name"], update, test_sharing=test)
    return kek.to_json()


async def delete_kek(ctx: RequestContext) -> Any:
    """`DELETE /keks/{name}`: soft, or with `permanent=true` for good."""
    await ctx.registry.keys.delete_kek(ctx.path["name"], permanent=flag(ctx.params, "permanent"))
    return _NO_CONTENT


async def undelete_kek(ctx: RequestContext) -> Any:
    """`POST /keks/{name}/undelete`."""
    await ctx.registry.keys.undelete_kek(ctx.path["name"])
    return _NO_CONTENT


async def test_kek(ctx: RequestContext) -> Any:
    """`POST /keks/{name}/test`: can the registry use this shared KEK's KMS key?"""
    return (await ctx.registry.keys.test_kek(ctx.path["name"])).to_json()


async def list_dek_subjects(ctx: RequestContext) -> Any:
    """`GET /keks/{name}/deks`: the subjects with DEKs, those the caller may read."""
    subjects = ctx.registry.keys.dek_subjects(ctx.path["name"], deleted=flag(ctx.params, "deleted"))
    return _paged(ctx, ctx.readable(subjects))


async def create_dek_in_body(ctx: RequestContext) -> Any:
    """`POST /keks/{name}/deks` (Confluent's older form, the subject in the body)."""
    request = dek_request(ctx.json_body())
    dek = await ctx.registry.keys.create_dek(ctx.path["name"], request, rewrap=False)
    return dek.to_json()


async def create_dek(ctx: RequestContext) -> Any:
    """`POST /keks/{name}/deks/{subject}`."""
    request = dek_request(ctx.json_body(), ctx.path["subject"])
    rewrap = flag(ctx.params, "rewrap")
    return (await ctx.registry.keys.create_dek(ctx.path["name"], request, rewrap=rewrap)).to_json()


async def _dek(ctx: RequestContext, version: int) -> Any:
    keys = ctx.registry.keys
    dek = keys.dek(
        ctx.path["name"],
        ctx.path["subject"],
        version,
        ctx.params.get("algorithm"),
        deleted=flag(ctx.params, "deleted"),
    )
    return (await keys.answer(dek)).to_json()


async def get_dek(ctx: RequestContext) -> Any:
    """`GET /keks/{name}/deks/{subject}`: version 1, as Confluent answers."""
    return await _dek(ctx, 1)


async def get_dek_version(ctx: RequestContext) -> Any:
    """`GET /keks/{name}/deks/{subject}/versions/{version}` (`latest` allowed)."""
    return await _dek(ctx, ctx.path["version"])


async def list_dek_versions(ctx: RequestContext) -> Any:
    """`GET /keks/{name}/deks/{subject}/versions`."""
    versions = ctx.registry.keys.dek_versions(
        ctx.path["name"],
        ctx.path["subject"],
        ctx.params.get("algorithm"),
        deleted=flag(ctx.params, "deleted"),
    )
    return _paged(ctx, versions)


async def _delete_deks(ctx: RequestContext, version: int | None) -> Any:
    await ctx.registry.keys.delete_deks(
        ctx.path["name"],
        ctx.path["subject"],
        version,
        ctx.params.get("algorithm"),
        permanent=flag(ctx.params, "permanent"),
    )
    return _NO_CONTENT


async def delete_deks(ctx: RequestContext) -> Any:
    """`DELETE /keks/{name}/deks/{subject}`: every version of the algorithm."""
    return await _delete_deks(ctx, None)


async def delete_dek_version(ctx: RequestContext) -> Any:
    """`DELETE /keks/{name}/deks/{subject}/versions/{version}`."""
    return await _delete_deks(ctx, ctx.path["version"])


async def _undelete_deks(ctx: RequestContext, version: int | None) -> Any:
    await ctx.registry.keys.undelete_deks(
        ctx.path["name"], ctx.path["subject"], version, ctx.params.get("algorithm")
    )
    return _NO_CONTENT


async def undelete_deks(ctx: RequestContext) -> Any:
    """`POST /keks/{name}/deks/{subject}/undelete`."""
    return await _undelete_deks(ctx, None)


async def undelete_dek_version(ctx: RequestContext) -> Any:
    """`POST /keks/{name}/deks/{subject}/versions/{version}/undelete`."""
    return await _undelete_deks(ctx, ctx.path["version"])


_WRITE_REGISTRY = Access(Permission.WRITE, Target.REGISTRY)
_ADMIN_REGISTRY = Access(Permission.ADMIN, Target.REGISTRY)
_READ_SUBJECT = Access(Permission.READ, Target.SUBJECT)
_WRITE_SUBJECT = Access(Permission.WRITE, Target.SUBJECT)
_DELETE_SUBJECT = Access(Permission.WRITE, Target.SUBJECT, admin_if="permanent")
_DEK = PREFIX + "/{name}/deks/{subject}"

ROUTES: RouteTable = {
    PREFIX: {
        "GET": read(list_keks, AUTHENTICATED),
        "POST": write(create_kek, _WRITE_REGISTRY),
    },
    PREFIX + "/{name}": {
        "GET": read(get_kek, AUTHENTICATED),
        "PUT": write(update_kek, _ADMIN_REGISTRY),
        "DELETE": write(delete_kek, _ADMIN_REGISTRY),
    },
    PREFIX + "/{name}/undelete": {"POST": write(undelete_kek, _ADMIN_REGISTRY)},
    # Nothing is written: any node tests its own KMS access.
    PREFIX + "/{name}/test": {"POST": read(test_kek, _WRITE_REGISTRY)},
    PREFIX + "/{name}/deks": {
        "GET": read(list_dek_subjects, LISTING),
        "POST": write(create_dek_in_body, _WRITE_REGISTRY),
    },
    _DEK: {
        "GET": read(get_dek, _READ_SUBJECT),
        "POST": write(create_dek, _WRITE_SUBJECT),
        "DELETE": write(delete_deks, _DELETE_SUBJECT),
    },
    _DEK + "/undelete": {"POST": write(undelete_deks, _WRITE_SUBJECT)},
    _DEK + "/versions": {"GET": read(list_dek_versions, _READ_SUBJECT)},
    _DEK + "/versions/{version}": {
        "GET": read(get_dek_version, _READ_SUBJECT),
        "DELETE": write(delete_dek_version, _DELETE_SUBJECT),
    },
    _DEK + "/versions/{version}/undelete": {"POST": write(undelete_dek_version, _WRITE_SUBJECT)},
}
