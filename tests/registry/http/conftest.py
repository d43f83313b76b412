"""An in-process registry over an in-memory log, driven through Starlette's TestClient."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from registry.log.memory import MemoryLog
from registry.server import build_app
from registry.settings import Settings

_counter = itertools.count()

CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}


def record(name: str, *fields: tuple[str, Any]) -> str:
    """An Avro record schema text with the given (name, type) fields."""
    return json.dumps(
        {"type": "record", "name": name, "fields": [{"name": n, "type": t} for n, t in fields]}
    )


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    """Build clients over fresh in-memory registries, with optional settings."""
    clients: list[TestClient] = []

    def build(**settings: Any) -> TestClient:
        client = TestClient(build_app(MemoryLog(), Settings(**settings)))
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """A client over a fresh registry with default settings."""
    return make_client()


@pytest.fixture
def subject(request: pytest.FixtureRequest) -> str:
    """A subject name unique to the test."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", request.node.name[:40])
    return f"{name}-{next(_counter)}-value"


def register(client: TestClient, subject: str, schema: str, **body: Any) -> Any:
    """Register and return the decoded response (asserting success)."""
    response = client.post(
        f"/subjects/{subject}/versions", json={"schema": schema, **body}, headers=CT
    )
    assert response.status_code == 200, response.text
    return response.json()
