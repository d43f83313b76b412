"""The result of checking one schema: verdict, explained problems, or why it could not be checked.

Offline checks build outcomes from the engine's findings (`offline_outcome`); registry checks
build them from Confluent's verbose messages (`cli.registry_check`). Both feed the same reporters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cli.errors import EXIT_INCOMPATIBLE, EXIT_OK, EXIT_REGISTRY, EXIT_USAGE
from cli.problems import Direction, Problem, hint_for
from compat.formats import Formats, ParsedSchema, safe_backward_findings
from compat.levels import DIFFERENT_SCHEMA_TYPE
from compat.types import CHECK_FAILED, CompatibilityLevel, CompatibilityPolicy, Finding


@dataclass(frozen=True, slots=True)
class Outcome:
    """The verdict for one schema: `error` is set when it could not be checked at all.

    `check_failed` marks an error that is the checker's, not the input's: a comparison that
    failed inside (logged with its stack where it was caught). `validation` marks a single
    schema checked only for validity (no level; `schema_type` is what it parsed as).
    """

    name: str
    file: str
    level: str
    compatible: bool
    problems: tuple[Problem, ...] = ()
    error: str | None = None
    check_failed: bool = False
    validation: bool = False
    schema_type: str | None = None

    @property
    def exit_code(self) -> int:
        """0 compatible, 1 incompatible, 2 not checkable (invalid schema, bad input), 3 when
        the check failed inside.

        A check that failed inside exits 3, as the same failure in the registry (a 500) does:
        the schema was not judged, and editing it (what 2 asks for) is not the fix.
        """
        if self.error is not None:
            return EXIT_REGISTRY if self.check_failed else EXIT_USAGE
        return EXIT_OK if self.compatible else EXIT_INCOMPATIBLE


def failed(
    name: str,
    file: str,
    level: str,
    error: str,
    *,
    check_failed: bool = False,
    validation: bool = False,
) -> Outcome:
    """An outcome for a schema that could not be checked."""
    return Outcome(
        name=name,
        file=file,
        level=level,
        compatible=False,
        error=error,
        check_failed=check_failed,
        validation=validation,
    )


def _problem(
    finding: Finding,
    direction: Direction,
    *,
    reader: str,
    writer: str,
    version: int,
    against_file: str | None,
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
        against_file=against_file,
    )


def version_problems(
    formats: Formats,
    level: CompatibilityLevel,
    new: ParsedSchema,
    old: ParsedSchema,
    version: int,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    *,
    against_file: str | None = None,
) -> list[Problem]:
    """Every problem of `new` against one earlier version, forward ones first (as FULL orders).

    `against_file` is the earlier version's file, when it came from one. A comparison that
    failed inside is a problem of type `CHECK_FAILED`, which `offline_outcome` turns into an
    error rather than an incompatibility.
    """
    if old.schema_type != new.schema_type:
        return [
            Problem(
                type="DIFFERENT_SCHEMA_TYPE",
                path="/",
                direction=Direction.UNKNOWN,
                message=DIFFERENT_SCHEMA_TYPE,
                hint=(
                    f"{against_file or f'version {version}'} is {old.schema_type.value} and the "
                    f"new schema is {new.schema_type.value}; use a new subject to change the "
                    "schema type"
                ),
                against_version=version,
                against_file=against_file,
            )
        ]
    fmt = formats.get(new.schema_type)
    problems: list[Problem] = []
    if level.checks_forward:
        for finding in safe_backward_findings(fmt, old, new, policy=policy):
            problems.append(
                _problem(
                    finding,
                    Direction.FORWARD,
                    reader="old",
                    writer="new",
                    version=version,
                    against_file=against_file,
                )
            )
            if finding.is_error:
                return problems
    if level.checks_backward:
        for finding in safe_backward_findings(fmt, new, old, policy=policy):
            problems.append(
                _problem(
                    finding,
                    Direction.BACKWARD,
                    reader="new",
                    writer="old",
                    version=version,
                    against_file=against_file,
                )
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
    history_files: Sequence[str] = (),
) -> Outcome:
    """Check `new` after `history` (oldest first) at `level`.

    `history` holds schemas numbered from 1, or (version, schema) pairs with the registry's
    numbers; `history_files`, when given, names the file of each, for the report. The
    verdict is the registry's: non-transitive levels look at the latest version only,
    transitive ones at all. Unlike the registry, which stops at the first failing version,
    every failing version is reported, so one run shows everything to fix. A comparison that
    fails inside ends the check with an error outcome (exit 3), never an incompatible one.
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
    files = dict(zip((number for number, _ in numbered), history_files, strict=False))
    for version, old in selected:
        against = files.get(version)
        found = version_problems(formats, level, new, old, version, policy, against_file=against)
        errors = [p for p in found if p.type == CHECK_FAILED]
        if errors:
            text = f"Could not check against {against or f'version {version}'}: {errors[0].message}"
            return failed(name, file, level.value, text, check_failed=True)
        problems += found
    return Outcome(
        name=name, file=file, level=level.value, compatible=not problems, problems=tuple(problems)
    )
