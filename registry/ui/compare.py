"""The pages that compare: two versions side by side, and a new schema against a subject."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from compat.errors import SchemaParseError
from compat.formats import ParsedSchema
from compat.types import CompatibilityLevel, SchemaType
from registry.errors import RegistryError
from registry.requests import SchemaRequest
from registry.subjects import normalize_subject
from registry.ui.browse import find_versions, not_found
from registry.ui.diffing import changed_lines, side_by_side
from registry.ui.explain import Explained, two_ways
from registry.ui.forms import read_form, schema_type
from registry.ui.highlight import pretty
from registry.ui.page import Page


async def diff(page: Page) -> Response:
    """Versions `a` and `b` of a subject: their canonical texts side by side, and whether
    each can read the other's data."""
    name = normalize_subject(page.arg("subject"))
    versions = find_versions(page, name)
    if versions is None:
        return not_found(page, f"Subject {name!r} not found")
    numbers = [v.version for v in versions]
    b = page.int_arg("b") or numbers[-1]
    a = page.int_arg("a") or (numbers[-2] if len(numbers) > 1 else numbers[-1])
    by_number = {v.version: v for v in versions}
    if a not in by_number or b not in by_number:
        return not_found(page, f"Subject {name!r} has no version {a if a not in by_number else b}")
    queries = page.registry.queries
    old, new = queries.parsed(by_number[a].schema), queries.parsed(by_number[b].schema)
    rows = side_by_side(_text(old), _text(new))
    config = queries.effective_config(name)
    values = {
        "subject": name,
        "numbers": numbers,
        "a": a,
        "b": b,
        "rows": rows,
        "changed": changed_lines(rows),
        "ways": two_ways(queries.formats, old, new, policy=config.policy),
        "level": config.level.value,
    }
    return page.render("diff.html", values)


def _text(parsed: ParsedSchema) -> str:
    return pretty(parsed.canonical, parsed.schema_type)


@dataclass(frozen=True, slots=True)
class Against:
    """The findings of a checked schema against one version."""

    version: int
    findings: tuple[Explained, ...]


async def check_form(page: Page) -> Response:
    """The form to paste or upload a schema, filled with the subject's latest one."""
    name = normalize_subject(page.arg("subject"))
    versions = find_versions(page, name) or []
    live = [v for v in versions if not v.deleted]
    latest = live[-1] if live else None
    values = {
        "subject": name,
        "schema_type": latest.schema.schema_type.value if latest else "AVRO",
        "text": pretty(latest.schema.schema, latest.schema.schema_type) if latest else "",
        "types": [t.value for t in page.registry.queries.schema_types()],
        "level": page.registry.queries.effective_config(name).level.value,
        "outcome": None,
    }
    return page.render("check.html", values)


async def check(page: Page) -> Response:
    """Whether the posted schema would register under the subject now; nothing is written."""
    form = await read_form(page.request, page.registry.settings.max_request_bytes)
    name = normalize_subject(form.get("subject", ""))
    text = form.get("schema", "")
    kind = schema_type(form.get("schemaType", ""))
    outcome = _outcome(page, name, text, kind)
    values = {
        "subject": name,
        "schema_type": kind.value,
        "text": text,
        "types": [t.value for t in page.registry.queries.schema_types()],
        "level": outcome.level,
        "outcome": outcome,
    }
    return page.render("_check_outcome.html" if page.partial else "check.html", values)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A check's verdict at the subject's level, and why."""

    subject: str
    level: str
    compatible: bool
    error: str | None
    against: tuple[Against, ...]
    messages: tuple[str, ...]
    may_register: bool


def _outcome(page: Page, subject: str, text: str, schema_type: SchemaType) -> Outcome:
    queries = page.registry.queries
    level = queries.effective_config(subject).level
    writable = page.viewer.may_write(subject)
    if not page.viewer.may_read(subject):
        return Outcome(subject, level.value, False, "You may not read this subject", (), (), False)
    request = SchemaRequest(text, schema_type=schema_type)
    try:
        result = page.registry.registration.test_compatibility(
            subject, request, None, normalize=None, verbose=True
        )
    except RegistryError as exc:
        return Outcome(subject, level.value, False, exc.message, (), (), False)
    if result.is_compatible:
        return Outcome(subject, level.value, True, None, (), (), writable)
    against = _explain(page, subject, text, schema_type, level)
    if against is None:  # not parsed on its own (references): the registry's messages
        return Outcome(subject, level.value, False, None, (), result.messages, False)
    if not against:
        return Outcome(subject, level.value, False, None, (), result.messages, False)
    return Outcome(subject, level.value, False, None, against, (), False)


def _explain(
    page: Page, subject: str, text: str, schema_type: SchemaType, level: CompatibilityLevel
) -> tuple[Against, ...] | None:
    queries = page.registry.queries
    try:
        new = queries.formats.get(schema_type).parse(text)
    except SchemaParseError:
        return None
    live = queries.live_versions(subject)
    chosen = live if level.transitive else live[-1:]
    out = []
    for version in reversed(chosen):
        ways = two_ways(queries.formats, queries.parsed(version.schema), new)
        found = ways.breaking(level)
        if found:
            out.append(Against(version.version, found))
    return tuple(out)
