"""JSON Schema through the HTTP API: registration, references, lookup, 409s and 422s."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from compat.avro import AvroFormat
from compat.formats import Formats
from compat.jsonschema import JsonSchemaFormat
from registry.log.memory import MemoryLog
from registry.server import build_app
from registry.settings import Settings

from .conftest import CT


@pytest.fixture
def api() -> Iterator[TestClient]:
    """A client over a fresh registry that knows Avro and JSON Schema."""
    app = build_app(MemoryLog(), Settings(), Formats([AvroFormat(), JsonSchemaFormat()]))
    with TestClient(app) as client:
        yield client


def _obj(**props: Any) -> str:
    return json.dumps({"type": "object", "properties": props})


def _post(api: TestClient, url: str, schema: str, **body: Any) -> Any:
    return api.post(url, json={"schema": schema, "schemaType": "JSON", **body}, headers=CT)


def test_register_fetch_and_reregister(api: TestClient, subject: str) -> None:
    text = '{ "type": "object", "properties": {"a": {"type": "string"}} }'
    first = _post(api, f"/subjects/{subject}/versions", text)
    assert first.status_code == 200, first.text
    again = _post(api, f"/subjects/{subject}/versions", text)
    assert again.json()["id"] == first.json()["id"]
    version = api.get(f"/subjects/{subject}/versions/1").json()
    assert version["schemaType"] == "JSON"
    assert version["schema"] == '{"type":"object","properties":{"a":{"type":"string"}}}'


def test_lookup_of_reordered_document_with_normalize(api: TestClient, subject: str) -> None:
    text = '{"type": "object", "properties": {"b": {"type": "integer"}, "a": {}}}'
    registered = _post(api, f"/subjects/{subject}/versions?normalize=true", text)
    assert registered.status_code == 200, registered.text
    reordered = '{"properties": {"a": {}, "b": {"type": "integer"}}, "type": "object"}'
    found = _post(api, f"/subjects/{subject}?normalize=true", reordered)
    assert found.status_code == 200, found.text
    assert found.json()["id"] == registered.json()["id"]


def test_references_between_subjects(api: TestClient, subject: str) -> None:
    address = f"{subject}-address"
    assert (
        _post(api, f"/subjects/{address}/versions", _obj(city={"type": "string"})).status_code
        == 200
    )
    refs = [{"name": "address.json", "subject": address, "version": 1}]
    person = _obj(home={"$ref": "address.json"})
    registered = _post(api, f"/subjects/{subject}/versions", person, references=refs)
    assert registered.status_code == 200, registered.text
    fetched = api.get(f"/subjects/{subject}/versions/latest").json()
    assert fetched["references"] == refs
    missing = _post(api, f"/subjects/{subject}-x/versions", _obj(h={"$ref": "nowhere.json"}))
    assert missing.status_code == 422
    assert missing.json()["error_code"] == 42201
    assert "nowhere.json" in missing.json()["message"]


def test_incompatible_change_answers_409_with_confluent_messages(
    api: TestClient, subject: str
) -> None:
    assert (
        _post(api, f"/subjects/{subject}/versions", _obj(a={"type": "string"})).status_code == 200
    )
    changed = _obj(a={"type": "integer"})
    refused = _post(api, f"/subjects/{subject}/versions", changed)
    assert refused.status_code == 409
    expected = (
        '{errorType:"TYPE_CHANGED", description:"A type at path \'#/properties/a\' is '
        "different between the new schema and the old schema'}"
    )
    assert expected in refused.json()["message"]
    verbose = _post(
        api, f"/compatibility/subjects/{subject}/versions/latest?verbose=true", changed
    ).json()
    assert verbose["is_compatible"] is False
    assert verbose["messages"][0] == expected
    widened = _obj(a={"type": "string"}, b={})
    ok = _post(api, f"/compatibility/subjects/{subject}/versions/latest", widened).json()
    assert ok == {"is_compatible": True}


@pytest.mark.parametrize(
    "text",
    [
        "not json at all",
        "[1, 2, 3]",
        '{"type": "strin"}',
        '{"$schema": "http://example.com/unknown-draft"}',
        '{"$ref": "http://example.com/remote.json"}',
        '{"not": ' * 300 + "{}" + "}" * 300,
    ],
)
def test_invalid_schemas_answer_422(api: TestClient, subject: str, text: str) -> None:
    response = _post(api, f"/subjects/{subject}/versions", text)
    assert response.status_code == 422, response.text
    assert response.json()["error_code"] == 42201


def test_a_self_referencing_combination_is_not_a_500(api: TestClient, subject: str) -> None:
    """`{"oneOf": [{"$ref": "#"}]}` made the compatibility check recurse until it failed."""
    first = {"schema": json.dumps({"type": "string"}), "schemaType": "JSON"}
    assert api.post(f"/subjects/{subject}/versions", json=first, headers=CT).status_code == 200
    looping = {"schema": json.dumps({"oneOf": [{"$ref": "#"}]}), "schemaType": "JSON"}
    check = api.post(
        f"/compatibility/subjects/{subject}/versions?verbose=true", json=looping, headers=CT
    )
    assert check.status_code == 200, check.text
    registered = api.post(f"/subjects/{subject}/versions", json=looping, headers=CT)
    assert registered.status_code in (200, 409), registered.text
