"""Schema tags: `schemaTagsToAdd`/`schemaTagsToRemove`/`propagateSchemaTags` on register and
`POST /subjects/{s}/versions/{v}/tags`, written into the schema text as Confluent does."""

from __future__ import annotations

import json
from typing import Any

from starlette.testclient import TestClient

from tests.registry.http.conftest import CT, record

SCHEMA = record("myrecord", ("f1", "string"))
EVOLVED = json.dumps(
    {
        "type": "record",
        "name": "myrecord",
        "fields": [
            {"name": "f1", "type": "string"},
            {"name": "f2", "type": "string", "default": "hi"},
        ],
    }
)


def tags(path: str, *names: str, kind: str = "sr_record") -> dict[str, Any]:
    return {"schemaEntity": {"entityPath": path, "entityType": kind}, "tags": list(names)}


def register(client: TestClient, subject: str, schema: str = SCHEMA, **body: Any) -> Any:
    response = client.post(
        f"/subjects/{subject}/versions", json={"schema": schema, **body}, headers=CT
    )
    assert response.status_code == 200, response.text
    return response.json()


def latest(client: TestClient, subject: str) -> Any:
    return client.get(f"/subjects/{subject}/versions/latest").json()


def test_register_adds_and_removes_tags_in_the_schema_text(
    client: TestClient, subject: str
) -> None:
    assert register(client, subject)["id"] == 1
    added = register(client, subject, version=2, schemaTagsToAdd=[tags("myrecord", "T1", "T2")])
    assert (added["id"], added["version"]) == (2, 2)
    stored = latest(client, subject)
    assert json.loads(stored["schema"])["confluent:tags"] == ["T1", "T2"]
    assert stored["schema"].endswith(',"confluent:tags":["T1","T2"]}')
    assert stored["metadata"] == {"properties": {"confluent:version": "2"}}
    # Without a version the tag edit still makes a new, pinned version.
    removed = register(
        client, subject, stored["schema"], schemaTagsToRemove=[tags("myrecord", "T2")]
    )
    assert removed["version"] == 3
    stored = latest(client, subject)
    assert json.loads(stored["schema"])["confluent:tags"] == ["T1"]
    assert stored["metadata"] == {"properties": {"confluent:version": "3"}}
    # A field is `record.field`; the tags of the latest version carry over on request.
    field = tags("myrecord.f1", "PII", kind="sr_field")
    register(client, subject, stored["schema"], schemaTagsToAdd=[field])
    propagated = register(client, subject, EVOLVED, propagateSchemaTags=True)
    schema = json.loads(client.get(f"/schemas/ids/{propagated['id']}").json()["schema"])
    assert schema["confluent:tags"] == ["T1"]
    assert schema["fields"][0]["confluent:tags"] == ["PII"]
    assert "confluent:tags" not in schema["fields"][1]


def test_an_unknown_entity_is_422_42201(client: TestClient, subject: str) -> None:
    register(client, subject)
    response = client.post(
        f"/subjects/{subject}/versions",
        json={"schema": SCHEMA, "schemaTagsToAdd": [tags("nosuch", "T")]},
        headers=CT,
    )
    assert (response.status_code, response.json()["error_code"]) == (422, 42201)
    assert "No matching path 'nosuch' found in the schema" in response.json()["message"]
    bad = client.post(
        f"/subjects/{subject}/versions",
        json={"schema": SCHEMA, "schemaTagsToAdd": [{"schemaEntity": {}, "tags": ["T"]}]},
        headers=CT,
    )
    assert (bad.status_code, bad.json()["error_code"]) == (400, 400)


def test_the_tags_endpoint_registers_a_tagged_version(client: TestClient, subject: str) -> None:
    rules = {"domainRules": [{"name": "r1", "kind": "CONDITION", "mode": "WRITE", "type": "CEL"}]}
    register(client, subject, ruleSet=rules)
    response = client.post(
        f"/subjects/{subject}/versions/1/tags",
        json={
            "newVersion": 2,
            "tagsToAdd": [tags("myrecord.f1", "PII", kind="sr_field")],
            "rulesToMerge": {
                "domainRules": [{"name": "r2", "kind": "CONDITION", "mode": "READ", "type": "CEL"}]
            },
        },
        headers=CT,
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2
    stored = latest(client, subject)
    assert json.loads(stored["schema"])["fields"][0]["confluent:tags"] == ["PII"]
    assert stored["metadata"] == {"properties": {"confluent:version": "2"}}
    assert [r["name"] for r in stored["ruleSet"]["domainRules"]] == ["r1", "r2"]
    # Removing the tag again, without a new version number, and dropping a rule.
    response = client.post(
        f"/subjects/{subject}/versions/latest/tags",
        json={
            "tagsToRemove": [tags("myrecord.f1", "PII", kind="sr_field")],
            "rulesToRemove": ["r1"],
        },
        headers=CT,
    )
    assert response.status_code == 200, response.text
    stored = latest(client, subject)
    assert stored["version"] == 3
    assert json.loads(stored["schema"]) == json.loads(SCHEMA)
    assert stored["metadata"] == {"properties": {"confluent:version": "3"}}
    assert [r["name"] for r in stored["ruleSet"]["domainRules"]] == ["r2"]


def test_the_tags_endpoint_errors(client: TestClient, subject: str) -> None:
    url = f"/subjects/{subject}/versions/1/tags"
    response = client.post(url, json={"tagsToAdd": [tags("myrecord", "T")]}, headers=CT)
    assert (response.status_code, response.json()["error_code"]) == (404, 40401)
    register(client, subject)
    response = client.post(
        f"/subjects/{subject}/versions/9/tags", json={"tagsToAdd": []}, headers=CT
    )
    assert (response.status_code, response.json()["error_code"]) == (404, 40402)
    response = client.post(url, json={"newVersion": 5}, headers=CT)
    assert (response.status_code, response.json()["error_code"]) == (422, 42201)
    response = client.post(
        url,
        json={
            "ruleSet": {
                "domainRules": [
                    {
                        "name": "r0",
                        "kind": "CONDITION",
                        "mode": "WRITE",
                        "type": "CEL",
                        "expr": "true",
                    }
                ]
            },
            "rulesToRemove": ["r1"],
        },
        headers=CT,
    )
    assert (response.status_code, response.json()["error_code"]) == (422, 42210)
