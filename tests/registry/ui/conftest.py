"""The UI over the sample registry, served in process (TestClient) and on a loopback port."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from registry.log.memory import MemoryLog
from registry.security.config import AuthConfigSource
from registry.security.gate import SecurityGate
from registry.server import build_app, secure, with_ui
from registry.settings import Settings
from tests.registry.ui.sample import fill
from tests.registry.ui.users import write_auth_file


def sample_app(auth: AuthConfigSource | None = None) -> SecurityGate:
    """The API and the UI over a registry filled with the sample subjects (open without
    `auth`)."""
    api = build_app(MemoryLog(), Settings())
    # In a thread of its own: the browser tests' caller already runs an event loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, fill(api.registry)).result()
    return secure(with_ui(api, auth), auth)


@pytest.fixture
def client() -> Iterator[TestClient]:
    """A client of the read-only UI over the sample registry."""
    with TestClient(sample_app()) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def auth_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An auth config with a reader and a writer of `orders-*` (hashing is slow: once)."""
    return write_auth_file(tmp_path_factory.mktemp("auth") / "auth.toml")
