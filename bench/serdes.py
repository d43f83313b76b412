"""Serializers and deserializers against confluent-kafka's on the same records (goal Z).

Both sides run in-process against an in-memory registry (ours: `CachedRegistryClient` over
`InMemoryRegistryClient`; confluent-kafka's: its `mock://` client), so after the first
record the registry is out of the loop and the figures compare the per-record work.
Records: a 10-field Avro record, and the same data as a JSON Schema (draft-07) object and
a proto3 message. Goals (performance notes, Z): Avro >= 1.5x serialize and >= 3x
deserialize; JSON >= 1x with `jsonschema` and >= 10x with a compiled validator
(fastjsonschema, when installed); Protobuf >= 2x.

    python bench/serdes.py [--rounds 5] [--records 20000]

Prints the median time per record of interleaved rounds and the ratio (theirs / ours).
The "one CEL condition" cases run the Avro serdes on a schema whose rule set holds one
WRITEREAD CEL condition (`use.latest.version`), confluent-kafka with its own CEL executor
(its `rules` extra), Cairn with `serdes.rules`; goal: no slower than confluent-kafka.
The "CEL + ENCRYPT" cases add one ENCRYPT rule on a PII-tagged string field (AES-256-GCM,
local KMS): both libraries keep their DEKs in a Cairn started in-process
(`registry.testing.local_registry`), fetched once and then cached, so the figures are the
per-record condition, encryption and decryption work.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from confluent_kafka.schema_registry import Schema as CkSchema
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer as CkAvroDeserializer
from confluent_kafka.schema_registry.avro import AvroSerializer as CkAvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer as CkJSONDeserializer
from confluent_kafka.schema_registry.json_schema import JSONSerializer as CkJSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer as CkProtobufDeserializer
from confluent_kafka.schema_registry.protobuf import ProtobufSerializer as CkProtobufSerializer
from confluent_kafka.schema_registry.rules.cel.cel_executor import CelExecutor
from confluent_kafka.schema_registry.rules.encryption.encrypt_executor import (
    FieldEncryptionExecutor as CkFieldEncryptionExecutor,
)
from confluent_kafka.schema_registry.rules.encryption.localkms.local_driver import (
    LocalKmsDriver as CkLocalKmsDriver,
)
from confluent_kafka.serialization import MessageField, SerializationContext

from compat.protobuf import ProtobufFormat
from registry.testing import local_registry
from serdes.avro import AvroDeserializer, AvroSerializer
from serdes.client import CachedRegistryClient, InMemoryRegistryClient, Schema
from serdes.json_schema import JSONDeserializer, JSONSerializer
from serdes.protobuf import ProtobufDeserializer, ProtobufSerializer, message_class
from serdes.rules import RuleRegistry

TOPIC = "bench"
CTX = SerializationContext(TOPIC, MessageField.VALUE)
#: Name the strategy so confluent-kafka does not look up topic associations per serializer.
CK_CONF = {"subject.name.strategy.type": "TOPIC"}

AVRO_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Order",
        "namespace": "bench",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "customer", "type": "string"},
            {"name": "qty", "type": "int"},
            {"name": "amount", "type": "long"},
            {"name": "price", "type": "double"},
            {"name": "paid", "type": "boolean"},
            {"name": "note", "type": ["null", "string"], "default": None},
            {"name": "tags", "type": {"type": "array", "items": "string"}},
            {
                "name": "status",
                "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "DONE"]},
            },
            {"name": "created", "type": "long"},
        ],
    }
)

JSON_SCHEMA = json.dumps(
    {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Order",
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "customer": {"type": "string", "maxLength": 64},
            "qty": {"type": "integer", "minimum": 0},
            "amount": {"type": "integer"},
            "price": {"type": "number"},
            "paid": {"type": "boolean"},
            "note": {"type": ["null", "string"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "status": {"enum": ["NEW", "DONE"]},
            "created": {"type": "integer"},
        },
        "required": ["id", "customer", "qty", "amount", "price", "paid", "tags", "status"],
    }
)


PROTO_SCHEMA = """
syntax = "proto3";
package bench;
message Order {
  string id = 1;
  string customer = 2;
  int32 qty = 3;
  int64 amount = 4;
  double price = 5;
  bool paid = 6;
  optional string note = 7;
  repeated string tags = 8;
  enum Status { NEW = 0; DONE = 1; }
  Status status = 9;
  int64 created = 10;
}
"""


def records(count: int) -> list[dict[str, Any]]:
    """`count` distinct records valid for both schemas."""
    return [
        {
            "id": f"order-{i}",
            "customer": f"customer-{i % 97}",
            "qty": i % 50,
            "amount": i * 1000,
            "price": i * 0.25,
            "paid": i % 2 == 0,
            "note": None if i % 3 else "fragile",
            "tags": ["a", "b"][: i % 3],
            "status": "NEW" if i % 2 else "DONE",
            "created": 1_700_000_000_000 + i,
        }
        for i in range(count)
    ]


RULES_CTX = SerializationContext("bench_rules", MessageField.VALUE)
#: One CEL condition, checked on write and on read.
ONE_CONDITION = {
    "domainRules": [
        {
            "name": "qty_not_negative",
            "kind": "CONDITION",
            "mode": "WRITEREAD",
            "type": "CEL",
            "expr": "message.qty >= 0",
        }
    ]
}


ENCRYPTED_CTX = SerializationContext("bench_encrypted", MessageField.VALUE)
KMS_SECRET = "a bench-only local KMS secret"
#: The CEL condition, plus the `customer` field encrypted on write and decrypted on read.
CONDITION_AND_ENCRYPT = {
    "domainRules": [
        *ONE_CONDITION["domainRules"],
        {
            "name": "encrypt_customer",
            "kind": "TRANSFORM",
            "mode": "WRITEREAD",
            "type": "ENCRYPT",
            "tags": ["PII"],
            "params": {
                "encrypt.kek.name": "bench-kek",
                "encrypt.kms.type": "local-kms",
                "encrypt.kms.key.id": "bench",
            },
        },
    ]
}


Cases = dict[str, tuple[Callable[[], object], Callable[[], object], float]]


def contract_cases(
    label: str,
    ctx: SerializationContext,
    schema: str,
    rule_set: dict[str, Any],
    data: list[dict[str, Any]],
    clients: tuple[CachedRegistryClient, SchemaRegistryClient],
    *,
    rounds: int,
    rule_conf: dict[str, str] | None = None,
    encrypted: str | None = None,
) -> Cases:
    """Avro under a data contract, both libraries reading the rule set from the registry.

    confluent-kafka's serializer writes transformed fields into the caller's record, so each
    round of each side gets copies made before the clock starts.
    """
    ours_client, ck = clients
    subject = f"{ctx.topic}-value"
    ours_client.register_schema(subject, Schema(schema, "AVRO", rule_set=rule_set))
    ck.register_schema(
        subject, CkSchema.from_dict({"schema": schema, "schemaType": "AVRO", "ruleSet": rule_set})
    )
    rules = RuleRegistry.default(rule_conf=rule_conf)
    latest = {"use.latest.version": True}
    ck_conf = {**CK_CONF, "auto.register.schemas": False, **latest}
    ours = AvroSerializer(ours_client, None, conf=latest, rule_registry=rules)
    theirs = CkAvroSerializer(ck, None, conf=ck_conf, rule_conf=rule_conf)
    ours_inputs = iter([[dict(r) for r in data] for _ in range(rounds)])
    theirs_inputs = iter([[dict(r) for r in data] for _ in range(rounds)])
    ours_bytes = [ours(dict(r), ctx) for r in data]
    theirs_bytes = [theirs(dict(r), ctx) for r in data]
    for written in (ours_bytes[0], theirs_bytes[0]):
        assert written is not None
        if encrypted is not None:
            assert data[0][encrypted].encode() not in written
    ours_reader = AvroDeserializer(ours_client, rule_registry=rules)
    theirs_reader = CkAvroDeserializer(ck, conf=CK_CONF, rule_conf=rule_conf)
    assert ours_reader(ours_bytes[0], ctx) == data[0]
    assert theirs_reader(theirs_bytes[0], ctx) == data[0]
    return {
        f"avro serialize ({label})": (
            lambda: [ours(r, ctx) for r in next(ours_inputs)],
            lambda: [theirs(r, ctx) for r in next(theirs_inputs)],
            1.0,
        ),
        f"avro deserialize ({label})": (
            lambda: [ours_reader(b, ctx) for b in ours_bytes],
            lambda: [theirs_reader(b, ctx) for b in theirs_bytes],
            1.0,
        ),
    }


def encrypted_schema() -> str:
    """The bench's Avro schema with its `customer` field tagged PII."""
    schema = json.loads(AVRO_SCHEMA)
    for field in schema["fields"]:
        if field["name"] == "customer":
            field["confluent:tags"] = ["PII"]
    return json.dumps(schema)


