"""confluent-kafka's `SchemaRegistryClient` and Avro serdes against a real Cairn process."""

from __future__ import annotations

import itertools
import json
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from confluent_kafka.schema_registry import (
    ConfigCompatibilityLevel,
    Metadata,
    MetadataProperties,
    Schema,
    SchemaReference,
    SchemaRegistryClient,
    SchemaRegistryError,
    ServerConfig,
)
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

pytestmark = pytest.mark.integration

_names = itertools.count()


def avro_record(name: str, *fields: tuple[str, Any] | tuple[str, Any, Any]) -> str:
    """Compact Avro record text; a third tuple item is the field's default."""
    out: list[dict[str, Any]] = []
    for spec in fields:
        entry: dict[str, Any] = {"name": spec[0], "type": spec[1]}
        if len(spec) == 3:
            entry["default"] = spec[2]
        out.append(entry)
    return json.dumps({"type": "record", "name": name, "fields": out}, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Versions:
    """Three schemas of one record, unique to a test so ids are not shared between tests."""

    v1: str
    #: Adds a field with a default: backward compatible with v1.
    v2: str
    #: Adds a field without a default: not backward compatible with v1.
    bad: str


def versions_of(name: str) -> Versions:
    """The three schemas of record `name`."""
    return Versions(
        v1=avro_record(name, ("id", "string")),
        v2=avro_record(name, ("id", "string"), ("qty", "int", 0)),
        bad=avro_record(name, ("id", "string"), ("note", "string")),
    )


def same_schema(a: str | None, b: str) -> bool:
    """Whether two Avro schema texts are the same JSON (the server may re-render them)."""
    assert a is not None
    return bool(json.loads(a) == json.loads(b))


def raises_registry_error(status: int, code: int) -> Callable[[Callable[[], object]], None]:
    """Check that calling a thunk raises `SchemaRegistryError` with this status and code."""

    def check(call: Callable[[], object]) -> None:
        with pytest.raises(SchemaRegistryError) as info:
            call()
        assert (info.value.http_status_code, info.value.error_code) == (status, code), str(
            info.value
        )

    return check


@pytest.fixture
def subject(request: pytest.FixtureRequest) -> str:
    """A subject name unique to the test (the server is shared by the module)."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", request.node.name[:40])
    return f"{name}-{next(_names)}-value"


@pytest.fixture
def sv() -> Versions:
    """Schemas unique to the test."""
    return versions_of(f"Order{next(_names)}")


@pytest.fixture
def make_client(registry_url: str) -> Iterator[Callable[[], SchemaRegistryClient]]:
    """Build fresh clients (no shared caches) against the module's server."""
    clients: list[SchemaRegistryClient] = []

    def build() -> SchemaRegistryClient:
        client = SchemaRegistryClient({"url": registry_url})
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[[], SchemaRegistryClient]) -> SchemaRegistryClient:
    """A client with empty caches."""
    return make_client()


def test_register_is_idempotent_and_readable_every_way(
    client: SchemaRegistryClient,
    make_client: Callable[[], SchemaRegistryClient],
    subject: str,
    sv: Versions,
) -> None:
    schema_id = client.register_schema(subject, Schema(sv.v1, "AVRO"))
    # A fresh client has no cache, so the second registration really goes to the server.
    other = make_client()
    assert other.register_schema(subject, Schema(sv.v1, "AVRO")) == schema_id
    full = make_client().register_schema_full_response(subject, Schema(sv.v1, "AVRO"))
    assert (full.schema_id, full.version) == (schema_id, 1)

    fetched = make_client().get_schema(schema_id)
    assert fetched.schema_type == "AVRO"
    assert same_schema(fetched.schema_str, sv.v1)
    assert fetched.references == []

    assert subject in client.get_subjects()
    assert client.get_versions(subject) == [1]
    version = client.get_version(subject, 1)
    assert (version.subject, version.version, version.schema_id) == (subject, 1, schema_id)
    assert same_schema(version.schema.schema_str, sv.v1)

    v2_id = client.register_schema(subject, Schema(sv.v2, "AVRO"))
    assert v2_id != schema_id
    latest = make_client().get_latest_version(subject)
    assert (latest.subject, latest.version, latest.schema_id) == (subject, 2, v2_id)
    assert same_schema(latest.schema.schema_str, sv.v2)
    assert client.get_versions(subject) == [1, 2]
    assert make_client().get_version(subject, "latest").version == 2


