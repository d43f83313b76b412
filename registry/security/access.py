"""What a route needs from its caller: the permission, and what it is checked on.

Each route declares its `Access` next to its handler (`routing.read(h, access=...)`), so
authorization never re-parses paths: the security gate asks the matched route. A route's
permission is separate from whether it writes: a lookup only reads the registry, yet it
reveals whether content is registered, so it asks for `write` as registering does.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Permission(enum.Enum):
    """What an ACL entry grants on the subjects it names; each implies nothing else."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


class Target(enum.Enum):
    """What a permission is checked on."""

    #: Nothing: the route is served without authentication (`GET /`).
    OPEN = "open"
    #: Any authenticated principal (server metadata, schema types).
    AUTHENTICATED = "authenticated"
    #: A listing: any authenticated principal, filtered to the subjects it may read.
    LISTING = "listing"
    #: The `{subject}` path parameter.
    SUBJECT = "subject"
    #: The `{scope}` parameter of config and mode: a subject, or a context or the whole
    #: registry (those are registry-wide resources).
    SCOPE = "scope"
    #: The `{id}` parameter: a subject the principal may read holds the schema.
    SCHEMA_ID = "schema_id"
    #: The `{guid}` parameter: as SCHEMA_ID, for any schema with that content.
    SCHEMA_GUID = "schema_guid"
    #: The registry as a whole (global config and mode, contexts).
    REGISTRY = "registry"


@dataclass(frozen=True, slots=True)
class Access:
    """A route's requirement: `permission` on `target`; `admin_if` names a query flag
    (`permanent`) that raises the requirement to admin when true."""

    permission: Permission
    target: Target
    admin_if: str | None = None


OPEN = Access(Permission.READ, Target.OPEN)
AUTHENTICATED = Access(Permission.READ, Target.AUTHENTICATED)
LISTING = Access(Permission.READ, Target.LISTING)
