"""`cairn import`: restore an export into any Confluent-compatible registry, keeping ids.

The target goes into IMPORT mode, where a registration may carry its id and version. Each
version is first looked up: one already there with the same id is skipped, so an interrupted
import can simply be run again. Referenced schemas are imported before the schemas that use
them; configs and subject modes follow, and the global mode is restored last.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from cli.connection_options import connection_options
from cli.errors import InputError, RegistryRefusedError
from cli.export_format import Record, read_records
from cli.rest_client import (
    RegistryRestClient,
    as_list,
    as_object,
    own_config_or_mode,
    resource_path,
    segment,
)

_MISSING = (40401, 40402)
#: Confluent's "operation not permitted" (a mode forbids the write).
_NOT_PERMITTED = 42205
_REGISTER_FIELDS = ("schemaType", "schema", "references", "metadata", "ruleSet")


@dataclass(frozen=True, slots=True)
class Plan:
    """What an import will do: versions to register, and versions already in place."""

    to_register: tuple[Record, ...]
    present: tuple[Record, ...]
    to_soft_delete: tuple[Record, ...]


def _key(subject: object, version: object) -> tuple[str, int]:
    return str(subject), int(str(version))


def ordered(schemas: Sequence[Record]) -> list[Record]:
    """Schemas by id, each after the exported schemas it references (bounded passes)."""
    pending = sorted(schemas, key=lambda r: (int(str(r["id"])), str(r["subject"]), r["version"]))
    exported = {_key(r["subject"], r["version"]) for r in pending}
    done: set[tuple[str, int]] = set()
    out: list[Record] = []
    for _ in range(len(pending) + 1):
        if not pending:
            break
        waiting: list[Record] = []
        for record in pending:
            refs = record.get("references") or []
            needs = {
                _key(ref["subject"], ref["version"])
                for ref in (refs if isinstance(refs, list) else [])
                if isinstance(ref, dict)
            }
            if (needs & exported) <= done:
                out.append(record)
                done.add(_key(record["subject"], record["version"]))
            else:
                waiting.append(record)
        if len(waiting) == len(pending):
            raise InputError("The export's references form a cycle or point to missing versions")
        pending = waiting
    return out


def _existing(client: RegistryRestClient, record: Record) -> dict[str, object] | None:
    path = f"/subjects/{segment(str(record['subject']))}/versions/{record['version']}"
    try:
        return as_object(client.get(path, {"deleted": True}), path)
    except RegistryRefusedError as exc:
        if exc.error_code in _MISSING:
            return None
        raise


def _is_live(client: RegistryRestClient, record: Record) -> bool:
    path = f"/subjects/{segment(str(record['subject']))}/versions/{record['version']}"
    try:
        client.get(path)
    except RegistryRefusedError as exc:
        if exc.error_code in _MISSING:
            return False
        raise
    return True


def _check_id_free(client: RegistryRestClient, record: Record) -> None:
    """Refuse early when the target uses the record's id for a different schema."""
    try:
        taken = as_object(client.get(f"/schemas/ids/{record['id']}"), "a schema")
    except RegistryRefusedError as exc:
        if exc.error_code == 40403:
            return
        raise
    if taken.get("schema") != record.get("schema"):
        raise InputError(
            f"Id {record['id']} of {record['subject']} version {record['version']} is already "
            "used in the target by a different schema; import into an empty registry"
        )


def make_plan(client: RegistryRestClient, schemas: Sequence[Record]) -> Plan:
    """Compare the export with the target; a version there with another id is a conflict."""
    to_register: list[Record] = []
    present: list[Record] = []
    to_soft_delete: list[Record] = []
    for record in ordered(schemas):
        found = _existing(client, record)
        if found is None:
            _check_id_free(client, record)
            to_register.append(record)
            if record.get("deleted"):
                to_soft_delete.append(record)
            continue
        if found.get("id") != record["id"]:
            raise InputError(
                f"{record['subject']} version {record['version']} already exists in the target "
                f"with id {found.get('id')}, not {record['id']}; import into an empty registry "
                "or delete that subject there first"
            )
        present.append(record)
        if record.get("deleted") and _is_live(client, record):
            to_soft_delete.append(record)
    return Plan(tuple(to_register), tuple(present), tuple(to_soft_delete))


def _in_open_subject(
    client: RegistryRestClient, subject: str, opened: set[str], write: Callable[[], object]
) -> None:
    """Run `write`; if the subject's own mode forbids it, drop that mode and retry once.

    A subject can carry its own mode (READONLY, say) from an earlier run; it wins over the
    global IMPORT mode. Removing it (rather than forcing the subject into IMPORT, which some
    registries answer by clearing soft-deleted versions) lets the global IMPORT mode apply;
    the exported mode is restored with the other configs and modes afterwards.
    """
    try:
        write()
    except RegistryRefusedError as exc:
        if exc.error_code != _NOT_PERMITTED or subject in opened:
            raise
        opened.add(subject)
        if own_config_or_mode(client, "mode", subject) is None:
            raise
        client.delete(resource_path("mode", subject))
        write()


