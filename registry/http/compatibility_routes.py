"""`POST /compatibility/...`: would this schema register? A read: nothing is written."""

from __future__ import annotations

from typing import Any

from registry.http.bodies import schema_request
from registry.http.context import RequestContext
from registry.http.params import flag, optional_flag
from registry.http.routing import RouteTable, read
from registry.security.access import Access, Permission, Target

#: A check writes nothing, but it is part of registering: write permission.
_CHECK = Access(Permission.WRITE, Target.SUBJECT)


def _compatibility_reply(ctx: RequestContext, target: int | None) -> Any:
    verbose = flag(ctx.params, "verbose")
    result = ctx.registry.registration.test_compatibility(
        ctx.path["subject"],
        schema_request(ctx.json_body()),
        target,
        normalize=optional_flag(ctx.params, "normalize"),
        verbose=verbose,
    )
    out: dict[str, Any] = {"is_compatible": result.is_compatible}
    if verbose:
        out["messages"] = list(result.messages)
    return out


async def check_version(ctx: RequestContext) -> Any:
    """`POST /compatibility/subjects/{s}/versions/{v}`: against exactly that version."""
    return _compatibility_reply(ctx, ctx.path["version"])


async def check_versions(ctx: RequestContext) -> Any:
    """`POST /compatibility/subjects/{s}/versions`: the registration's selection."""
    return _compatibility_reply(ctx, None)


ROUTES: RouteTable = {
    "/compatibility/subjects/{subject}/versions": {"POST": read(check_versions, _CHECK)},
    "/compatibility/subjects/{subject}/versions/{version}": {"POST": read(check_version, _CHECK)},
}
