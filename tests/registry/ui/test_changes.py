"""The subject page's writes: soft-deleting a version (write) and setting the level (admin)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from registry.security.config import AuthConfigSource
from tests.registry.ui.conftest import sample_app
from tests.registry.ui.users import FORM, basic

HTMX = {"HX-Request": "true"}
PAGE = "/ui/subject?name=orders-value&version=3"


@pytest.fixture
def secured(auth_file: Path) -> Iterator[TestClient]:
    with TestClient(sample_app(AuthConfigSource(auth_file))) as client:
        yield client


def post(client: TestClient, path: str, user: str, htmx: bool = True, **fields: str) -> Any:
    headers = {**FORM, **basic(user), **(HTMX if htmx else {})}
    return client.post(path, content=urlencode(fields), headers=headers)


def versions(client: TestClient) -> list[int]:
    answer = client.get("/subjects/orders-value/versions", headers=basic("admin"))
    result: list[int] = answer.json()
    return result


def test_each_user_is_offered_what_the_acl_grants(secured: TestClient) -> None:
    reader = secured.get(PAGE, headers=basic("reader")).text
    assert 'id="delete-version"' not in reader
    assert 'id="level-form"' not in reader
    writer = secured.get(PAGE, headers=basic("writer")).text
    assert 'id="delete-version"' in writer
    assert 'id="level-form"' not in writer
    admin = secured.get(PAGE, headers=basic("admin")).text
    assert 'id="delete-version"' in admin
    assert 'id="level-form"' in admin
    assert "<option selected>BACKWARD</option>" in admin


def test_a_writer_soft_deletes_a_version(
    secured: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    refused = post(secured, "/ui/delete-version", "reader", subject="orders-value", version="3")
    assert refused.status_code == 403
    # Without htmx's header (a form posted from another site) nothing is written.
    forged = post(
        secured, "/ui/delete-version", "writer", htmx=False, subject="orders-value", version="3"
    )
    assert forged.status_code == 403
    assert versions(secured) == [1, 2, 3]
    with caplog.at_level(logging.INFO, logger="cairn.audit"):
        done = post(secured, "/ui/delete-version", "writer", subject="orders-value", version="3")
    assert done.status_code == 200
    assert "Soft-deleted orders-value version 3" in done.text
    assert versions(secured) == [1, 2]
    assert any("ui_delete_version" in r.getMessage() for r in caplog.records)
    page = secured.get(PAGE, headers=basic("writer")).text
    assert "(soft-deleted)" in page
    assert 'id="delete-version"' not in page
    again = post(secured, "/ui/delete-version", "writer", subject="orders-value", version="9")
    assert again.status_code == 404


def test_an_admin_sets_the_level(secured: TestClient) -> None:
    writer = post(secured, "/ui/set-level", "writer", subject="orders-value", level="NONE")
    assert writer.status_code == 403
    bad = post(secured, "/ui/set-level", "admin", subject="orders-value", level="SIDEWAYS")
    assert bad.status_code == 422
    done = post(secured, "/ui/set-level", "admin", subject="orders-value", level="FULL")
    assert "Compatibility of orders-value set to FULL" in done.text
    config = secured.get("/config/orders-value", headers=basic("admin")).json()
    assert config["compatibilityLevel"] == "FULL"
    outside = post(secured, "/ui/set-level", "admin", subject="payments-value", level="NONE")
    assert outside.status_code == 403


def test_without_authentication_nothing_is_offered_or_taken(client: TestClient) -> None:
    page = client.get(PAGE).text
    assert 'id="delete-version"' not in page
    assert 'id="level-form"' not in page
    body = urlencode({"subject": "orders-value", "version": "3"})
    refused = client.post("/ui/delete-version", content=body, headers={**FORM, **HTMX})
    assert refused.status_code == 403
    assert client.get("/subjects/orders-value/versions").json() == [1, 2, 3]
