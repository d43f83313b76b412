"""The keys page: KEKs, and the DEK subjects under them that the viewer may read."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from registry.log.memory import MemoryLog
from registry.security.config import AuthConfigSource
from registry.server import build_app, secure, with_ui
from registry.services import Registry
from registry.services.keys import DekRequest, KekRequest
from registry.settings import Settings
from tests.registry.ui.users import basic

SECRET = "the registry's secret"


async def fill_keys(registry: Registry) -> None:
    keys = registry.keys
    for name, shared in (("orders-kek", True), ("old-kek", False)):
        request = KekRequest(name=name, kms_type="local-kms", kms_key_id="k", shared=shared)
        await keys.create_kek(request, test_sharing=False)
    await keys.create_dek("orders-kek", DekRequest(subject="orders-value"), rewrap=False)
    two = DekRequest(subject="orders-value", version=2)
    await keys.create_dek("orders-kek", two, rewrap=False)
    siv = DekRequest(subject="payments-value", algorithm="AES256_SIV")
    await keys.create_dek("orders-kek", siv, rewrap=False)
    await keys.delete_deks("orders-kek", "orders-value", 2, None, permanent=False)
    await keys.delete_kek("old-kek", permanent=False)


def keys_app(monkeypatch: pytest.MonkeyPatch, auth: AuthConfigSource | None) -> TestClient:
    monkeypatch.setenv("LOCAL_SECRET", SECRET)
    api = build_app(MemoryLog(), Settings())
    asyncio.run(fill_keys(api.registry))
    return TestClient(secure(with_ui(api, auth), auth))


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    with keys_app(monkeypatch, None) as client:
        yield client


def test_keks_and_their_deks_without_key_material(client: TestClient) -> None:
    page = client.get("/ui/keys").text
    row = page[page.index('id="kek-orders-kek"') :].split("</tr>")[0]
    assert "local-kms" in row
    assert "<td>yes</td>" in row
    assert "orders-value</a>,\n        AES256_GCM: v1" in row
    assert "v2" not in row  # soft-deleted: hidden by default
    assert "payments-value</a>,\n        AES256_SIV: v1" in row
    assert "old-kek" not in page
    dek = client.get("/dek-registry/v1/keks/orders-kek/deks/orders-value").json()
    assert dek["keyMaterial"] not in page
    assert dek["encryptedKeyMaterial"] not in page


def test_soft_deleted_keys_on_request(client: TestClient) -> None:
    page = client.get("/ui/keys?deleted=1").text
    assert 'id="kek-old-kek"' in page
    row = page[page.index('id="kek-orders-kek"') :].split("</tr>")[0]
    assert 'v2 <span class="tag">deleted</span>' in row


def test_a_reader_sees_only_the_subjects_it_may_read(
    monkeypatch: pytest.MonkeyPatch, auth_file: Path
) -> None:
    with keys_app(monkeypatch, AuthConfigSource(auth_file)) as secured:
        assert secured.get("/ui/keys").status_code == 401
        page = secured.get("/ui/keys", headers=basic("reader")).text
        assert "orders-value" in page
        assert "payments-value" not in page


def test_an_empty_dek_registry_says_how_keys_appear() -> None:
    with TestClient(with_ui(build_app(MemoryLog(), Settings()), None)) as client:
        assert 'id="no-keks"' in client.get("/ui/keys").text
