"""Server metadata, contexts, and the association lookup clients make by default."""

from __future__ import annotations

from typing import Any

from registry.http.context import RequestContext
from registry.http.params import integer, page
from registry.http.replies import Reply
from registry.http.routing import RouteTable, read, write
from registry.security.access import AUTHENTICATED, OPEN, Access, Permission, Target

VERSION = "0.1.0"
UNLIMITED = 2**31 - 1


async def root(ctx: RequestContext) -> Any:
    """`GET /` and `POST /`: liveness, an empty object."""
    return Reply(b"{}")


async def cluster_id(ctx: RequestContext) -> Any:
    """`GET /v1/metadata/id`."""
    settings = ctx.registry.settings
    return {
        "id": "",
        "scope": {
            "path": [],
            "clusters": {
                "kafka-cluster": settings.cluster_id,
                "schema-registry-cluster": settings.group_id,
            },
        },
    }


async def leader(ctx: RequestContext) -> Any:
    """`GET /v1/metadata/leader` of a single node: this node leads, as a lone Confluent node
    does (`{"leader": URL, "isLeader": true}`, the answer every node of a cluster gives).

    Nodes sharing a Kafka topic answer in `forwarding.LeaderGate` before the request gets
    here. The URL is the one a cluster node advertises by default: `http://HOST:PORT`.
    """
    settings = ctx.registry.settings
    return {"leader": f"http://{settings.host}:{settings.port}", "isLeader": True}


async def server_version(ctx: RequestContext) -> Any:
    """`GET /v1/metadata/version`."""
    return {"version": VERSION, "commitId": ""}


async def list_contexts(ctx: RequestContext) -> Any:
    """`GET /contexts`: the default context first, then every context ever written."""
    prefix = ctx.params.get("contextPrefix", "")
    contexts = [c for c in ctx.registry.queries.contexts() if c.startswith(prefix)]
    offset = integer(ctx.params, "offset", 0)
    return page(contexts, offset, integer(ctx.params, "limit", -1), UNLIMITED)


async def delete_context(ctx: RequestContext) -> Any:
    """`DELETE /contexts/{ctx}`: only an empty context; 204 with no body."""
    await ctx.registry.contexts.delete_context(ctx.path["context"])
    return Reply(b"", status=204)


async def associations(ctx: RequestContext) -> Any:
    """`GET /associations/resources/{ns}/{name}`: Cairn keeps no associations.

    confluent-kafka >= 2.14 asks this before falling back to the topic-name strategy;
    an empty list makes that fallback clean.
    """
    return Reply(b"[]")


ROUTES: RouteTable = {
    # Clients and load balancers probe `/` to see the server is up: it stays open.
    "/": {"GET": read(root, OPEN), "POST": read(root, OPEN)},
    "/v1/metadata/id": {"GET": read(cluster_id, AUTHENTICATED)},
    "/v1/metadata/version": {"GET": read(server_version, AUTHENTICATED)},
    "/v1/metadata/leader": {"GET": read(leader, AUTHENTICATED)},
    "/contexts": {"GET": read(list_contexts, AUTHENTICATED)},
    "/contexts/{context}": {
        "DELETE": write(delete_context, Access(Permission.ADMIN, Target.REGISTRY))
    },
    "/associations/resources/{namespace}/{name}": {"GET": read(associations, AUTHENTICATED)},
}
