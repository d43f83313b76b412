"""`cairn export` and `cairn import` between real `cairn serve` processes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import main
from tests.integration.conftest import ServerFactory

pytestmark = pytest.mark.integration

MONEY = {
    "type": "record",
    "name": "Money",
    "namespace": "a",
    "fields": [{"name": "c", "type": "long"}],
}
PAY = {
    "type": "record",
    "name": "Pay",
    "namespace": "a",
    "fields": [{"name": "m", "type": "a.Money"}],
}
ORDER_V1 = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}
ORDER_V2 = {**ORDER_V1, "fields": [*ORDER_V1["fields"], {"name": "n", "type": "int", "default": 0}]}
EVENT = {"type": "object", "properties": {"kind": {"type": "string"}}}


def run(url: str, *args: str) -> Result:
    result = CliRunner().invoke(main, [*args, "--url", url])
    assert "Traceback" not in result.output
    return result


def write(tmp_path: Path, name: str, schema: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(schema), encoding="utf-8")
    return str(path)


def populate(url: str, tmp_path: Path) -> None:
    """A registry with references, two formats, a shared id, soft deletes, configs and modes."""
    steps = [
        ("register", "money", write(tmp_path, "money.avsc", MONEY)),
        ("register", "pay", write(tmp_path, "pay.avsc", PAY), "-r", "a.Money=@money:1"),
        ("register", "orders", write(tmp_path, "o1.avsc", ORDER_V1)),
        ("register", "orders", write(tmp_path, "o2.avsc", ORDER_V2)),
        ("register", "orders-copy", str(tmp_path / "o1.avsc")),
        ("register", "events", write(tmp_path, "event.json", EVENT)),
        ("register", "gone", str(tmp_path / "o2.avsc")),
        ("delete", "orders", "1"),
        ("delete", "gone"),
        ("config", "set", "FULL", "-s", "orders"),
        ("config", "set", "FORWARD"),
        ("mode", "set", "READONLY", "-s", "events"),
        ("mode", "set", "READONLY", "-s", "orders"),
    ]
    for step in steps:
        result = run(url, *step)
        assert result.exit_code == 0, (step, result.output)


def records(url: str, path: Path) -> list[str]:
    """The export of `url` without its header (which names the source)."""
    assert run(url, "export", "-o", str(path)).exit_code == 0
    return sorted(line for line in path.read_text().splitlines() if '"header"' not in line)


def test_export_then_import_into_an_empty_registry_keeps_everything(
    server_factory: ServerFactory, tmp_path: Path
) -> None:
    source, target = server_factory.start(), server_factory.start()
    populate(source.url, tmp_path)
    backup = tmp_path / "backup.jsonl"
    exported = records(source.url, backup)
    schemas = [
        json.loads(line) for line in exported if '"schema"' in line and '"kind": "schema"' in line
    ]
    assert len(schemas) == 7
    assert {(s["subject"], s["version"]) for s in schemas if s["deleted"]} == {
        ("orders", 1),
        ("gone", 1),
    }
    ids = {(s["subject"], s["version"]): s["id"] for s in schemas}
    assert ids["orders", 1] == ids["orders-copy", 1]

    dry = run(target.url, "import", str(backup), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Dry run: 7 to import, 0 already present" in dry.output
    assert run(target.url, "subjects", "--deleted").output == ""

    imported = run(target.url, "import", str(backup))
    assert imported.exit_code == 0, imported.output
    assert "Imported 7 schema version(s); skipped 0" in imported.output
    assert records(target.url, tmp_path / "again.jsonl") == exported
    assert run(target.url, "mode", "get").output.strip() == "READWRITE"


def test_an_interrupted_import_resumes_without_duplicates(
    server_factory: ServerFactory, tmp_path: Path
) -> None:
    source, target = server_factory.start(), server_factory.start()
    populate(source.url, tmp_path)
    backup = tmp_path / "backup"
    assert run(source.url, "export", "-o", f"{backup}/").exit_code == 0
    assert (backup / "registry.jsonl").is_file()
    assert (backup / "orders.jsonl").is_file()
    exported = records(source.url, tmp_path / "full.jsonl")

    # Only part of the export arrives: two subjects, and orders without its version 2,
    # so the first run leaves orders read-only with a version still to come.
    partial = tmp_path / "partial"
    partial.mkdir()
    for name in ("registry.jsonl", "money.jsonl"):
        (partial / name).write_text((backup / name).read_text())
    orders = [
        line
        for line in (backup / "orders.jsonl").read_text().splitlines()
        if '"version": 2' not in line
    ]
    (partial / "orders.jsonl").write_text("\n".join(orders) + "\n")
    first = run(target.url, "import", str(partial))
    assert first.exit_code == 0, first.output
    assert "Imported 2 schema version(s)" in first.output
    assert run(target.url, "mode", "get", "-s", "orders").stdout.strip() == "READONLY"

    resumed = run(target.url, "import", str(backup))
    assert resumed.exit_code == 0, resumed.output
    # The forced switch back to IMPORT deletes soft-deleted leftovers for good (as Confluent
    # does), so the first run's soft-deleted version is imported again: 6 + 1 = 7, not 5 + 2.
    assert "Imported 6 schema version(s); skipped 1 already present" in resumed.output
    assert records(target.url, tmp_path / "after.jsonl") == exported
    for subject, expected in (("orders", ["1", "2"]), ("money", ["1"])):
        listed = run(target.url, "versions", subject, "--deleted").output.splitlines()
        assert listed == expected

    again = run(target.url, "import", str(backup))
    assert again.exit_code == 0, again.output
    assert "Imported 0 schema version(s); skipped 7 already present" in again.output


def test_import_refuses_a_conflicting_id(server_factory: ServerFactory, tmp_path: Path) -> None:
    source, target = server_factory.start(), server_factory.start()
    run(source.url, "register", "s", write(tmp_path, "o1.avsc", ORDER_V1))
    run(target.url, "register", "other", write(tmp_path, "money.avsc", MONEY))
    run(target.url, "register", "s", str(tmp_path / "o1.avsc"))  # version 1, but id 2
    backup = tmp_path / "b.jsonl"
    assert run(source.url, "export", "-o", str(backup)).exit_code == 0
    result = run(target.url, "import", str(backup))
    assert result.exit_code == 2
    assert "already exists in the target with id 2, not 1" in result.output


def test_import_next_to_foreign_subjects_needs_force(
    server_factory: ServerFactory, tmp_path: Path
) -> None:
    source, target = server_factory.start(), server_factory.start()
    run(source.url, "register", "s", write(tmp_path, "o1.avsc", ORDER_V1))
    # The target's own subject holds the same schema, so id 1 means the same in both.
    run(target.url, "register", "theirs", str(tmp_path / "o1.avsc"))
    backup = tmp_path / "b.jsonl"
    assert run(source.url, "export", "-o", str(backup)).exit_code == 0
    refused = run(target.url, "import", str(backup))
    assert refused.exit_code == 2
    assert "--force" in refused.output
    forced = run(target.url, "import", str(backup), "--force")
    assert forced.exit_code == 0, forced.output
    assert json.loads(run(target.url, "get", "s", "--json").output)["id"] == 1


def test_import_refuses_an_id_used_by_another_schema(
    server_factory: ServerFactory, tmp_path: Path
) -> None:
    source, target = server_factory.start(), server_factory.start()
    run(source.url, "register", "s", write(tmp_path, "o1.avsc", ORDER_V1))
    run(target.url, "register", "theirs", write(tmp_path, "money.avsc", MONEY))
    backup = tmp_path / "b.jsonl"
    assert run(source.url, "export", "-o", str(backup)).exit_code == 0
    result = run(target.url, "import", str(backup), "--force")
    assert result.exit_code == 2
    assert "Id 1 of s version 1 is already used in the target by a different schema" in (
        result.output
    )
    assert run(target.url, "subjects").output.splitlines() == ["theirs"]
