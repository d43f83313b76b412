"""librdkafka's log lines go through Python logging, one level lower and without repeats."""

from __future__ import annotations

import logging
import time

import pytest
from confluent_kafka import Producer

from registry.log.kafka import LIBRDKAFKA_LOGGER, LibrdkafkaLog, client_config
from tests.integration.conftest import free_port


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def records(caplog: pytest.LogCaptureFixture) -> list[tuple[str, int, str]]:
    return [(r.name, r.levelno, r.getMessage()) for r in caplog.records]


def test_lines_are_logged_one_level_lower(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, LIBRDKAFKA_LOGGER)
    log = LibrdkafkaLog()
    log.log(logging.ERROR, "%s [%s] %s", "FAIL", "rdkafka#producer-1", "refused")
    log.log(logging.WARNING, "%s [%s] %s", "REQTMOUT", "rdkafka#producer-1", "timed out")
    log.log(logging.CRITICAL, "%s [%s] %s", "FATAL", "rdkafka#producer-1", "fenced")
    assert records(caplog) == [
        (LIBRDKAFKA_LOGGER, logging.WARNING, "FAIL [rdkafka#producer-1] refused"),
        (LIBRDKAFKA_LOGGER, logging.INFO, "REQTMOUT [rdkafka#producer-1] timed out"),
        (LIBRDKAFKA_LOGGER, logging.ERROR, "FATAL [rdkafka#producer-1] fenced"),
    ]


def test_a_repeated_line_is_logged_once_per_window_with_its_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, LIBRDKAFKA_LOGGER)
    clock = Clock()
    log = LibrdkafkaLog(clock=clock, window_s=10.0)
    for after_ms in range(5):
        log.log(logging.ERROR, "FAIL connect failed (after %dms)", after_ms)
        clock.now += 1.0
    log.log(logging.ERROR, "FAIL another line")
    clock.now = 10.5
    log.log(logging.ERROR, "FAIL connect failed (after 7ms)")
    assert [message for _, _, message in records(caplog)] == [
        "FAIL connect failed (after 0ms)",
        "FAIL another line",
        "FAIL connect failed (after 7ms) (and 4 more like it)",
    ]


def test_a_client_on_a_closed_port_logs_through_python_not_stderr(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG, LIBRDKAFKA_LOGGER)
    config = client_config(f"127.0.0.1:{free_port()}", {}, LibrdkafkaLog())
    producer = Producer(config)
    deadline = time.monotonic() + 30.0
    # Polling serves the client's queue, where confluent-kafka hands over its log lines.
    while not caplog.records and time.monotonic() < deadline:
        producer.poll(0.1)
    assert "%3|" not in capfd.readouterr().err
    assert any("Connection refused" in message for _, _, message in records(caplog))