def test_lookup_finds_registered_schema_and_reports_missing_ones(
    client: SchemaRegistryClient, subject: str, sv: Versions
) -> None:
    schema_id = client.register_schema(subject, Schema(sv.v1, "AVRO"))
    found = client.lookup_schema(subject, Schema(sv.v1, "AVRO"))
    assert (found.subject, found.version, found.schema_id) == (subject, 1, schema_id)

    raises_registry_error(404, 40403)(lambda: client.lookup_schema(subject, Schema(sv.v2, "AVRO")))
    raises_registry_error(404, 40401)(
        lambda: client.lookup_schema(subject + "-missing", Schema(sv.v1, "AVRO"))
    )


def test_compatibility_checks_against_latest_and_all_versions(
    client: SchemaRegistryClient, subject: str, sv: Versions
) -> None:
    client.register_schema(subject, Schema(sv.v1, "AVRO"))
    assert client.test_compatibility(subject, Schema(sv.v2, "AVRO")) is True
    assert client.test_compatibility(subject, Schema(sv.bad, "AVRO")) is False
    assert client.test_compatibility(subject, Schema(sv.v2, "AVRO"), version=1) is True
    assert client.test_compatibility_all_versions(subject, Schema(sv.v2, "AVRO")) is True
    assert client.test_compatibility_all_versions(subject, Schema(sv.bad, "AVRO")) is False

    raises_registry_error(404, 40402)(
        lambda: client.test_compatibility(subject, Schema(sv.v2, "AVRO"), version=7)
    )


def test_incompatible_registration_is_409(
    client: SchemaRegistryClient, subject: str, sv: Versions
) -> None:
    client.register_schema(subject, Schema(sv.v1, "AVRO"))
    with pytest.raises(SchemaRegistryError) as info:
        client.register_schema(subject, Schema(sv.bad, "AVRO"))
    assert info.value.http_status_code == 409
    assert info.value.error_code == 409
    assert subject in info.value.error_message
    assert client.get_versions(subject) == [1]


def test_invalid_schema_is_42201(client: SchemaRegistryClient, subject: str) -> None:
    raises_registry_error(422, 42201)(
        lambda: client.register_schema(subject, Schema('{"type":"record","name":"X"}', "AVRO"))
    )


def test_subject_compatibility_level(
    client: SchemaRegistryClient, subject: str, sv: Versions
) -> None:
    raises_registry_error(404, 40408)(lambda: client.get_compatibility(subject))
    assert client.get_compatibility() == "BACKWARD"

    answer: Any = client.set_compatibility(subject, "none")
    assert answer["compatibility"] == "NONE"
    assert client.get_compatibility(subject) == "NONE"
    assert client.get_compatibility() == "BACKWARD"

    client.register_schema(subject, Schema(sv.v1, "AVRO"))
    # NONE lets an otherwise incompatible schema in.
    client.register_schema(subject, Schema(sv.bad, "AVRO"))
    assert client.get_versions(subject) == [1, 2]

    raises_registry_error(422, 42203)(lambda: client.set_compatibility(subject, "SIDEWAYS"))


def test_subject_config_set_get_delete(client: SchemaRegistryClient, subject: str) -> None:
    config = ServerConfig(compatibility=ConfigCompatibilityLevel.FULL_TRANSITIVE)
    answer: Any = client.set_config(subject, config)
    assert answer["compatibility"] == "FULL_TRANSITIVE"

    got = client.get_config(subject)
    assert got.compatibility_level == ConfigCompatibilityLevel.FULL_TRANSITIVE

    previous = client.delete_config(subject)
    assert previous.compatibility_level == ConfigCompatibilityLevel.FULL_TRANSITIVE
    raises_registry_error(404, 40408)(lambda: client.get_config(subject))
    raises_registry_error(404, 40401)(lambda: client.delete_config(subject))

    assert client.get_config().compatibility_level == ConfigCompatibilityLevel.BACKWARD


