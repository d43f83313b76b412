"""Shared KEKs: the registry generates, wraps and unwraps their DEKs through the KMS."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from tink.proto import aes_gcm_pb2, aes_siv_pb2

from compat.formats import default_formats
from registry.dek_errors import KmsAccessDeniedError, KmsError
from registry.dek_records import Kek
from registry.http.app import create_app
from registry.log.file import FileLog
from registry.log.memory import MemoryLog
from registry.server import build_app
from registry.services import Registry
from registry.settings import Settings
from registry.store import Store
from serdes.rules.encryption.kms import local_kek
from tests.registry.http.test_dek_registry import KEKS, error, kek_body, make_kek

SECRET = "the registry's own local KMS secret"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A registry whose environment holds the local KMS secret."""
    monkeypatch.setenv("LOCAL_SECRET", SECRET)
    with TestClient(build_app(MemoryLog(), Settings())) as client:
        yield client


def material(dek: dict[str, Any]) -> tuple[bytes, bytes]:
    """(wrapped, plain) key bytes of a DEK answer."""
    return (
        base64.b64decode(dek["encryptedKeyMaterial"]),
        base64.b64decode(dek["keyMaterial"]),
    )


def test_the_registry_generates_and_wraps_a_shared_keks_dek(client: TestClient) -> None:
    make_kek(client, shared=True)
    reply = client.post(f"{KEKS}/kek1/deks/orders-value", json={})
    assert reply.status_code == 200, reply.text
    created = reply.json()
    assert list(created) == [
        "kekName",
        "subject",
        "version",
        "algorithm",
        "encryptedKeyMaterial",
        "keyMaterial",
        "ts",
        "deleted",
    ]
    wrapped, plain = material(created)
    # The wrapped key is the plain one under the local KMS's KEK: any client unwraps it.
    assert local_kek(SECRET).decrypt(wrapped, b"") == plain
    assert len(aes_gcm_pb2.AesGcmKey.FromString(plain).key_value) == 32
    for path in ("", "/versions/1", "/versions/latest"):
        assert client.get(f"{KEKS}/kek1/deks/orders-value{path}").json() == created
    # Creating it again is a conflict, with or without material.
    error(client.post(f"{KEKS}/kek1/deks/orders-value", json={}), 409, 40971)
    body = {"encryptedKeyMaterial": created["encryptedKeyMaterial"]}
    error(client.post(f"{KEKS}/kek1/deks/orders-value", json=body), 409, 40971)


def test_each_algorithm_gets_its_key_size(client: TestClient) -> None:
    make_kek(client, shared=True)
    sizes = {}
    for algorithm in ("AES128_GCM", "AES256_GCM"):
        dek = client.post(f"{KEKS}/kek1/deks/s", json={"algorithm": algorithm}).json()
        sizes[algorithm] = len(aes_gcm_pb2.AesGcmKey.FromString(material(dek)[1]).key_value)
    siv = client.post(f"{KEKS}/kek1/deks/s", json={"algorithm": "AES256_SIV"}).json()
    sizes["AES256_SIV"] = len(aes_siv_pb2.AesSivKey.FromString(material(siv)[1]).key_value)
    assert sizes == {"AES128_GCM": 16, "AES256_GCM": 32, "AES256_SIV": 64}


def test_rewrap_keeps_the_key_and_wraps_it_anew(client: TestClient) -> None:
    make_kek(client, shared=True)
    first = client.post(f"{KEKS}/kek1/deks/s", json={}).json()
    again = client.post(f"{KEKS}/kek1/deks/s", params={"rewrap": "true"}, json={}).json()
    assert again["keyMaterial"] == first["keyMaterial"]
    assert again["encryptedKeyMaterial"] != first["encryptedKeyMaterial"]
    assert client.get(f"{KEKS}/kek1/deks/s").json() == again


def test_a_non_shared_kek_never_gets_key_material(client: TestClient) -> None:
    make_kek(client)
    error(client.post(f"{KEKS}/kek1/deks/s", json={}), 422, 42271)
    wrapped = base64.b64encode(local_kek(SECRET).encrypt(b"key", b"")).decode()
    created = client.post(f"{KEKS}/kek1/deks/s", json={"encryptedKeyMaterial": wrapped}).json()
    assert "keyMaterial" not in created
    assert "keyMaterial" not in client.get(f"{KEKS}/kek1/deks/s").json()


