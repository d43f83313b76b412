"""The broker dies under a running `cairn serve`: reads go on, writes fail with Confluent's
store error instead of hanging, and once the broker is back writes succeed and nothing
acknowledged is lost."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import ServerFactory
from tests.support.kafka import BrokerControl, kafka_source, own_broker

pytestmark = [pytest.mark.integration, pytest.mark.kafka]

CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
KAFKA_TIMEOUT_S = 3.0
#: How long a write may take to fail while the broker is down: the Kafka timeout, the
#: producer's flush grace and the read-back, with room for a slow machine.
FAIL_WITHIN_S = KAFKA_TIMEOUT_S + 5.0 + 10.0
RECOVER_WITHIN_S = 60.0


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[BrokerControl]:
    """A broker of this test's own, since the test stops it (never a shared cluster)."""
    source = kafka_source()
    if source.bootstrap_servers is not None:
        pytest.skip("stopping a broker needs one started here, not CAIRN_TEST_KAFKA")
    with own_broker(source, tmp_path / "broker") as control:
        yield control


def schema(name: str) -> str:
    return json.dumps({"type": "record", "name": name, "fields": [{"name": "a", "type": "int"}]})


def register(client: httpx.Client, subject: str, name: str) -> httpx.Response:
    return client.post(f"/subjects/{subject}/versions", json={"schema": schema(name)}, headers=CT)


def test_writes_fail_fast_while_the_broker_is_down_and_resume_after(
    server_factory: ServerFactory, broker: BrokerControl
) -> None:
    topic = f"cairn-outage-{uuid.uuid4().hex}"
    args = (
        "--kafka-bootstrap-servers",
        broker.bootstrap_servers,
        "--kafka-topic",
        topic,
        "--kafka-timeout",
        str(KAFKA_TIMEOUT_S),
    )
    server = server_factory.start(None, *args)
    acked: dict[str, int] = {}
    with httpx.Client(base_url=server.url, timeout=FAIL_WITHIN_S + 30.0) as client:
        for i in range(3):
            response = register(client, f"before-{i}-value", f"Before{i}")
            assert response.status_code == 200, response.text
            acked[f"before-{i}-value"] = response.json()["id"]

        broker.kill()

        # Reads are served from the node's state.
        for subject, schema_id in acked.items():
            response = client.get(f"/subjects/{subject}/versions/1")
            assert response.status_code == 200, response.text
            assert response.json()["id"] == schema_id
        # A write fails with the store error, neither hanging nor succeeding.
        started = time.monotonic()
        failed = register(client, "during-value", "During")
        elapsed = time.monotonic() - started
        assert failed.status_code == 500, failed.text
        assert failed.json()["error_code"] == 50001
        assert elapsed < FAIL_WITHIN_S

        broker.restart()

        # Writes succeed again once the producer has reconnected.
        deadline = time.monotonic() + RECOVER_WITHIN_S
        while True:
            response = register(client, "after-value", "After")
            if response.status_code == 200 or time.monotonic() > deadline:
                break
        assert response.status_code == 200, response.text
        acked["after-value"] = response.json()["id"]

    # A fresh node on the topic sees every acknowledged write with its id.
    server.kill()
    replacement = server_factory.start(None, *args)
    with httpx.Client(base_url=replacement.url, timeout=10.0) as client:
        for subject, schema_id in acked.items():
            response = client.get(f"/subjects/{subject}/versions/1")
            assert response.status_code == 200, (subject, response.text)
            assert response.json()["id"] == schema_id
        ids = list(acked.values())
        assert len(set(ids)) == len(ids)
