"""Compatibility levels over a format's reader/writer check, worded as Confluent words them.

A format supplies one primitive, `backward_findings(reader, writer)`. The levels compose it the
way Confluent's `CompatibilityChecker` does: BACKWARD reads old data with the new schema
(new = reader), FORWARD reads new data with an old schema (old = reader), FULL does both with
the forward findings first. Non-transitive levels look at the latest version only; transitive
levels walk the versions newest to oldest and stop at the first one that fails, reporting only
that version. A version of another schema type fails with Confluent's single message.

Confluent's verbose message list for the failing version is, in order: one message per finding
(roles "old"/"new" for the forward part, "new"/"old" for the backward part); after the part that
Confluent annotates (the backward part for FULL) `{oldSchemaVersion: n}` and `{oldSchema: '…'}`
(cut to 10240 characters); and last `{validateFields: '…', compatibility: 'LEVEL'}`. For FULL the
forward part carries no annotations, so a FULL check failing only forward has no
`oldSchemaVersion`/`oldSchema` entries, a quirk kept on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from compat.formats import Formats, ParsedSchema, SchemaFormat
from compat.types import CompatibilityLevel, CompatibilityPolicy, Finding

DIFFERENT_SCHEMA_TYPE = "Incompatible because of different schema type"
#: Confluent cuts the old schema in messages at this many Java (UTF-16) characters.
MAX_OLD_SCHEMA_CHARS = 10 * 1024


@dataclass(frozen=True, slots=True)
class PreviousVersion:
    """An earlier live version of the subject; `version` is None for a schema with no number."""

    version: int | None
    schema: ParsedSchema
    #: Field names its metadata reserves (`confluent:reserved`), checked with `validateFields`.
    reserved: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CompatibilityResult:
    """The verdict, Confluent's verbose messages and the findings of the version that failed."""

    is_compatible: bool
    messages: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()


COMPATIBLE = CompatibilityResult(is_compatible=True)


def _utf16_prefix(text: str, limit: int) -> str | None:
    """`text` cut to `limit` UTF-16 code units as Java's `substring`, or None if it fits.

    A cut that would split a surrogate pair keeps the pair out, since a lone half cannot be
    encoded in the response.
    """
    if len(text) <= limit // 2:
        return None
    units = 0
    for index, char in enumerate(text):
        width = 2 if ord(char) > 0xFFFF else 1
        if units + width > limit:
            return text[:index]
        units += width
    return None


def old_schema_message(canonical: str) -> str:
    """`{oldSchema: '…'}`, or `{oldSchema: <truncated> '…...'}` past 10240 characters."""
    prefix = _utf16_prefix(canonical, MAX_OLD_SCHEMA_CHARS)
    if prefix is None:
        return f"{{oldSchema: '{canonical}'}}"
    return f"{{oldSchema: <truncated> '{prefix}...'}}"


def _describe(
    fmt: SchemaFormat, findings: Iterable[Finding], *, reader: str, writer: str
) -> list[str]:
    return [fmt.confluent_message(f, reader=reader, writer=writer) for f in findings]


def _check_one(
    formats: Formats,
    level: CompatibilityLevel,
    new: ParsedSchema,
    previous: PreviousVersion,
    policy: CompatibilityPolicy,
) -> tuple[list[str], list[Finding]]:
    """Messages and findings for one earlier version; both empty when it is compatible."""
    old = previous.schema
    if old.schema_type != new.schema_type:
        return [DIFFERENT_SCHEMA_TYPE], []
    fmt = formats.get(new.schema_type)
    messages: list[str] = []
    findings: list[Finding] = []
    annotated: list[Finding] = []
    if level.checks_forward:
        forward = fmt.backward_findings(old, new, policy=policy)
        findings += forward
        messages += _describe(fmt, forward, reader="old", writer="new")
        if not level.checks_backward:
            annotated = forward
    if level.checks_backward:
        backward = fmt.backward_findings(new, old, policy=policy)
        findings += backward
        messages += _describe(fmt, backward, reader="new", writer="old")
        annotated = backward
    if annotated:
        if previous.version is not None:
            messages.append(f"{{oldSchemaVersion: {previous.version}}}")
        messages.append(old_schema_message(old.canonical))
    return messages, findings


def _reserved_messages(
    formats: Formats, new: ParsedSchema, reserved: frozenset[str], previous: PreviousVersion
) -> list[str]:
    """Confluent's reserved-field errors, which come before the format's own messages."""
    removed = [
        f"The new schema has reserved field {name} removed from its metadata which is "
        "present in the old schema's metadata."
        for name in sorted(previous.reserved - reserved)
    ]
    used = reserved & formats.get(new.schema_type).field_names(new)
    conflicts = [
        f"The new schema has field that conflicts with the reserved field {name}."
        for name in sorted(used)
    ]
    return removed + conflicts


def check_compatibility(
    formats: Formats,
    level: CompatibilityLevel,
    new: ParsedSchema,
    previous: Sequence[PreviousVersion],
    *,
    validate_fields: bool = False,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    reserved: frozenset[str] = frozenset(),
) -> CompatibilityResult:
    """Whether `new` may follow `previous` (oldest first, live versions) at `level`.

    Non-transitive levels check only the last element; transitive levels check newest to
    oldest and stop at the first failure. With `validate_fields`, reserved field names (the
    new schema's `reserved` and each previous version's) are checked first: a reservation may
    not be dropped, and the new schema may not use a field name it reserves.
    """
    if level is CompatibilityLevel.NONE or not previous:
        return COMPATIBLE
    candidates = reversed(previous) if level.transitive else [previous[-1]]
    for candidate in candidates:
        messages, findings = _check_one(formats, level, new, candidate, policy)
        if validate_fields:
            messages = _reserved_messages(formats, new, reserved, candidate) + messages
        if messages:
            flag = "true" if validate_fields else "false"
            messages.append(f"{{validateFields: '{flag}', compatibility: '{level.value}'}}")
            return CompatibilityResult(False, tuple(messages), tuple(findings))
    return COMPATIBLE
