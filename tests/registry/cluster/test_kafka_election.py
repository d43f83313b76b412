"""How election members name their advertised URLs (the rest needs a broker: see
`tests/integration/test_kafka_failover.py` and `test_kafka_nodes.py`)."""

from __future__ import annotations

import pytest

from registry.cluster._kafka_election import CLIENT_ID_PREFIX, decode_client_id, encode_client_id


@pytest.mark.parametrize("url", ["http://node-1:8081", "https://[::1]:443/path?q=é", ""])
def test_a_client_id_carries_the_advertised_url(url: str) -> None:
    client_id = encode_client_id(url)
    assert client_id.startswith(CLIENT_ID_PREFIX)
    # Client ids end up in broker metric names: only the prefix and hex digits.
    assert all(c in "0123456789abcdef" for c in client_id[len(CLIENT_ID_PREFIX) :])
    assert decode_client_id(client_id) == url


@pytest.mark.parametrize(
    "client_id", ["rdkafka", "cairn-log-reader", f"{CLIENT_ID_PREFIX}zz", f"{CLIENT_ID_PREFIX}ff"]
)
def test_client_ids_that_are_not_ours_name_no_url(client_id: str) -> None:
    assert decode_client_id(client_id) is None
