"""Pytest fixtures giving each test a real, empty Cairn registry (installed as a plugin).

- `schema_registry`: a fresh registry per test. All tests share one loopback server (started
  once per session); what changes per test is the registry behind it, so a test pays well
  under a millisecond for its own empty registry.
- `schema_registry_session`: one registry for the whole session, on a server of its own.

Both are `registry.testing.LocalRegistry` objects: `.url`, `.client()` (confluent-kafka's
`SchemaRegistryClient`), `.register(subject, Path(...))`, `.preload({...})`,
`.set_compatibility(level)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from registry.testing import LocalRegistry, RegistryHost


@pytest.fixture(scope="session")
def schema_registry_host() -> Iterator[RegistryHost]:
    """The loopback server behind `schema_registry` (one per session)."""
    from registry.testing import RegistryHost  # noqa: PLC0415  (loaded only when used)

    host = RegistryHost()
    try:
        yield host
    finally:
        host.stop()


@pytest.fixture
def schema_registry(schema_registry_host: RegistryHost) -> Iterator[LocalRegistry]:
    """An empty Cairn registry for this test."""
    registry = schema_registry_host.fresh()
    try:
        yield registry
    finally:
        registry.close()


@pytest.fixture(scope="session")
def schema_registry_session() -> Iterator[LocalRegistry]:
    """One Cairn registry shared by every test of the session."""
    from registry.testing import RegistryHost  # noqa: PLC0415  (loaded only when used)

    host = RegistryHost()
    registry = host.fresh()
    try:
        yield registry
    finally:
        registry.close()
        host.stop()
