"""A real Cairn registry inside the test process, for testing producers and consumers.

Confluent's `mock://` URL stands in for a registry but skips compatibility checks and most of
the API. `local_registry()` runs Cairn itself (in memory, on a free loopback port), so
applications are tested against the behaviour they will meet in production: the same ids,
compatibility levels, error codes and references.

    with local_registry() as registry:
        registry.register("orders-value", Path("schemas/order.avsc"))
        client = registry.client()          # confluent-kafka's SchemaRegistryClient

With pytest the `schema_registry` fixture (and `schema_registry_session`) gives the same
object; the plugin is installed with the package (see `registry.testing.pytest_plugin`).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compat.formats import Formats, default_formats
from compat.types import CompatibilityLevel
from registry.log.memory import MemoryLog
from registry.server import build_app
from registry.settings import Settings
from registry.testing._server import LoopbackServer

if TYPE_CHECKING:
    from confluent_kafka.schema_registry import SchemaRegistryClient

__all__ = ["LocalRegistry", "LoopbackServer", "RegistrationError", "local_registry"]

#: Schema types by file suffix, as the CLI reads them.
SCHEMA_TYPES = {".avsc": "AVRO", ".avro": "AVRO", ".json": "JSON", ".proto": "PROTOBUF"}
_CT = "application/vnd.schemaregistry.v1+json"


class RegistrationError(RuntimeError):
    """A preload the registry refused; `status` and `body` are its answer."""

    def __init__(self, subject: str, status: int, body: str) -> None:
        super().__init__(f"registering under {subject!r} failed with HTTP {status}: {body}")
        self.status = status
        self.body = body


class LocalRegistry:
    """One fresh, empty registry reachable at `url`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._default_client: SchemaRegistryClient | None = None
        self._other_clients: list[SchemaRegistryClient] = []

    def client(self, **conf: Any) -> SchemaRegistryClient:
        """A confluent-kafka `SchemaRegistryClient` for this registry: the same one on every
        call, or a new one with `conf` added to `{"url": ...}`. Every client made here is
        closed with the registry (at the end of the test)."""
        from confluent_kafka.schema_registry import SchemaRegistryClient  # noqa: PLC0415

        if conf:
            client = SchemaRegistryClient({"url": self.url, **conf})
            self._other_clients.append(client)
            return client
        if self._default_client is None:
            self._default_client = SchemaRegistryClient({"url": self.url})
        return self._default_client

    def close(self) -> None:
        """Close the clients handed out (their connections)."""
        if self._default_client is not None:
            self._default_client.close()
            self._default_client = None
        for client in self._other_clients:
            client.close()
        self._other_clients.clear()

    def register(
        self,
        subject: str,
        schema: str | Path,
        *,
        schema_type: str | None = None,
        references: Sequence[Mapping[str, Any]] = (),
    ) -> int:
        """Register a schema (text, or a file whose suffix gives its type) and return its id.

        `references` are Confluent's `{"name", "subject", "version"}` objects.
        """
        if isinstance(schema, Path):
            text = schema.read_text(encoding="utf-8")
            schema_type = schema_type or SCHEMA_TYPES.get(schema.suffix.lower(), "AVRO")
        else:
            text = schema
        body: dict[str, Any] = {"schema": text, "schemaType": schema_type or "AVRO"}
        if references:
            body["references"] = [dict(r) for r in references]
        answer = self._call("POST", f"/subjects/{_quote(subject)}/versions", body, subject)
        schema_id: int = answer["id"]
        return schema_id

    def preload(self, schemas: Mapping[str, str | Path]) -> dict[str, int]:
        """Register each subject's schema in order; the ids by subject."""
        return {subject: self.register(subject, schema) for subject, schema in schemas.items()}

    def set_compatibility(self, level: str, subject: str | None = None) -> None:
        """Set the compatibility level, globally or of one subject."""
        path = "/config" if subject is None else f"/config/{_quote(subject)}"
        self._call("PUT", path, {"compatibility": level}, subject or "(global)")

    def _call(self, method: str, path: str, body: object, subject: str) -> Any:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": _CT, "Accept": _CT},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            with exc:
                raise RegistrationError(subject, exc.code, exc.read().decode()) from None


def _quote(subject: str) -> str:
    return urllib.parse.quote(subject, safe="")


class RegistryHost:
    """A loopback server that serves a fresh registry each time `fresh()` is called."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings or Settings()
        self._formats: Formats = default_formats()
        self._server = LoopbackServer(self._new_app())

    def _new_app(self) -> Any:
        return build_app(MemoryLog(), self._settings, self._formats)

    def fresh(self) -> LocalRegistry:
        """Replace the registry behind the URL by an empty one, and describe it."""
        self._server.serve(self._new_app())
        return LocalRegistry(self._server.url)

    def stop(self) -> None:
        """Stop the server."""
        self._server.stop()


@contextmanager
def local_registry(**settings: Any) -> Iterator[LocalRegistry]:
    """A registry of its own for the block (`settings` as `registry.settings.Settings`
    takes them, e.g. `default_compatibility`), stopped on the way out."""
    level = settings.get("default_compatibility")
    if isinstance(level, str):
        parsed = CompatibilityLevel.parse(level)
        if parsed is None:
            raise ValueError(f"unknown compatibility level {level!r}")
        settings["default_compatibility"] = parsed
    host = RegistryHost(Settings(**settings))
    registry = host.fresh()
    try:
        yield registry
    finally:
        registry.close()
        host.stop()
