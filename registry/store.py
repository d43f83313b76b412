"""The state fed by its log: appends records and applies them before a write returns.

The store is used from one event loop: every state change happens on the loop's thread, so
readers never see a half-applied record and the state needs no locks. Only the durable
append, which blocks on I/O, runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from registry.errors import StoreError
from registry.log.base import Log
from registry.log.errors import LogError
from registry.records import RecordKey, RecordValue, encode_key, encode_value
from registry.state import RegistryState

logger = logging.getLogger(__name__)

Write = tuple[RecordKey, RecordValue | None]
RawWrite = tuple[bytes, bytes | None]


class Store:
    """A `RegistryState` kept up to date with a `Log`."""

    def __init__(self, log: Log, state: RegistryState | None = None) -> None:
        self.log = log
        self.state = state if state is not None else RegistryState()

    def catch_up(self) -> int:
        """Apply every record appended so far; return the next offset to apply."""
        state = self.state
        for record in self.log.read(state.next_offset):
            state.apply(record)
        return state.next_offset

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
        self.catch_up()
        if self.state.next_offset <= offsets[-1]:
            raise StoreError("The registry log did not return a record it acknowledged")
