"""The router: typed path parameters by name, 404/405, and which routes change the registry."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from registry.errors import (
    BadRequestError,
    InvalidVersionError,
    MethodNotAllowedError,
    NotFoundError,
    SchemaNotFoundError,
)
from registry.http.app import build_router
from registry.subjects import LATEST

ROUTER = build_router()


def _params(method: str, path: str) -> dict[str, object]:
    route, captured = ROUTER.match(method, path.encode())
    return dict(route.params(captured))


def test_parameters_arrive_decoded_and_typed_by_name() -> None:
    assert _params("GET", "/subjects/a%2Fb:c/versions/latest") == {
        "subject": "a/b:c",
        "version": LATEST,
    }
    assert _params("GET", "/subjects/s/versions/7") == {"subject": "s", "version": 7}
    assert _params("GET", "/schemas/ids/42") == {"id": 42}
    assert _params("PUT", "/config/:.:") == {"scope": None}
    assert _params("PUT", "/mode/:.ctx:") == {"scope": ":.ctx:"}
    assert _params("DELETE", "/contexts/ctx") == {"context": ".ctx"}
    assert _params("DELETE", "/contexts/.ctx") == {"context": ".ctx"}


@pytest.mark.parametrize("raw", ["0", "-2", "2147483648", "one"])
def test_a_bad_version_is_42202(raw: str) -> None:
    with pytest.raises(InvalidVersionError):
        _params("GET", f"/subjects/s/versions/{raw}")


def test_a_non_numeric_schema_id_names_no_schema() -> None:
    with pytest.raises(SchemaNotFoundError):
        _params("GET", "/schemas/ids/abc")


def test_unknown_paths_and_methods() -> None:
    with pytest.raises(NotFoundError):
        ROUTER.match("GET", b"/nowhere")
    with pytest.raises(MethodNotAllowedError):
        ROUTER.match("PATCH", b"/subjects/s/versions")
    with pytest.raises(BadRequestError):
        ROUTER.match("GET", b"/subjects/%ff/versions")


@pytest.mark.parametrize(
    ("method", "path", "writes"),
    [
        ("POST", "/subjects/s/versions", True),
        ("DELETE", "/subjects/s", True),
        ("DELETE", "/subjects/s/versions/1", True),
        ("PUT", "/config", True),
        ("PUT", "/config/s", True),
        ("DELETE", "/config/s", True),
        ("PUT", "/mode", True),
        ("DELETE", "/mode/s", True),
        ("DELETE", "/contexts/.ctx", True),
        # Lookups and compatibility checks are POSTs that only read.
        ("POST", "/subjects/s", False),
        ("POST", "/compatibility/subjects/s/versions", False),
        ("POST", "/compatibility/subjects/s/versions/latest", False),
        ("GET", "/subjects/s/versions/1", False),
        ("GET", "/config", False),
        ("GET", "/schemas/ids/1", False),
        # Requests no route takes are answered locally (404/405), never forwarded.
        ("PUT", "/nowhere", False),
        ("PATCH", "/subjects/s/versions", False),
    ],
)
def test_routes_declare_whether_they_write(method: str, path: str, writes: bool) -> None:
    assert ROUTER.writes(method, path.encode()) is writes


def test_the_default_context_spelt_out_names_the_same_subject(client: TestClient) -> None:
    """`:.:name` registered (and answered 500 on read-back) under a name no route found."""
    schema = json.dumps("int")
    first = client.post("/subjects/%3A.%3Aspelt/versions", json={"schema": schema})
    assert first.status_code == 200, first.text
    assert client.get("/subjects/spelt/versions").json() == [1]
    assert client.get("/subjects/%3A.%3Aspelt/versions").json() == [1]
    found = client.post("/subjects/%3A.%3Aspelt", json={"schema": schema})
    assert (found.status_code, found.json()["subject"]) == (200, "spelt")
    empty = client.post("/subjects/%3A.%3A/versions", json={"schema": schema})
    assert empty.status_code == 200, empty.text


def test_a_405_names_the_methods_the_path_has(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    refused = client.put("/schemas/ids/1")
    assert refused.status_code == 405
    assert refused.json() == {"error_code": 405, "message": "HTTP 405 Method Not Allowed"}
    assert refused.headers["allow"] == "GET, HEAD"
    refused = client.patch("/subjects/s/versions")
    assert refused.headers["allow"] == "GET, HEAD, POST"
