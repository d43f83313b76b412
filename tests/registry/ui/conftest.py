"""The UI over the sample registry, served in process (TestClient) and on a loopback port."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.testclient import TestClient

from registry.log.memory import MemoryLog
from registry.server import build_app, secure, with_ui
from registry.settings import Settings
from tests.registry.ui.sample import fill


def sample_app() -> object:
    """The API and the UI over a registry filled with the sample subjects (no auth)."""
    api = build_app(MemoryLog(), Settings())
    # In a thread of its own: the browser tests' caller already runs an event loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, fill(api.registry)).result()
    return secure(with_ui(api, None), None)


@pytest.fixture
def client() -> Iterator[TestClient]:
    """A client of the read-only UI over the sample registry."""
    with TestClient(sample_app()) as test_client:  # type: ignore[arg-type]
        yield test_client
