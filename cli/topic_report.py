"""The result of a data check (`cairn check --against-topic/--records`) and its renderings.

The same four formats as the compatibility report (`cli.report`): text for people, JSON for
tools, GitHub annotations and JUnit XML. A data check counts records per writer schema, so
its shape is its own: one JUnit test case or one annotation per writer schema.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

from cli.errors import EXIT_INCOMPATIBLE, EXIT_OK
from cli.report import _escape_data, _escape_property

#: Failures shown per writer schema; the count says how many there were in all.
SHOWN_FAILURES = 5

WriterKey = int | str | None
"""A writer schema by id, by GUID (text), or None for records without registry framing."""


@dataclass(frozen=True, slots=True)
class Failure:
    """One record the new schema cannot read, and why."""

    partition: int
    offset: int
    reason: str


@dataclass(frozen=True, slots=True)
class WriterResult:
    """The records written with one writer schema: how many, how many unreadable, the first."""

    writer: WriterKey
    registered_as: tuple[tuple[str, int], ...]
    records: int
    unreadable: int
    failures: tuple[Failure, ...]

    @property
    def label(self) -> str:
        """How a person names this writer: `schema id 3 (orders-value v2)`."""
        if self.writer is None:
            return "no schema id (not schema-registry framing)"
        name = f"schema id {self.writer}" if isinstance(self.writer, int) else "schema GUID "
        if isinstance(self.writer, str):
            name += self.writer
        if self.registered_as:
            name += " (" + ", ".join(f"{s} v{v}" for s, v in self.registered_as) + ")"
        return name


@dataclass(frozen=True, slots=True)
class TopicReport:
    """The verdict of one data check: per writer schema, which records the new schema reads."""

    subject: str
    file: str
    schema_type: str
    field: str
    source: str
    partitions: int
    per_partition: int
    start: str
    writers: tuple[WriterResult, ...]
    skipped: int

    @property
    def records(self) -> int:
        """Records read (tombstones not included)."""
        return sum(w.records for w in self.writers)

    @property
    def unreadable(self) -> int:
        """Records the new schema cannot read."""
        return sum(w.unreadable for w in self.writers)

    @property
    def exit_code(self) -> int:
        """0 when every record is readable, 1 when any is not."""
        return EXIT_INCOMPATIBLE if self.unreadable else EXIT_OK


def _title(report: TopicReport) -> str:
    return f"{report.subject} ({report.file})"


def _where(report: TopicReport) -> str:
    return "keys" if report.field == "key" else "records"


def _headline(report: TopicReport) -> str:
    what = _where(report)
    if report.unreadable:
        return (
            f"FAIL  {_title(report)}: {report.unreadable} of {report.records} {what} in "
            f"{report.source} cannot be read with the new schema"
        )
    if not report.records:
        return f"OK    {_title(report)}: no {what} in {report.source} to read"
    return f"OK    {_title(report)}: all {report.records} {what} in {report.source} can be read"


def _footer(report: TopicReport) -> str:
    which = "first" if report.start == "earliest" else "last"
    text = (
        f"{report.records} read ({report.field}s; up to the {which} {report.per_partition} of "
        f"each of {report.partitions} partition(s))"
    )
    if report.skipped:
        text += f"; {report.skipped} skipped (no {report.field}: nothing to read)"
    return text


def render_topic_text(report: TopicReport) -> str:
    """A readable report: the verdict, one line per writer schema, its first failures."""
    lines = [_headline(report)]
    for writer in report.writers:
        if writer.unreadable:
            lines.append(f"  {writer.label}: {writer.records} read, {writer.unreadable} unreadable")
        else:
            lines.append(f"  {writer.label}: {writer.records} read, all readable")
        for failure in writer.failures:
            lines.append(
                f"    - partition {failure.partition} offset {failure.offset}: {failure.reason}"
            )
        more = writer.unreadable - len(writer.failures)
        if more:
            lines.append(f"    ... and {more} more")
    lines.append(_footer(report))
    return "\n".join(lines)


def _writer_json(writer: WriterResult) -> dict[str, object]:
    return {
        "schema_id": writer.writer if isinstance(writer.writer, int) else None,
        "guid": writer.writer if isinstance(writer.writer, str) else None,
        "registered_as": [{"subject": s, "version": v} for s, v in writer.registered_as],
        "records": writer.records,
        "unreadable": writer.unreadable,
        "failures": [
            {"partition": f.partition, "offset": f.offset, "reason": f.reason}
            for f in writer.failures
        ],
    }


def render_topic_json(report: TopicReport) -> str:
    """One JSON document: the verdict, the sample, and every writer schema's counts.

    A writer with neither `schema_id` nor `guid` stands for the records without framing.
    """
    document = {
        "readable": report.unreadable == 0,
        "subject": report.subject,
        "file": report.file,
        "schema_type": report.schema_type,
        "field": report.field,
        "source": report.source,
        "partitions": report.partitions,
        "per_partition": report.per_partition,
        "from": report.start,
        "records": report.records,
        "unreadable": report.unreadable,
        "skipped": report.skipped,
        "writers": [_writer_json(w) for w in report.writers],
    }
    return json.dumps(document, indent=2)


def _first(writer: WriterResult) -> str:
    failure = writer.failures[0]
    return f"partition {failure.partition} offset {failure.offset}: {failure.reason}"


def render_topic_github(report: TopicReport) -> str:
    """GitHub Actions annotations: one `::error` per writer schema with unreadable records."""
    lines: list[str] = []
    file = _escape_property(report.file)
    for writer in report.writers:
        if not writer.unreadable:
            continue
        title = _escape_property(f"{report.subject}: {writer.label}")
        text = (
            f"{writer.unreadable} of {writer.records} {_where(report)} cannot be read with the "
            f"new schema; first: {_first(writer)}"
        )
        lines.append(f"::error file={file},title={title}::{_escape_data(text)}")
    lines.append(_headline(report).split(maxsplit=1)[1])
    return "\n".join(lines)


def render_topic_junit(report: TopicReport) -> str:
    """JUnit XML: a test case per writer schema, failed when the new schema cannot read some."""
    failing = [w for w in report.writers if w.unreadable]
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"cairn check {report.source}",
        tests=str(len(report.writers)),
        failures=str(len(failing)),
        errors="0",
    )
    for writer in report.writers:
        case = ET.SubElement(
            suite, "testcase", classname=f"cairn.check.data.{report.subject}", name=writer.label
        )
        case.set("file", report.file)
        if writer.unreadable:
            ET.SubElement(
                case,
                "failure",
                message=f"{writer.unreadable} of {writer.records} {_where(report)} unreadable",
                type="unreadable",
            ).text = "\n".join(
                f"partition {f.partition} offset {f.offset}: {f.reason}" for f in writer.failures
            )
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode")


TOPIC_RENDERERS: dict[str, Callable[[TopicReport], str]] = {
    "text": render_topic_text,
    "json": render_topic_json,
    "github": render_topic_github,
    "junit": render_topic_junit,
}
