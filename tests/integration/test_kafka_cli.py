"""`cairn serve --kafka-...` refuses what it cannot use with a clear message, before serving."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

# The package's stubs do not re-export these public names.
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from cli.main import main
from tests.integration.conftest import REPO_ROOT, free_port, serve_command, server_env

pytestmark = pytest.mark.kafka


def serve(*args: str) -> Result:
    return CliRunner().invoke(main, ["serve", "--port", "0", *args])


def test_a_kafka_setting_must_be_key_equals_value() -> None:
    result = serve("--kafka-bootstrap-servers", "127.0.0.1:1", "--kafka-config", "acks")
    assert result.exit_code == 2
    assert "'acks' is not KEY=VALUE" in result.output


def test_an_unknown_librdkafka_setting_stops_the_start(kafka_bootstrap: str) -> None:
    result = serve(
        "--kafka-bootstrap-servers",
        kafka_bootstrap,
        "--kafka-topic",
        f"cairn-cli-{uuid.uuid4().hex}",
        "--kafka-config",
        "no.such.setting=1",
    )
    assert result.exit_code == 1
    assert "no.such.setting" in result.output


def test_a_topic_with_several_partitions_stops_the_start(kafka_bootstrap: str) -> None:
    topic = f"cairn-cli-{uuid.uuid4().hex}"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    created = admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    created[topic].result(timeout=30)
    result = serve("--kafka-bootstrap-servers", kafka_bootstrap, "--kafka-topic", topic)
    assert result.exit_code == 1
    assert "has 2 partitions" in result.output


def test_a_replication_factor_above_the_brokers_stops_the_start(kafka_bootstrap: str) -> None:
    brokers = len(
        AdminClient({"bootstrap.servers": kafka_bootstrap}).list_topics(timeout=30).brokers
    )
    if brokers >= 3:
        pytest.skip("the cluster has enough brokers for three replicas")
    result = serve(
        "--kafka-bootstrap-servers",
        kafka_bootstrap,
        "--kafka-topic",
        f"cairn-cli-{uuid.uuid4().hex}",
        "--kafka-replication-factor",
        "3",
    )
    assert result.exit_code == 1
    assert "cannot create topic" in result.output


def test_an_unreachable_kafka_is_one_clear_error_without_librdkafka_noise(
    tmp_path: Path,
) -> None:
    closed = f"127.0.0.1:{free_port()}"
    command = serve_command(tmp_path / "data", 0, "--kafka-bootstrap-servers", closed)
    result = subprocess.run(
        [*command, "--kafka-timeout", "3"],
        check=False,
        cwd=REPO_ROOT,
        env=server_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "cannot reach Kafka" in result.stderr
    assert "%3|" not in result.stderr, result.stderr
