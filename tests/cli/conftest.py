"""Fixtures for command tests: an in-memory registry the commands reach over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from registry.log.memory import MemoryLog
from registry.server import build_app
from registry.settings import Settings
from tests.support.registry_http import registry_over_http


@pytest.fixture
def registry() -> Iterator[TestClient]:
    """An empty registry on an in-memory log, for a test to prepare through its API."""
    with TestClient(build_app(MemoryLog(), Settings())) as client:
        yield client


@pytest.fixture
def registry_url(registry: TestClient) -> Iterator[str]:
    """The URL at which the commands reach `registry`."""
    with registry_over_http(registry) as url:
        yield url