def _register(client: RegistryRestClient, record: Record, opened: set[str]) -> None:
    """Register one version with its exported id and version."""
    body: dict[str, object] = {"id": record["id"], "version": record["version"]}
    for field in _REGISTER_FIELDS:
        if field in record:
            body[field] = record[field]
    subject = str(record["subject"])
    path = f"/subjects/{segment(subject)}/versions"
    _in_open_subject(client, subject, opened, lambda: client.post(path, body))


def _soft_delete(client: RegistryRestClient, record: Record, opened: set[str]) -> None:
    """Soft-delete a version the export marks deleted."""
    subject = str(record["subject"])
    path = f"/subjects/{segment(subject)}/versions/{record['version']}"
    _in_open_subject(client, subject, opened, lambda: client.delete(path))


def _live_subjects(client: RegistryRestClient) -> set[str]:
    return {str(s) for s in as_list(client.get("/subjects"), "the subject list")}


def _enter_import_mode(client: RegistryRestClient, schemas: Sequence[Record], force: bool) -> bool:
    """Switch the target to IMPORT mode.

    A registry refuses that while it has live subjects. When every one of them comes from
    this export (an earlier, interrupted or partial run of the same import), the switch is
    forced: the plan has already checked that each version there has the exported id.
    Returns whether the switch was forced.
    """
    current = as_object(client.get("/mode"), "mode").get("mode")
    if current == "IMPORT":
        return False
    live = _live_subjects(client)
    resuming = bool(live) and live <= {str(r["subject"]) for r in schemas}
    try:
        client.put("/mode?force=true" if force or resuming else "/mode", {"mode": "IMPORT"})
    except RegistryRefusedError as exc:
        raise InputError(
            f"The target registry refused IMPORT mode: {exc.format_message()}. Import into "
            "an empty registry, or pass --force to import next to its subjects"
        ) from exc
    return force or resuming


def _put_config(
    client: RegistryRestClient, subject: str | None, body: dict[str, object], opened: set[str]
) -> None:
    """PUT a config; a subject that is read-only (from an earlier run) is opened first."""
    if subject is None:
        client.put("/config", body)
        return
    path = resource_path("config", subject)
    _in_open_subject(client, subject, opened, lambda: client.put(path, body))


def _restore_configs_and_modes(
    client: RegistryRestClient,
    records: Sequence[Record],
    say: Callable[[str], None],
    opened: set[str],
) -> None:
    """Configs, then subject modes, then the global mode (which ends IMPORT mode).

    Configs and modes already in place are left alone, so a re-run writes nothing it need not.
    """
    for record in records:
        config = record.get("config")
        if record["kind"] != "config" or not isinstance(config, dict):
            continue
        subject = None if record.get("subject") is None else str(record["subject"])
        if own_config_or_mode(client, "config", subject) == config:
            continue
        body = {("compatibility" if k == "compatibilityLevel" else k): v for k, v in config.items()}
        _put_config(client, subject, body, opened)
        say(f"config {subject or '(global)'}: {body.get('compatibility', '')}")
    modes = [r for r in records if r["kind"] == "mode"]
    for record in sorted(modes, key=lambda r: r.get("subject") is None):
        scope = record.get("subject")
        subject = None if scope is None else str(scope)
        wanted = record.get("mode") or "READWRITE"
        if (own_config_or_mode(client, "mode", subject) or {}).get("mode") == wanted:
            continue
        client.put(resource_path("mode", subject), {"mode": wanted})
        say(f"mode {scope or '(global)'}: {wanted}")


@click.command(
    "import",
    epilog="""\b
Examples:
  cairn import backup.jsonl --url http://new-registry:8081 --dry-run
  cairn import backup/ --url http://new-registry:8081""",
)
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be imported; change nothing.")
@click.option("--force", is_flag=True, help="Enter IMPORT mode although the target has subjects.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@connection_options
def import_(
    source: Path, dry_run: bool, force: bool, quiet: bool, client: RegistryRestClient
) -> None:
    """Import an export (file or directory) keeping ids and versions; safe to re-run."""
    records = read_records(source)
    schemas = [r for r in records if r["kind"] == "schema"]
    plan = make_plan(client, schemas)

    def say(line: str) -> None:
        if not quiet:
            click.echo(line, err=True)

    if dry_run:
        for record in plan.to_register:
            click.echo(
                f"would register {record['subject']} version {record['version']} id {record['id']}"
            )
        for record in plan.to_soft_delete:
            click.echo(f"would soft-delete {record['subject']} version {record['version']}")
        click.echo(
            f"Dry run: {len(plan.to_register)} to import, {len(plan.present)} already present"
        )
        return
    if plan.to_register and _enter_import_mode(client, schemas, force):
        # A forced switch may clear soft-deleted versions on some registries: look again.
        plan = make_plan(client, schemas)
    opened: set[str] = set()
    if quiet:
        for record in plan.to_register:
            _register(client, record, opened)
    else:
        with click.progressbar(plan.to_register, label="Importing", file=sys.stderr) as bar:
            for record in bar:
                _register(client, record, opened)
    for record in plan.to_soft_delete:
        _soft_delete(client, record, opened)
    _restore_configs_and_modes(client, records, say, opened)
    click.echo(
        f"Imported {len(plan.to_register)} schema version(s); skipped {len(plan.present)} "
        "already present"
    )
