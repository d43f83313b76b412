"""The `confluent:version` metadata property: set to the version's real number when a
registration asks for a version, and honoured as a pin by lookups (Confluent 7.4+)."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.registry.http.conftest import CT, record

SCHEMA = record("myrecord", ("f1", "string"))
PIN = "confluent:version"


def post(client: TestClient, url: str, **body: Any) -> Any:
    return client.post(url, json={"schema": SCHEMA, **body}, headers=CT)


def pinned(version: int | str) -> dict[str, Any]:
    return {"properties": {PIN: str(version)}}


def registered_id(client: TestClient, subject: str, **body: Any) -> int:
    response = post(client, f"/subjects/{subject}/versions", **body)
    assert response.status_code == 200, response.text
    return int(response.json()["id"])


def latest(client: TestClient, subject: str) -> Any:
    return client.get(f"/subjects/{subject}/versions/latest").json()


def looked_up(client: TestClient, subject: str, **body: Any) -> Any:
    response = post(client, f"/subjects/{subject}", **body)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_requested_version_is_recorded_and_pins_lookups(client: TestClient, subject: str) -> None:
    assert registered_id(client, subject) == 1
    assert "metadata" not in latest(client, subject)
    # -1: the latest version if it holds this schema already.
    assert registered_id(client, subject, version=-1) == 1
    # An explicit next version makes a new version that records its number.
    assert registered_id(client, subject, version=2) == 2
    assert registered_id(client, subject, version=-1) == 2
    assert latest(client, subject)["metadata"] == pinned(2)
    # Lookups: the exact content first, then a pin picks its version.
    assert looked_up(client, subject)["version"] == 1
    assert looked_up(client, subject, metadata=pinned(1))["version"] == 1
    found = looked_up(client, subject, metadata=pinned(2))
    assert (found["version"], found["metadata"]) == (2, pinned(2))
    assert post(client, f"/subjects/{subject}", metadata=pinned(7)).status_code == 404
    # With version 1 gone, a request without a pin finds the pinned version 2.
    assert client.delete(f"/subjects/{subject}/versions/1").status_code == 200
    assert looked_up(client, subject)["version"] == 2
    assert registered_id(client, subject) == 2
    # A version number that is not the next one is refused.
    response = post(client, f"/subjects/{subject}/versions", version=2)
    assert (response.status_code, response.json()["error_code"]) == (422, 42201)


def test_a_pin_in_the_metadata_is_rewritten_to_the_real_version(
    client: TestClient, subject: str
) -> None:
    for version in (1, 2, 3):
        registered_id(client, subject, version=version)
    # A pin naming no version (-1, 0) makes a new version, recorded with its own number.
    assert registered_id(client, subject, metadata=pinned(-1)) == 4
    assert latest(client, subject)["metadata"] == pinned(4)
    # A pin naming an existing version returns that version.
    assert registered_id(client, subject, metadata=pinned(2)) == 2
    assert registered_id(client, subject, metadata=pinned(3)) == 3
    assert registered_id(client, subject, metadata=pinned(0)) == 5
    assert (latest(client, subject)["version"], latest(client, subject)["metadata"]) == (
        5,
        pinned(5),
    )
    # Empty metadata is no metadata: the latest version matches but for its pin.
    assert registered_id(client, subject, metadata={"properties": {}}) == 5
    # Other metadata makes another version, without a pin unless one is asked for.
    other = {"properties": {"owner": "team-a"}}
    assert registered_id(client, subject, metadata=other) == 6
    assert latest(client, subject)["metadata"] == other
    # -1 with no metadata keeps the latest's metadata and pins the new version.
    assert registered_id(client, subject, version=-1) == 7
    assert latest(client, subject)["metadata"] == {"properties": {"owner": "team-a", PIN: "7"}}
