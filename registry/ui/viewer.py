"""Who is looking at the pages, and what they may see and change.

Without an auth config the pages are read-only for everyone: a registry left open to reads
should not also take writes from any browser that reaches it. With one, the browser's basic
auth challenge identifies the user (bearer tokens and client certificates work too, as for
the API), listings show only the subjects the user may read, and the write forms appear
where the user's ACL grants `write` on the subject.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from registry.security.access import Permission
from registry.security.acl import Acl
from registry.security.authentication import authenticate
from registry.security.config import AuthConfigSource


@dataclass(frozen=True, slots=True)
class Viewer:
    """The user of one request: `principal` and `acl` are None when authentication is off."""

    principal: str | None = None
    acl: Acl | None = None
    #: Whether this node takes writes at all (a cluster's followers do not).
    writes: bool = True

    @property
    def read_only(self) -> bool:
        """Whether no write of any kind is offered (authentication is off)."""
        return self.acl is None

    @property
    def listing_filter(self) -> Callable[[str], bool] | None:
        """What listings keep (None: everything, and no need to ask per subject)."""
        return None if self.acl is None else self.may_read

    def may_read(self, subject: str) -> bool:
        """Whether the subject shows in listings and its pages open."""
        if self.acl is None or self.principal is None:
            return True
        return self.acl.allows(self.principal, Permission.READ, subject)

    def may_write(self, subject: str) -> bool:
        """Whether the page offers to register under the subject."""
        if self.acl is None or self.principal is None or not self.writes:
            return False
        return self.acl.allows(self.principal, Permission.WRITE, subject)

    def may_admin(self, subject: str) -> bool:
        """Whether the page offers to change the subject's settings."""
        if self.acl is None or self.principal is None or not self.writes:
            return False
        return self.acl.allows(self.principal, Permission.ADMIN, subject)


ANONYMOUS = Viewer()


async def identify(
    auth: AuthConfigSource | None, scope: Mapping[str, Any], *, writes: bool = True
) -> Viewer:
    """The request's viewer; `UnauthorizedError` when authentication is on and fails."""
    if auth is None:
        return ANONYMOUS
    config = auth.current
    principal = await authenticate(config, scope)
    return Viewer(principal.name, config.acl, writes)
