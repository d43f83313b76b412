"""The subjects list: search by prefix or substring, filter by context, one page at a time.

A registry may hold tens of thousands of subjects, so only names are filtered over the whole
set; the costlier facts (latest version, format, level, mode) are looked up for the rows of
the page shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from compat.types import SchemaType
from registry.services.queries import RegistryQueries
from registry.subjects import DEFAULT_CONTEXT, WILDCARD, QualifiedSubject

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class SubjectRow:
    """One line of the list."""

    subject: str
    context: str
    name: str
    schema_type: SchemaType
    latest: int
    deleted: bool
    level: str
    mode: str


@dataclass(frozen=True, slots=True)
class SubjectPage:
    """The rows of one page, and where it sits among all matches."""

    rows: tuple[SubjectRow, ...]
    total: int
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class SubjectSearch:
    """What the user asked for: `text` matched by prefix or anywhere in the name."""

    text: str = ""
    substring: bool = False
    context: str = ""
    deleted: bool = False
    page: int = 1


def _context_prefix(context: str) -> str:
    if not context:
        return WILDCARD
    return f":{context}:"


def _name(subject: str) -> str:
    """The subject's name within its context (a cheap `QualifiedSubject.parse(s).name`:
    this runs once per subject of the registry)."""
    if subject.startswith(":."):
        end = subject.find(":", 2)
        if end > 0:
            return subject[end + 1 :]
    return subject


def _matches(name: str, search: SubjectSearch) -> bool:
    if search.substring:
        return search.text.lower() in name.lower()
    return name.startswith(search.text)


class SubjectIndex:
    """The sorted subjects of each context filter, with their names, kept until the state
    changes: listing 10,000 subjects costs tens of milliseconds, and people search as they
    type, while the registry rarely changes between two keystrokes."""

    def __init__(self, queries: RegistryQueries, offset: Callable[[], int]) -> None:
        self._queries = queries
        self._offset = offset
        self._at = -1
        self._lists: dict[tuple[str, bool], list[tuple[str, str]]] = {}

    def subjects(self, context: str, *, deleted: bool) -> list[tuple[str, str]]:
        """(subject, name within its context) of every subject the filter keeps, sorted."""
        offset = self._offset()
        if offset != self._at:
            self._lists = {}
            self._at = offset
        key = (context, deleted)
        found = self._lists.get(key)
        if found is None:
            names = self._queries.list_subjects(_context_prefix(context), deleted=deleted)
            found = self._lists[key] = [(s, _name(s)) for s in names]
        return found


def find_subjects(
    index: SubjectIndex,
    queries: RegistryQueries,
    search: SubjectSearch,
    may_read: Callable[[str], bool] | None,
) -> SubjectPage:
    """The page of subjects `search` selects among those `may_read` allows (None: all)."""
    listed = index.subjects(search.context, deleted=search.deleted)
    if search.text:
        matching = [s for s, name in listed if _matches(name, search)]
    else:
        matching = [s for s, _ in listed]
    if may_read is not None:
        matching = [s for s in matching if may_read(s)]
    pages = max(1, -(-len(matching) // PAGE_SIZE))
    page = min(max(1, search.page), pages)
    chosen = matching[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return SubjectPage(tuple(_row(queries, s) for s in chosen), len(matching), page, pages)


def _row(queries: RegistryQueries, subject: str) -> SubjectRow:
    versions = queries.subject_versions(subject, deleted=True)
    live = [v for v in versions if not v.deleted]
    latest = (live or versions)[-1]
    qualified = QualifiedSubject.parse(subject)
    return SubjectRow(
        subject=subject,
        context=qualified.context,
        name=qualified.name,
        schema_type=latest.schema.schema_type,
        latest=latest.version,
        deleted=not live,
        level=queries.effective_config(subject).level.value,
        mode=queries.effective_mode(subject).value,
    )


def context_choices(queries: RegistryQueries) -> list[str]:
    """The contexts to filter by: the default one first."""
    return [DEFAULT_CONTEXT, *(c for c in queries.contexts() if c != DEFAULT_CONTEXT)]
