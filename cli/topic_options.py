"""The options of `cairn check --against-topic` / `--records`, declared once as one value.

`topic_options` adds them to a command, which receives a `TopicOptions` as `topic`; the
check itself is `cli.topic_check`. Defaults of `--sample` and `--from` are applied here, after
knowing whether they were given, so that giving them without a source of records is an error
instead of being silently ignored.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import click

from cli.errors import InputError
from cli.param_types import KeyValueParam
from cli.topic_kafka import KafkaSource
from cli.topic_records import Start

R = TypeVar("R")

DEFAULT_SAMPLE = 1000
DEFAULT_KAFKA_TIMEOUT_S = 30.0

_OPTIONS = [
    click.option(
        "--against-topic",
        "against_topic",
        metavar="TOPIC",
        help="With --subject S NEW: check that NEW can read the records in this Kafka topic "
        "(needs --bootstrap-servers).",
    ),
    click.option(
        "--records",
        "records_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="With --subject S NEW: check NEW against captured records (JSON lines: "
        "partition, offset, value in base64; optional key and headers) instead of a topic.",
    ),
    click.option(
        "--bootstrap-servers",
        metavar="HOST:PORT[,...]",
        help="Kafka brokers of --against-topic.",
    ),
    click.option(
        "--sample",
        type=click.IntRange(min=1),
        default=None,
        help=f"Records read per partition  [default: {DEFAULT_SAMPLE}].",
    ),
    click.option(
        "--from",
        "start",
        type=click.Choice([s.value for s in Start]),
        default=None,
        help="Read each partition's first records (earliest) or its last ones (latest)  "
        "[default: latest].",
    ),
    click.option(
        "--kafka-config",
        multiple=True,
        type=KeyValueParam(),
        metavar="KEY=VALUE",
        help="A librdkafka setting for reading the topic (SASL, TLS, ...); repeatable.",
    ),
    click.option(
        "--kafka-timeout",
        type=click.FloatRange(min=0.1),
        default=None,
        help=f"Seconds reading the topic may take  [default: {DEFAULT_KAFKA_TIMEOUT_S:g}].",
    ),
]


@dataclass(frozen=True, slots=True)
class TopicOptions:
    """Where the records to check come from and how many to take; `kafka` or `records_file`
    is set when a data check was asked for."""

    kafka: KafkaSource | None
    records_file: Path | None
    sample: int
    start: Start

    @property
    def requested(self) -> bool:
        """Whether the command line asked for a check against records."""
        return self.kafka is not None or self.records_file is not None


def _options(
    *,
    against_topic: str | None,
    records_file: Path | None,
    bootstrap_servers: str | None,
    sample: int | None,
    start: str | None,
    kafka_config: tuple[tuple[str, str], ...],
    kafka_timeout: float | None,
) -> TopicOptions:
    if against_topic is not None and records_file is not None:
        raise InputError("Give --against-topic or --records, not both")
    kafka_only = {
        "--bootstrap-servers": bootstrap_servers is not None,
        "--kafka-config": bool(kafka_config),
        "--kafka-timeout": kafka_timeout is not None,
    }
    if against_topic is None:
        given = [name for name, present in kafka_only.items() if present]
        if given:
            raise InputError(f"{', '.join(given)}: use with --against-topic TOPIC")
    if against_topic is None and records_file is None:
        given = [name for name, value in (("--sample", sample), ("--from", start)) if value]
        if given:
            raise InputError(f"{', '.join(given)}: use with --against-topic or --records")
    kafka = None
    if against_topic is not None:
        if not bootstrap_servers:
            raise InputError("--against-topic needs --bootstrap-servers HOST:PORT")
        kafka = KafkaSource(
            bootstrap_servers=bootstrap_servers,
            topic=against_topic,
            config=kafka_config,
            timeout_s=kafka_timeout or DEFAULT_KAFKA_TIMEOUT_S,
        )
    return TopicOptions(
        kafka=kafka,
        records_file=records_file,
        sample=sample or DEFAULT_SAMPLE,
        start=Start(start or Start.LATEST.value),
    )


def topic_options(command: Callable[..., R]) -> Callable[..., R]:
    """Add the data-check options; the command receives `topic: TopicOptions`."""

    @functools.wraps(command)
    def wrapper(
        *args: object,
        against_topic: str | None,
        records_file: Path | None,
        bootstrap_servers: str | None,
        sample: int | None,
        start: str | None,
        kafka_config: tuple[tuple[str, str], ...],
        kafka_timeout: float | None,
        **kwargs: object,
    ) -> R:
        topic = _options(
            against_topic=against_topic,
            records_file=records_file,
            bootstrap_servers=bootstrap_servers,
            sample=sample,
            start=start,
            kafka_config=kafka_config,
            kafka_timeout=kafka_timeout,
        )
        return command(*args, topic=topic, **kwargs)

    decorated: Callable[..., R] = wrapper
    for option in reversed(_OPTIONS):
        decorated = option(decorated)
    return decorated
