"""A compatibility check that fails inside is a 500 with Confluent's body, never a 409."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from registry.log.memory import MemoryLog
from registry.server import build_app
from registry.settings import Settings
from tests.compat.failing_format import FAILURE_MESSAGE, failing_formats
from tests.registry.http.conftest import CT, record, register

V1 = record("R", ("a", "int"))
V2 = record("R", ("a", "int"), ("b", "int"))


@pytest.fixture
def failing_client() -> Iterator[TestClient]:
    """A registry whose Avro comparisons all raise, as a bug in the checker would."""
    with TestClient(build_app(MemoryLog(), Settings(), failing_formats())) as client:
        yield client


def _assert_check_failed(status: int, body: Any, caplog: pytest.LogCaptureFixture) -> None:
    assert status == 500, body
    assert body["error_code"] == 500
    assert body["message"].startswith("Error while checking compatibility for subject ")
    assert "RuntimeError" in body["message"]
    # The exception's own text stays in the log, with the stack.
    assert FAILURE_MESSAGE not in body["message"]
    [logged] = [r for r in caplog.records if r.name == "compat.formats"]
    assert logged.exc_info is not None


def test_registration_answers_500_and_registers_nothing(
    failing_client: TestClient, subject: str, caplog: pytest.LogCaptureFixture
) -> None:
    register(failing_client, subject, V1)  # nothing to compare with yet
    with caplog.at_level(logging.ERROR, logger="compat.formats"):
        response = failing_client.post(
            f"/subjects/{subject}/versions", json={"schema": V2}, headers=CT
        )
    _assert_check_failed(response.status_code, response.json(), caplog)
    assert failing_client.get(f"/subjects/{subject}/versions").json() == [1]


@pytest.mark.parametrize("path", ["/versions", "/versions/latest", "/versions/1"])
@pytest.mark.parametrize("verbose", [False, True])
def test_compatibility_endpoints_answer_500(
    failing_client: TestClient,
    subject: str,
    caplog: pytest.LogCaptureFixture,
    path: str,
    verbose: bool,
) -> None:
    register(failing_client, subject, V1)
    url = f"/compatibility/subjects/{subject}{path}" + ("?verbose=true" if verbose else "")
    with caplog.at_level(logging.ERROR, logger="compat.formats"):
        response = failing_client.post(url, json={"schema": V2}, headers=CT)
    _assert_check_failed(response.status_code, response.json(), caplog)


def test_level_none_compares_nothing_so_nothing_fails(
    failing_client: TestClient, subject: str
) -> None:
    register(failing_client, subject, V1)
    failing_client.put(f"/config/{subject}", json={"compatibility": "NONE"}, headers=CT)
    assert register(failing_client, subject, V2)["id"] > 0
