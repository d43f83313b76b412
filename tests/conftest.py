"""Fixtures shared by the whole suite: a real Kafka broker for the tests that need one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.kafka import kafka_bootstrap_servers, kafka_source


def pytest_configure(config: pytest.Config) -> None:
    """Register the `kafka` marker (markers are strict in this project)."""
    config.addinivalue_line("markers", "kafka: needs a Kafka broker (the kafka_bootstrap fixture)")


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap servers of a Kafka cluster, started once for the session if need be.

    Skips when none can be had, or fails when CAIRN_REQUIRE_KAFKA=1 (see tests.support.kafka).
    """
    with kafka_bootstrap_servers(kafka_source(), tmp_path_factory.mktemp("kafka")) as servers:
        yield servers
