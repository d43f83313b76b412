"""Several `cairn serve` nodes on one topic: each follows the topic, so what one node writes
shows up on the others; writes through any node reach the elected leader; a node that may
not lead forwards, and answers 50004 at once when there is no leader.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.integration.conftest import ServerFactory
from tests.support.metrics import parse, value

pytestmark = [pytest.mark.integration, pytest.mark.kafka]

CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
SEEN_WITHIN_S = 20.0


def schema(name: str) -> str:
    return json.dumps({"type": "record", "name": name, "fields": [{"name": "a", "type": "int"}]})


def wait_for_version(client: httpx.Client, subject: str, version: int) -> dict[str, Any]:
    """Poll `client`'s node until it serves the subject-version, or fail at the deadline."""
    deadline = time.monotonic() + SEEN_WITHIN_S
    while True:
        response = client.get(f"/subjects/{subject}/versions/{version}")
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            return body
        assert response.status_code == 404, response.text
        assert time.monotonic() < deadline, f"{subject} v{version} not seen in {SEEN_WITHIN_S} s"


def test_nodes_on_one_topic_see_each_others_writes(
    server_factory: ServerFactory, kafka_bootstrap: str
) -> None:
    args = (
        "--kafka-bootstrap-servers",
        kafka_bootstrap,
        "--kafka-topic",
        f"cairn-nodes-{uuid.uuid4().hex}",
    )
    first = server_factory.start(None, *args)
    second = server_factory.start(None, *args)
    with (
        httpx.Client(base_url=first.url, timeout=10.0) as one,
        httpx.Client(base_url=second.url, timeout=10.0) as two,
    ):
        written = one.post("/subjects/a-value/versions", json={"schema": schema("A")}, headers=CT)
        assert written.status_code == 200, written.text
        seen = wait_for_version(two, "a-value", 1)
        assert seen["id"] == written.json()["id"]

        # The second node allocates past the id it learnt from the first.
        other = two.post("/subjects/b-value/versions", json={"schema": schema("B")}, headers=CT)
        assert other.status_code == 200, other.text
        assert other.json()["id"] != written.json()["id"]
        assert wait_for_version(one, "b-value", 1)["id"] == other.json()["id"]

        # A config change travels too.
        assert one.put("/config", json={"compatibility": "NONE"}, headers=CT).status_code == 200
        deadline = time.monotonic() + SEEN_WITHIN_S
        while two.get("/config").json()["compatibilityLevel"] != "NONE":
            assert time.monotonic() < deadline, "the config change did not reach the second node"


def test_a_node_that_may_not_lead_forwards_and_fails_fast_without_a_leader(
    server_factory: ServerFactory, kafka_bootstrap: str
) -> None:
    args = (
        "--kafka-bootstrap-servers",
        kafka_bootstrap,
        "--kafka-topic",
        f"cairn-nodes-{uuid.uuid4().hex}",
    )
    eligible = server_factory.start(None, *args)
    follower = server_factory.start(None, *args, "--no-leader-eligibility")
    with httpx.Client(base_url=follower.url, timeout=30.0) as client:
        leader = client.get("/v1/metadata/leader").json()
        assert leader == {"leader": eligible.url, "isLeader": False}
        written = client.post(
            "/subjects/c-value/versions", json={"schema": schema("C")}, headers=CT
        )
        assert written.status_code == 200, written.text
        _, followed = parse(client.get("/metrics").text)
        assert value(followed, "cairn_leader") == 0
        assert value(followed, "cairn_forwarded_requests_total") == 1
        assert value(followed, "cairn_forwarding_errors_total") == 0
        _, led = parse(httpx.get(f"{eligible.url}/metrics", timeout=10.0).text)
        assert value(led, "cairn_leader") == 1
        assert value(led, "cairn_leader_elections_total") >= 1
        # The forwarded write was the leader's one transaction on the topic.
        assert value(led, "cairn_log_group_commit_records_count") == 1
        assert value(led, "cairn_log_end_offset") >= value(led, "cairn_log_applied_offset") >= 1

        eligible.stop()  # a clean stop leaves the group: no leader at all now
        deadline = time.monotonic() + SEEN_WITHIN_S
        while client.get("/v1/metadata/leader").json()["leader"] is not None:
            assert time.monotonic() < deadline, "the stopped leader is still named"
        started = time.monotonic()
        refused = client.post(
            "/subjects/d-value/versions", json={"schema": schema("D")}, headers=CT
        )
        assert time.monotonic() - started < 5.0
        assert refused.status_code == 500, refused.text
        assert refused.json()["error_code"] == 50004
        _, followed = parse(client.get("/metrics").text)
        assert value(followed, "cairn_forwarded_requests_total") == 2
        assert value(followed, "cairn_forwarding_errors_total") == 1
        # Reads are still served.
        assert client.get("/subjects/c-value/versions/1").json()["id"] == written.json()["id"]
