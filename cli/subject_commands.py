"""`cairn subjects`, `versions`, `get` and `delete`: the schemas under subjects.

The everyday commands on a registry's contents: list subjects and their versions, fetch a
schema (by subject and version, or by id) and delete versions or subjects. Registering is
`cli.register_command`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli.connection_options import connection_options
from cli.errors import InputError, RegistryRefusedError
from cli.rest_client import RegistryRestClient, as_list, as_object, segment

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
#: Confluent's codes for "soft-delete first" on a permanent delete of a live subject/version.
_NOT_SOFT_DELETED = (40405, 40407)


@click.command(epilog="\b\nExample:\n  cairn subjects --prefix orders- --deleted")
@click.option("--prefix", default=None, help="Only subjects starting with this.")
@click.option("--deleted", is_flag=True, help="Include soft-deleted subjects.")
@connection_options
def subjects(prefix: str | None, deleted: bool, client: RegistryRestClient) -> None:
    """List the registry's subjects, one per line."""
    query: dict[str, str | int | bool] = {"deleted": deleted}
    if prefix is not None:
        query["subjectPrefix"] = prefix
    for name in as_list(client.get("/subjects", query), "the subject list"):
        click.echo(str(name))


@click.command(epilog="\b\nExample:\n  cairn versions orders-value")
@click.argument("subject")
@click.option("--deleted", is_flag=True, help="Include soft-deleted versions.")
@connection_options
def versions(subject: str, deleted: bool, client: RegistryRestClient) -> None:
    """List the version numbers of SUBJECT, one per line."""
    path = f"/subjects/{segment(subject)}/versions"
    for number in as_list(client.get(path, {"deleted": deleted}), "the version list"):
        click.echo(str(number))


@click.command(
    epilog="""\b
Examples:
  cairn get orders-value            # latest version's schema text
  cairn get orders-value 3 --json   # the whole entity (id, references, ...)
  cairn get --id 42 -o order.avsc"""
)
@click.argument("subject", required=False)
@click.argument("version", required=False, default="latest")
@click.option("--id", "schema_id", type=int, help="Fetch by global schema id instead.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole JSON entity.")
@click.option("--deleted", is_flag=True, help="Also find soft-deleted versions.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of stdout.",
)
@connection_options
def get(
    subject: str | None,
    version: str,
    schema_id: int | None,
    as_json: bool,
    deleted: bool,
    output: Path | None,
    client: RegistryRestClient,
) -> None:
    """Fetch a schema by SUBJECT [VERSION] (default latest) or by --id."""
    if (subject is None) == (schema_id is None):
        raise InputError("Give either SUBJECT [VERSION] or --id N")
    if schema_id is not None:
        entity = client.get(f"/schemas/ids/{schema_id}")
    else:
        path = f"/subjects/{segment(str(subject))}/versions/{segment(version)}"
        entity = client.get(path, {"deleted": deleted})
    found = as_object(entity, "the schema")
    if schema_id is not None:
        found = {"id": schema_id, **found}
    text = json.dumps(found, indent=2) if as_json else str(found.get("schema", ""))
    if output is None:
        click.echo(text)
        return
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"Cannot write {output}: {exc}") from exc
    click.echo(f"Wrote {output}", err=True)


@click.command(
    epilog="""\b
Examples:
  cairn delete orders-value 2                # soft-delete version 2
  cairn delete orders-value --permanent      # soft then hard delete the whole subject"""
)
@click.argument("subject")
@click.argument("version", required=False)
@click.option(
    "--permanent",
    is_flag=True,
    help="Delete for good (soft-deleting first when needed); ids disappear when unused.",
)
@connection_options
def delete(subject: str, version: str | None, permanent: bool, client: RegistryRestClient) -> None:
    """Delete SUBJECT (all versions) or one VERSION of it; soft unless --permanent."""
    path = f"/subjects/{segment(subject)}"
    if version is not None:
        path += f"/versions/{segment(version)}"
    if permanent:
        try:
            answer = client.delete(path, {"permanent": True})
        except RegistryRefusedError as exc:
            if exc.error_code not in _NOT_SOFT_DELETED:
                raise
            client.delete(path)
            answer = client.delete(path, {"permanent": True})
    else:
        answer = client.delete(path)
    done = answer if isinstance(answer, list) else [answer]
    kind = "Permanently deleted" if permanent else "Soft-deleted"
    click.echo(f"{kind} {subject} version(s) {', '.join(str(v) for v in done)}")
