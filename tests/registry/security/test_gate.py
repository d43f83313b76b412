"""The security gate in process: 401 and 403 for each permission, listings, schema ids,
bearer tokens, audit records and reloading."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from registry.log.memory import MemoryLog
from registry.security.config import AuthConfigSource
from registry.server import build_app, secure
from registry.settings import Settings
from registry.telemetry import Telemetry
from tests.registry.security.conftest import ACL, CT, Secured, basic, bearer, users_toml

UNAUTHORIZED = {"error_code": 401, "message": "Unauthorized"}


def schema(name: str) -> str:
    return json.dumps({"type": "record", "name": name, "fields": [{"name": "a", "type": "int"}]})


def register(client: TestClient, subject: str, user: str, name: str = "R") -> Any:
    response = client.post(
        f"/subjects/{subject}/versions",
        json={"schema": schema(name)},
        headers={**CT, **basic(user)},
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


def assert_forbidden(response: Any, message: str) -> None:
    assert response.status_code == 403, response.text
    assert response.json() == {"error_code": 40301, "message": message}


# ------------------------------------------------------------------------- authentication


def test_no_credentials_get_401_with_a_challenge(secured: Secured) -> None:
    response = secured.client.get("/subjects")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    challenges = response.headers.get_list("www-authenticate")
    assert 'Basic realm="cairn"' in challenges
    assert 'Bearer realm="cairn"' in challenges


@pytest.mark.parametrize(
    "headers",
    [
        basic("reader", "wrong"),
        basic("reader", ""),
        {"Authorization": "Basic c3RyYW5nZXI6eA=="},  # stranger:x, no such user
        {"Authorization": "Basic not-base64!"},
        {"Authorization": "Digest abc"},
        {"Authorization": "Bearer not.a.token"},
    ],
)
def test_wrong_credentials_get_401(secured: Secured, headers: dict[str, str]) -> None:
    response = secured.client.get("/subjects", headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_the_root_and_health_stay_open(secured: Secured) -> None:
    assert secured.client.get("/").status_code == 200


def test_a_remembered_password_still_has_to_match(secured: Secured) -> None:
    assert secured.client.get("/subjects", headers=basic("reader")).status_code == 200
    assert secured.client.get("/subjects", headers=basic("reader", "r-secreT")).status_code == 401
    memo = secured.auth.current.memo
    right, wrong = basic("reader")["Authorization"], basic("reader", "r-secreT")["Authorization"]
    assert memo.get(memo.digest(right.encode())) is not None
    assert memo.get(memo.digest(wrong.encode())) is None


def test_bearer_tokens_name_their_principal(secured: Secured) -> None:
    register(secured.client, "orders-bearer-value", "writer")
    token = secured.issuer.token("robot", aud="cairn")
    ok = secured.client.get("/subjects/orders-bearer-value/versions", headers=bearer(token))
    assert ok.status_code == 200, ok.text
    denied = secured.client.post(
        "/subjects/orders-bearer-value/versions",
        json={"schema": schema("B")},
        headers={**CT, **bearer(token)},
    )
    assert_forbidden(denied, "User is denied operation Write on Subject: orders-bearer-value")


@pytest.mark.parametrize(
    "claims",
    [{"lifetime_s": -10.0, "aud": "cairn"}, {"aud": "someone-else"}, {}],
    ids=["expired", "wrong-audience", "no-audience"],
)
def test_invalid_tokens_get_401(secured: Secured, claims: dict[str, Any]) -> None:
    token = secured.issuer.token("robot", **claims)
    response = secured.client.get("/subjects", headers=bearer(token))
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


# -------------------------------------------------------------------------- authorization


def test_read_permission(secured: Secured) -> None:
    client = secured.client
    register(client, "orders-read-value", "writer")
    assert client.get("/subjects/orders-read-value/versions", headers=basic("reader")).json() == [1]
    assert client.get("/subjects/orders-read-value/versions/1", headers=basic("reader")).is_success
    assert client.get(
        "/config/orders-read-value?defaultToGlobal=true", headers=basic("reader")
    ).is_success
    assert_forbidden(
        client.get("/subjects/orders-read-value/versions", headers=basic("payments")),
        "User is denied operation Read on Subject: orders-read-value",
    )
    # Anyone authenticated reads the registry-wide settings and metadata.
    for path in ("/config", "/mode", "/schemas/types", "/v1/metadata/version", "/contexts"):
        assert client.get(path, headers=basic("nobody")).status_code == 200, path


def test_write_permission(secured: Secured) -> None:
    client = secured.client
    body = {"schema": schema("W")}
    subject = "orders-write-value"
    for path in (
        f"/subjects/{subject}/versions",
        f"/subjects/{subject}",
        f"/compatibility/subjects/{subject}/versions",
    ):
        refused = client.post(path, json=body, headers={**CT, **basic("reader")})
        assert_forbidden(refused, f"User is denied operation Write on Subject: {subject}")
    register(client, subject, "writer", "W")
    assert client.post(
        f"/subjects/{subject}", json=body, headers={**CT, **basic("writer")}
    ).is_success
    check = client.post(
        f"/compatibility/subjects/{subject}/versions", json=body, headers={**CT, **basic("writer")}
    )
    assert check.json() == {"is_compatible": True}
    assert client.delete(f"/subjects/{subject}/versions/1", headers=basic("writer")).json() == 1


def test_admin_permission(secured: Secured) -> None:
    client = secured.client
    subject = "orders-admin-value"
    register(client, subject, "writer")
    assert client.delete(f"/subjects/{subject}", headers=basic("writer")).json() == [1]
    assert_forbidden(
        client.delete(f"/subjects/{subject}?permanent=true", headers=basic("writer")),
        f"User is denied operation Admin on Subject: {subject}",
    )
    assert client.delete(
        f"/subjects/{subject}?permanent=true", headers=basic("subject-admin")
    ).json() == [1]

    config = {"compatibility": "NONE"}
    assert_forbidden(
        client.put(f"/config/{subject}", json=config, headers={**CT, **basic("writer")}),
        f"User is denied operation Admin on Subject: {subject}",
    )
    assert client.put(
        f"/config/{subject}", json=config, headers={**CT, **basic("subject-admin")}
    ).is_success
    assert client.put(
        f"/mode/{subject}", json={"mode": "READONLY"}, headers={**CT, **basic("subject-admin")}
    ).is_success
    # Registry-wide resources need admin on every subject.
    for method, path, body in (
        ("PUT", "/config", config),
        ("PUT", "/mode", {"mode": "READWRITE"}),
        ("DELETE", "/config", None),
        ("PUT", "/config/:.staging:", config),
        ("DELETE", "/contexts/.staging", None),
    ):
        refused = client.request(method, path, json=body, headers={**CT, **basic("subject-admin")})
        assert_forbidden(refused, "User is denied operation Admin on the registry")
    assert client.put("/config", json=config, headers={**CT, **basic("admin")}).is_success
    assert client.put("/mode", json={"mode": "IMPORT"}, headers={**CT, **basic("admin")}).is_success


def test_listings_show_only_readable_subjects(secured: Secured) -> None:
    client = secured.client
    register(client, "orders-list-value", "writer", "L1")
    register(client, "payments-list-value", "payments", "L2")
    assert client.get("/subjects", headers=basic("reader")).json() == ["orders-list-value"]
    assert client.get("/subjects", headers=basic("payments")).json() == ["payments-list-value"]
    assert client.get("/subjects", headers=basic("nobody")).json() == []
    assert client.get("/subjects", headers=basic("admin")).json() == [
        "orders-list-value",
        "payments-list-value",
    ]
    listed = client.get("/schemas", headers=basic("reader")).json()
    assert [s["subject"] for s in listed] == ["orders-list-value"]


def test_a_schema_id_is_readable_through_any_readable_subject(secured: Secured) -> None:
    client = secured.client
    shared = register(client, "orders-shared-value", "writer", "S")
    assert register(client, "payments-shared-value", "payments", "S") == shared
    only_orders = register(client, "orders-only-value", "writer", "O")

    assert client.get(f"/schemas/ids/{shared}", headers=basic("payments")).is_success
    assert client.get(f"/schemas/ids/{shared}/subjects", headers=basic("payments")).json() == [
        "payments-shared-value"
    ]
    assert client.get(f"/schemas/ids/{shared}/versions", headers=basic("reader")).json() == [
        {"subject": "orders-shared-value", "version": 1}
    ]
    assert_forbidden(
        client.get(f"/schemas/ids/{only_orders}", headers=basic("payments")),
        "User is denied operation Read on Schema",
    )
    assert_forbidden(
        client.get(f"/schemas/ids/{only_orders}/schema", headers=basic("payments")),
        "User is denied operation Read on Schema",
    )
    # Decisions follow the registry: once a readable subject holds the schema, it is readable.
    assert register(client, "payments-later-value", "payments", "O") == only_orders
    assert client.get(f"/schemas/ids/{only_orders}", headers=basic("payments")).is_success
    client.delete("/subjects/payments-later-value", headers=basic("payments"))
    gone = client.delete("/subjects/payments-later-value?permanent=true", headers=basic("admin"))
    assert gone.status_code == 200, gone.text
    assert client.get(f"/schemas/ids/{only_orders}", headers=basic("payments")).status_code == 403
    missing = client.get("/schemas/ids/999999", headers=basic("payments"))
    assert missing.status_code == 404
    assert missing.json()["error_code"] == 40403


def test_a_schema_guid_is_readable_through_any_readable_subject(secured: Secured) -> None:
    client = secured.client
    register(client, "orders-guid-value", "writer", "G")
    guid = client.get("/subjects/orders-guid-value/versions/1", headers=basic("reader")).json()[
        "guid"
    ]
    assert client.get(f"/schemas/guids/{guid}", headers=basic("reader")).is_success
    assert client.get(f"/schemas/guids/{guid}", headers=basic("payments")).status_code == 403


# ------------------------------------------------------------------------------ audit log


def test_every_write_is_audited(secured: Secured, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cairn.audit")
    client = secured.client
    register(client, "orders-audit-value", "writer")
    client.post(
        "/subjects/orders-audit-value/versions",
        json={"schema": schema("X")},
        headers={**CT, **basic("reader")},
    )
    client.delete("/subjects/orders-audit-value?permanent=true", headers=basic("subject-admin"))
    client.put("/config", json={"compatibility": "NONE"}, headers={**CT, **basic("admin")})
    client.get("/subjects/orders-audit-value/versions", headers=basic("reader"))  # a read
    records = [r.audit for r in caplog.records if r.name == "cairn.audit"]  # type: ignore[attr-defined]
    assert records == [
        {
            "principal": "writer",
            "action": "register",
            "subject": "orders-audit-value",
            "result": "success",
            "status": 200,
        },
        {
            "principal": "reader",
            "action": "register",
            "subject": "orders-audit-value",
            "result": "denied",
            "status": 403,
        },
        {
            "principal": "subject-admin",
            "action": "delete_subject(permanent)",
            "subject": "orders-audit-value",
            "result": "failure",
            "status": 404,
        },
        {
            "principal": "admin",
            "action": "put_global_config",
            "subject": "(registry)",
            "result": "success",
            "status": 200,
        },
    ]


def test_an_open_registry_audits_writes_as_anonymous(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="cairn.audit")
    with TestClient(secure(build_app(MemoryLog(), Settings()), None)) as client:
        written = client.post(
            "/subjects/open-value/versions", json={"schema": schema("O")}, headers=CT
        )
        assert written.status_code == 200
        assert client.get("/subjects").json() == ["open-value"]
    (line,) = [r.getMessage() for r in caplog.records if r.name == "cairn.audit"]
    assert line == (
        'principal="anonymous" action=register subject="open-value" result=success status=200'
    )


# ------------------------------------------------------------------------------- reloading


def test_reload_applies_a_valid_file_and_keeps_the_old_one_otherwise(
    secured: Secured, password_hashes: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    client = secured.client
    assert client.get("/subjects", headers=basic("reader")).status_code == 200
    # Without the reader: its remembered password must stop working at once.
    others = {k: v for k, v in password_hashes.items() if k != "reader"}
    secured.config_file.write_text(users_toml(others))
    assert secured.auth.reload()
    assert client.get("/subjects", headers=basic("reader")).status_code == 401
    assert client.get("/subjects", headers=basic("admin")).json() == []  # no ACL: nothing readable

    secured.config_file.write_text("[[users]]\nname = 'x'\n")
    with caplog.at_level(logging.ERROR, logger="registry.security.config"):
        assert not secured.auth.reload()
    assert "auth config not reloaded" in caplog.text
    assert client.get("/subjects", headers=basic("admin")).status_code == 200


def test_refusals_echo_the_request_id_and_count_in_the_metrics(
    tmp_path: Path, password_hashes: dict[str, str]
) -> None:
    config_file = tmp_path / "auth.toml"
    config_file.write_text(users_toml(password_hashes) + ACL)
    telemetry = Telemetry()
    app = secure(
        build_app(MemoryLog(), Settings(), telemetry=telemetry), AuthConfigSource(config_file)
    )
    with TestClient(app) as client:
        refused = client.get("/subjects", headers={"X-Request-ID": "who-1"})
        assert refused.status_code == 401
        assert refused.headers["x-request-id"] == "who-1"
        forbidden = client.post(
            "/subjects/orders-value/versions",
            json={"schema": schema("R")},
            headers={**CT, **basic("reader")},
        )
        assert forbidden.status_code == 403
        assert forbidden.headers["x-request-id"]
        allowed = client.get("/subjects", headers={**basic("reader"), "X-Request-ID": "who-2"})
        assert allowed.status_code == 200
        assert allowed.headers["x-request-id"] == "who-2"
    assert telemetry.requests[("/subjects", "GET", 401)] == 1
    assert telemetry.requests[("/subjects/{subject}/versions", "POST", 403)] == 1
    assert telemetry.requests[("/subjects", "GET", 200)] == 1
