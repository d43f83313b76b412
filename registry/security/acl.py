"""Who may do what on which subjects: the `[[acl]]` entries of the auth config.

An entry names a principal (a user name, `cert:CN`, a bearer token's principal, or `*` for
anyone authenticated), a glob over context-qualified subject names (`orders-*`,
`:.staging:*`, `*`), and the permissions it grants. Entries only grant: a request is allowed
when any entry covering its principal grants the permission on its subject. Permissions do
not imply each other, so `admin` alone does not let a principal read.

Registry-wide resources (global config and mode, a context's config and mode, contexts)
belong to no subject: only an entry whose glob is `*` grants them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from registry.security.access import Permission

ANYONE = "*"
ALL_SUBJECTS = "*"
#: Decisions remembered per ACL before the memo starts over (it is rebuilt on reload anyway).
MEMO_LIMIT = 65536


@dataclass(frozen=True, slots=True)
class AclEntry:
    """One `[[acl]]` entry."""

    principal: str
    subjects: str
    permissions: frozenset[Permission]

    def covers(self, principal: str) -> bool:
        """Whether the entry is about `principal`."""
        return self.principal in (ANYONE, principal)


class Acl:
    """The entries of one config, with each (principal, permission, subject) decision
    memoised: a glob match per entry per request would cost more than a cached read."""

    def __init__(self, entries: Iterable[AclEntry]) -> None:
        self.entries = tuple(entries)
        self._memo: dict[tuple[str, Permission, str], bool] = {}
        self._readers: dict[str, Callable[[str], bool]] = {}

    def allows(self, principal: str, permission: Permission, subject: str) -> bool:
        """Whether `principal` has `permission` on `subject` (its stored, qualified form)."""
        key = (principal, permission, subject)
        decision = self._memo.get(key)
        if decision is None:
            decision = any(
                entry.covers(principal)
                and permission in entry.permissions
                and fnmatchcase(subject, entry.subjects)
                for entry in self.entries
            )
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = decision
        return decision

    def allows_registry(self, principal: str, permission: Permission) -> bool:
        """Whether `principal` has `permission` on registry-wide resources."""
        return any(
            entry.covers(principal)
            and permission in entry.permissions
            and entry.subjects == ALL_SUBJECTS
            for entry in self.entries
        )

    def reader(self, principal: str) -> Callable[[str], bool]:
        """A predicate: may `principal` read this subject? (for filtering listings)."""
        found = self._readers.get(principal)
        if found is None:

            def may_read(subject: str) -> bool:
                return self.allows(principal, Permission.READ, subject)

            if len(self._readers) >= MEMO_LIMIT:
                self._readers.clear()
            found = self._readers[principal] = may_read
        return found
