"""The project file: which subject each schema file belongs to, so one command gates a repository.

JSON or TOML (read with the standard library's `tomllib`), with one table per subject:

    [subjects."orders-value"]
    file = "schemas/order.avsc"          # required, relative to the project file
    type = "AVRO"                        # optional; else from the extension
    references = [{ name = "com.acme.Money", subject = "money", version = 1,
                    file = "schemas/money.avsc" }]
    history = ["schemas/order.v1.avsc"]  # optional: check offline against these files
    level = "FULL_TRANSITIVE"            # optional: the level to check at

With `history` the check is offline (at `level`, default BACKWARD). Without it the subject is
checked against the registry: by the registry at the subject's own level, or, when `level`
is given, here against the registered versions at that level.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cli.errors import InputError
from cli.schema_files import TYPE_NAMES, ReferenceSpec, read_text
from compat.types import CompatibilityLevel, SchemaType


@dataclass(frozen=True, slots=True)
class ProjectEntry:
    """One subject of the project and the files that describe it."""

    subject: str
    file: Path
    schema_type: SchemaType | None
    references: tuple[ReferenceSpec, ...]
    history: tuple[Path, ...]
    level: CompatibilityLevel | None


def _string(entry: dict[str, object], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: `{key}` must be a string")
    return value


def _reference(item: object, base: Path, where: str) -> ReferenceSpec:
    if not isinstance(item, dict):
        raise InputError(f"{where}: each reference is a table with name, subject, version, file")
    name = item.get("name")
    subject = item.get("subject")
    version = item.get("version")
    file = item.get("file")
    if not isinstance(name, str) or not name:
        raise InputError(f"{where}: a reference needs a `name`")
    if subject is not None and not isinstance(subject, str):
        raise InputError(f"{where}: reference {name!r} `subject` must be a string")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise InputError(f"{where}: reference {name!r} `version` must be a number")
    if file is not None and not isinstance(file, str):
        raise InputError(f"{where}: reference {name!r} `file` must be a string")
    return ReferenceSpec(
        name=name,
        path=base / file if file else None,
        subject=subject,
        version=version if version is not None else (1 if subject else None),
    )


def _entry(subject: str, raw: object, base: Path) -> ProjectEntry:
    where = f"subject {subject!r}"
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected a table with at least `file`")
    unknown = set(raw) - {"file", "type", "references", "history", "level"}
    if unknown:
        raise InputError(f"{where}: unknown keys {sorted(unknown)}")
    file = _string(raw, "file", where)
    if not file:
        raise InputError(f"{where}: `file` is required")
    type_name = _string(raw, "type", where)
    schema_type = None
    if type_name is not None:
        schema_type = TYPE_NAMES.get(type_name.lower())
        if schema_type is None:
            raise InputError(f"{where}: type {type_name!r} is not AVRO, JSON or PROTOBUF")
    level_name = _string(raw, "level", where)
    level = None
    if level_name is not None:
        level = CompatibilityLevel.parse(level_name)
        if level is None:
            raise InputError(f"{where}: {level_name!r} is not a compatibility level")
    references = raw.get("references", [])
    history = raw.get("history", [])
    if not isinstance(references, list) or not isinstance(history, list):
        raise InputError(f"{where}: `references` and `history` must be lists")
    if not all(isinstance(h, str) for h in history):
        raise InputError(f"{where}: `history` lists file names")
    return ProjectEntry(
        subject=subject,
        file=base / file,
        schema_type=schema_type,
        references=tuple(_reference(r, base, where) for r in references),
        history=tuple(base / str(h) for h in history),
        level=level,
    )


def load_project(path: Path) -> tuple[ProjectEntry, ...]:
    """Read a project file (.toml or .json); every mistake is a `InputError` naming it."""
    text = read_text(path)
    try:
        if path.suffix.lower() == ".toml":
            document: object = tomllib.loads(text)
        else:
            document = json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"Cannot parse the project file {path}: {exc}") from exc
    subjects = document.get("subjects") if isinstance(document, dict) else None
    if not isinstance(subjects, dict) or not subjects:
        raise InputError(
            f"The project file {path} needs a `subjects` table mapping each subject to its file"
        )
    base = path.parent
    return tuple(_entry(str(name), raw, base) for name, raw in subjects.items())
