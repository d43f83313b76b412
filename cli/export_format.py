"""The export format: JSON lines, one record per schema version, config and mode.

    {"kind": "header", "format": "cairn-export", "version": 1, "source": URL}
    {"kind": "schema", "subject", "version", "id", "schemaType", "schema", "references",
     "metadata"?, "ruleSet"?, "deleted"}
    {"kind": "config", "subject": null | S, "config": {... as GET /config returns ...}}
    {"kind": "mode", "subject": null | S, "mode": "READWRITE" | ...}

A single file holds every record; a directory holds `registry.jsonl` (header, global config
and mode) and one `<subject>.jsonl` per subject (percent-encoded name), which diffs well in git.
Reading accepts either.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

from cli.errors import InputError

FORMAT = "cairn-export"
FORMAT_VERSION = 1
Record = dict[str, object]


def header(source: str) -> Record:
    """The first record of an export."""
    return {"kind": "header", "format": FORMAT, "version": FORMAT_VERSION, "source": source}


def _lines(records: Iterable[Record]) -> str:
    return "".join(json.dumps(r, sort_keys=True) + "\n" for r in records)


def write_file(path: Path, records: Iterable[Record]) -> None:
    """Write every record to one JSON-lines file."""
    try:
        path.write_text(_lines(records), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot write {path}: {exc}") from exc


def write_directory(path: Path, records: Iterable[Record]) -> None:
    """Write registry-wide records to `registry.jsonl` and each subject's to its own file."""
    by_file: dict[str, list[Record]] = {"registry.jsonl": []}
    for record in records:
        subject = record.get("subject")
        name = "registry.jsonl" if subject is None else quote(str(subject), safe="") + ".jsonl"
        if name == "registry.jsonl" and subject is not None:
            name = "%72egistry.jsonl"  # a subject literally named "registry"
        by_file.setdefault(name, []).append(record)
    try:
        path.mkdir(parents=True, exist_ok=True)
        for name, group in by_file.items():
            (path / name).write_text(_lines(group), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot write the export directory {path}: {exc}") from exc


def _read_one(path: Path) -> Iterator[Record]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read {path}: {exc}") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise InputError(f"{path}:{number} is not a JSON record: {exc}") from exc
        if not isinstance(record, dict) or "kind" not in record:
            raise InputError(f"{path}:{number} is not an export record (no `kind`)")
        if record["kind"] == "schema" and not _valid_schema_record(record):
            raise InputError(
                f"{path}:{number}: a schema record needs a string `subject` and `schema` and "
                "integer `version` and `id`"
            )
        yield record


def _valid_schema_record(record: Record) -> bool:
    def integer(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    return (
        isinstance(record.get("subject"), str)
        and isinstance(record.get("schema"), str)
        and integer(record.get("version"))
        and integer(record.get("id"))
    )


def read_records(path: Path) -> list[Record]:
    """Every record of an export file or directory; the header is checked and dropped."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files:
        raise InputError(f"{path} holds no .jsonl export files")
    records: list[Record] = []
    for file in files:
        for record in _read_one(file):
            if record["kind"] == "header":
                if record.get("format") != FORMAT or record.get("version") != FORMAT_VERSION:
                    raise InputError(
                        f"{file} is not a {FORMAT} version {FORMAT_VERSION} export; "
                        "export again with this version of cairn"
                    )
                continue
            records.append(record)
    return records