def test_global_config_set_and_delete(client: SchemaRegistryClient) -> None:
    before = client.get_config()
    assert before.compatibility_level == ConfigCompatibilityLevel.BACKWARD
    try:
        client.set_config(config=ServerConfig(compatibility=ConfigCompatibilityLevel.FORWARD))
        assert client.get_config().compatibility_level == ConfigCompatibilityLevel.FORWARD
        assert client.get_compatibility() == "FORWARD"
        previous = client.delete_config()
        assert previous.compatibility_level == ConfigCompatibilityLevel.FORWARD
        assert client.get_config().compatibility_level == ConfigCompatibilityLevel.BACKWARD
    finally:
        client.set_compatibility(level="BACKWARD")


def test_subject_mode(client: SchemaRegistryClient, subject: str, sv: Versions) -> None:
    raises_registry_error(404, 40409)(lambda: client.get_mode(subject))
    client.register_schema(subject, Schema(sv.v1, "AVRO"))

    assert client.update_mode(subject, "READONLY") == "READONLY"
    assert client.get_mode(subject) == "READONLY"
    raises_registry_error(422, 42205)(
        lambda: client.register_schema(subject, Schema(sv.v2, "AVRO"))
    )
    raises_registry_error(422, 42205)(lambda: client.delete_version(subject, 1))
    # Reads still work in read-only mode.
    assert client.get_versions(subject) == [1]

    raises_registry_error(422, 42204)(lambda: client.update_mode(subject, "SIDEWAYS"))
    assert client.delete_mode(subject) == "READONLY"
    raises_registry_error(404, 40409)(lambda: client.get_mode(subject))
    raises_registry_error(404, 40401)(lambda: client.delete_mode(subject))
    client.register_schema(subject, Schema(sv.v2, "AVRO"))
    assert client.get_versions(subject) == [1, 2]


def test_global_mode(client: SchemaRegistryClient, subject: str, sv: Versions) -> None:
    assert client.get_global_mode() == "READWRITE"
    try:
        assert client.update_global_mode("READONLY") == "READONLY"
        assert client.get_global_mode() == "READONLY"
        raises_registry_error(422, 42205)(
            lambda: client.register_schema(subject, Schema(sv.v1, "AVRO"))
        )
        # A subject-level mode takes precedence over the global one.
        assert client.update_mode(subject, "READWRITE") == "READWRITE"
        client.register_schema(subject, Schema(sv.v1, "AVRO"))
    finally:
        client.update_global_mode("READWRITE")
    assert client.get_global_mode() == "READWRITE"
    assert client.delete_mode(subject) == "READWRITE"


def test_delete_version_soft_then_permanent(
    client: SchemaRegistryClient,
    make_client: Callable[[], SchemaRegistryClient],
    subject: str,
    sv: Versions,
) -> None:
    v1_id = client.register_schema(subject, Schema(sv.v1, "AVRO"))
    client.register_schema(subject, Schema(sv.v2, "AVRO"))

    raises_registry_error(404, 40407)(lambda: client.delete_version(subject, 1, permanent=True))
    assert client.delete_version(subject, 1) == 1
    assert client.get_versions(subject) == [2]
    assert client.get_versions(subject, deleted=True) == [1, 2]
    raises_registry_error(404, 40402)(lambda: client.get_version(subject, 1))
    soft = client.get_version(subject, 1, deleted=True)
    assert (soft.version, soft.schema_id) == (1, v1_id)
    # Ids survive a soft delete so old messages stay readable.
    assert same_schema(make_client().get_schema(v1_id).schema_str, sv.v1)
    raises_registry_error(404, 40406)(lambda: client.delete_version(subject, 1))

    assert client.delete_version(subject, 1, permanent=True) == 1
    assert client.get_versions(subject, deleted=True) == [2]
    raises_registry_error(404, 40402)(lambda: client.get_version(subject, 1, deleted=True))
    raises_registry_error(404, 40403)(lambda: make_client().get_schema(v1_id))
    raises_registry_error(404, 40402)(lambda: client.delete_version(subject, 9))


