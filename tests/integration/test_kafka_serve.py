"""`cairn serve` on a real Kafka broker: durability across SIGKILL, and taking over a topic
that Confluent Schema Registry or Karapace wrote."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from confluent_kafka import KafkaError, Message, Producer

# The package's stubs do not re-export these public names.
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from tests.integration.conftest import ServerFactory, ServerProcess
from tests.integration.test_crash_recovery import (
    CT,
    assert_recovered,
    parsed,
    register_until_killed,
)

pytestmark = [pytest.mark.integration, pytest.mark.kafka]


def kafka_args(bootstrap: str, topic: str) -> tuple[str, ...]:
    return ("--kafka-bootstrap-servers", bootstrap, "--kafka-topic", topic)


def start_on_kafka(factory: ServerFactory, bootstrap: str, topic: str) -> ServerProcess:
    # The data directory is unused on Kafka; a fresh one per process proves nothing is local.
    return factory.start(None, *kafka_args(bootstrap, topic))


def test_acknowledged_registrations_survive_sigkill_on_kafka(
    server_factory: ServerFactory, kafka_bootstrap: str
) -> None:
    topic = f"cairn-crash-{uuid.uuid4().hex}"
    server = start_on_kafka(server_factory, kafka_bootstrap, topic)
    stream = register_until_killed(server)
    restarted = start_on_kafka(server_factory, kafka_bootstrap, topic)
    assert_recovered(restarted.url, stream)


def produce_all(bootstrap: str, topic: str, records: list[tuple[bytes, bytes | None]]) -> None:
    """Create `topic` as another registry would have, and write records straight into it."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    created = admin.create_topics(
        [
            NewTopic(
                topic, num_partitions=1, replication_factor=1, config={"cleanup.policy": "compact"}
            )
        ]
    )
    created[topic].result(timeout=30)
    errors: list[KafkaError] = []

    def report(error: KafkaError | None, _message: Message) -> None:
        if error is not None:
            errors.append(error)

    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for key, value in records:
        producer.produce(topic, key=key, value=value, partition=0, on_delivery=report)
    assert producer.flush(30) == 0
    assert errors == []


def schema_value(subject: str, version: int, schema_id: int, schema: str, **extra: Any) -> bytes:
    """A SCHEMA value with the field order Confluent writes (`extra` before `schema`)."""
    fields: dict[str, Any] = {"subject": subject, "version": version, "id": schema_id, **extra}
    fields["schema"] = schema
    fields["deleted"] = fields.pop("deleted", False)
    return json.dumps(fields, separators=(",", ":")).encode()


def schema_key(subject: str, version: int) -> bytes:
    return json.dumps(
        {"keytype": "SCHEMA", "subject": subject, "version": version, "magic": 1},
        separators=(",", ":"),
    ).encode()


def avro_record(name: str, *fields: str) -> str:
    return json.dumps(
        {"type": "record", "name": name, "fields": [{"name": f, "type": "string"} for f in fields]},
        separators=(",", ":"),
    )


def test_a_topic_written_by_confluent_and_karapace_is_served(
    server_factory: ServerFactory, kafka_bootstrap: str
) -> None:
    topic = f"cairn-takeover-{uuid.uuid4().hex}"
    v1 = avro_record("Order", "id")
    v2 = avro_record("Order", "id", "note")
    user = avro_record("User", "name")
    json_schema = '{"type":"object","properties":{"a":{"type":"string"}}}'
    dropped = avro_record("Dropped", "x")
    records: list[tuple[bytes, bytes | None]] = [
        # Confluent <= 6.0.2 wrote the global config key with "subject":null.
        (b'{"keytype":"CONFIG","subject":null,"magic":0}', b'{"compatibilityLevel":"FULL"}'),
        # Confluent 7.x: no schemaType for Avro.
        (schema_key("orders-value", 1), schema_value("orders-value", 1, 1, v1)),
        (b'{"keytype":"NOOP","magic":0}', None),
        # Confluent 8.x writes schemaType even for Avro.
        (
            schema_key("orders-value", 2),
            schema_value("orders-value", 2, 2, v2, schemaType="AVRO"),
        ),
        # Karapace writes the same key and value layout; JSON Schema carries its type.
        (
            schema_key("json-value", 1),
            schema_value("json-value", 1, 3, json_schema, schemaType="JSON"),
        ),
        (schema_key("users-value", 1), schema_value("users-value", 1, 4, user)),
        # A soft-deleted subject, then a hard-deleted version (a tombstone) of another.
        (
            b'{"keytype":"DELETE_SUBJECT","subject":"users-value","magic":0}',
            b'{"subject":"users-value","version":1}',
        ),
        (schema_key("users-value", 1), schema_value("users-value", 1, 4, user, deleted=True)),
        (schema_key("dropped-value", 1), schema_value("dropped-value", 1, 7, dropped)),
        (schema_key("dropped-value", 1), None),
        # The newer form of the global config key overrides the old one: the same logical key.
        (b'{"keytype":"CONFIG","magic":0}', b'{"compatibilityLevel":"NONE"}'),
        (
            b'{"keytype":"CONFIG","subject":"orders-value","magic":0}',
            b'{"compatibilityLevel":"BACKWARD_TRANSITIVE"}',
        ),
        # Something this registry cannot read is skipped, not fatal.
        (b"not json", b"{}"),
    ]
    produce_all(kafka_bootstrap, topic, records)

    server = start_on_kafka(server_factory, kafka_bootstrap, topic)
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        assert sorted(client.get("/subjects").json()) == ["json-value", "orders-value"]
        assert client.get("/subjects/orders-value/versions").json() == [1, 2]
        second = client.get("/subjects/orders-value/versions/2").json()
        assert (second["id"], parsed(second["schema"])) == (2, parsed(v2))
        assert parsed(client.get("/schemas/ids/1").json()["schema"]) == parsed(v1)
        json_entry = client.get("/subjects/json-value/versions/1").json()
        assert (json_entry["id"], json_entry["schemaType"]) == (3, "JSON")
        assert client.get("/config").json()["compatibilityLevel"] == "NONE"
        subject_config = client.get("/config/orders-value").json()
        assert subject_config["compatibilityLevel"] == "BACKWARD_TRANSITIVE"
        deleted = client.get("/subjects", params={"deleted": "true"}).json()
        assert "users-value" in deleted
        assert client.get("/subjects/dropped-value/versions").status_code == 404

        # New schemas get ids above every id the topic ever used (7 was hard-deleted).
        new = client.post(
            "/subjects/fresh-value/versions",
            json={"schema": avro_record("Fresh", "y")},
            headers=CT,
        )
        assert new.status_code == 200, new.text
        assert new.json()["id"] > 7
        # Re-registering a schema that exists returns its id from the old registry.
        again = client.post("/subjects/orders-value/versions", json={"schema": v2}, headers=CT)
        assert again.status_code == 200, again.text
        assert again.json()["id"] == 2
