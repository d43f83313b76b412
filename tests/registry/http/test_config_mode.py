"""Config and mode endpoints, their resolution chain, and what modes forbid."""

from __future__ import annotations

from urllib.parse import quote

from starlette.testclient import TestClient

from tests.registry.http.conftest import record, register

V1 = record("R", ("a", "int"))
ADD_FIELD = record("R", ("a", "int"), ("b", "int"))


def test_global_config_defaults_to_backward_and_updates(client: TestClient) -> None:
    assert client.get("/config").json() == {"compatibilityLevel": "BACKWARD"}
    put = client.put("/config", json={"compatibility": "full"})
    assert put.json() == {"compatibility": "FULL"}
    assert client.get("/config").json()["compatibilityLevel"] == "FULL"
    assert client.delete("/config").json()["compatibilityLevel"] == "FULL"
    assert client.get("/config").json() == {"compatibilityLevel": "BACKWARD"}


def test_subject_config_and_resolution(client: TestClient, subject: str) -> None:
    missing = client.get(f"/config/{subject}")
    assert missing.json() == {
        "error_code": 40408,
        "message": f"Subject '{subject}' does not have subject-level compatibility configured",
    }
    assert client.get(f"/config/{subject}?defaultToGlobal=true").json() == {
        "compatibilityLevel": "BACKWARD"
    }
    client.put(f"/config/{subject}", json={"compatibility": "NONE", "normalize": True})
    assert client.get(f"/config/{subject}").json() == {
        "normalize": True,
        "compatibilityLevel": "NONE",
    }
    # A partial update keeps unspecified fields; an explicit null clears one.
    client.put(f"/config/{subject}", json={"compatibilityLevel": "FORWARD"})
    assert client.get(f"/config/{subject}").json()["normalize"] is True
    client.put(f"/config/{subject}", json={"normalize": None})
    assert "normalize" not in client.get(f"/config/{subject}").json()
    register(client, subject, V1)
    # NONE no longer applies: FORWARD lets a field be added.
    register(client, subject, ADD_FIELD)
    assert client.delete(f"/config/{subject}").json()["compatibilityLevel"] == "FORWARD"
    assert client.delete(f"/config/{subject}").json()["error_code"] == 40401


def test_invalid_level_is_42203(client: TestClient) -> None:
    response = client.put("/config", json={"compatibility": "SIDEWAYS"})
    assert (response.status_code, response.json()["error_code"]) == (422, 42203)
    assert response.json()["message"].startswith("Invalid compatibility level.")


def test_level_none_allows_anything(client: TestClient, subject: str) -> None:
    client.put(f"/config/{subject}", json={"compatibility": "NONE"})
    register(client, subject, V1)
    register(client, subject, '"string"')


def test_modes(client: TestClient, subject: str) -> None:
    assert client.get("/mode").json() == {"mode": "READWRITE"}
    assert client.get(f"/mode/{subject}").json()["error_code"] == 40409
    assert client.put(f"/mode/{subject}", json={"mode": "readonly"}).json() == {"mode": "READONLY"}
    response = client.post(f"/subjects/{subject}/versions", json={"schema": V1})
    assert (response.status_code, response.json()["error_code"]) == (422, 42205)
    assert "read-only" in response.json()["message"]
    assert client.delete(f"/mode/{subject}").json() == {"mode": "READONLY"}
    assert client.delete(f"/mode/{subject}").json()["error_code"] == 40401
    bad = client.put("/mode", json={"mode": "SOMETIMES"})
    assert (bad.status_code, bad.json()["error_code"]) == (422, 42204)
    forward = client.put(f"/mode/{subject}", json={"mode": "FORWARD"})
    assert forward.json()["error_code"] == 42204


def test_import_mode_with_explicit_ids(client: TestClient, subject: str) -> None:
    register(client, subject + "-existing", V1)
    refused = client.put("/mode", json={"mode": "IMPORT"})
    assert (refused.status_code, refused.json()["error_code"]) == (422, 42205)
    assert client.put(f"/mode/{subject}", json={"mode": "IMPORT"}).json() == {"mode": "IMPORT"}
    without_id = client.post(f"/subjects/{subject}/versions", json={"schema": V1})
    assert without_id.json()["error_code"] == 42205
    imported = register(client, subject, '"string"', id=100, version=5)
    assert (imported["id"], imported["version"]) == (100, 5)
    clash = client.post(
        f"/subjects/{subject}/versions", json={"schema": '"long"', "id": 100, "version": 6}
    )
    assert clash.json()["error_code"] == 42205
    assert client.get("/schemas/ids/100").json()["schema"] == '"string"'
    client.put(f"/mode/{subject}", json={"mode": "READWRITE"})
    # New ids continue above the imported one.
    assert register(client, subject + "-new", record("N", ("z", "int")))["id"] == 101


