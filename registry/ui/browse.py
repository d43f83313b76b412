"""The pages that read: the subjects list, one subject, and the settings."""

from __future__ import annotations

import json

from starlette.responses import Response

from compat.types import CompatibilityLevel
from registry.errors import RegistryError
from registry.state import SubjectVersion
from registry.subjects import normalize_subject
from registry.ui.highlight import highlight, pretty
from registry.ui.listing import SubjectSearch, context_choices, find_subjects
from registry.ui.page import Page
from registry.ui.sources import settings_of


def _search(page: Page) -> SubjectSearch:
    return SubjectSearch(
        text=page.arg("q").strip(),
        substring=page.arg("match") == "substring",
        context=page.arg("context"),
        deleted=page.arg("deleted") == "1",
        page=page.int_arg("page") or 1,
    )


async def subjects(page: Page) -> Response:
    """The searchable list of subjects (the table alone for htmx's live search)."""
    search = _search(page)
    found = find_subjects(page.subjects, page.registry.queries, search, page.viewer.listing_filter)
    values = {
        "search": search,
        "found": found,
        "contexts": context_choices(page.registry.queries),
    }
    template = "_subject_rows.html" if page.partial else "subjects.html"
    return page.render(template, values)


def not_found(page: Page, message: str) -> Response:
    """The page saying what was not found."""
    return page.render("not_found.html", {"message": message}, status=404)


def find_versions(page: Page, subject: str) -> list[SubjectVersion] | None:
    """Every version of `subject` the viewer may see (soft-deleted too), or None."""
    if not page.viewer.may_read(subject):
        return None
    try:
        return page.registry.queries.subject_versions(subject, deleted=True)
    except RegistryError:
        return None


async def subject(page: Page) -> Response:
    """One subject: its versions, one version's schema, references both ways, metadata."""
    name = normalize_subject(page.arg("name"))
    versions = find_versions(page, name)
    if versions is None:
        return not_found(page, f"Subject {name!r} not found")
    wanted = page.int_arg("version")
    live = [v for v in versions if not v.deleted]
    shown = next((v for v in versions if v.version == wanted), (live or versions)[-1])
    queries = page.registry.queries
    schema = shown.schema
    text = pretty(queries.parsed(schema).canonical, schema.schema_type)
    referrers = [
        r for r in queries.referrers(shown, deleted=False) if page.viewer.may_read(r.subject)
    ]
    values = {
        "subject": name,
        "versions": versions,
        "shown": shown,
        "schema_html": highlight(text, schema.schema_type),
        "referrers": referrers,
        "metadata": _json(schema.metadata),
        "rule_set": _json(schema.rule_set),
        "settings": settings_of(page.registry, name),
        "previous": _previous(versions, shown),
        "levels": [level.value for level in CompatibilityLevel],
    }
    return page.render("subject.html", values)


def _previous(versions: list[SubjectVersion], shown: SubjectVersion) -> int | None:
    earlier = [v.version for v in versions if v.version < shown.version]
    return earlier[-1] if earlier else None


def _json(value: object) -> str | None:
    return None if not value else json.dumps(value, indent=2, sort_keys=True)


async def settings(page: Page) -> Response:
    """The effective level and mode of the registry and of each listed subject, with sources."""
    search = _search(page)
    found = find_subjects(page.subjects, page.registry.queries, search, page.viewer.listing_filter)
    values = {
        "search": search,
        "found": found,
        "registry_settings": settings_of(page.registry, None),
        "rows": [settings_of(page.registry, row.subject) for row in found.rows],
        "contexts": context_choices(page.registry.queries),
    }
    return page.render("settings.html", values)
