"""Transport-level behaviour: content types, error bodies, bad input, size limits."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from tests.registry.http.conftest import record


def test_default_and_negotiated_content_types(client: TestClient) -> None:
    assert (
        client.get("/").headers["content-type"].startswith("application/vnd.schemaregistry.v1+json")
    )
    for accept, expected in [
        ("application/json", "application/json"),
        ("application/vnd.schemaregistry+json", "application/vnd.schemaregistry+json"),
        ("*/*", "application/vnd.schemaregistry.v1+json"),
        (
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json",
            "application/vnd.schemaregistry.v1+json",
        ),
    ]:
        response = client.get("/subjects", headers={"Accept": accept})
        assert response.headers["content-type"].startswith(expected), accept


def test_unacceptable_accept_is_406_and_bad_content_type_415(client: TestClient) -> None:
    response = client.get("/subjects", headers={"Accept": "text/html"})
    assert (response.status_code, response.json()["error_code"]) == (406, 406)
    response = client.post(
        "/subjects/x/versions",
        content=b'{"schema":"\\"int\\""}',
        headers={"Content-Type": "text/xml"},
    )
    assert (response.status_code, response.json()["error_code"]) == (415, 415)
    # The message says what would have been accepted.
    for accepted in ("application/vnd.schemaregistry.v1+json", "application/json"):
        assert accepted in response.json()["message"]


def test_unknown_path_404_and_wrong_method_405(client: TestClient) -> None:
    response = client.get("/nope")
    assert response.json() == {"error_code": 404, "message": "HTTP 404 Not Found"}
    response = client.put("/subjects")
    assert (response.status_code, response.json()["error_code"]) == (405, 405)


def test_root_and_metadata(client: TestClient) -> None:
    assert client.get("/").json() == {}
    assert client.post("/").json() == {}
    assert {"AVRO", "JSON"} <= set(client.get("/schemas/types").json())
    meta = client.get("/v1/metadata/id").json()
    assert set(meta["scope"]["clusters"]) == {"kafka-cluster", "schema-registry-cluster"}
    assert client.get("/associations/resources/-/orders?resourceType=topic").json() == []


def test_a_single_node_names_itself_the_leader(make_client: Callable[..., TestClient]) -> None:
    client = make_client(host="127.0.0.1", port=18081)
    response = client.get("/v1/metadata/leader")
    assert response.status_code == 200
    assert response.json() == {"leader": "http://127.0.0.1:18081", "isLeader": True}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, 400),
        (b"[1,2,3]", 400, 400),
        (b'{"schema": 12}', 400, 400),
        (b"{}", 422, 42201),
        (b'{"schema": ""}', 422, 42201),
        (b'{"schema": "not avro at all"}', 422, 42201),
        (b'{"schema": "{\\"type\\":\\"record\\",\\"name\\":\\"R\\"}"}', 422, 42201),
        (b'{"schema": "\\"int\\"", "schemaType": "XML"}', 422, 42201),
        (b'{"schema": "{\\"type\\": 12}", "schemaType": "JSON"}', 422, 42201),
        (b'{"schema": "\\"int\\"", "references": [{"name": "x"}]}', 422, 42201),
        (
            b'{"schema": "\\"int\\"", "references": [{"name": "x", "subject": "nope", "version": 1}]}',
            422,
            42201,
        ),
        (b'{"schema": "\\"int\\"", "version": "one"}', 400, 400),
    ],
)
def test_bad_registration_bodies_get_confluent_codes(
    client: TestClient, body: bytes, status: int, code: int
) -> None:
    response = client.post(
        "/subjects/bad/versions", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == status, response.text
    assert response.json()["error_code"] == code
    assert response.json()["message"]


def test_deeply_nested_schema_is_422_not_500(client: TestClient) -> None:
    nested = '{"type":"array","items":' * 3000 + '"int"' + "}" * 3000
    response = client.post("/subjects/deep/versions", json={"schema": nested})
    assert (response.status_code, response.json()["error_code"]) == (422, 42201)
    deep_json = "[" * 100_000 + "]" * 100_000
    response = client.post("/subjects/deep/versions", json={"schema": deep_json})
    assert response.status_code == 422


def test_bodies_over_the_limit_are_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_request_bytes=1024)
    big = record("Big", *[(f"f{i}", "string") for i in range(100)])
    response = client.post("/subjects/big/versions", json={"schema": big})
    assert (response.status_code, response.json()["error_code"]) == (413, 413)


def test_invalid_subject_is_42208(client: TestClient) -> None:
    response = client.post("/subjects/bad%01name/versions", json={"schema": '"int"'})
    assert (response.status_code, response.json()["error_code"]) == (422, 42208)


def test_invalid_percent_encoding_is_a_client_error(client: TestClient) -> None:
    response = client.get("/subjects/%ff%fe/versions")
    assert response.status_code == 400
