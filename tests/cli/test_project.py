"""The project file: the example in `cairn check --help` parses, and mistakes are explained."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cli.check_command import check
from cli.errors import InputError
from cli.project import load_project
from compat.types import CompatibilityLevel, SchemaType


def test_the_help_example_is_a_valid_project(tmp_path: Path) -> None:
    epilog = check.epilog or ""
    example = epilog.split("Project file (TOML, or the same keys in JSON):\n", 1)[1]
    project = tmp_path / "cairn.toml"
    project.write_text(textwrap.dedent(example), encoding="utf-8")
    orders, payments = load_project(project)
    assert orders.subject == "orders-value"
    assert orders.file == tmp_path / "schemas/order.avsc"
    assert orders.history == ()
    assert orders.references[0].to_registry() == {
        "name": "com.acme.Money",
        "subject": "money-value",
        "version": 1,
    }
    assert payments.history == (tmp_path / "schemas/payment.v1.json",)
    assert payments.level is CompatibilityLevel.FULL_TRANSITIVE


def test_json_projects_take_the_same_keys(tmp_path: Path) -> None:
    project = tmp_path / "cairn.json"
    project.write_text('{"subjects": {"s": {"file": "a.txt", "type": "avro"}}}', encoding="utf-8")
    (entry,) = load_project(project)
    assert entry.schema_type is SchemaType.AVRO


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("subjects = 3", "needs a `subjects` table"),
        ('[subjects.s]\ntype = "avro"', "`file` is required"),
        ('[subjects.s]\nfile = "a"\nlevel = "SIDEWAYS"', "not a compatibility level"),
        ('[subjects.s]\nfile = "a"\ntype = "xml"', "is not AVRO, JSON or PROTOBUF"),
        ('[subjects.s]\nfile = "a"\nreferences = [{ subject = "x" }]', "needs a `name`"),
        ("[subjects.s", "Cannot parse the project file"),
    ],
)
def test_mistakes_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    project = tmp_path / "cairn.toml"
    project.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_project(project)
