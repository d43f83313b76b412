"""The DEK registry API (`/dek-registry/v1/keks/...`): statuses, codes and shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from compat.formats import default_formats
from registry.http.app import create_app
from registry.log.file import FileLog
from registry.log.memory import MemoryLog
from registry.server import build_app
from registry.services import Registry
from registry.settings import Settings
from registry.store import Store

KEKS = "/dek-registry/v1/keks"
CT = {"Content-Type": "application/json"}


def kek_body(name: str = "kek1", **extra: Any) -> dict[str, Any]:
    return {"name": name, "kmsType": "local-kms", "kmsKeyId": "key-1", **extra}


def make_kek(client: TestClient, name: str = "kek1", **extra: Any) -> dict[str, Any]:
    reply = client.post(KEKS, json=kek_body(name, **extra))
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def make_dek(
    client: TestClient, kek: str = "kek1", subject: str = "orders-value", **extra: Any
) -> dict[str, Any]:
    body = {"encryptedKeyMaterial": "d3JhcHBlZA==", **extra}
    reply = client.post(f"{KEKS}/{kek}/deks/{subject}", json=body)
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()
    return result


def error(reply: Any, status: int, code: int) -> str:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["error_code"] == code, body
    message: str = body["message"]
    return message


# ----------------------------------------------------------------------------- KEKs


def test_create_and_get_kek(client: TestClient) -> None:
    created = make_kek(client, kmsProps={"b": "2", "a": "1"}, doc="orders")
    assert list(created) == [
        "name",
        "kmsType",
        "kmsKeyId",
        "kmsProps",
        "doc",
        "shared",
        "ts",
        "deleted",
    ]
    assert created["kmsProps"] == {"a": "1", "b": "2"}
    assert created["shared"] is False
    assert created["deleted"] is False
    assert created["ts"] > 0
    assert client.get(f"{KEKS}/kek1").json() == created


def test_cloud_kms_types_are_normalised(client: TestClient) -> None:
    assert make_kek(client, "a", kmsType="AWS")["kmsType"] == "aws-kms"
    assert make_kek(client, "b", kmsType="gcpkms")["kmsType"] == "gcp-kms"
    assert make_kek(client, "c", kmsType="Azure-KMS")["kmsType"] == "azure-kms"
    assert make_kek(client, "d", kmsType="hcvault")["kmsType"] == "hcvault"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kmsType": "x", "kmsKeyId": "k"}, "name"),
        (kek_body("1abc"), "name"),
        (kek_body("a b"), "name"),
        (kek_body("a" * 257), "name"),
        ({"name": "k", "kmsType": "x"}, "kmsKeyId"),
        ({"name": "k", "kmsType": "x", "kmsKeyId": ""}, "kmsKeyId"),
        ({"name": "k", "kmsKeyId": "x"}, "kmsType"),
    ],
)
def test_invalid_kek_is_42271(client: TestClient, body: dict[str, Any], field: str) -> None:
    message = error(client.post(KEKS, json=body), 422, 42271)
    assert message == f"Invalid or missing value for field '{field}' of key"


def test_wrong_json_types_are_400(client: TestClient) -> None:
    error(client.post(KEKS, json=kek_body(shared="yes")), 400, 400)
    error(client.post(KEKS, json=kek_body(kmsProps={"a": 1})), 400, 400)
    error(client.post(KEKS, json=["x"]), 400, 400)
    make_kek(client)
    error(client.post(f"{KEKS}/kek1/deks/s", json={"version": "1"}), 400, 400)


def test_create_existing_kek_is_40971_unless_it_undeletes(client: TestClient) -> None:
    make_kek(client)
    message = error(client.post(KEKS, json=kek_body()), 409, 40971)
    assert message == "Key 'kek1' already exists; use a different value"
    error(client.post(KEKS, json=kek_body(kmsKeyId="other")), 409, 40971)
    assert client.delete(f"{KEKS}/kek1").status_code == 204
    # A deleted KEK with other content stays deleted; the same content undeletes it.
    error(client.post(KEKS, json=kek_body(kmsKeyId="other")), 409, 40971)
    assert make_kek(client)["deleted"] is False


def test_unknown_kek_is_40470(client: TestClient) -> None:
    assert error(client.get(f"{KEKS}/nope"), 404, 40470) == "Key 'nope' not found"
    error(client.put(f"{KEKS}/nope", json={"doc": "x"}), 404, 40470)
    error(client.delete(f"{KEKS}/nope"), 404, 40470)
    error(client.post(f"{KEKS}/nope/undelete"), 404, 40470)
    error(client.get(f"{KEKS}/nope/deks"), 404, 40470)
    error(client.get(f"{KEKS}/bad%20name"), 422, 42271)


def test_list_keks(client: TestClient) -> None:
    for name in ("b", "a", "c"):
        make_kek(client, name)
    assert client.get(KEKS).json() == ["a", "b", "c"]
    assert client.get(KEKS, params={"offset": 1, "limit": 1}).json() == ["b"]
    client.delete(f"{KEKS}/b")
    assert client.get(KEKS).json() == ["a", "c"]
    assert client.get(KEKS, params={"deleted": "true"}).json() == ["a", "b", "c"]
    make_dek(client, "c", "orders-value")
    make_dek(client, "a", "payments-value")
    query = {"subjectPrefix": ["ord", "pay"]}
    assert client.get(KEKS, params=query).json() == ["a", "c"]
    assert client.get(KEKS, params={"subjectPrefix": "ord"}).json() == ["c"]


def test_update_kek(client: TestClient) -> None:
    make_kek(client, kmsProps={"a": "1"}, doc="old")
    updated = client.put(f"{KEKS}/kek1", json={"doc": "new", "shared": True}).json()
    assert updated["doc"] == "new"
    assert updated["shared"] is True
    assert updated["kmsProps"] == {"a": "1"}
    cleared = client.put(f"{KEKS}/kek1", json={"kmsProps": None, "doc": None}).json()
    assert cleared["kmsProps"] == {}
    assert "doc" not in cleared
    # kmsType and kmsKeyId cannot change: they are not update fields.
    same = client.put(f"{KEKS}/kek1", json={"kmsKeyId": "other"}).json()
    assert same["kmsKeyId"] == "key-1"
    client.delete(f"{KEKS}/kek1")
    error(client.put(f"{KEKS}/kek1", json={"doc": "x"}), 404, 40470)


def test_kek_deletes(client: TestClient) -> None:
    make_kek(client)
    error(client.delete(f"{KEKS}/kek1", params={"permanent": "true"}), 404, 40471)
    assert client.delete(f"{KEKS}/kek1").status_code == 204
    error(client.get(f"{KEKS}/kek1"), 404, 40470)
    assert client.get(f"{KEKS}/kek1", params={"deleted": "true"}).json()["deleted"] is True
    assert client.post(f"{KEKS}/kek1/undelete").status_code == 204
    assert client.get(f"{KEKS}/kek1").json()["deleted"] is False
    client.delete(f"{KEKS}/kek1")
    assert client.delete(f"{KEKS}/kek1", params={"permanent": "true"}).status_code == 204
    error(client.get(f"{KEKS}/kek1", params={"deleted": "true"}), 404, 40470)


def test_kek_with_deks_cannot_be_deleted(client: TestClient) -> None:
    make_kek(client)
    make_dek(client)
    message = error(client.delete(f"{KEKS}/kek1"), 422, 42272)
    assert message == "One or more references exist to the key 'kek1'"
    client.delete(f"{KEKS}/kek1/deks/orders-value")
    assert client.delete(f"{KEKS}/kek1").status_code == 204
    # A permanent delete needs every DEK gone, soft-deleted ones included.
    error(client.delete(f"{KEKS}/kek1", params={"permanent": "true"}), 422, 42272)
    error(client.post(f"{KEKS}/kek1/deks/orders-value/undelete"), 404, 40472)


def test_shared_kek_without_kms_access_refuses_what_needs_it() -> None:
    """A registry without KMS access (no tink) refuses shared-KEK work with 42271."""
    registry = Registry.create(Store(MemoryLog()), default_formats(), Settings(), None, None)
    with TestClient(create_app(registry)) as client:
        make_kek(client, shared=True)
        message = error(client.post(f"{KEKS}/kek1/deks/s", json={}), 422, 42271)
        assert "no KMS access" in message
        error(
            client.post(KEKS, params={"testSharing": "true"}, json=kek_body("k2", shared=True)),
            422,
            42271,
        )
        error(client.post(f"{KEKS}/kek1/test"), 422, 42271)
        # Material wrapped by the client is stored as for any KEK, without keyMaterial.
        dek = make_dek(client, subject="s")
        assert "keyMaterial" not in dek
        assert "keyMaterial" not in client.get(f"{KEKS}/kek1/deks/s").json()
        reply = client.post(f"{KEKS}/kek1/deks/s", json={"encryptedKeyMaterial": "eA=="})
        error(reply, 409, 40971)


# ----------------------------------------------------------------------------- DEKs


def test_create_and_get_dek(client: TestClient) -> None:
    make_kek(client)
    created = make_dek(client)
    assert list(created) == [
        "kekName",
        "subject",
        "version",
        "algorithm",
        "encryptedKeyMaterial",
        "ts",
        "deleted",
    ]
    assert created["version"] == 1
    assert created["algorithm"] == "AES256_GCM"
    assert client.get(f"{KEKS}/kek1/deks/orders-value").json() == created
    url = f"{KEKS}/kek1/deks/orders-value/versions/1"
    assert client.get(url).json() == created
    assert "keyMaterial" not in created


def test_dek_without_material_is_42271(client: TestClient) -> None:
    make_kek(client)
    message = error(client.post(f"{KEKS}/kek1/deks/s", json={}), 422, 42271)
    assert message == "Invalid or missing value for field 'encryptedKeyMaterial' of key"
    body = {"encryptedKeyMaterial": "eA==", "algorithm": "DES"}
    error(client.post(f"{KEKS}/kek1/deks/s", json=body), 422, 42271)
    error(client.post(f"{KEKS}/nope/deks/s", json={"encryptedKeyMaterial": "eA=="}), 404, 40470)


def test_dek_versions_and_algorithms(client: TestClient) -> None:
    make_kek(client)
    make_dek(client)
    make_dek(client, version=2, encryptedKeyMaterial="djI=")
    siv = make_dek(client, algorithm="AES256_SIV", encryptedKeyMaterial="c2l2")
    base = f"{KEKS}/kek1/deks/orders-value"
    assert client.get(f"{base}/versions").json() == [1, 2]
    assert client.get(f"{base}/versions", params={"algorithm": "AES256_SIV"}).json() == [1]
    assert client.get(f"{base}/versions/latest").json()["version"] == 2
    assert client.get(f"{base}/versions/-1").json()["encryptedKeyMaterial"] == "djI="
    got = client.get(base, params={"algorithm": "AES256_SIV"}).json()
    assert got == siv
    error(client.get(f"{base}/versions/3"), 404, 40470)
    error(client.get(f"{base}/versions/zero"), 422, 42202)
    error(client.get(f"{base}/versions/0"), 422, 42202)
    error(client.get(f"{base}", params={"algorithm": "nope"}), 422, 42271)
    assert client.get(f"{KEKS}/kek1/deks").json() == ["orders-value"]


def test_create_existing_dek(client: TestClient) -> None:
    make_kek(client)
    make_dek(client)
    url = f"{KEKS}/kek1/deks/orders-value"
    message = error(client.post(url, json={"encryptedKeyMaterial": "eA=="}), 409, 40971)
    assert message == "Key 'orders-value' already exists; use a different value"
    rewrapped = client.post(url, params={"rewrap": "true"}, json={"encryptedKeyMaterial": "eA=="})
    assert rewrapped.json()["encryptedKeyMaterial"] == "eA=="


def test_deprecated_create_with_subject_in_body(client: TestClient) -> None:
    make_kek(client)
    body = {"subject": "s1", "encryptedKeyMaterial": "eA=="}
    assert client.post(f"{KEKS}/kek1/deks", json=body).json()["subject"] == "s1"
    error(client.post(f"{KEKS}/kek1/deks", json={"encryptedKeyMaterial": "eA=="}), 422, 42271)


def test_dek_deletes_and_undeletes(client: TestClient) -> None:
    make_kek(client)
    make_dek(client)
    make_dek(client, version=2)
    base = f"{KEKS}/kek1/deks/orders-value"
    error(client.delete(f"{base}/versions/2", params={"permanent": "true"}), 404, 40471)
    assert client.delete(f"{base}/versions/2").status_code == 204
    assert client.get(f"{base}/versions").json() == [1]
    assert client.get(f"{base}/versions", params={"deleted": "true"}).json() == [1, 2]
    assert client.get(f"{base}/versions/2", params={"deleted": "true"}).json()["deleted"]
    assert client.post(f"{base}/versions/2/undelete").status_code == 204
    assert client.get(f"{base}/versions/latest").json()["version"] == 2
    assert client.delete(base).status_code == 204
    error(client.get(base), 404, 40470)
    assert client.get(f"{KEKS}/kek1/deks").json() == []
    assert client.get(f"{KEKS}/kek1/deks", params={"deleted": "true"}).json() == ["orders-value"]
    assert client.post(f"{base}/undelete").status_code == 204
    assert client.get(f"{base}/versions").json() == [1, 2]
    client.delete(base)
    assert client.delete(base, params={"permanent": "true"}).status_code == 204
    error(client.get(f"{base}/versions/1", params={"deleted": "true"}), 404, 40470)
    error(client.delete(base), 404, 40470)
    error(client.delete(f"{base}/versions/1"), 404, 40470)
    error(client.post(f"{base}/undelete"), 404, 40470)
    error(client.post(f"{base}/versions/1/undelete"), 404, 40470)
    error(client.post(f"{base}/versions/x/undelete"), 422, 42202)


def test_state_survives_a_restart(tmp_path: Path) -> None:
    with TestClient(build_app(FileLog.open(tmp_path), Settings())) as first:
        make_kek(first, doc="kept")
        make_dek(first)
        make_dek(first, version=2)
        first.delete(f"{KEKS}/kek1/deks/orders-value/versions/2")
        first.delete(f"{KEKS}/kek1/deks/orders-value/versions/2", params={"permanent": "true"})
        kek = first.get(f"{KEKS}/kek1").json()
        dek = first.get(f"{KEKS}/kek1/deks/orders-value").json()
    with TestClient(build_app(FileLog.open(tmp_path), Settings())) as second:
        assert second.get(f"{KEKS}/kek1").json() == kek
        assert second.get(f"{KEKS}/kek1/deks/orders-value").json() == dek
        versions = second.get(f"{KEKS}/kek1/deks/orders-value/versions", params={"deleted": "true"})
        assert versions.json() == [1]
        # The schema side does not see the key records.
        assert second.get("/subjects").json() == []
