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

A comparison that fails inside (see `compat.formats.safe_backward_findings`) stops the check:
the result is not compatible, but `failed` is set and `errors` holds the `CHECK_FAILED`
finding, so that callers answer "the check could not be completed" and not "incompatible".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from compat.formats import Formats, ParsedSchema, SchemaFormat, safe_backward_findings
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
    """The verdict, Confluent's verbose messages and the findings of the version that failed.

    When `failed`, there is no verdict: `is_compatible` is False only because the schema was
    not shown to be compatible, and `errors` says why the check could not be completed.
    """

    is_compatible: bool
    messages: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The `CHECK_FAILED` findings: comparisons that failed inside, logged where caught."""
        return tuple(f for f in self.findings if f.is_error)

    @property
    def failed(self) -> bool:
        """Whether the check could not be completed (an internal error, not an incompatibility)."""
        return any(f.is_error for f in self.findings)


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


def _failure(findings: list[Finding]) -> tuple[list[str], list[Finding]] | None:
    """The messages and findings of a comparison that failed inside; None if it did not.

    The message is the finding's own text: the plug-in's `confluent_message` knows nothing
    of `CHECK_FAILED` and is not asked to render it.
    """
    errors = [f for f in findings if f.is_error]
    if not errors:
        return None
    return [f.describe(reader="new", writer="old") for f in errors], errors


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
        forward = safe_backward_findings(fmt, old, new, policy=policy)
        if failure := _failure(forward):
            return failure
        findings += forward
        messages += _describe(fmt, forward, reader="old", writer="new")
        if not level.checks_backward:
            annotated = forward
    if level.checks_backward:
        backward = safe_backward_findings(fmt, new, old, policy=policy)
        if failure := _failure(backward):
            return failure
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
    oldest and stop at the first failure, or at a comparison that failed inside (then the
    result is `failed`, with no verdict). With `validate_fields`, reserved field names (the
    new schema's `reserved` and each previous version's) are checked first: a reservation may
    not be dropped, and the new schema may not use a field name it reserves.
    """
    if level is CompatibilityLevel.NONE or not previous:
        return COMPATIBLE
    candidates = reversed(previous) if level.transitive else [previous[-1]]
    for candidate in candidates:
        messages, findings = _check_one(formats, level, new, candidate, policy)
        if any(f.is_error for f in findings):
            return CompatibilityResult(False, tuple(messages), tuple(findings))
        if validate_fields:
            messages = _reserved_messages(formats, new, reserved, candidate) + messages
        if messages:
            flag = "true" if validate_fields else "false"
            messages.append(f"{{validateFields: '{flag}', compatibility: '{level.value}'}}")
            return CompatibilityResult(False, tuple(messages), tuple(findings))
    return COMPATIBLE