def test_reregistering_a_soft_deleted_schema_keeps_its_id(
    client: SchemaRegistryClient,
    make_client: Callable[[], SchemaRegistryClient],
    subject: str,
    sv: Versions,
) -> None:
    v1_id = client.register_schema(subject, Schema(sv.v1, "AVRO"))
    client.register_schema(subject, Schema(sv.v2, "AVRO"))
    assert client.delete_version(subject, 1) == 1

    again = make_client().register_schema_full_response(subject, Schema(sv.v1, "AVRO"))
    assert again.schema_id == v1_id
    assert again.version == 3
    # The soft-deleted version 1 is replaced by the new version 3, as Confluent does.
    assert client.get_versions(subject, deleted=True) == [2, 3]


def test_delete_subject_soft_then_permanent(
    client: SchemaRegistryClient,
    make_client: Callable[[], SchemaRegistryClient],
    subject: str,
    sv: Versions,
) -> None:
    client.register_schema(subject, Schema(sv.v1, "AVRO"))
    v2_id = client.register_schema(subject, Schema(sv.v2, "AVRO"))

    raises_registry_error(404, 40405)(lambda: client.delete_subject(subject, permanent=True))
    assert client.delete_subject(subject) == [1, 2]
    assert subject not in client.get_subjects()
    assert subject in client.get_subjects(deleted=True)
    raises_registry_error(404, 40401)(lambda: client.get_versions(subject))
    assert client.get_versions(subject, deleted=True) == [1, 2]
    raises_registry_error(404, 40404)(lambda: client.delete_subject(subject))
    assert same_schema(make_client().get_schema(v2_id).schema_str, sv.v2)

    assert client.delete_subject(subject, permanent=True) == [1, 2]
    assert subject not in client.get_subjects(deleted=True)
    raises_registry_error(404, 40401)(lambda: client.get_versions(subject, deleted=True))
    raises_registry_error(404, 40401)(lambda: client.delete_subject(subject))
    raises_registry_error(404, 40403)(lambda: make_client().get_schema(v2_id))


def test_subjects_and_versions_by_schema_id(
    client: SchemaRegistryClient, subject: str, sv: Versions
) -> None:
    other = subject + "-other"
    schema_id = client.register_schema(subject, Schema(sv.v1, "AVRO"))
    assert client.register_schema(other, Schema(sv.v1, "AVRO")) == schema_id

    assert sorted(client.get_subjects_by_schema_id(schema_id)) == sorted([subject, other])
    pairs = {(v.subject, v.version) for v in client.get_schema_versions(schema_id)}
    assert pairs == {(subject, 1), (other, 1)}

    client.delete_subject(other)
    assert client.get_subjects_by_schema_id(schema_id) == [subject]
    assert sorted(client.get_subjects_by_schema_id(schema_id, deleted=True)) == sorted(
        [subject, other]
    )
    raises_registry_error(404, 40403)(lambda: client.get_subjects_by_schema_id(10**9))
    raises_registry_error(404, 40403)(lambda: client.get_schema_versions(10**9))


def test_references_and_referenced_by(
    client: SchemaRegistryClient, make_client: Callable[[], SchemaRegistryClient], subject: str
) -> None:
    address_subject = subject + "-address"
    address = json.dumps(
        {
            "type": "record",
            "name": "Address",
            "namespace": "com.example",
            "fields": [{"name": "street", "type": "string"}],
        }
    )
    person = json.dumps(
        {
            "type": "record",
            "name": "Person",
            "namespace": "com.example",
            "fields": [
                {"name": "name", "type": "string"},
                {"name": "home", "type": "com.example.Address"},
            ],
        }
    )
    address_id = client.register_schema(address_subject, Schema(address, "AVRO"))
    ref = SchemaReference("com.example.Address", address_subject, 1)
    person_id = client.register_schema(subject, Schema(person, "AVRO", [ref]))
    assert person_id != address_id

    fetched = make_client().get_schema(person_id)
    assert fetched.references == [ref]
    assert make_client().get_latest_version(subject).schema.references == [ref]
    assert client.get_referenced_by(address_subject, 1) == [person_id]
    assert client.get_referenced_by(address_subject) == [person_id]
    assert client.get_referenced_by(subject, 1) == []

    # A referenced version cannot be deleted while its referrer lives.
    raises_registry_error(422, 42206)(lambda: client.delete_version(address_subject, 1))
    raises_registry_error(422, 42206)(lambda: client.delete_subject(address_subject))

    missing = SchemaReference("com.example.Address", address_subject + "-nope", 1)
    raises_registry_error(422, 42201)(
        lambda: client.register_schema(subject + "-b", Schema(person, "AVRO", [missing]))
    )