def test_testing_a_kek(client: TestClient) -> None:
    shared = make_kek(client, shared=True)
    assert client.post(f"{KEKS}/kek1/test").json() == shared
    make_kek(client, "plain")
    assert "not shared" in error(client.post(f"{KEKS}/plain/test"), 422, 42271)
    error(client.post(f"{KEKS}/nope/test"), 404, 40470)
    reply = client.post(KEKS, params={"testSharing": "true"}, json=kek_body("k2", shared=True))
    assert reply.status_code == 200, reply.text


def test_a_kek_no_driver_can_use_is_42271_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOCAL_SECRET", raising=False)
    with TestClient(build_app(MemoryLog(), Settings())) as client:
        make_kek(client, shared=True)
        message = error(client.post(f"{KEKS}/kek1/deks/s", json={}), 422, 42271)
        assert "LOCAL_SECRET" in message
        error(client.get(f"{KEKS}/kek1/deks/s"), 404, 40470)
        error(client.post(f"{KEKS}/kek1/test"), 422, 42271)
        body = kek_body("k2", shared=True)
        error(client.post(KEKS, params={"testSharing": "true"}, json=body), 422, 42271)
        error(client.get(f"{KEKS}/k2"), 404, 40470)
        # Without testSharing the KEK is stored; the KMS is only needed for its DEKs.
        assert client.post(KEKS, json=body).status_code == 200
        unknown = kek_body("k3", kmsType="vault-kms", shared=True)
        reply = client.post(KEKS, params={"testSharing": "true"}, json=unknown)
        assert "no KMS driver" in error(reply, 422, 42271)


def test_client_material_for_a_shared_kek_must_unwrap(client: TestClient) -> None:
    make_kek(client, shared=True)
    reply = client.post(f"{KEKS}/kek1/deks/s", json={"encryptedKeyMaterial": "Z2FyYmFnZQ=="})
    assert "does not unwrap" in error(reply, 422, 42271)
    key = b"client key"
    wrapped = base64.b64encode(local_kek(SECRET).encrypt(key, b"")).decode()
    created = client.post(f"{KEKS}/kek1/deks/s", json={"encryptedKeyMaterial": wrapped}).json()
    assert base64.b64decode(created["keyMaterial"]) == key


class FailingCustody:
    """A KMS that cannot be reached."""

    def generate(self, algorithm: str) -> bytes:
        return b"key"

    def wrap(self, kek: Kek, raw: bytes) -> bytes:
        raise KmsError("connection refused")

    def unwrap(self, kek: Kek, wrapped: bytes) -> bytes:
        raise KmsError("connection refused")


def test_a_failing_kms_is_50070_and_writes_nothing() -> None:
    store = Store(MemoryLog())
    registry = Registry.create(store, default_formats(), Settings(), None, FailingCustody)
    with TestClient(create_app(registry)) as client:
        make_kek(client, shared=True)
        message = error(client.post(f"{KEKS}/kek1/deks/s", json={}), 500, 50070)
        assert "connection refused" in message
        error(client.get(f"{KEKS}/kek1/deks/s"), 404, 40470)
        error(client.post(f"{KEKS}/kek1/test"), 500, 50070)


class RefusingCustody:
    """A KMS that refuses the registry's credentials."""

    def generate(self, algorithm: str) -> bytes:
        return b"key"

    def wrap(self, kek: Kek, raw: bytes) -> bytes:
        raise KmsAccessDeniedError(f"no access to {kek.kms_key_id}")

    def unwrap(self, kek: Kek, wrapped: bytes) -> bytes:
        raise KmsAccessDeniedError(f"no access to {kek.kms_key_id}")


def test_access_denied_is_40370() -> None:
    store = Store(MemoryLog())
    registry = Registry.create(store, default_formats(), Settings(), None, RefusingCustody)
    with TestClient(create_app(registry)) as client:
        make_kek(client, shared=True)
        assert "key-1" in error(client.post(f"{KEKS}/kek1/deks/s", json={}), 403, 40370)


def test_only_wrapped_material_is_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_SECRET", SECRET)
    with TestClient(build_app(FileLog.open(tmp_path), Settings())) as first:
        make_kek(first, shared=True)
        created = first.post(f"{KEKS}/kek1/deks/s", json={}).json()
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert created["encryptedKeyMaterial"].encode() in stored
    assert created["keyMaterial"].encode() not in stored
    # After a restart the key is unwrapped again from the log's wrapped copy.
    with TestClient(build_app(FileLog.open(tmp_path), Settings())) as second:
        assert second.get(f"{KEKS}/kek1/deks/s").json() == created
