"""`X-Request-ID`: the caller's id echoed, a fresh one made when missing or unusable, and the
id on every log line written while serving the request."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from registry.log_output import JsonFormatter, RequestIdFilter, current_request_id


def test_the_callers_id_is_echoed(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    response = client.get("/subjects", headers={"X-Request-ID": "4bf92f35-77b3.a1:b/c+d="})
    assert response.headers["x-request-id"] == "4bf92f35-77b3.a1:b/c+d="


def test_errors_echo_the_id_too(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    response = client.get("/subjects/nope/versions", headers={"X-Request-ID": "abc"})
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "abc"


def test_requests_without_an_id_get_distinct_ones(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    ids = {client.get("/config").headers["x-request-id"] for _ in range(50)}
    assert len(ids) == 50


@pytest.mark.parametrize("bad", ["a" * 129, "evil\tid", "x y", "ä"])
def test_an_unusable_id_is_replaced(make_client: Callable[..., TestClient], bad: str) -> None:
    client = make_client()
    response = client.get("/config", headers={b"X-Request-ID": bad.encode("utf-8")})
    echoed = response.headers["x-request-id"]
    assert echoed
    assert echoed != bad


def test_a_json_line_has_the_documented_fields() -> None:
    record = logging.LogRecord("registry.x", logging.WARNING, __file__, 1, "a %s", ("b",), None)
    token = current_request_id.set("r-1")
    try:
        RequestIdFilter().filter(record)
    finally:
        current_request_id.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING"
    assert line["logger"] == "registry.x"
    assert line["message"] == "a b"
    assert line["request_id"] == "r-1"
    assert line["time"].endswith("Z")
    outside = logging.LogRecord("registry.x", logging.INFO, __file__, 1, "m", (), None)
    RequestIdFilter().filter(outside)
    assert "request_id" not in json.loads(JsonFormatter().format(outside))


def test_the_id_is_stamped_when_the_record_is_made_not_when_it_is_formatted() -> None:
    token = current_request_id.set("r-2")
    try:
        record = logging.LogRecord("registry.x", logging.INFO, __file__, 1, "m", (), None)
        assert RequestIdFilter().filter(record)
    finally:
        current_request_id.reset(token)
    assert json.loads(JsonFormatter().format(record))["request_id"] == "r-2"