def test_not_found_errors(client: SchemaRegistryClient, subject: str, sv: Versions) -> None:
    raises_registry_error(404, 40403)(lambda: client.get_schema(10**9))
    raises_registry_error(404, 40401)(lambda: client.get_versions(subject))
    raises_registry_error(404, 40401)(lambda: client.get_latest_version(subject))
    raises_registry_error(404, 40401)(lambda: client.get_version(subject, 1))
    client.register_schema(subject, Schema(sv.v1, "AVRO"))
    raises_registry_error(404, 40402)(lambda: client.get_version(subject, 2))
    raises_registry_error(422, 42202)(lambda: client.get_version(subject, 0))
    raises_registry_error(404, 40402)(lambda: client.get_referenced_by(subject, 5))


def test_server_listings(client: SchemaRegistryClient) -> None:
    assert "AVRO" in client.get_schema_types()
    assert client.get_contexts()[0] == "."
    assert client.get_associations_by_resource_name("some-topic", "-", "topic") == []


def test_guid_and_metadata(client: SchemaRegistryClient, subject: str, sv: Versions) -> None:
    tagged = Schema(
        sv.v1, "AVRO", metadata=Metadata(None, MetadataProperties({"owner": "team-a"}), None)
    )
    registered = client.register_schema_full_response(subject, tagged)
    assert registered.guid
    by_guid = client.get_schema_by_guid(registered.guid)
    assert same_schema(by_guid.schema_str, sv.v1)

    client.register_schema(
        subject,
        Schema(
            sv.v2, "AVRO", metadata=Metadata(None, MetadataProperties({"owner": "team-b"}), None)
        ),
    )
    found = client.get_latest_with_metadata(subject, {"owner": "team-a"})
    assert (found.version, found.schema_id) == (1, registered.schema_id)
    raises_registry_error(404, 40403)(
        lambda: client.get_latest_with_metadata(subject, {"owner": "nobody"})
    )


ORDER_VALUE = avro_record("OrderValue", ("id", "string"), ("qty", "int"))
ORDER_VALUE_V2 = avro_record("OrderValue", ("id", "string"), ("qty", "int"), ("note", "string", ""))


def schema_id_of(message: bytes) -> int:
    """The schema id in a message framed with Confluent's magic byte and 4-byte id."""
    assert message[0] == 0, message[:5]
    schema_id: int = struct.unpack(">I", message[1:5])[0]
    return schema_id


def test_avro_serde_round_trip_with_auto_register(
    client: SchemaRegistryClient, make_client: Callable[[], SchemaRegistryClient], subject: str
) -> None:
    topic = subject.removesuffix("-value")
    ctx = SerializationContext(topic, MessageField.VALUE)
    serializer = AvroSerializer(client, ORDER_VALUE)
    value = {"id": "o-1", "qty": 3}

    message = serializer(value, ctx)
    assert message is not None
    latest = make_client().get_latest_version(f"{topic}-value")
    assert latest.version == 1
    assert schema_id_of(message) == latest.schema_id
    # The default strategy asked for associations, got none, and fell back to the topic name.
    under_topic = [s for s in make_client().get_subjects() if s.startswith(topic)]
    assert under_topic == [f"{topic}-value"]

    deserializer = AvroDeserializer(make_client())
    assert deserializer(message, ctx) == value

    # A second serializer with a cold cache re-registers and gets the same id.
    again = AvroSerializer(make_client(), ORDER_VALUE)(value, ctx)
    assert again == message


def test_avro_serde_with_latest_version_and_no_auto_register(
    client: SchemaRegistryClient, make_client: Callable[[], SchemaRegistryClient], subject: str
) -> None:
    topic = subject.removesuffix("-value")
    ctx = SerializationContext(topic, MessageField.VALUE)
    client.register_schema(f"{topic}-value", Schema(ORDER_VALUE, "AVRO"))
    v2_id = client.register_schema(f"{topic}-value", Schema(ORDER_VALUE_V2, "AVRO"))

    serializer = AvroSerializer(
        make_client(),
        ORDER_VALUE,
        conf={"auto.register.schemas": False, "use.latest.version": True},
    )
    value = {"id": "o-2", "qty": 5, "note": "fragile"}
    message = serializer(value, ctx)
    assert message is not None
    assert schema_id_of(message) == v2_id
    assert AvroDeserializer(make_client())(message, ctx) == value
    assert make_client().get_versions(f"{topic}-value") == [1, 2]


