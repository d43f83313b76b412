"""Registration, lookup, versions and deletion through the REST API."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from starlette.testclient import TestClient

from tests.registry.http.conftest import CT, record, register

V1 = record("Order", ("id", "string"))
V2 = '{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"n","type":"int","default":0}]}'


def test_register_returns_id_and_version_and_get_returns_the_entity(
    client: TestClient, subject: str
) -> None:
    body = register(client, subject, V1)
    assert body["id"] == 1
    assert body["version"] == 1
    assert body["schemaType"] == "AVRO"
    got = client.get(f"/subjects/{subject}/versions/1").json()
    assert got["subject"] == subject
    assert got["id"] == 1
    assert got["version"] == 1
    assert (
        got["schema"] == '{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}'
    )
    assert got["deleted"] is False
    assert client.get(f"/subjects/{subject}/versions/latest").json() == got
    assert client.get(f"/subjects/{subject}/versions/-1").json() == got
    assert client.get(f"/subjects/{subject}/versions/1/schema").text == got["schema"]
    assert client.get("/schemas/ids/1").json()["schema"] == got["schema"]
    assert client.get("/schemas/ids/1/schema").text == got["schema"]


def test_reregistering_identical_schema_writes_nothing(client: TestClient, subject: str) -> None:
    first = register(client, subject, V1)
    again = register(
        client,
        subject,
        ' { "type" : "record", "name":"Order", "fields":[{"name":"id","type":"string"}]}',
    )
    assert (again["id"], again["version"]) == (first["id"], first["version"])
    assert client.get(f"/subjects/{subject}/versions").json() == [1]


def test_same_schema_under_two_subjects_shares_one_id(client: TestClient, subject: str) -> None:
    a = register(client, subject, V1)
    b = register(client, subject + "-other", V1)
    assert a["id"] == b["id"]
    assert client.get(f"/schemas/ids/{a['id']}/subjects").json() == sorted(
        [subject, subject + "-other"]
    )
    versions = client.get(f"/schemas/ids/{a['id']}/versions").json()
    assert {"subject": subject, "version": 1} in versions


def test_evolution_gets_next_version_and_new_id(client: TestClient, subject: str) -> None:
    register(client, subject, V1)
    second = register(client, subject, V2)
    assert (second["id"], second["version"]) == (2, 2)
    assert client.get(f"/subjects/{subject}/versions").json() == [1, 2]


def test_incompatible_registration_is_409_with_details(client: TestClient, subject: str) -> None:
    register(client, subject, V1)
    bad = record("Order", ("id", "string"), ("extra", "int"))
    response = client.post(f"/subjects/{subject}/versions", json={"schema": bad}, headers=CT)
    assert response.status_code == 409
    body = response.json()
    assert body["error_code"] == 409
    assert body["message"].startswith(
        f'Schema being registered is incompatible with an earlier schema for subject "{subject}"'
    )
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in body["message"]


def test_incompatible_error_code_can_be_40901(
    make_client: Callable[..., TestClient], subject: str
) -> None:
    client = make_client(incompatible_error_code=40901)
    register(client, subject, V1)
    bad = record("Order", ("id", "int"))
    response = client.post(f"/subjects/{subject}/versions", json={"schema": bad})
    assert (response.status_code, response.json()["error_code"]) == (409, 40901)


def test_lookup(client: TestClient, subject: str) -> None:
    register(client, subject, V1)
    found = client.post(f"/subjects/{subject}", json={"schema": V1})
    assert found.status_code == 200
    assert (found.json()["id"], found.json()["version"]) == (1, 1)
    missing = client.post(f"/subjects/{subject}", json={"schema": V2})
    assert (missing.status_code, missing.json()["error_code"]) == (404, 40403)
    unknown = client.post(f"/subjects/{subject}-nope", json={"schema": V1})
    assert (unknown.status_code, unknown.json()["error_code"]) == (404, 40401)
    assert unknown.json()["message"] == f"Subject '{subject}-nope' not found."


def test_unknown_subject_version_and_id(client: TestClient, subject: str) -> None:
    assert client.get(f"/subjects/{subject}/versions").json()["error_code"] == 40401
    register(client, subject, V1)
    response = client.get(f"/subjects/{subject}/versions/7")
    assert (response.status_code, response.json()) == (
        404,
        {"error_code": 40402, "message": "Version 7 not found."},
    )
    response = client.get("/schemas/ids/99")
    assert (response.status_code, response.json()) == (
        404,
        {"error_code": 40403, "message": "Schema 99 not found"},
    )


def test_invalid_versions_are_42202(client: TestClient, subject: str) -> None:
    register(client, subject, V1)
    for bad in ("0", "-2", "abc", "2147483648"):
        response = client.get(f"/subjects/{subject}/versions/{bad}")
        assert response.status_code == 422, bad
        assert response.json()["error_code"] == 42202


def test_soft_then_hard_delete_of_a_version(client: TestClient, subject: str) -> None:
    register(client, subject, V1)
    register(client, subject, V2)
    hard_first = client.delete(f"/subjects/{subject}/versions/1?permanent=true")
    assert hard_first.json()["error_code"] == 40407
    assert client.delete(f"/subjects/{subject}/versions/1").json() == 1
    again = client.delete(f"/subjects/{subject}/versions/1")
    assert again.json() == {
        "error_code": 40406,
        "message": f"Subject '{subject}' Version 1 was soft deleted.Set permanent=true to delete permanently",
    }
    assert client.get(f"/subjects/{subject}/versions").json() == [2]
    assert client.get(f"/subjects/{subject}/versions?deleted=true").json() == [1, 2]
    assert client.get(f"/subjects/{subject}/versions/1").json()["error_code"] == 40402
    assert client.get(f"/subjects/{subject}/versions/1?deleted=true").json()["deleted"] is True
    # Ids survive soft deletion so old messages stay readable.
    assert client.get("/schemas/ids/1").status_code == 200
    assert client.delete(f"/subjects/{subject}/versions/1?permanent=True").json() == 1
    assert client.get(f"/subjects/{subject}/versions?deleted=true").json() == [2]
    assert client.get("/schemas/ids/1").status_code == 404


def test_subject_delete_state_machine(client: TestClient, subject: str) -> None:
    register(client, subject, V1)
    register(client, subject, V2)
    assert client.delete(f"/subjects/{subject}?permanent=true").json()["error_code"] == 40405
    assert client.delete(f"/subjects/{subject}").json() == [1, 2]
    assert client.delete(f"/subjects/{subject}").json()["error_code"] == 40404
    assert subject not in client.get("/subjects").json()
    assert subject in client.get("/subjects?deleted=true").json()
    assert subject in client.get("/subjects?deletedOnly=true").json()
    assert client.get(f"/subjects/{subject}/versions").json()["error_code"] == 40401
    # Version numbers of soft-deleted versions are never reused.
    third = register(client, subject, record("Other", ("x", "long")))
    assert third["version"] == 3
    assert client.delete(f"/subjects/{subject}").json() == [3]
    assert client.delete(f"/subjects/{subject}?permanent=true").json() == [1, 2, 3]
    assert client.get(f"/subjects/{subject}/versions?deleted=true").json()["error_code"] == 40401
    assert client.delete(f"/subjects/{subject}").json()["error_code"] == 40401


def test_reregistering_a_soft_deleted_schema_gets_a_new_version(
    client: TestClient, subject: str
) -> None:
    register(client, subject, V1)
    client.delete(f"/subjects/{subject}/versions/1")
    again = register(client, subject, V1)
    assert (again["id"], again["version"]) == (1, 2)
    assert client.get(f"/subjects/{subject}/versions?deleted=true").json() == [2]


def test_ids_are_never_reused_after_hard_delete(client: TestClient, subject: str) -> None:
    register(client, subject, V1)
    client.delete(f"/subjects/{subject}")
    client.delete(f"/subjects/{subject}?permanent=true")
    assert register(client, subject, record("Fresh", ("a", "int")))["id"] == 2


def test_subjects_with_slashes_and_colons_route_on_the_raw_path(client: TestClient) -> None:
    name = "team/orders:v1 value"
    encoded = quote(name, safe="")
    response = client.post(f"/subjects/{encoded}/versions", json={"schema": V1})
    assert response.status_code == 200, response.text
    assert name in client.get("/subjects").json()
    assert client.get(f"/subjects/{encoded}/versions/1").json()["subject"] == name


def test_contexts_keep_their_own_ids(client: TestClient) -> None:
    register(client, "plain", V1)
    qualified = quote(":.team:orders", safe="")
    body = register(client, qualified, record("Team", ("t", "int")))
    assert body["id"] == 1
    assert client.get("/contexts").json() == [".", ".team"]
    assert ":.team:orders" in client.get("/subjects").json()
    assert (
        client.get("/schemas/ids/1?subject=" + qualified)
        .json()["schema"]
        .startswith('{"type":"record","name":"Team"')
    )
    assert client.delete("/contexts/.team").json()["error_code"] == 42211


def test_metadata_lookup(client: TestClient, subject: str) -> None:
    register(client, subject, V1, metadata={"properties": {"owner": "a"}})
    register(client, subject, V2, metadata={"properties": {"owner": "b"}})
    found = client.get(f"/subjects/{subject}/metadata?key=owner&value=a").json()
    assert found["version"] == 1
    assert found["metadata"] == {"properties": {"owner": "a"}}
    missing = client.get(f"/subjects/{subject}/metadata?key=owner&value=z")
    assert missing.json()["error_code"] == 40403


def test_listing_schemas(client: TestClient, subject: str) -> None:
    register(client, subject, V1)
    register(client, subject, V2)
    listed = client.get(f"/schemas?subjectPrefix={subject}").json()
    assert [(s["subject"], s["version"]) for s in listed] == [(subject, 1), (subject, 2)]
    latest = client.get(f"/schemas?subjectPrefix={subject}&latestOnly=true").json()
    assert [s["version"] for s in latest] == [2]
    assert client.get(f"/subjects?subjectPrefix={subject}&offset=0&limit=1").json() == [subject]


def test_guid_lookups(client: TestClient, subject: str) -> None:
    register(client, subject, V1)
    guid = client.get("/schemas/ids/1").json()["guid"]
    assert (
        client.get(f"/schemas/guids/{guid}").json()["schema"]
        == client.get("/schemas/ids/1").json()["schema"]
    )
    assert client.get(f"/schemas/guids/{guid}/ids").json() == [{"context": ".", "id": 1}]
    assert client.get("/schemas/guids/nope").json()["error_code"] == 40403
