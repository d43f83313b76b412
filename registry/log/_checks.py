"""Argument checks shared by the log backends, so every backend rejects the same inputs."""

from __future__ import annotations

from collections.abc import Sequence


def checked_records(records: Sequence[tuple[object, object]]) -> list[tuple[bytes, bytes | None]]:
    """Return the records as a list after checking every key and value is `bytes` (or None).

    Checking before anything is written keeps a bad record from failing half an append; a
    list copy keeps a caller that mutates its sequence afterwards from changing what is stored.
    """
    checked: list[tuple[bytes, bytes | None]] = []
    for index, record in enumerate(records):
        key, value = record
        if not isinstance(key, bytes):
            raise TypeError(f"record {index}: key must be bytes, not {type(key).__name__}")
        if value is not None and not isinstance(value, bytes):
            raise TypeError(
                f"record {index}: value must be bytes or None, not {type(value).__name__}"
            )
        checked.append((key, value))
    return checked


def checked_offset(from_offset: int) -> int:
    """Return `from_offset` after checking it is a non-negative offset."""
    if from_offset < 0:
        raise ValueError(f"offsets start at 0, got {from_offset}")
    return from_offset
