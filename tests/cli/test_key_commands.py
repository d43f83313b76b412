"""`cairn kek` and `cairn dek` against a registry whose environment has a local KMS secret."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from cli.main import main
from registry.log.memory import MemoryLog
from registry.server import build_app
from registry.settings import Settings
from tests.support.registry_http import registry_over_http

KEKS = "/dek-registry/v1/keks"


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("LOCAL_SECRET", "the registry's secret")
    with TestClient(build_app(MemoryLog(), Settings())) as client:
        yield client


@pytest.fixture
def registry_url(registry: TestClient) -> Iterator[str]:
    with registry_over_http(registry) as url:
        yield url


def cairn(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--url", url])


def test_create_test_and_inspect_a_shared_kek(registry: TestClient, registry_url: str) -> None:
    created = cairn(
        registry_url,
        "kek",
        "create",
        "orders-kek",
        "--kms-type",
        "local-kms",
        "--kms-key-id",
        "orders",
        "--prop",
        "owner=payments",
        "--doc",
        "orders' PII",
        "--shared",
        "--test",
    )
    assert created.exit_code == 0, created.output
    kek = json.loads(created.output)
    assert (kek["kmsProps"], kek["shared"], kek["doc"]) == (
        {"owner": "payments"},
        True,
        "orders' PII",
    )
    assert cairn(registry_url, "kek", "get", "orders-kek").output == created.output
    tested = cairn(registry_url, "kek", "test", "orders-kek")
    assert (tested.exit_code, tested.output) == (
        0,
        "The registry can use the KMS key of orders-kek\n",
    )

    # The registry generates the shared KEK's DEK; the CLI hides the plaintext key.
    generated = registry.post(f"{KEKS}/orders-kek/deks/orders-value", json={}).json()
    shown = json.loads(cairn(registry_url, "dek", "get", "orders-kek", "orders-value").output)
    assert shown["encryptedKeyMaterial"] == generated["encryptedKeyMaterial"]
    assert generated["keyMaterial"] not in json.dumps(shown)
    revealed = cairn(
        registry_url, "dek", "get", "orders-kek", "orders-value", "--show-key-material"
    )
    assert json.loads(revealed.output)["keyMaterial"] == generated["keyMaterial"]
    assert cairn(registry_url, "dek", "list", "orders-kek").output == "orders-value\n"
    assert cairn(registry_url, "dek", "versions", "orders-kek", "orders-value").output == "1\n"
    listed = cairn(registry_url, "kek", "list", "--subject-prefix", "orders-")
    assert listed.output == "orders-kek\n"
    assert cairn(registry_url, "kek", "list", "--subject-prefix", "users-").output == ""


def test_update_and_delete(registry: TestClient, registry_url: str) -> None:
    base = ["--kms-type", "local-kms", "--kms-key-id", "k"]
    assert cairn(registry_url, "kek", "create", "k1", *base).exit_code == 0
    updated = cairn(registry_url, "kek", "update", "k1", "--prop", "a=b", "--shared")
    assert json.loads(updated.output)["kmsProps"] == {"a": "b"}
    assert cairn(registry_url, "kek", "update", "k1").exit_code == 2

    registry.post(f"{KEKS}/k1/deks/s", json={})
    refused = cairn(registry_url, "kek", "delete", "k1")
    assert refused.exit_code == 2
    assert "cairn dek delete" in refused.output
    assert cairn(registry_url, "dek", "delete", "k1", "s").exit_code == 0
    assert cairn(registry_url, "dek", "delete", "k1", "s", "--permanent").exit_code == 0
    deleted = cairn(registry_url, "kek", "delete", "k1", "--permanent")
    assert deleted.exit_code == 0, deleted.output
    assert registry.get(f"{KEKS}/k1", params={"deleted": "true"}).status_code == 404


def test_a_missing_kek_says_how_to_find_one(registry_url: str) -> None:
    result = cairn(registry_url, "kek", "test", "nope")
    assert result.exit_code == 2
    assert "40470" in result.output
    assert "cairn kek list" in result.output


def test_props_must_be_name_value_pairs(registry_url: str) -> None:
    result = cairn(
        registry_url, "kek", "create", "k", "--kms-type", "t", "--kms-key-id", "i", "--prop", "x"
    )
    assert result.exit_code == 2
    assert "NAME=VALUE" in result.output
