"""The write services under concurrency: ids stay unique and shared content shares one id."""

from __future__ import annotations

import asyncio
import json

from compat.avro import AvroFormat
from compat.formats import Formats
from compat.types import CompatibilityLevel
from registry.log.memory import MemoryLog
from registry.requests import SchemaRequest
from registry.services import Registry
from registry.settings import Settings
from registry.store import Store


def _service(level: CompatibilityLevel = CompatibilityLevel.BACKWARD) -> Registry:
    settings = Settings(default_compatibility=level)
    return Registry.create(Store(MemoryLog()), Formats([AvroFormat()]), settings)


def _schema(name: str) -> SchemaRequest:
    return SchemaRequest(
        json.dumps({"type": "record", "name": name, "fields": [{"name": "a", "type": "int"}]})
    )


def test_concurrent_registrations_of_one_schema_to_many_subjects_share_one_id() -> None:
    service = _service()

    async def scenario() -> list[int]:
        results = await asyncio.gather(
            *(service.registration.register(f"s{i}", _schema("Shared")) for i in range(20))
        )
        return [r.schema.id for r in results]

    assert set(asyncio.run(scenario())) == {1}


def test_concurrent_distinct_registrations_get_distinct_dense_ids() -> None:
    service = _service(CompatibilityLevel.NONE)

    async def scenario() -> list[int]:
        results = await asyncio.gather(
            *(service.registration.register(f"s{i % 4}", _schema(f"R{i}")) for i in range(40))
        )
        return [r.schema.id for r in results]

    ids = asyncio.run(scenario())
    assert sorted(ids) == list(range(1, 41))
    state = service.store.state
    for subject in ("s0", "s1", "s2", "s3"):
        assert sorted(state.versions(subject)) == list(range(1, 11))


def test_state_rebuilt_from_the_log_equals_the_live_state() -> None:
    service = _service()

    async def scenario() -> None:
        for i in range(5):
            await service.registration.register("a", _schema(f"R{i}") if i == 0 else _schema("R0"))
        await service.registration.register("b", _schema("Other"))
        await service.deletion.delete_subject("b", permanent=False)

    asyncio.run(scenario())
    replayed = Store(service.store.log)
    replayed.catch_up()
    for subject in ("a", "b"):
        live = service.store.state.versions(subject)
        again = replayed.state.versions(subject)
        assert [(v.version, v.schema.id, v.deleted) for v in live.values()] == [
            (v.version, v.schema.id, v.deleted) for v in again.values()
        ]


def test_ids_are_not_reused_when_compaction_erased_the_hard_deleted_schema() -> None:
    service = _service()

    async def scenario() -> None:
        await service.registration.register("a", _schema("First"))
        await service.registration.register("b", _schema("Second"))
        await service.deletion.delete_subject("b", permanent=False)
        await service.deletion.delete_subject("b", permanent=True)

    asyncio.run(scenario())
    # Keep only what compaction would keep: the last record of every key, minus tombstoned keys.
    last: dict[bytes, bytes | None] = {}
    for record in service.store.log.read(0):
        last[record.key] = record.value
    compacted = MemoryLog()
    compacted.append([(k, v) for k, v in last.items() if v is not None])
    restarted = Registry.create(Store(compacted), Formats([AvroFormat()]), Settings())
    restarted.store.catch_up()

    async def register_again() -> int:
        return (await restarted.registration.register("c", _schema("Third"))).schema.id

    assert asyncio.run(register_again()) == 3


def test_the_resolved_config_follows_every_config_change() -> None:
    service = _service()
    queries = service.queries

    async def scenario() -> list[CompatibilityLevel]:
        seen = [queries.effective_config("s").level]
        await service.config_mode.set_config(None, {"compatibility": "FULL"})
        seen.append(queries.effective_config("s").level)
        await service.config_mode.set_config("s", {"compatibility": "NONE"})
        seen.append(queries.effective_config("s").level)
        await service.config_mode.delete_config("s")
        seen.append(queries.effective_config("s").level)
        return seen

    assert asyncio.run(scenario()) == [
        CompatibilityLevel.BACKWARD,
        CompatibilityLevel.FULL,
        CompatibilityLevel.NONE,
        CompatibilityLevel.FULL,
    ]
