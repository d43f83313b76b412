"""Data contracts through the API: default/override metadata and rule sets, carry-over from
the previous version, metadata-only updates, and lookups that see the merged form."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

from .conftest import CT, record, register

SCHEMA = record("Order", ("id", "string"))


def _latest(client: TestClient, subject: str) -> dict[str, object]:
    body: dict[str, object] = client.get(f"/subjects/{subject}/versions/latest").json()
    return body


def test_config_default_and_override_metadata_are_merged(client: TestClient, subject: str) -> None:
    client.put(
        f"/config/{subject}",
        json={
            "defaultMetadata": {"properties": {"owner": "platform", "tier": "bronze"}},
            "overrideMetadata": {"properties": {"tier": "gold"}},
        },
        headers=CT,
    )
    register(client, subject, SCHEMA, metadata={"properties": {"owner": "orders", "tier": "x"}})
    assert _latest(client, subject)["metadata"] == {
        "properties": {"owner": "orders", "tier": "gold"}
    }


def test_metadata_and_rules_carry_over_to_the_next_version(
    client: TestClient, subject: str
) -> None:
    rules = {
        "domainRules": [
            {"name": "check", "kind": "CONDITION", "mode": "WRITE", "type": "CEL", "expr": "true"}
        ]
    }
    register(client, subject, SCHEMA, metadata={"properties": {"owner": "orders"}}, ruleSet=rules)
    v2 = json.dumps(
        {
            "type": "record",
            "name": "Order",
            "fields": [
                {"name": "id", "type": "string"},
                {"name": "note", "type": ["null", "string"], "default": None},
            ],
        }
    )
    register(client, subject, v2)
    latest = _latest(client, subject)
    assert latest["version"] == 2
    assert latest["metadata"] == {"properties": {"owner": "orders"}}
    assert latest["ruleSet"] == rules


def test_reregistering_without_metadata_is_idempotent(client: TestClient, subject: str) -> None:
    first = register(client, subject, SCHEMA, metadata={"properties": {"owner": "orders"}})
    again = register(client, subject, SCHEMA)
    assert (again["id"], again["version"]) == (first["id"], first["version"])


def test_empty_schema_is_a_metadata_only_update(client: TestClient, subject: str) -> None:
    first = register(client, subject, SCHEMA)
    updated = register(client, subject, "", metadata={"properties": {"owner": "billing"}})
    assert updated["version"] == 2
    assert updated["id"] != first["id"]  # metadata is part of a schema's identity
    latest = _latest(client, subject)
    assert latest["schema"] == _latest_schema_text(client, subject, 1)
    assert latest["metadata"] == {"properties": {"owner": "billing"}}


def _latest_schema_text(client: TestClient, subject: str, version: int) -> object:
    return client.get(f"/subjects/{subject}/versions/{version}").json()["schema"]


def test_empty_schema_without_a_previous_version_is_42201(client: TestClient, subject: str) -> None:
    response = client.post(f"/subjects/{subject}/versions", json={"schema": ""}, headers=CT)
    assert (response.status_code, response.json()["error_code"]) == (422, 42201)


def test_lookup_finds_a_version_registered_with_default_metadata(
    client: TestClient, subject: str
) -> None:
    client.put(
        f"/config/{subject}",
        json={"defaultMetadata": {"properties": {"owner": "platform"}}},
        headers=CT,
    )
    registered = register(client, subject, SCHEMA)
    found = client.post(f"/subjects/{subject}", json={"schema": SCHEMA}, headers=CT)
    assert found.status_code == 200, found.text
    assert found.json()["id"] == registered["id"]
    assert found.json()["metadata"] == {"properties": {"owner": "platform"}}


def test_import_mode_stores_exactly_what_is_sent(client: TestClient, subject: str) -> None:
    client.put(
        f"/config/{subject}",
        json={"overrideMetadata": {"properties": {"owner": "platform"}}},
        headers=CT,
    )
    client.put(f"/mode/{subject}", json={"mode": "IMPORT"}, headers=CT)
    register(client, subject, SCHEMA, id=500, version=1)
    assert "metadata" not in _latest(client, subject)


def _reserving(*names: str) -> dict[str, object]:
    return {"properties": {"confluent:reserved": ",".join(names)}}


def _order(*fields: str) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": "Order",
            "fields": [{"name": n, "type": ["null", "string"], "default": None} for n in fields],
        }
    )


def test_validate_fields_keeps_reservations_and_refuses_reserved_names(
    client: TestClient, subject: str
) -> None:
    client.put(f"/config/{subject}", json={"validateFields": True}, headers=CT)
    register(client, subject, _order("id"), metadata=_reserving("cost", "status"))

    dropped = client.post(
        f"/subjects/{subject}/versions",
        json={"schema": _order("id", "note"), "metadata": _reserving("cost")},
        headers=CT,
    )
    assert dropped.status_code == 409, dropped.text
    assert "reserved field status removed from its metadata" in dropped.json()["message"]
    assert "validateFields: 'true'" in dropped.json()["message"]

    verbose = client.post(
        f"/compatibility/subjects/{subject}/versions/latest?verbose=true",
        json={"schema": _order("id", "cost"), "metadata": _reserving("cost", "status")},
        headers=CT,
    ).json()
    assert verbose["is_compatible"] is False
    assert verbose["messages"][0] == (
        "The new schema has field that conflicts with the reserved field cost."
    )

    kept = register(client, subject, _order("id", "note"), metadata=_reserving("cost", "status"))
    assert kept["version"] == 2


def test_reservations_are_not_checked_without_validate_fields(
    client: TestClient, subject: str
) -> None:
    register(client, subject, _order("id"), metadata=_reserving("cost"))
    later = register(client, subject, _order("id", "cost"), metadata=_reserving("other"))
    assert later["version"] == 2
