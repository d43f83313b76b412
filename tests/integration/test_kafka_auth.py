"""Three `cairn serve` nodes on one Kafka topic with authentication: followers forward writes
with the caller's credentials untouched, and only the leader authenticates and authorizes
them (a follower's own auth config never decides a write)."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import pytest

from registry.security.passwords import hash_password
from tests.integration.conftest import ServerFactory, ServerProcess

pytestmark = [pytest.mark.integration, pytest.mark.kafka]

CT = {"Content-Type": "application/vnd.schemaregistry.v1+json"}
SEEN_WITHIN_S = 20.0


def users(*names: str) -> str:
    return "".join(
        f'[[users]]\nname = "{n}"\npassword_hash = "{hash_password(n + "-pw")}"\n\n' for n in names
    )


def acl(principal: str, subjects: str, *permissions: str) -> str:
    granted = ", ".join(f'"{p}"' for p in permissions)
    return f'[[acl]]\nprincipal = "{principal}"\nsubjects = "{subjects}"\npermissions = [{granted}]\n\n'


def schema(name: str) -> dict[str, str]:
    return {
        "schema": json.dumps(
            {"type": "record", "name": name, "fields": [{"name": "a", "type": "int"}]}
        )
    }


def as_user(name: str) -> tuple[str, str]:
    return (name, f"{name}-pw")


def audit_lines(server: ServerProcess) -> list[str]:
    return [line for line in server.stderr().splitlines() if "cairn.audit" in line]


def test_followers_forward_credentials_and_the_leader_authorizes(
    server_factory: ServerFactory, kafka_bootstrap: str, tmp_path: Path
) -> None:
    # The leader's config: the writer may write orders-*, the reader only read.
    leader_config = tmp_path / "leader.toml"
    leader_config.write_text(
        users("writer", "reader")
        + acl("writer", "orders-*", "read", "write")
        + acl("reader", "orders-*", "read")
    )
    # A follower whose config would let the reader write: it must not matter for writes.
    lenient_config = tmp_path / "lenient.toml"
    lenient_config.write_text(users("writer", "reader") + acl("*", "*", "read", "write", "admin"))
    # A follower that does not know the writer at all: its writes still succeed.
    unaware_config = tmp_path / "unaware.toml"
    unaware_config.write_text(users("reader") + acl("reader", "orders-*", "read"))

    args = (
        "--kafka-bootstrap-servers",
        kafka_bootstrap,
        "--kafka-topic",
        f"cairn-auth-{uuid.uuid4().hex}",
    )
    leader = server_factory.start(None, *args, "--auth-config", str(leader_config))
    lenient = server_factory.start(
        None, *args, "--no-leader-eligibility", "--auth-config", str(lenient_config)
    )
    unaware = server_factory.start(
        None, *args, "--no-leader-eligibility", "--auth-config", str(unaware_config)
    )
    with (
        httpx.Client(base_url=lenient.url, timeout=30.0) as via_lenient,
        httpx.Client(base_url=unaware.url, timeout=30.0) as via_unaware,
    ):
        assert via_lenient.get("/v1/metadata/leader").json()["leader"] == leader.url

        # The reader may write by the lenient follower's config, but not by the leader's.
        denied = via_lenient.post(
            "/subjects/orders-a-value/versions",
            json=schema("A"),
            headers=CT,
            auth=as_user("reader"),
        )
        assert denied.status_code == 403, denied.text
        assert denied.json() == {
            "error_code": 40301,
            "message": "User is denied operation Write on Subject: orders-a-value",
        }
        # Without credentials the leader's challenge comes back through the follower.
        anonymous = via_lenient.post(
            "/subjects/orders-a-value/versions", json=schema("A"), headers=CT
        )
        assert anonymous.status_code == 401
        assert anonymous.json() == {"error_code": 401, "message": "Unauthorized"}
        assert 'Basic realm="cairn"' in anonymous.headers.get_list("www-authenticate")

        # The unaware follower forwards the writer's credentials; the leader accepts them.
        written = via_unaware.post(
            "/subjects/orders-a-value/versions",
            json=schema("A"),
            headers=CT,
            auth=as_user("writer"),
        )
        assert written.status_code == 200, written.text
        # Reads are authorized by the node that serves them.
        assert via_unaware.get("/subjects", auth=as_user("writer")).status_code == 401
        deadline = time.monotonic() + SEEN_WITHIN_S
        while True:
            seen = via_unaware.get("/subjects/orders-a-value/versions", auth=as_user("reader"))
            if seen.status_code == 200:
                break
            assert seen.status_code == 404, seen.text
            assert time.monotonic() < deadline, "the write did not reach the follower"
        assert seen.json() == [1]

    # The leader audited every forwarded write; followers audit none.
    leader_audit = audit_lines(leader)
    assert any(
        'principal="writer" action=register' in line and "result=success" in line
        for line in leader_audit
    )
    assert any(
        'principal="reader" action=register' in line and "result=denied" in line
        for line in leader_audit
    )
    assert audit_lines(lenient) == []
    assert audit_lines(unaware) == []
