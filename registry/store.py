"""The state fed by its log: appends records and applies them before a write returns.

The store is used from one event loop: every state change happens on the loop's thread, so
readers never see a half-applied record and the state needs no locks. The durable append
and, after a write, reading the new records back (a network fetch on Kafka) block on I/O, so
they run in worker threads; applying what was read happens back on the loop. Reads running
side by side are harmless: `RegistryState.apply` skips offsets it has already applied.

A write is acknowledged only once records read back from the log have been applied, never
from the records it sent. A log that can wait for an offset (`ReadsThrough`, the Kafka log)
is asked to return records up to the appended ones in one call; others are read until the
records show, with short pauses between reads.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from registry.errors import StoreError
from registry.log.base import Log, LogRecord
from registry.log.errors import LogError
from registry.records import RecordKey, RecordValue, encode_key, encode_value
from registry.state import RegistryState

logger = logging.getLogger(__name__)

#: How long a write waits for the log to return the records it appended.
READ_BACK_TIMEOUT_S = 10.0
#: The pause between two reads while waiting for them.
READ_BACK_PAUSE_S = 0.002

#: Records applied between two calls of a `catch_up` progress callback.
PROGRESS_EVERY = 10_000

Write = tuple[RecordKey, RecordValue | None]
RawWrite = tuple[bytes, bytes | None]


@runtime_checkable
class ReadsThrough(Protocol):
    """A log that can wait for an offset it acknowledged to show (`KafkaLog.read_through`)."""

    def read_through(self, from_offset: int, through: int, timeout_s: float) -> list[LogRecord]:
        """Records from `from_offset` up to at least `through`; `LogError` if it never shows."""


class Store:
    """A `RegistryState` kept up to date with a `Log`."""

    def __init__(self, log: Log, state: RegistryState | None = None) -> None:
        self.log = log
        self.state = state if state is not None else RegistryState()
        #: Serialises read-backs through `ReadsThrough`, per event loop (see `_read_back`).
        self._read_back_lock: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Apply every record appended so far; return the next offset to apply.

        `progress`, if given, is called with the next offset every `PROGRESS_EVERY` records,
        so a long replay (a big Kafka topic) can report how far it got.
        """
        state = self.state
        for count, record in enumerate(self.log.read(state.next_offset), start=1):
            state.apply(record)
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(state.next_offset)
        return state.next_offset

    async def refresh(self) -> None:
        """Apply whatever the log holds past the applied offset (written by another node)."""
        try:
            records = await asyncio.to_thread(self._read_from, self.state.next_offset)
        except LogError as exc:
            logger.error("reading the registry log failed: %s", exc)
            raise StoreError(f"Error while reading the registry log: {exc}") from exc
        for record in records:
            self.state.apply(record)

    async def follow(self, *, every_s: float) -> None:
        """Apply records that other writers append to a shared log, until cancelled.

        A Kafka topic can be written by several nodes; this keeps the state tailing it. It
        polls, every `every_s` seconds, for records past the applied offset. A failed read is
        logged and retried at the next poll: reads are still served from the state meanwhile.
        """
        failing = False
        while True:
            try:
                records = await asyncio.to_thread(self._read_from, self.state.next_offset)
            except LogError as exc:
                if not failing:
                    logger.warning("following the registry log failed, retrying: %s", exc)
                failing = True
                records = []
            else:
                if failing:
                    logger.info("following the registry log again")
                failing = False
            for record in records:
                self.state.apply(record)
            await asyncio.sleep(every_s)

    def _read_from(self, offset: int) -> list[LogRecord]:
        return list(self.log.read(offset))

    async def write(self, writes: Sequence[Write]) -> None:
        """Append records durably, then apply them (read your writes)."""
        await self.write_raw(
            [(encode_key(k), None if v is None else encode_value(v)) for k, v in writes]
        )

    async def write_raw(self, records: Sequence[RawWrite]) -> None:
        """Append already-encoded records durably, then apply them."""
        if not records:
            return
        try:
            offsets = await asyncio.to_thread(self.log.append, list(records))
        except LogError as exc:
            logger.error("log append failed: %s", exc)
            raise StoreError(f"Error while writing to the registry log: {exc}") from exc
        if isinstance(self.log, ReadsThrough):
            await self._read_back(self.log, offsets[-1])
            return
        # A transactional log (Kafka, several nodes) shows committed records only once the
        # broker has written the commit marker, a moment after the commit returned: read
        # until the records show, within a bound.
        deadline = time.monotonic() + READ_BACK_TIMEOUT_S
        while True:
            await self.refresh()
            if self.state.next_offset > offsets[-1]:
                return
            if time.monotonic() > deadline:
                raise StoreError("The registry log did not return a record it acknowledged")
            await asyncio.sleep(READ_BACK_PAUSE_S)

    async def _read_back(self, log: ReadsThrough, through: int) -> None:
        """Apply records read back from `log` until offset `through` is applied.

        One read-back at a time, each starting at the applied offset: the log's reader then
        continues where the previous one stopped, and a write whose records an earlier
        read-back already applied reads nothing.
        """
        lock = self._lock_for_loop()
        async with lock:
            if self.state.next_offset > through:
                return
            try:
                records = await asyncio.to_thread(
                    log.read_through, self.state.next_offset, through, READ_BACK_TIMEOUT_S
                )
            except LogError as exc:
                logger.error("reading back the registry log failed: %s", exc)
                raise StoreError(
                    f"The registry log did not return a record it acknowledged: {exc}"
                ) from exc
            for record in records:
                self.state.apply(record)
        if self.state.next_offset <= through:
            raise StoreError("The registry log did not return a record it acknowledged")

    def _lock_for_loop(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._read_back_lock is None or self._read_back_lock[0] is not loop:
            self._read_back_lock = (loop, asyncio.Lock())
        return self._read_back_lock[1]
