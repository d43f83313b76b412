"""What every write service shares: per-key locks, id allocation, and common records.

Writes to one subject are serialised by that subject's lock; writes to different subjects
proceed together (their durable appends share fsyncs). Ids are handed out from an in-memory
reservation, so concurrent registrations of different schemas never collide and concurrent
registrations of one schema share one id before either is in the log.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from registry.effective import effective_mode
from registry.errors import OperationNotPermittedError
from registry.records import ConfigKey, ContextKey, ContextValue, IdFloorKey, IdFloorValue, ModeKey
from registry.store import Store, Write
from registry.subjects import DEFAULT_CONTEXT, context_of


class WriteSupport:
    """Locks, id reservations and shared record builders over one `Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._reserved_ids: dict[str, int] = {}
        self._inflight: dict[tuple[str, str], int] = {}

    def lock(self, key: str) -> asyncio.Lock:
        """The lock serialising writes to one subject (or another named resource)."""
        return self._locks[key]

    # ------------------------------------------------------------------ ids

    def allocate_id(self, context: str, fp: str) -> int:
        """The id for content `fp`: its existing id, one reserved by a write in flight, or new."""
        existing = self.store.state.by_fingerprint(context, fp)
        if existing is not None:
            return existing.id
        inflight = self._inflight.get((context, fp))
        if inflight is not None:
            return inflight
        next_id = max(self.store.state.max_id(context), self._reserved_ids.get(context, 0)) + 1
        self._reserved_ids[context] = next_id
        return next_id

    def reserve_id(self, context: str, schema_id: int) -> None:
        """Keep later allocations above an explicitly given id (IMPORT)."""
        self._reserved_ids[context] = max(self._reserved_ids.get(context, 0), schema_id)

    @contextmanager
    def in_flight(self, context: str, fp: str, schema_id: int) -> Iterator[None]:
        """While the block runs, registrations of the same content get `schema_id` too."""
        self._inflight[(context, fp)] = schema_id
        try:
            yield
        finally:
            self._inflight.pop((context, fp), None)

    def id_floor(self, subject: str) -> list[Write]:
        """Persist the context's highest id before a hard delete can erase its evidence."""
        context = context_of(subject)
        max_id = max(self.store.state.max_id(context), self._reserved_ids.get(context, 0))
        return [(IdFloorKey(context), IdFloorValue(context, max_id))]

    # ------------------------------------------------------------------ shared records and checks

    def context_records(self, context: str) -> list[Write]:
        """The record announcing a context on its first write; none when already known."""
        if context == DEFAULT_CONTEXT or context in self.store.state.contexts():
            return []
        return [(ContextKey(context), ContextValue(context))]

    def subject_settings_tombstones(self, subject: str) -> list[Write]:
        """Tombstones for a subject's own config and mode (when it is deleted for good)."""
        state = self.store.state
        writes: list[Write] = []
        if state.config(subject) is not None:
            writes.append((ConfigKey(subject), None))
        if state.mode(subject) is not None:
            writes.append((ModeKey(subject), None))
        return writes

    def check_writable(self, subject: str | None) -> None:
        """42205 when the subject (None = the registry) is in a read-only mode."""
        if effective_mode(self.store.state, subject).read_only:
            name = subject if subject is not None else "the registry"
            raise OperationNotPermittedError(f"Subject {name} is in read-only mode")


def reference_message(subject: str, version: int) -> str:
    """Confluent's 42206 text: a version cannot go while others reference it."""
    return (
        "One or more references exist to the schema "
        f"{{magic=1,keytype=SCHEMA,subject={subject},version={version}}}."
    )
