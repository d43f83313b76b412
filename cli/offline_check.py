"""`cairn check` without a registry: one file validated, or a new file after its history."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cli.errors import InputError
from cli.outcomes import Outcome, failed, offline_outcome
from cli.schema_files import ReferenceSpec, SchemaLoader
from compat.types import CompatibilityLevel, SchemaType


def validation_outcome(
    loader: SchemaLoader,
    file: Path,
    *,
    explicit: SchemaType | None,
    references: Sequence[ReferenceSpec],
) -> Outcome:
    """Whether FILE (with its references) is a valid schema: nothing to compare it with.

    An invalid schema is an error outcome (exit 2) rather than an exception, so every
    report format shows it the way it shows a check's.
    """
    try:
        parsed = loader.load(file, explicit, loader.references(references, explicit))
    except InputError as exc:
        # The report names the file already: "x.avsc: not a valid …", not "x.avsc: x.avsc is …".
        message = exc.format_message().removeprefix(f"{file} is ")
        return failed(str(file), str(file), "", message, validation=True)
    return Outcome(
        name=str(file),
        file=str(file),
        level="",
        compatible=True,
        validation=True,
        schema_type=parsed.schema_type.value,
    )


def files_outcome(
    loader: SchemaLoader,
    files: Sequence[Path],
    *,
    level: CompatibilityLevel,
    explicit: SchemaType | None,
    references: Sequence[ReferenceSpec],
    name: str | None = None,
) -> Outcome:
    """Check the last file after the others (oldest first), each parsed with the references.

    Findings name the earlier file they were found against.
    """
    *history_files, new_file = files
    resolved = loader.references(references, explicit)
    new = loader.load(new_file, explicit, resolved)
    history = [loader.load(path, explicit, resolved) for path in history_files]
    return offline_outcome(
        loader.formats,
        level,
        new,
        history,
        name=name or str(new_file),
        file=str(new_file),
        history_files=[str(path) for path in history_files],
    )
