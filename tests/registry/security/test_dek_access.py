"""Who may use the DEK registry, and the audit records its writes leave."""

from __future__ import annotations

import logging

import pytest

from tests.registry.security.conftest import Secured, basic

KEKS = "/dek-registry/v1/keks"
KEK = {"name": "kek1", "kmsType": "local-kms", "kmsKeyId": "k"}
MATERIAL = {"encryptedKeyMaterial": "eA=="}


def test_keks_need_registry_wide_rights_and_deks_the_subjects(
    secured: Secured, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="cairn.audit")
    client = secured.client
    assert client.post(KEKS, json=KEK, headers=basic("writer")).status_code == 403
    assert client.post(KEKS, json=KEK, headers=basic("admin")).status_code == 200
    assert client.get(f"{KEKS}/kek1", headers=basic("reader")).status_code == 200
    assert client.get(KEKS).status_code == 401

    orders = f"{KEKS}/kek1/deks/orders-value"
    assert client.post(orders, json=MATERIAL, headers=basic("reader")).status_code == 403
    assert client.post(orders, json=MATERIAL, headers=basic("writer")).status_code == 200
    payments = f"{KEKS}/kek1/deks/payments-value"
    assert client.post(payments, json=MATERIAL, headers=basic("writer")).status_code == 403
    assert client.post(payments, json=MATERIAL, headers=basic("payments")).status_code == 200

    assert client.get(orders, headers=basic("reader")).status_code == 200
    assert client.get(payments, headers=basic("reader")).status_code == 403
    listed = client.get(f"{KEKS}/kek1/deks", headers=basic("reader")).json()
    assert listed == ["orders-value"]

    # A permanent delete needs admin on the subject.
    assert client.delete(orders, headers=basic("writer")).status_code == 204
    permanent = client.delete(orders, params={"permanent": "true"}, headers=basic("writer"))
    assert permanent.status_code == 403
    permanent = client.delete(orders, params={"permanent": "true"}, headers=basic("subject-admin"))
    assert permanent.status_code == 204

    records = [r.audit for r in caplog.records if r.name == "cairn.audit"]  # type: ignore[attr-defined]
    summary = [(r["principal"], r["action"], r["subject"], r["status"]) for r in records]
    assert summary == [
        ("writer", "create_kek", "(registry)", 403),
        ("admin", "create_kek", "(registry)", 200),
        ("reader", "create_dek", "orders-value", 403),
        ("writer", "create_dek", "orders-value", 200),
        ("writer", "create_dek", "payments-value", 403),
        ("payments", "create_dek", "payments-value", 200),
        ("writer", "delete_deks", "orders-value", 204),
        ("writer", "delete_deks(permanent)", "orders-value", 403),
        ("subject-admin", "delete_deks(permanent)", "orders-value", 204),
    ]
