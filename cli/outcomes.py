"""The result of checking one schema: verdict, explained problems, or why it could not be checked.

Offline checks build outcomes from the engine's findings (`offline_outcome`); registry checks
build them from Confluent's verbose messages (`cli.registry_check`). Both feed the same reporters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cli.errors import EXIT_INCOMPATIBLE, EXIT_OK, EXIT_USAGE
from cli.problems import Direction, Problem, hint_for
from compat.formats import Formats, ParsedSchema
from compat.levels import DIFFERENT_SCHEMA_TYPE
from compat.types import CompatibilityLevel, CompatibilityPolicy, Finding


@dataclass(frozen=True, slots=True)
class Outcome:
    """The verdict for one schema: `error` is set when it could not be checked at all."""

    name: str
    file: str
    level: str
    compatible: bool
    problems: tuple[Problem, ...] = ()
    error: str | None = None

    @property
    def exit_code(self) -> int:
        """0 compatible, 1 incompatible, 2 not checkable (invalid schema, bad input)."""
        if self.error is not None:
            return EXIT_USAGE
        return EXIT_OK if self.compatible else EXIT_INCOMPATIBLE


def failed(name: str, file: str, level: str, error: str) -> Outcome:
    """An outcome for a schema that could not be checked."""
    return Outcome(name=name, file=file, level=level, compatible=False, error=error)


def _problem(
    finding: Finding, direction: Direction, *, reader: str, writer: str, version: int
) -> Problem:
    message = finding.describe(reader=reader, writer=writer) or finding.type
    if finding.detail and finding.detail not in message:
        message = f"{message} ({finding.detail})"
    return Problem(
        type=finding.type,
        path=finding.path,
        direction=direction,
        message=message,
        hint=hint_for(finding.type, finding.path, finding.detail, direction),
        against_version=version,
    )


def version_problems(
    formats: Formats,
    level: CompatibilityLevel,
    new: ParsedSchema,
    old: ParsedSchema,
    version: int,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
) -> list[Problem]:
    """Every problem of `new` against one earlier version, forward ones first (as FULL orders)."""
    if old.schema_type != new.schema_type:
        return [
            Problem(
                type="DIFFERENT_SCHEMA_TYPE",
                path="/",
                direction=Direction.UNKNOWN,
                message=DIFFERENT_SCHEMA_TYPE,
                hint=(
                    f"version {version} is {old.schema_type.value} and the new schema is "
                    f"{new.schema_type.value}; use a new subject to change the schema type"
                ),
                against_version=version,
            )
        ]
    fmt = formats.get(new.schema_type)
    problems: list[Problem] = []
    if level.checks_forward:
        for finding in fmt.backward_findings(old, new, policy=policy):
            problems.append(
                _problem(finding, Direction.FORWARD, reader="old", writer="new", version=version)
            )
    if level.checks_backward:
        for finding in fmt.backward_findings(new, old, policy=policy):
            problems.append(
                _problem(finding, Direction.BACKWARD, reader="new", writer="old", version=version)
            )
    return problems


def offline_outcome(
    formats: Formats,
    level: CompatibilityLevel,
    new: ParsedSchema,
    history: Sequence[ParsedSchema] | Sequence[tuple[int, ParsedSchema]],
    *,
    name: str,
    file: str,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
) -> Outcome:
    """Check `new` after `history` (oldest first) at `level`.

    `history` holds schemas numbered from 1, or (version, schema) pairs with the registry's
    numbers. The verdict is the registry's: non-transitive levels look at the latest version
    only, transitive ones at all. Unlike the registry, which stops at the first failing
    version, every failing version is reported, so one run shows everything to fix.
    """
    numbered = [
        item if isinstance(item, tuple) else (index, item)
        for index, item in enumerate(history, start=1)
    ]
    if level is CompatibilityLevel.NONE or not numbered:
        selected: list[tuple[int, ParsedSchema]] = []
    elif level.transitive:
        selected = list(reversed(numbered))
    else:
        selected = [numbered[-1]]
    problems: list[Problem] = []
    for version, old in selected:
        problems += version_problems(formats, level, new, old, version, policy)
    return Outcome(
        name=name, file=file, level=level.value, compatible=not problems, problems=tuple(problems)
    )