def per_record_us(run: Callable[[], object], count: int) -> float:
    started = time.perf_counter_ns()
    run()
    return (time.perf_counter_ns() - started) / count / 1000


def mock_client() -> SchemaRegistryClient:
    return SchemaRegistryClient.new_client({"url": "mock://bench"})


def main() -> None:
    with contextlib.ExitStack() as stack:
        run(stack)


def run(stack: contextlib.ExitStack) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    data = records(args.records)
    compiled = importlib.util.find_spec("fastjsonschema") is not None

    ours_client = CachedRegistryClient(InMemoryRegistryClient())
    ck = mock_client()
    avro_ours = AvroSerializer(ours_client, AVRO_SCHEMA)
    avro_theirs = CkAvroSerializer(ck, AVRO_SCHEMA, conf=CK_CONF)
    avro_bytes = [avro_ours(r, CTX) for r in data]
    ck_avro_bytes = [avro_theirs(r, CTX) for r in data]
    avro_reader_ours = AvroDeserializer(ours_client)
    avro_reader_theirs = CkAvroDeserializer(ck, conf=CK_CONF)

    json_ours = JSONSerializer(JSON_SCHEMA, ours_client)
    json_ours_plain = JSONSerializer(JSON_SCHEMA, ours_client, compiled_validation=False)
    json_theirs = CkJSONSerializer(JSON_SCHEMA, ck, conf=CK_CONF)
    json_bytes = [json_ours(r, CTX) for r in data]
    ck_json_bytes = [json_theirs(r, CTX) for r in data]
    json_reader_ours = JSONDeserializer(None, schema_registry_client=ours_client)
    json_reader_plain = JSONDeserializer(
        None, schema_registry_client=ours_client, compiled_validation=False
    )
    json_reader_theirs = CkJSONDeserializer(None, schema_registry_client=ck, conf=CK_CONF)

    order_cls = message_class(ProtobufFormat().parse(PROTO_SCHEMA), "bench.Order")
    messages = [
        order_cls(**{k: v for k, v in r.items() if v is not None and k != "status"}) for r in data
    ]
    proto_ours = ProtobufSerializer(order_cls, ours_client)
    proto_theirs = CkProtobufSerializer(order_cls, ck, conf=CK_CONF)
    proto_bytes = [proto_ours(m, CTX) for m in messages]
    ck_proto_bytes = [proto_theirs(m, CTX) for m in messages]
    proto_reader_ours = ProtobufDeserializer(order_cls)
    proto_reader_dynamic = ProtobufDeserializer(None, schema_registry_client=ours_client)
    proto_reader_theirs = CkProtobufDeserializer(order_cls)

    n = len(data)
    cases: Cases = {
        "avro serialize": (
            lambda: [avro_ours(r, CTX) for r in data],
            lambda: [avro_theirs(r, CTX) for r in data],
            1.5,
        ),
        "avro deserialize": (
            lambda: [avro_reader_ours(b, CTX) for b in avro_bytes],
            lambda: [avro_reader_theirs(b, CTX) for b in ck_avro_bytes],
            3.0,
        ),
        "json serialize (jsonschema)": (
            lambda: [json_ours_plain(r, CTX) for r in data],
            lambda: [json_theirs(r, CTX) for r in data],
            1.0,
        ),
        "json deserialize (jsonschema)": (
            lambda: [json_reader_plain(b, CTX) for b in json_bytes],
            lambda: [json_reader_theirs(b, CTX) for b in ck_json_bytes],
            1.0,
        ),
    }
    cases["protobuf serialize"] = (
        lambda: [proto_ours(m, CTX) for m in messages],
        lambda: [proto_theirs(m, CTX) for m in messages],
        2.0,
    )
    cases["protobuf deserialize"] = (
        lambda: [proto_reader_ours(b, CTX) for b in proto_bytes],
        lambda: [proto_reader_theirs(b, CTX) for b in ck_proto_bytes],
        2.0,
    )
    cases["protobuf deserialize (dynamic)"] = (
        lambda: [proto_reader_dynamic(b, CTX) for b in proto_bytes],
        lambda: [proto_reader_theirs(b, CTX) for b in ck_proto_bytes],
        2.0,
    )
    if compiled:
        cases["json serialize (compiled)"] = (
            lambda: [json_ours(r, CTX) for r in data],
            lambda: [json_theirs(r, CTX) for r in data],
            10.0,
        )
        cases["json deserialize (compiled)"] = (
            lambda: [json_reader_ours(b, CTX) for b in json_bytes],
            lambda: [json_reader_theirs(b, CTX) for b in ck_json_bytes],
            10.0,
        )
    CelExecutor.register()
    clients = (ours_client, ck)
    cases.update(
        contract_cases(
            "one CEL cond.",
            RULES_CTX,
            AVRO_SCHEMA,
            ONE_CONDITION,
            data,
            clients,
            rounds=args.rounds,
        )
    )
    dek_registry = stack.enter_context(local_registry())
    CkLocalKmsDriver.register()
    CkFieldEncryptionExecutor.register()
    cases.update(
        contract_cases(
            "CEL + ENCRYPT",
            ENCRYPTED_CTX,
            encrypted_schema(),
            CONDITION_AND_ENCRYPT,
            data,
            clients,
            rounds=args.rounds,
            rule_conf={"url": dek_registry.url, "secret": KMS_SECRET},
            encrypted="customer",
        )
    )

    timings: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in cases}
    for _ in range(args.rounds):
        for name, (ours, theirs, _goal) in cases.items():
            timings[name][1].append(per_record_us(theirs, n))
            timings[name][0].append(per_record_us(ours, n))

    print(
        f"Python {platform.python_version()}, {n} records x {args.rounds} rounds "
        f"(medians, microseconds per record); fastjsonschema: {'yes' if compiled else 'no'}"
    )
    print(f"{'case':32} {'confluent':>10} {'cairn':>10} {'ratio':>7} {'goal':>6}")
    for name, (ours_t, theirs_t) in timings.items():
        ours_m, theirs_m = statistics.median(ours_t), statistics.median(theirs_t)
        goal = cases[name][2]
        ratio = theirs_m / ours_m
        mark = "ok" if ratio >= goal else "MISS"
        print(f"{name:32} {theirs_m:10.2f} {ours_m:10.2f} {ratio:6.2f}x {goal:5.1f}x {mark}")


if __name__ == "__main__":
    main()
