"""Can a new schema read the records already written? `cairn check --against-topic/--records`.

Compatibility rules compare schemas; they cannot see records written while a subject was at
NONE, written under another subject, or not framed at all. This check reads a sample of
real records (`cli.topic_kafka`, or a captured file, `cli.topic_records`), finds each one's
writer schema through the registry from its framing (id prefix, GUID prefix or schema-id
header), and reads it with the new schema as the reader (`cli.topic_readers`). The result is
counted per writer schema, with the first failures of each and where they are.

What is checked is the record value, or the key when the subject ends in `-key` (the topic
name strategy's naming). Tombstones (and null keys) have nothing to read and are counted as
skipped. A record the new schema cannot read is a finding (exit 1); only a registry that
cannot be used (unreachable, credentials refused) stops the check (exit 3).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import click

from cli.errors import EXIT_OK, InputError, RegistryFailedError, RegistryRefusedError
from cli.rest_client import Connection, RegistryRestClient, as_list
from cli.schema_files import ReferenceSpec, read_text, schema_type_for
from cli.topic_kafka import sample_topic
from cli.topic_options import TopicOptions
from cli.topic_readers import RecordReader, reader_for
from cli.topic_records import Sample, read_captured
from cli.topic_report import (
    SHOWN_FAILURES,
    TOPIC_RENDERERS,
    Failure,
    TopicReport,
    WriterKey,
    WriterResult,
)
from compat.types import SchemaType
from serdes.client import RegistryClient, Schema, SchemaReference, registry_client
from serdes.context import MessageField, SerializationContext
from serdes.errors import (
    RegistryUnavailableError,
    SchemaRegistryError,
    SerdesConfigError,
    SerdesError,
    UnknownSchemaIdError,
)
from serdes.framing import schema_key


@dataclass(slots=True)
class _Tally:
    """The counts of one writer schema while the sample is read (mutable on purpose)."""

    records: int = 0
    unreadable: int = 0
    failures: list[Failure] = field(default_factory=list)

    def add(self, partition: int, offset: int, reason: str | None) -> None:
        self.records += 1
        if reason is None:
            return
        self.unreadable += 1
        if len(self.failures) < SHOWN_FAILURES:
            self.failures.append(Failure(partition, offset, reason))


def _unusable_registry(exc: SerdesError, url: str) -> RegistryFailedError | None:
    """The CLI's error when `exc` means the registry cannot be used at all, else None."""
    if isinstance(exc, RegistryUnavailableError) or (
        isinstance(exc, SchemaRegistryError) and exc.status in (401, 403)
    ):
        return RegistryFailedError(f"Cannot use the registry at {url}: {exc.message}")
    return None


class WriterSchemas:
    """What the registry says of each writer schema a record names, asked once per schema."""

    def __init__(self, client: RegistryClient, rest: RegistryRestClient, new_type: str) -> None:
        self._client = client
        self._rest = rest
        self._new_type = new_type
        self._problems: dict[int | str, str | None] = {}

    def problem(self, key: int | str) -> str | None:
        """Why no record of this writer can be read (unknown, another format), or None."""
        if key not in self._problems:
            self._problems[key] = self._find_problem(key)
        return self._problems[key]

    def _find_problem(self, key: int | str) -> str | None:
        try:
            schema = (
                self._client.get_schema(key)
                if isinstance(key, int)
                else self._client.get_schema_by_guid(key)
            )
        except UnknownSchemaIdError:
            return f"the writer schema {key} is not in the registry"
        if schema.schema_type != self._new_type:
            return f"written with a {schema.schema_type} schema; the new schema is {self._new_type}"
        return None

    def registered_as(self, key: WriterKey) -> tuple[tuple[str, int], ...]:
        """The subject versions a writer id is registered as (none for a GUID or no id)."""
        if not isinstance(key, int):
            return ()
        path = f"/schemas/ids/{key}/versions"
        try:
            answer = as_list(self._rest.get(path), path)
        except RegistryRefusedError:
            return ()
        found = [
            (str(item["subject"]), int(item["version"]))
            for item in answer
            if isinstance(item, dict) and isinstance(item.get("version"), int)
        ]
        return tuple(found)


def _writer_key(data: bytes, ctx: SerializationContext) -> int | str:
    key, _ = schema_key(data, ctx.headers, is_key=ctx.field == MessageField.KEY)
    return str(key) if isinstance(key, uuid.UUID) else key


def _check_sample(
    sample: Sample,
    reader: RecordReader,
    writers: WriterSchemas,
    *,
    topic: str,
    message_field: MessageField,
    url: str,
) -> tuple[dict[WriterKey, _Tally], int]:
    """Read every record of `sample` with `reader`; the tallies per writer and the skipped."""
    tallies: dict[WriterKey, _Tally] = {}
    skipped = 0
    for record in sample.records:
        data = record.key if message_field is MessageField.KEY else record.value
        if data is None:
            skipped += 1
            continue
        ctx = SerializationContext(
            topic, message_field, record.headers or None, record.partition, record.offset
        )
        key: WriterKey = None
        reason: str | None = None
        try:
            key = _writer_key(data, ctx)
            reason = writers.problem(key)
            if reason is None:
                reader.read(data, ctx)
        except SerdesError as exc:
            fatal = _unusable_registry(exc, url)
            if fatal is not None:
                raise fatal from exc
            reason = exc.message
        tallies.setdefault(key, _Tally()).add(record.partition, record.offset, reason)
    return tallies, skipped


