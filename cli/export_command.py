"""`cairn export`: every subject, version, id, reference, config and mode of a registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click

from cli.connection_options import connection_options
from cli.errors import RegistryRefusedError
from cli.export_format import Record, header, write_directory, write_file
from cli.rest_client import (
    RegistryRestClient,
    as_list,
    as_object,
    own_config_or_mode,
    segment,
)

#: Entity fields an export keeps; the rest (guid, ts) the target registry recomputes.
_SCHEMA_FIELDS = ("schemaType", "schema", "references", "metadata", "ruleSet")


def _subject_records(client: RegistryRestClient, subject: str) -> Iterator[Record]:
    base = f"/subjects/{segment(subject)}/versions"
    every = [int(str(v)) for v in as_list(client.get(base, {"deleted": True}), base)]
    try:
        live = {int(str(v)) for v in as_list(client.get(base), base)}
    except RegistryRefusedError as exc:
        if exc.error_code != 40401:
            raise
        live = set()  # every version is soft-deleted
    for version in every:
        entity = as_object(client.get(f"{base}/{version}", {"deleted": True}), "a version")
        record: Record = {
            "kind": "schema",
            "subject": subject,
            "version": version,
            "id": entity.get("id"),
            "deleted": version not in live,
        }
        for field in _SCHEMA_FIELDS:
            if entity.get(field) not in (None, [], {}):
                record[field] = entity[field]
        record.setdefault("schemaType", "AVRO")
        yield record
    config = own_config_or_mode(client, "config", subject)
    if config is not None:
        yield {"kind": "config", "subject": subject, "config": config}
    mode = own_config_or_mode(client, "mode", subject)
    if mode is not None:
        yield {"kind": "mode", "subject": subject, "mode": mode.get("mode")}


def export_records(client: RegistryRestClient) -> list[Record]:
    """Everything an import needs to rebuild the registry, in a stable order."""
    records: list[Record] = [header(client.url)]
    records.append(
        {"kind": "config", "subject": None, "config": as_object(client.get("/config"), "config")}
    )
    records.append(
        {
            "kind": "mode",
            "subject": None,
            "mode": as_object(client.get("/mode"), "mode").get("mode"),
        }
    )
    names = sorted(str(s) for s in as_list(client.get("/subjects", {"deleted": True}), "subjects"))
    for subject in names:
        records.extend(_subject_records(client, subject))
    return records


@click.command(
    epilog="""\b
Examples:
  cairn export -o backup.jsonl
  cairn export -o backup/ --url https://registry.example.com"""
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(),
    help="A .jsonl file, or a directory (ends with / or exists) for one file per subject.",
)
@connection_options
def export(output: str, client: RegistryRestClient) -> None:
    """Export every subject, version, id, reference, config and mode (soft-deleted ones too)."""
    records = export_records(client)
    target = Path(output)
    if target.is_dir() or output.endswith(("/", "\\")):
        write_directory(target, records)
    else:
        write_file(target, records)
    schemas = sum(1 for r in records if r["kind"] == "schema")
    subjects = len({r["subject"] for r in records if r["kind"] == "schema"})
    click.echo(f"Exported {schemas} schema version(s) of {subjects} subject(s) to {output}")
