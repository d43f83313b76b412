"""The last line of defence: an unexpected exception is still a Confluent-shaped 500."""

from __future__ import annotations

import json
import logging

import pytest
from starlette.testclient import TestClient

from registry.http.app import RegistryApp, error_reply
from registry.http.context import RequestContext
from registry.http.routing import Router, read
from registry.log.memory import MemoryLog
from registry.server import build_app
from registry.settings import Settings


async def _explode(ctx: RequestContext) -> object:
    raise KeyError("a bug")


def test_an_unexpected_exception_is_a_confluent_500_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = build_app(MemoryLog(), Settings())
    assert isinstance(app, RegistryApp)
    app.router = Router({"/boom": {"GET": read(_explode)}})
    with caplog.at_level(logging.ERROR), TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/vnd.schemaregistry.v1+json"
    # Confluent's generic exception mapper: error_code 500, no stack trace in the body.
    assert response.json() == {"error_code": 500, "message": "Internal Server Error"}
    assert "a bug" in caplog.text


def test_error_reply_renders_any_exception_without_its_details() -> None:
    status, body = error_reply(RuntimeError("secret internals"))
    assert status == 500
    assert json.loads(body) == {"error_code": 500, "message": "Internal Server Error"}
