"""`registry.testing`: a real registry per test, reachable by confluent-kafka's client."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from confluent_kafka.schema_registry import Schema
from confluent_kafka.schema_registry.error import SchemaRegistryError

from registry.testing import LocalRegistry, RegistrationError, local_registry

V1 = json.dumps({"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]})
V2_INCOMPATIBLE = json.dumps(
    {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}
)


def test_each_test_gets_an_empty_registry(schema_registry: LocalRegistry) -> None:
    # The previous test's schemas (if any ran) are gone.
    assert schema_registry.client().get_subjects() == []
    schema_registry.register("orders-value", V1)
    assert schema_registry.client().get_subjects() == ["orders-value"]


def test_and_the_next_one_too(schema_registry: LocalRegistry) -> None:
    assert schema_registry.client().get_subjects() == []


def test_compatibility_is_enforced_as_a_real_registry_does(schema_registry: LocalRegistry) -> None:
    schema_registry.register("orders-value", V1)
    client = schema_registry.client()
    assert not client.test_compatibility("orders-value", Schema(V2_INCOMPATIBLE, "AVRO"))
    with pytest.raises(SchemaRegistryError) as refused:
        client.register_schema("orders-value", Schema(V2_INCOMPATIBLE, "AVRO"))
    assert refused.value.http_status_code == 409
    schema_registry.set_compatibility("NONE", "orders-value")
    assert client.register_schema("orders-value", Schema(V2_INCOMPATIBLE, "AVRO")) == 2


def test_preload_reads_files_and_their_types(
    schema_registry: LocalRegistry, tmp_path: Path
) -> None:
    avro = tmp_path / "order.avsc"
    avro.write_text(V1)
    json_schema = tmp_path / "customer.json"
    json_schema.write_text(json.dumps({"type": "object", "properties": {"n": {"type": "string"}}}))
    ids = schema_registry.preload({"orders-value": avro, "customers-value": json_schema})
    client = schema_registry.client()
    assert client.get_schema(ids["orders-value"]).schema_type == "AVRO"
    assert client.get_schema(ids["customers-value"]).schema_type == "JSON"


def test_references_are_resolved(schema_registry: LocalRegistry) -> None:
    money = json.dumps(
        {
            "type": "record",
            "name": "Money",
            "namespace": "com.acme",
            "fields": [{"name": "cents", "type": "long"}],
        }
    )
    schema_registry.register("money-value", money)
    order = json.dumps(
        {"type": "record", "name": "Order", "fields": [{"name": "total", "type": "com.acme.Money"}]}
    )
    reference = {"name": "com.acme.Money", "subject": "money-value", "version": 1}
    schema_id = schema_registry.register("orders-value", order, references=[reference])
    references = schema_registry.client().get_schema(schema_id).references
    assert references is not None
    assert references[0].subject == "money-value"


def test_a_refused_preload_says_why(schema_registry: LocalRegistry) -> None:
    with pytest.raises(RegistrationError) as refused:
        schema_registry.register("bad-value", "{not avro")
    assert refused.value.status == 422
    assert "42201" in refused.value.body


def test_the_context_manager_runs_a_registry_of_its_own() -> None:
    with local_registry(default_compatibility="FULL") as first, local_registry() as second:
        assert first.url != second.url
        first.register("a", V1)
        assert first.client().get_subjects() == ["a"]
        assert second.client().get_subjects() == []
        assert first.client().get_compatibility() == "FULL"