def test_context_config_applies_to_its_subjects(client: TestClient) -> None:
    client.put(f"/config/{quote(':.team:', safe='')}", json={"compatibility": "NONE"})
    qualified = quote(":.team:s", safe="")
    register(client, qualified, V1)
    register(client, qualified, '"string"')
    default_scope = client.put(f"/config/{quote(':.:', safe='')}", json={"compatibility": "FULL"})
    assert default_scope.status_code == 200
    assert client.get("/config").json()["compatibilityLevel"] == "FULL"


def test_compatibility_policy_is_stored_and_validated(client: TestClient, subject: str) -> None:
    ok = client.put(f"/config/{subject}", json={"compatibilityPolicy": "lenient"})
    assert ok.json() == {"compatibilityPolicy": "LENIENT"}
    assert client.get(f"/config/{subject}").json()["compatibilityPolicy"] == "LENIENT"
    bad = client.put(f"/config/{subject}", json={"compatibilityPolicy": "LOOSE"})
    assert (bad.status_code, bad.json()["error_code"]) == (422, 42203)


def test_forced_import_deletes_soft_deleted_leftovers_for_good(
    client: TestClient, subject: str
) -> None:
    client.put(f"/config/{subject}", json={"compatibility": "NONE"})
    register(client, subject, record("A", ("a", "int")))
    register(client, subject, record("A", ("a", "int"), ("b", ["null", "int"])))
    assert client.delete(f"/subjects/{subject}/versions/1").status_code == 200
    # A live version remains, so switching needs force.
    refused = client.put(f"/mode/{subject}", json={"mode": "IMPORT"})
    assert refused.json()["error_code"] == 42205
    assert client.put(f"/mode/{subject}?force=true", json={"mode": "IMPORT"}).status_code == 200
    versions = client.get(f"/subjects/{subject}/versions?deleted=true").json()
    assert versions == [2]
    # The freed version number can now be imported with its original id.
    imported = client.post(
        f"/subjects/{subject}/versions",
        json={"schema": record("Old", ("x", "string")), "id": 900, "version": 1},
    )
    assert imported.status_code == 200, imported.text
    assert client.get(f"/subjects/{subject}/versions").json() == [1, 2]


def test_forced_import_refuses_to_delete_a_referenced_leftover(
    client: TestClient, subject: str
) -> None:
    base = register(client, subject, record("Base", ("a", "int")))
    user = f"{subject}-user"
    client.put(f"/config/{user}", json={"compatibility": "NONE"})
    register(
        client,
        user,
        record("User", ("b", "Base")),
        references=[{"name": "Base", "subject": subject, "version": 1}],
    )
    assert base["version"] == 1
    client.put(f"/config/{subject}", json={"compatibility": "NONE"})
    register(client, subject, record("Other", ("z", "int")))
    # A soft-deleted referrer still pins what it references.
    assert client.delete(f"/subjects/{user}/versions/1").status_code == 200
    assert client.delete(f"/subjects/{subject}/versions/1").status_code == 200
    response = client.put(f"/mode/{subject}?force=true", json={"mode": "IMPORT"})
    assert response.json()["error_code"] == 42206
    assert client.get(f"/mode/{subject}?defaultToGlobal=true").json()["mode"] == "READWRITE"


def test_recursive_mode_delete_clears_subject_modes(client: TestClient, subject: str) -> None:
    other = f"{subject}-other"
    client.put("/mode", json={"mode": "READONLY"})
    client.put(f"/mode/{subject}", json={"mode": "READWRITE"})
    client.put(f"/mode/{other}", json={"mode": "IMPORT"})
    assert client.delete("/mode?recursive=true").json() == {"mode": "READONLY"}
    assert client.get("/mode").json() == {"mode": "READWRITE"}
    for name in (subject, other):
        # No mode of its own any more: the subject follows the (now default) global mode.
        assert client.get(f"/mode/{name}?defaultToGlobal=true").json() == {"mode": "READWRITE"}
        assert client.get(f"/mode/{name}").status_code == 404
    # Without `recursive`, a subject with no mode of its own is a 404 (Confluent's quirk) ...
    assert client.delete(f"/mode/{subject}").json()["error_code"] == 40401
    # ... and with it, the effective mode is returned and nothing fails.
    assert client.delete(f"/mode/{subject}?recursive=true").json() == {"mode": "READWRITE"}
