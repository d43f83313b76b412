"""`/config` and `/mode` endpoints, registry-wide and per scope (subject or `:.ctx:`)."""

from __future__ import annotations

from typing import Any

from registry.http.bodies import config_update, mode_update
from registry.http.context import RequestContext
from registry.http.params import flag
from registry.http.routing import RouteTable, read, write
from registry.security.access import AUTHENTICATED, Access, Permission, Target


async def get_global_config(ctx: RequestContext) -> Any:
    """`GET /config`."""
    return ctx.registry.queries.config(None, default_to_global=True)


async def get_config(ctx: RequestContext) -> Any:
    """`GET /config/{s}`."""
    default = flag(ctx.params, "defaultToGlobal")
    return ctx.registry.queries.config(ctx.path["scope"], default_to_global=default)


async def put_global_config(ctx: RequestContext) -> Any:
    """`PUT /config`."""
    return await ctx.registry.config_mode.set_config(None, config_update(ctx.json_body()))


async def put_config(ctx: RequestContext) -> Any:
    """`PUT /config/{s}`."""
    update = config_update(ctx.json_body())
    return await ctx.registry.config_mode.set_config(ctx.path["scope"], update)


async def delete_global_config(ctx: RequestContext) -> Any:
    """`DELETE /config`."""
    return await ctx.registry.config_mode.delete_config(None)


async def delete_config(ctx: RequestContext) -> Any:
    """`DELETE /config/{s}`."""
    return await ctx.registry.config_mode.delete_config(ctx.path["scope"])


async def get_global_mode(ctx: RequestContext) -> Any:
    """`GET /mode`."""
    return {"mode": ctx.registry.queries.mode(None, default_to_global=True)}


async def get_mode(ctx: RequestContext) -> Any:
    """`GET /mode/{s}`."""
    default = flag(ctx.params, "defaultToGlobal")
    return {"mode": ctx.registry.queries.mode(ctx.path["scope"], default_to_global=default)}


async def put_global_mode(ctx: RequestContext) -> Any:
    """`PUT /mode`."""
    mode = mode_update(ctx.json_body())
    force = flag(ctx.params, "force")
    return {"mode": await ctx.registry.config_mode.set_mode(None, mode, force=force)}


async def put_mode(ctx: RequestContext) -> Any:
    """`PUT /mode/{s}`."""
    mode = mode_update(ctx.json_body())
    force = flag(ctx.params, "force")
    return {"mode": await ctx.registry.config_mode.set_mode(ctx.path["scope"], mode, force=force)}


async def delete_global_mode(ctx: RequestContext) -> Any:
    """`DELETE /mode`."""
    recursive = flag(ctx.params, "recursive")
    return {"mode": await ctx.registry.config_mode.delete_mode(None, recursive=recursive)}


async def delete_mode(ctx: RequestContext) -> Any:
    """`DELETE /mode/{s}`."""
    recursive = flag(ctx.params, "recursive")
    scope = ctx.path["scope"]
    return {"mode": await ctx.registry.config_mode.delete_mode(scope, recursive=recursive)}


#: Reading a scope's config or mode: read on the subject (anyone authenticated for a
#: context or the registry, whose settings every client needs); changing it: admin.
_READ_SCOPE = Access(Permission.READ, Target.SCOPE)
_ADMIN_SCOPE = Access(Permission.ADMIN, Target.SCOPE)
_ADMIN_REGISTRY = Access(Permission.ADMIN, Target.REGISTRY)

ROUTES: RouteTable = {
    "/config": {
        "GET": read(get_global_config, AUTHENTICATED),
        "PUT": write(put_global_config, _ADMIN_REGISTRY),
        "DELETE": write(delete_global_config, _ADMIN_REGISTRY),
    },
    "/config/{scope}": {
        "GET": read(get_config, _READ_SCOPE),
        "PUT": write(put_config, _ADMIN_SCOPE),
        "DELETE": write(delete_config, _ADMIN_SCOPE),
    },
    "/mode": {
        "GET": read(get_global_mode, AUTHENTICATED),
        "PUT": write(put_global_mode, _ADMIN_REGISTRY),
        "DELETE": write(delete_global_mode, _ADMIN_REGISTRY),
    },
    "/mode/{scope}": {
        "GET": read(get_mode, _READ_SCOPE),
        "PUT": write(put_mode, _ADMIN_SCOPE),
        "DELETE": write(delete_mode, _ADMIN_SCOPE),
    },
}
