"""`/config`, `/mode` and `/compatibility` endpoints."""

from __future__ import annotations

from typing import Any

from registry.http.bodies import config_update, mode_update, schema_request
from registry.http.context import RequestContext
from registry.http.params import flag, optional_flag, version
from registry.http.routing import Handler
from registry.subjects import QualifiedSubject


def _scope(raw: str) -> str | None:
    """A config/mode path subject; any spelling of the default context means global."""
    qualified = QualifiedSubject.parse(raw)
    if raw.startswith(":") and qualified.is_default_context and qualified.name == "":
        return None
    return str(qualified)


async def get_global_config(ctx: RequestContext) -> Any:
    """`GET /config`."""
    return ctx.service.get_config(None, default_to_global=True)


async def get_config(ctx: RequestContext) -> Any:
    """`GET /config/{s}`."""
    default = flag(ctx.params, "defaultToGlobal")
    return ctx.service.get_config(_scope(ctx.args[0]), default_to_global=default)


async def put_global_config(ctx: RequestContext) -> Any:
    """`PUT /config`."""
    return await ctx.service.set_config(None, config_update(ctx.json_body()))


async def put_config(ctx: RequestContext) -> Any:
    """`PUT /config/{s}`."""
    return await ctx.service.set_config(_scope(ctx.args[0]), config_update(ctx.json_body()))


async def delete_global_config(ctx: RequestContext) -> Any:
    """`DELETE /config`."""
    return await ctx.service.delete_config(None)


async def delete_config(ctx: RequestContext) -> Any:
    """`DELETE /config/{s}`."""
    return await ctx.service.delete_config(_scope(ctx.args[0]))


async def get_global_mode(ctx: RequestContext) -> Any:
    """`GET /mode`."""
    return {"mode": ctx.service.get_mode(None, default_to_global=True)}


async def get_mode(ctx: RequestContext) -> Any:
    """`GET /mode/{s}`."""
    default = flag(ctx.params, "defaultToGlobal")
    return {"mode": ctx.service.get_mode(_scope(ctx.args[0]), default_to_global=default)}


async def put_global_mode(ctx: RequestContext) -> Any:
    """`PUT /mode`."""
    mode = mode_update(ctx.json_body())
    return {"mode": await ctx.service.set_mode(None, mode, force=flag(ctx.params, "force"))}


async def put_mode(ctx: RequestContext) -> Any:
    """`PUT /mode/{s}`."""
    mode = mode_update(ctx.json_body())
    scope = _scope(ctx.args[0])
    return {"mode": await ctx.service.set_mode(scope, mode, force=flag(ctx.params, "force"))}


async def delete_global_mode(ctx: RequestContext) -> Any:
    """`DELETE /mode`."""
    recursive = flag(ctx.params, "recursive")
    return {"mode": await ctx.service.delete_mode(None, recursive=recursive)}


async def delete_mode(ctx: RequestContext) -> Any:
    """`DELETE /mode/{s}`."""
    recursive = flag(ctx.params, "recursive")
    return {"mode": await ctx.service.delete_mode(_scope(ctx.args[0]), recursive=recursive)}


def _compatibility_reply(ctx: RequestContext, target: int | None) -> Any:
    verbose = flag(ctx.params, "verbose")
    result = ctx.service.test_compatibility(
        ctx.args[0],
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
    return _compatibility_reply(ctx, version(ctx.args[1]))


async def check_versions(ctx: RequestContext) -> Any:
    """`POST /compatibility/subjects/{s}/versions`: the registration's selection."""
    return _compatibility_reply(ctx, None)


ROUTES: dict[str, dict[str, Handler]] = {
    "/config": {"GET": get_global_config, "PUT": put_global_config, "DELETE": delete_global_config},
    "/config/{}": {"GET": get_config, "PUT": put_config, "DELETE": delete_config},
    "/mode": {"GET": get_global_mode, "PUT": put_global_mode, "DELETE": delete_global_mode},
    "/mode/{}": {"GET": get_mode, "PUT": put_mode, "DELETE": delete_mode},
    "/compatibility/subjects/{}/versions": {"POST": check_versions},
    "/compatibility/subjects/{}/versions/{}": {"POST": check_version},
}
