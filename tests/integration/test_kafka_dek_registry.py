"""The DEK registry on a Kafka topic: KEKs and DEKs go through the topic and come back."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.integration.conftest import ServerFactory
from tests.integration.test_kafka_serve import produce_all, start_on_kafka

pytestmark = [pytest.mark.integration, pytest.mark.kafka]

KEKS = "/dek-registry/v1/keks"


def test_keys_survive_a_restart_on_kafka_beside_a_key_written_to_the_topic(
    server_factory: ServerFactory, kafka_bootstrap: str
) -> None:
    topic = f"cairn-deks-{uuid.uuid4().hex}"
    # A KEK record written straight into the topic, as another Cairn would have.
    key = b'{"keytype":"NOOP","magic":0,"type":"KEK","tenant":"default","name":"pre"}'
    value = b'{"type":"KEK","name":"pre","kmsType":"local-kms","kmsKeyId":"x","kmsProps":{},'
    produce_all(kafka_bootstrap, topic, [(key, value + b'"shared":false,"deleted":false}')])

    server = start_on_kafka(server_factory, kafka_bootstrap, topic)
    url = server.url
    assert httpx.get(f"{url}{KEKS}").json() == ["pre"]
    kek = {"name": "k1", "kmsType": "local-kms", "kmsKeyId": "key-1"}
    assert httpx.post(f"{url}{KEKS}", json=kek).status_code == 200
    dek_url = f"{url}{KEKS}/k1/deks/orders-value"
    created = httpx.post(dek_url, json={"encryptedKeyMaterial": "eA=="}).json()
    assert httpx.post(f"{dek_url}", json={"encryptedKeyMaterial": "eQ==", "version": 2}).is_success
    assert httpx.delete(f"{dek_url}/versions/2").status_code == 204
    assert httpx.delete(f"{dek_url}/versions/2", params={"permanent": "true"}).status_code == 204
    server.stop()

    restarted = start_on_kafka(server_factory, kafka_bootstrap, topic)
    url = restarted.url
    assert httpx.get(f"{url}{KEKS}").json() == ["k1", "pre"]
    assert httpx.get(f"{url}{KEKS}/k1/deks/orders-value").json() == created
    versions = httpx.get(f"{url}{KEKS}/k1/deks/orders-value/versions", params={"deleted": "true"})
    assert versions.json() == [1]