def _writer_order(key: WriterKey) -> tuple[int, int, str]:
    """Ids in numeric order, then GUIDs, then the records without framing."""
    if isinstance(key, int):
        return (0, key, "")
    return (1, 0, key) if key is not None else (2, 0, "")


def serdes_client(connection: Connection) -> RegistryClient:
    """The serdes' registry client for the same registry, with the same credentials and TLS."""
    conf: dict[str, object] = {
        "url": connection.url,
        "timeout": connection.timeout,
        "ssl.verify": not connection.insecure,
    }
    if connection.user is not None:
        conf["basic.auth.user.info"] = f"{connection.user}:{connection.password or ''}"
    elif connection.token is not None:
        conf["bearer.auth.token"] = connection.token
    for key, path in (
        ("ssl.ca.location", connection.ca_cert),
        ("ssl.certificate.location", connection.cert),
        ("ssl.key.location", connection.key),
    ):
        if path is not None:
            conf[key] = str(path)
    try:
        return registry_client(conf)
    except SerdesConfigError as exc:
        raise InputError(f"Cannot use these registry settings: {exc.message}") from exc


def _new_schema(file: Path, explicit: SchemaType | None, references: Sequence[str]) -> Schema:
    kind = schema_type_for(file, explicit)
    refs = []
    for text in references:
        spec = ReferenceSpec.parse(text)
        if spec.subject is None or spec.version is None:
            raise InputError(
                f"Reference {spec.name!r} is resolved by the registry: give "
                f"--reference {spec.name}=@SUBJECT:VERSION"
            )
        refs.append(SchemaReference(spec.name, spec.subject, spec.version))
    return Schema(read_text(file), kind.value, tuple(refs))


def _reader(new: Schema, client: RegistryClient, file: Path, url: str) -> RecordReader:
    try:
        return reader_for(SchemaType(new.schema_type), client, new)
    except SerdesError as exc:
        fatal = _unusable_registry(exc, url)
        if fatal is not None:
            raise fatal from exc
        raise InputError(f"{file}: the new schema cannot be used: {exc.message}") from exc


def topic_report(
    options: TopicOptions,
    rest: RegistryRestClient,
    *,
    subject: str,
    file: Path,
    explicit: SchemaType | None,
    references: Sequence[str],
) -> TopicReport:
    """Check the new schema in `file` against the records `options` name."""
    new = _new_schema(file, explicit, references)
    client = serdes_client(rest.connection)
    reader = _reader(new, client, file, rest.url)
    if options.records_file is not None:
        sample = read_captured(
            options.records_file, per_partition=options.sample, start=options.start
        )
        topic = sample.source
    else:
        assert options.kafka is not None  # `requested` holds
        sample = sample_topic(options.kafka, per_partition=options.sample, start=options.start)
        topic = options.kafka.topic
    message_field = MessageField.KEY if subject.endswith("-key") else MessageField.VALUE
    writers = WriterSchemas(client, rest, new.schema_type)
    tallies, skipped = _check_sample(
        sample, reader, writers, topic=topic, message_field=message_field, url=rest.url
    )
    ordered = sorted(tallies, key=_writer_order)
    return TopicReport(
        subject=subject,
        file=str(file),
        schema_type=new.schema_type,
        field=message_field.value,
        source=sample.source,
        partitions=sample.partitions,
        per_partition=sample.per_partition,
        start=sample.start.value,
        writers=tuple(
            WriterResult(
                writer=key,
                registered_as=writers.registered_as(key),
                records=tallies[key].records,
                unreadable=tallies[key].unreadable,
                failures=tuple(tallies[key].failures),
            )
            for key in ordered
        ),
        skipped=skipped,
    )


def run_topic_check(
    options: TopicOptions,
    rest: RegistryRestClient,
    *,
    subject: str | None,
    files: Sequence[Path],
    explicit: SchemaType | None,
    references: Sequence[str],
    output_format: str,
    output: Path | None,
    unused: Mapping[str, bool],
) -> None:
    """`cairn check --against-topic/--records`: check, print or write the report, exit.

    `unused` names the check options given that mean nothing here, so they are refused
    rather than ignored.
    """
    given = [name for name, present in unused.items() if present]
    if given:
        raise InputError(f"{', '.join(given)}: not used with --against-topic or --records")
    if subject is None or len(files) != 1:
        raise InputError(
            "--against-topic and --records check one new schema: give --subject S and "
            "exactly one FILE"
        )
    report = topic_report(
        options, rest, subject=subject, file=files[0], explicit=explicit, references=references
    )
    render: Callable[[TopicReport], str] = TOPIC_RENDERERS[output_format]
    text = render(report)
    if output is not None:
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"Cannot write the report to {output}: {exc}") from exc
    else:
        click.echo(text)
    if report.exit_code != EXIT_OK:
        click.get_current_context().exit(report.exit_code)