def test_avro_serde_with_use_schema_id(
    client: SchemaRegistryClient, make_client: Callable[[], SchemaRegistryClient], subject: str
) -> None:
    topic = subject.removesuffix("-value")
    ctx = SerializationContext(topic, MessageField.VALUE)
    v1_id = client.register_schema(f"{topic}-value", Schema(ORDER_VALUE, "AVRO"))
    client.register_schema(f"{topic}-value", Schema(ORDER_VALUE_V2, "AVRO"))

    # The serializer fetches the pinned id with `?subject=` and keeps the answer as the
    # registered schema it writes with: it needs the id in that answer.
    serializer = AvroSerializer(
        make_client(),
        ORDER_VALUE,
        conf={"auto.register.schemas": False, "use.schema.id": v1_id},
    )
    value = {"id": "o-3", "qty": 7}
    message = serializer(value, ctx)
    assert message is not None
    assert schema_id_of(message) == v1_id
    assert AvroDeserializer(make_client())(message, ctx) == value


def test_avro_serializer_without_auto_register_looks_up(
    client: SchemaRegistryClient, make_client: Callable[[], SchemaRegistryClient], subject: str
) -> None:
    topic = subject.removesuffix("-value")
    ctx = SerializationContext(topic, MessageField.VALUE)
    unregistered = AvroSerializer(make_client(), ORDER_VALUE, conf={"auto.register.schemas": False})
    # The lookup's 40401 reaches the caller as the registry error.
    raises_registry_error(404, 40401)(lambda: unregistered({"id": "x", "qty": 1}, ctx))

    schema_id = client.register_schema(f"{topic}-value", Schema(ORDER_VALUE, "AVRO"))
    lookup_only = AvroSerializer(make_client(), ORDER_VALUE, conf={"auto.register.schemas": False})
    message = lookup_only({"id": "x", "qty": 1}, ctx)
    assert message is not None
    assert schema_id_of(message) == schema_id


def test_subject_with_reserved_characters(
    client: SchemaRegistryClient, registry_url: str, subject: str, sv: Versions
) -> None:
    odd = f"ctx/{subject}:x"
    schema_id = client.register_schema(odd, Schema(sv.v1, "AVRO"))
    assert client.get_versions(odd) == [1]
    assert client.get_latest_version(odd).schema_id == schema_id
    assert odd in client.get_subjects()
    # The client percent-encodes the subject as one segment; check the raw route too.
    raw = httpx.get(f"{registry_url}/subjects/ctx%2F{subject}%3Ax/versions/1", timeout=5.0)
    assert raw.status_code == 200
    assert raw.json()["subject"] == odd


def test_confluent_version_pins_registrations_and_lookups(
    make_client: Callable[[], SchemaRegistryClient], subject: str, sv: Versions
) -> None:
    def with_pin(version: str) -> Schema:
        properties = MetadataProperties({"confluent:version": version})
        return Schema(sv.v1, "AVRO", metadata=Metadata(None, properties, None))

    first = make_client().register_schema_full_response(subject, Schema(sv.v1, "AVRO"))
    # A pin naming version 1 finds it, though version 1 was registered without one.
    again = make_client().register_schema_full_response(subject, with_pin("1"))
    assert (again.schema_id, again.version) == (first.schema_id, 1)
    # A pin naming no version makes a new version that records its own number.
    pinned = make_client().register_schema_full_response(subject, with_pin("0"))
    assert pinned.version == 2
    assert pinned.schema_id != first.schema_id
    latest = make_client().get_latest_version(subject)
    assert (latest.version, latest.schema_id) == (2, pinned.schema_id)
    metadata = latest.schema.metadata
    assert metadata is not None
    assert metadata.properties is not None
    assert metadata.properties.properties == {"confluent:version": "2"}
    found = make_client().lookup_schema(subject, with_pin("1"))
    assert (found.version, found.schema_id) == (1, first.schema_id)
