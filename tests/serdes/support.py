"""Test doubles for the serdes tests: a registry that can be switched off or held back."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from serdes.client import InMemoryRegistryClient, RegisteredSchema, Schema
from serdes.errors import RegistryUnavailableError


class Switchable:
    """An in-memory registry that raises `RegistryUnavailableError` while `down` is set."""

    def __init__(self) -> None:
        self.inner = InMemoryRegistryClient()
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise RegistryUnavailableError("registry is down (test)")

    def get_schema(self, schema_id: int, *, subject: str | None = None) -> Schema:
        self._check()
        return self.inner.get_schema(schema_id, subject=subject)

    def get_schema_by_guid(self, guid: str) -> Schema:
        self._check()
        return self.inner.get_schema_by_guid(guid)

    def register_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        self._check()
        return self.inner.register_schema(subject, schema, normalize=normalize)

    def lookup_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        self._check()
        return self.inner.lookup_schema(subject, schema, normalize=normalize)

    def get_latest_version(self, subject: str) -> RegisteredSchema:
        self._check()
        return self.inner.get_latest_version(subject)

    def get_latest_with_metadata(
        self, subject: str, metadata: Mapping[str, str]
    ) -> RegisteredSchema:
        self._check()
        return self.inner.get_latest_with_metadata(subject, metadata)

    def get_version(self, subject: str, version: int) -> RegisteredSchema:
        self._check()
        return self.inner.get_version(subject, version)


def framed(data: bytes | None) -> bytes:
    """A serializer's output for a non-None value: never None, typed as bytes."""
    assert data is not None
    return data


#: How long a test waits for another thread before it calls the wait a failure.
WAIT_S = 10.0


@dataclass(frozen=True)
class Hold:
    """One held-back registry question: `entered` is set when it is asked, `release` answers."""

    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class Gated:
    """An in-memory registry whose answers can be held back per question, counting questions.

    A question is the method name and its first argument (`("get_schema", 1)`), or for a
    registration or lookup the subject and schema text (`("register_schema", ("s", text))`);
    `hold` makes the next askers of it wait until the
    test releases it, so tests can prove that other questions are answered meanwhile.
    """

    def __init__(self) -> None:
        self.inner = InMemoryRegistryClient()
        self.asked: Counter[tuple[str, object]] = Counter()
        self._holds: dict[tuple[str, object], Hold] = {}
        self._lock = threading.Lock()

    def hold(self, method: str, arg: object) -> Hold:
        """Hold back `method(arg, ...)` until the returned hold is released."""
        hold = Hold()
        self._holds[(method, arg)] = hold
        return hold

    def _ask(self, method: str, arg: object) -> None:
        with self._lock:
            self.asked[(method, arg)] += 1
            hold = self._holds.get((method, arg))
        if hold is not None:
            hold.entered.set()
            assert hold.release.wait(WAIT_S), f"{method}({arg!r}) was never released"

    def get_schema(self, schema_id: int, *, subject: str | None = None) -> Schema:
        self._ask("get_schema", schema_id)
        return self.inner.get_schema(schema_id, subject=subject)

    def get_schema_by_guid(self, guid: str) -> Schema:
        self._ask("get_schema_by_guid", guid)
        return self.inner.get_schema_by_guid(guid)

    def register_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        self._ask("register_schema", (subject, schema.schema_str))
        return self.inner.register_schema(subject, schema, normalize=normalize)

    def lookup_schema(
        self, subject: str, schema: Schema, *, normalize: bool = False
    ) -> RegisteredSchema:
        self._ask("lookup_schema", (subject, schema.schema_str))
        return self.inner.lookup_schema(subject, schema, normalize=normalize)

    def get_latest_version(self, subject: str) -> RegisteredSchema:
        self._ask("get_latest_version", subject)
        return self.inner.get_latest_version(subject)

    def get_latest_with_metadata(
        self, subject: str, metadata: Mapping[str, str]
    ) -> RegisteredSchema:
        self._ask("get_latest_with_metadata", subject)
        return self.inner.get_latest_with_metadata(subject, metadata)

    def get_version(self, subject: str, version: int) -> RegisteredSchema:
        self._ask("get_version", subject)
        return self.inner.get_version(subject, version)


class Background:
    """Runs a call in a thread and keeps its result or error for the test to check."""

    def __init__(self, call: Callable[[], object]) -> None:
        self.done = threading.Event()
        self.result: object = None
        self.error: BaseException | None = None
        self._call = call
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.result = self._call()
        except BaseException as exc:  # handed to the test, which re-raises it
            self.error = exc
        finally:
            self.done.set()

    def finished(self, timeout: float = WAIT_S) -> bool:
        """Whether the call ended within `timeout` seconds."""
        return self.done.wait(timeout)

    def value(self) -> object:
        """The call's result once it ended; its error is raised here."""
        assert self.finished(), "the background call did not finish"
        self._thread.join(WAIT_S)
        if self.error is not None:
            raise self.error
        return self.result
