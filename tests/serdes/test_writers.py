"""The serializers' writer resolution: one codec per format, one registration per subject."""

from __future__ import annotations

import threading

import pytest

from serdes._codec import Register
from serdes._config import SerializerConfig
from serdes._writers import WriterResolver
from serdes.avro import AvroSerializer
from serdes.client import InMemoryRegistryClient, Schema
from serdes.context import SerializationContext
from tests.serdes.support import WAIT_S, Background, Gated

OWN = Schema('"string"')
IMPORTED = Schema('"int"')


class _Importing:
    """A codec whose schemas need another one registered first, as Protobuf's imports do."""

    def __init__(self) -> None:
        self.registered: list[str] = []

    def parse(self, schema: Schema) -> str:
        return schema.schema_str

    def record_name(self, parsed: str) -> str | None:
        return "Named"

    def prefix(self, schema_id: int, parsed: str) -> bytes:
        return f"{schema_id}:{parsed}|".encode()

    def with_references(self, schema: Schema, register: Register) -> Schema:
        registered = register("imported", IMPORTED)
        self.registered.append(str(registered.subject))
        return Schema(schema.schema_str, metadata={"imported": str(registered.schema_id)})


def test_the_codec_prepares_registers_and_prefixes() -> None:
    client = InMemoryRegistryClient()
    codec = _Importing()
    resolver = WriterResolver(client, OWN, SerializerConfig(), codec)
    assert resolver.own == OWN.schema_str
    writer = resolver.writer(SerializationContext("t"))
    assert (writer.subject, writer.schema_id, writer.prefix) == ("t-value", 2, b'2:"string"|')
    assert codec.registered == ["imported"]
    assert client.get_latest_version("t-value").schema.metadata == {"imported": "1"}


def test_without_auto_registration_the_codec_looks_up_instead() -> None:
    client = InMemoryRegistryClient()
    client.register_schema("imported", IMPORTED)
    client.register_schema("t-value", Schema(OWN.schema_str, metadata={"imported": "1"}))
    config = SerializerConfig.from_conf({"auto.register.schemas": False})
    resolver = WriterResolver(client, OWN, config, _Importing())
    assert resolver.writer(SerializationContext("t")).schema_id == 2
    assert client.calls["lookup_schema"] == 2
    assert client.calls["register_schema"] == 2  # the two setup calls only


def test_record_name_strategies_use_the_codecs_record_name() -> None:
    client = InMemoryRegistryClient()
    config = SerializerConfig.from_conf({"subject.name.strategy": "RecordNameStrategy"})
    resolver = WriterResolver(client, OWN, config, _Importing())
    assert resolver.writer(SerializationContext("t")).subject == "Named"


def test_latest_writers_come_from_the_shared_fetch() -> None:
    client = InMemoryRegistryClient()
    client.register_schema("t-value", IMPORTED)
    config = SerializerConfig.from_conf({"use.latest.version": True})
    resolver = WriterResolver(client, None, config, _Importing())
    for _ in range(3):
        assert resolver.writer(SerializationContext("t")).prefix == b'1:"int"|'
    client.register_schema("t-value", OWN)
    assert resolver.writer(SerializationContext("t")).prefix == b'2:"string"|'


def test_a_slow_registration_does_not_hold_up_another_subject() -> None:
    registry = Gated()
    serializer = AvroSerializer(registry, '"string"')
    hold = registry.hold("register_schema", ("slow-value", '"string"'))
    slow = Background(lambda: serializer("a", SerializationContext("slow")))
    try:
        assert hold.entered.wait(WAIT_S)
        other = Background(lambda: serializer("b", SerializationContext("fast")))
        assert other.finished(), "subject fast-value waited for slow-value's registration"
        assert other.value() == b"\x00\x00\x00\x00\x01\x02b"
        assert not slow.done.is_set()
    finally:
        hold.release.set()
    slow.value()


@pytest.mark.parametrize("threads", [2, 8])
def test_threads_writing_to_a_new_subject_register_once(threads: int) -> None:
    registry = Gated()
    serializer = AvroSerializer(registry, '"string"')
    question = ("register_schema", ("t-value", '"string"'))
    hold = registry.hold(*question)
    start = threading.Barrier(threads, timeout=WAIT_S)

    def write() -> object:
        start.wait()
        return serializer("a", SerializationContext("t"))

    try:
        writers = [Background(write) for _ in range(threads)]
        assert hold.entered.wait(WAIT_S)
    finally:
        hold.release.set()
    assert {writer.value() for writer in writers} == {b"\x00\x00\x00\x00\x01\x02a"}
    assert registry.asked[question] == 1
