"""Records to check a schema against: the value type, the sample rule, and captured files.

A topic check reads records from Kafka (`cli.topic_kafka`) or from a file of records captured
earlier (`--records FILE`), and both end up as `CapturedRecord` values, so the check itself
never knows where its records came from.

The captured-records file is JSON lines, one record per line:

    {"partition": 0, "offset": 42, "value": "AAAAAAEGZm9v", "key": null,
     "headers": [["__value_schema_id", "AAAAAAE="]]}

`partition` and `offset` are integers, `value` is the record value in standard base64 (null
for a tombstone). `key` (base64 or null) and `headers` are optional; headers are a list of
`[name, base64 value or null]` pairs, or an object from name to value. Other fields (such as
`topic` or `timestamp`) are ignored, so a dump made by another tool fits once its values are
base64. Blank lines are skipped.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby
from pathlib import Path

from cli.errors import InputError


class Start(StrEnum):
    """Which records of each partition a sample takes: the first ones or the last ones."""

    EARLIEST = "earliest"
    LATEST = "latest"


@dataclass(frozen=True, slots=True)
class CapturedRecord:
    """One Kafka record as the check needs it: where it is, and its bytes."""

    partition: int
    offset: int
    value: bytes | None
    key: bytes | None = None
    headers: tuple[tuple[str, bytes | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Sample:
    """The records of a check, in partition and offset order, and how they were chosen."""

    source: str
    records: tuple[CapturedRecord, ...]
    partitions: int
    per_partition: int
    start: Start


def select(
    records: Iterable[CapturedRecord], *, per_partition: int, start: Start
) -> list[CapturedRecord]:
    """Up to `per_partition` records of each partition: the first or the last by offset."""
    ordered = sorted(records, key=lambda r: (r.partition, r.offset))
    chosen: list[CapturedRecord] = []
    for _, group in groupby(ordered, key=lambda r: r.partition):
        items = list(group)
        chosen += items[:per_partition] if start is Start.EARLIEST else items[-per_partition:]
    return chosen


def _bytes(value: object, field: str, where: str) -> bytes | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{where}: {field!r} must be base64 text or null")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"{where}: {field!r} is not valid base64 ({exc})") from None


def _headers(value: object, where: str) -> tuple[tuple[str, bytes | None], ...]:
    if value is None:
        return ()
    pairs: Sequence[object]
    if isinstance(value, dict):
        pairs = [[name, item] for name, item in value.items()]
    elif isinstance(value, list):
        pairs = value
    else:
        raise InputError(f"{where}: 'headers' must be a list of [name, value] pairs or an object")
    headers: list[tuple[str, bytes | None]] = []
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
            raise InputError(f"{where}: each header must be [name, base64 value or null]")
        headers.append((pair[0], _bytes(pair[1], f"header {pair[0]}", where)))
    return tuple(headers)


def _position(document: dict[str, object], field: str, where: str) -> int:
    value = document.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"{where}: {field!r} must be a non-negative integer")
    return value


def parse_record(line: str, where: str) -> CapturedRecord:
    """One JSON line of a captured-records file; `InputError` names the line and the field."""
    try:
        document = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not JSON ({exc})") from None
    if not isinstance(document, dict):
        raise InputError(f"{where}: expected a JSON object with partition, offset and value")
    if "value" not in document:
        raise InputError(f"{where}: 'value' is missing (base64, or null for a tombstone)")
    return CapturedRecord(
        partition=_position(document, "partition", where),
        offset=_position(document, "offset", where),
        value=_bytes(document["value"], "value", where),
        key=_bytes(document.get("key"), "key", where),
        headers=_headers(document.get("headers"), where),
    )


def read_captured(path: Path, *, per_partition: int, start: Start) -> Sample:
    """The sample of a captured-records file, chosen per partition as from a topic."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read the records file {path}: {exc}") from exc
    records = [
        parse_record(line, f"{path}:{number}")
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]
    chosen = select(records, per_partition=per_partition, start=start)
    return Sample(
        source=f"records file {path}",
        records=tuple(chosen),
        partitions=len({r.partition for r in records}),
        per_partition=per_partition,
        start=start,
    )
