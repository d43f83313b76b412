"""Registry clients for the serializers: the interface, HTTP, in-memory and caching.

>>> client = registry_client({"url": "http://127.0.0.1:8081"})   # cached HTTP client
>>> memory = CachedRegistryClient(InMemoryRegistryClient())      # for tests, no server
"""

from __future__ import annotations

from collections.abc import Mapping

from serdes.client._cached import CachedRegistryClient
from serdes.client._http import HTTP_CONF_KEYS, RETRY_STATUSES, HttpRegistryClient, HttpSettings
from serdes.client._memory import InMemoryRegistryClient
from serdes.client._model import JsonObject, RegisteredSchema, Schema, SchemaReference
from serdes.client._protocol import RegistryClient
from serdes.client._transport import HttpClientTransport, Response, TlsSettings, Transport


def registry_client(
    conf: Mapping[str, object], *, latest_ttl_s: float | None = None
) -> CachedRegistryClient:
    """A cached HTTP client from confluent-kafka-style settings (see `HttpSettings.from_conf`)."""
    return CachedRegistryClient(
        HttpRegistryClient(HttpSettings.from_conf(conf)), latest_ttl_s=latest_ttl_s
    )


__all__ = [
    "CachedRegistryClient",
    "HTTP_CONF_KEYS",
    "HttpClientTransport",
    "HttpRegistryClient",
    "HttpSettings",
    "InMemoryRegistryClient",
    "JsonObject",
    "RETRY_STATUSES",
    "RegisteredSchema",
    "RegistryClient",
    "Response",
    "Schema",
    "SchemaReference",
    "TlsSettings",
    "Transport",
    "registry_client",
]
