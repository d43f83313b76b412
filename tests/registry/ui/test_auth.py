"""The UI with authentication on: the browser challenge, per-user listings, and writes only
where the ACL grants them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from registry.security.config import AuthConfigSource
from tests.registry.ui.conftest import sample_app
from tests.registry.ui.sample import INCOMPATIBLE_ORDER, order
from tests.registry.ui.users import FORM, basic


@pytest.fixture
def secured(auth_file: Path) -> Iterator[TestClient]:
    """The API and the UI over the sample registry, with authentication on."""
    with TestClient(sample_app(AuthConfigSource(auth_file))) as client:
        yield client


def test_pages_challenge_a_browser_without_credentials(secured: TestClient) -> None:
    response = secured.get("/ui/subjects")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="cairn"'
    assert secured.get("/ui/subjects", headers={"Authorization": "Basic eDp5"}).status_code == 401


def test_listing_shows_only_what_the_user_may_read(secured: TestClient) -> None:
    page = secured.get("/ui/subjects", headers=basic("reader")).text
    assert "signed in as <b>reader</b>" in page
    assert "orders-value" in page
    assert "payments-value" not in page
    denied = secured.get("/ui/subject?name=payments-value", headers=basic("reader"))
    assert denied.status_code == 404


def test_a_reader_is_offered_no_write(secured: TestClient) -> None:
    text = order({"name": "extra", "type": "string", "default": ""})
    body = urlencode({"subject": "orders-value", "schemaType": "AVRO", "schema": text})
    page = secured.post("/ui/check", content=body, headers={**FORM, **basic("reader")}).text
    assert "Compatible at BACKWARD" in page
    assert 'id="register"' not in page
    refused = secured.post(
        "/ui/register", content=body, headers={**FORM, **basic("reader"), "HX-Request": "true"}
    )
    assert refused.status_code == 403


def test_a_writer_registers_a_checked_schema(secured: TestClient) -> None:
    text = order({"name": "extra", "type": "string", "default": ""})
    body = urlencode({"subject": "orders-value", "schemaType": "AVRO", "schema": text})
    headers = {**FORM, **basic("writer")}
    page = secured.post("/ui/check", content=body, headers=headers).text
    assert 'id="register"' in page
    # Without htmx's header (a form posted from another site) nothing is written.
    assert secured.post("/ui/register", content=body, headers=headers).status_code == 403
    done = secured.post("/ui/register", content=body, headers={**headers, "HX-Request": "true"})
    assert "Registered orders-value version 4" in done.text
    versions = secured.get("/subjects/orders-value/versions", headers=basic("writer")).json()
    assert versions == [1, 2, 3, 4]


def test_a_writer_cannot_register_an_incompatible_schema(secured: TestClient) -> None:
    body = urlencode(
        {"subject": "orders-value", "schemaType": "AVRO", "schema": INCOMPATIBLE_ORDER}
    )
    headers = {**FORM, **basic("writer"), "HX-Request": "true"}
    page = secured.post("/ui/check", content=body, headers=headers).text
    assert 'id="register"' not in page
    refused = secured.post("/ui/register", content=body, headers=headers)
    assert "incompatible" in refused.text.lower()
    assert secured.get("/subjects/orders-value/versions", headers=basic("writer")).json() == [
        1,
        2,
        3,
    ]


def test_static_assets_need_no_credentials(secured: TestClient) -> None:
    assert secured.get("/ui/static/ui.css").status_code == 200
