"""Compatibility endpoints, verbose messages, and the transitive corpus through the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.corpus import CASES_DIR as CASES
from tests.registry.http.conftest import record, register

V1 = record("R", ("a", "int"))
ADD_FIELD = record("R", ("a", "int"), ("b", "int"))


def test_compatible_and_incompatible_checks(client: TestClient, subject: str) -> None:
    register(client, subject, V1)
    url = f"/compatibility/subjects/{subject}/versions/latest"
    assert client.post(url, json={"schema": V1}).json() == {"is_compatible": True}
    assert client.post(url, json={"schema": ADD_FIELD}).json() == {"is_compatible": False}
    verbose = client.post(url + "?verbose=true", json={"schema": ADD_FIELD}).json()
    assert verbose["is_compatible"] is False
    assert verbose["messages"][0].startswith("{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'")
    assert verbose["messages"][1] == "{oldSchemaVersion: 1}"
    assert verbose["messages"][-1] == "{validateFields: 'false', compatibility: 'BACKWARD'}"


def test_checks_on_missing_subjects_and_versions(client: TestClient, subject: str) -> None:
    latest = client.post(f"/compatibility/subjects/{subject}/versions/latest", json={"schema": V1})
    assert latest.json() == {"is_compatible": True}
    # As Confluent: the version is looked up first, so an unknown subject's version is 40402.
    unknown = client.post(f"/compatibility/subjects/{subject}/versions/1", json={"schema": V1})
    assert (unknown.status_code, unknown.json()["error_code"]) == (404, 40402)
    register(client, subject, V1)
    missing = client.post(f"/compatibility/subjects/{subject}/versions/9", json={"schema": V1})
    assert (missing.status_code, missing.json()["error_code"]) == (404, 40402)
    bad = client.post(f"/compatibility/subjects/{subject}/versions/zero", json={"schema": V1})
    assert bad.json()["error_code"] == 42202


def test_invalid_schema_in_a_check_is_42201_unless_verbose(
    client: TestClient, subject: str
) -> None:
    url = f"/compatibility/subjects/{subject}/versions/latest"
    plain = client.post(url, json={"schema": "{"})
    assert (plain.status_code, plain.json()["error_code"]) == (422, 42201)
    verbose = client.post(url + "?verbose=true", json={"schema": "{"}).json()
    assert verbose["is_compatible"] is False
    assert len(verbose["messages"]) == 1


def _transitive_cases() -> list[Any]:
    cases = json.loads((CASES / "transitive.json").read_text())
    return [pytest.param(c, id=c["name"][:80]) for c in cases if c["format"] == "AVRO"]


@pytest.mark.parametrize("case", _transitive_cases())
def test_transitive_corpus(client: TestClient, subject: str, case: dict[str, Any]) -> None:
    client.put(f"/config/{subject}", json={"compatibility": "NONE"})
    for schema in case["history"]:
        register(client, subject, schema)
    for version in case.get("deleted_after_history", []):
        assert client.delete(f"/subjects/{subject}/versions/{version}").status_code == 200
    client.put(f"/config/{subject}", json={"compatibility": case["level"]})
    body = {"schema": case["new"]}
    endpoint = case["endpoint"]
    if endpoint == "register":
        response = client.post(f"/subjects/{subject}/versions", json=body)
        assert response.status_code == (200 if case["expected"] else 409), response.text
    else:
        path = endpoint.split(" ", 1)[1].replace("{subject}", subject)
        response = client.post(path, json=body)
        assert response.json()["is_compatible"] is case["expected"], response.text
