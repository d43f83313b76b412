"""The DEK registry's state: KEKs and DEKs by their slots, fed by `RegistryState.apply`.

Kept apart from the schema state, which it shares nothing with but the log and the order
records are applied in. Reads answer Confluent's questions (names, subjects, versions) in
the orders Confluent answers them: sorted names and subjects, ascending versions.
"""

from __future__ import annotations

import logging

from registry.dek_records import Dek, DekKey, Kek, KekKey, decode_key, decode_value
from registry.log.base import LogRecord
from registry.records import RecordError

logger = logging.getLogger(__name__)


class KeyState:
    """Every KEK and DEK the log holds (soft-deleted ones included)."""

    def __init__(self) -> None:
        self._keks: dict[KekKey, Kek] = {}
        self._deks: dict[DekKey, Dek] = {}

    def apply(self, record: LogRecord) -> bool:
        """Apply one KEK or DEK record; False (and nothing changed) when it is unusable."""
        try:
            key = decode_key(record.key)
            value = (
                None
                if record.value is None
                else decode_value(key, record.value, record.timestamp_ms)
            )
        except RecordError as exc:
            logger.warning("skipping key record at offset %d: %s", record.offset, exc)
            return False
        if isinstance(key, KekKey):
            if value is None:
                self._keks.pop(key, None)
            elif isinstance(value, Kek):
                self._keks[key] = value
        elif value is None:
            self._deks.pop(key, None)
        elif isinstance(value, Dek):
            self._deks[key] = value
        return True

    # ----------------------------------------------------------------- queries

    def kek(self, name: str) -> Kek | None:
        """The KEK with this name, deleted or not."""
        return self._keks.get(KekKey(name))

    def keks(self) -> list[Kek]:
        """Every KEK, by name."""
        return sorted(self._keks.values(), key=lambda k: k.name)

    def dek(self, key: DekKey) -> Dek | None:
        """The DEK in this slot, deleted or not."""
        return self._deks.get(key)

    def deks(
        self,
        kek_name: str | None = None,
        subject: str | None = None,
        algorithm: str | None = None,
    ) -> list[Dek]:
        """DEKs matching whatever is given, by KEK, subject, algorithm, then version."""
        found = [
            (slot, dek)
            for slot, dek in self._deks.items()
            if (kek_name is None or slot.kek_name == kek_name)
            and (subject is None or slot.subject == subject)
            and (algorithm is None or slot.algorithm == algorithm)
        ]
        return [dek for _, dek in sorted(found, key=lambda item: item[0])]

    def counts(self) -> tuple[int, int]:
        """How many KEKs and DEKs are stored."""
        return len(self._keks), len(self._deks)
