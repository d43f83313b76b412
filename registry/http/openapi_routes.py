"""`GET /openapi.json`: the OpenAPI 3 description of the API this server answers."""

from __future__ import annotations

from typing import Any

from registry.http.context import RequestContext
from registry.http.meta_routes import VERSION
from registry.http.openapi import openapi_spec
from registry.http.routing import RouteTable, read
from registry.security.access import OPEN


async def get_openapi(ctx: RequestContext) -> Any:
    """`GET /openapi.json` (built per request: it is asked for rarely, and is cheap to build)."""
    return openapi_spec(VERSION)


#: Open, like the health endpoints: it describes the API, not the registry's content.
ROUTES: RouteTable = {"/openapi.json": {"GET": read(get_openapi, OPEN)}}
