"""The export format: writing a file or a directory, and reading either back."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.errors import InputError
from cli.export_format import header, read_records, write_directory, write_file
from cli.main import main

RECORDS: list[dict[str, object]] = [
    header("http://source"),
    {"kind": "config", "subject": None, "config": {"compatibilityLevel": "FULL"}},
    {"kind": "schema", "subject": "a/b", "version": 1, "id": 3, "schema": '"int"'},
    {"kind": "schema", "subject": "registry", "version": 1, "id": 4, "schema": '"long"'},
    {"kind": "mode", "subject": "a/b", "mode": "READONLY"},
]


def _key(record: dict[str, object]) -> str:
    return repr(sorted(record.items(), key=lambda item: item[0]))


def test_file_and_directory_round_trip(tmp_path: Path) -> None:
    write_file(tmp_path / "one.jsonl", RECORDS)
    write_directory(tmp_path / "dir", RECORDS)
    files = sorted(p.name for p in (tmp_path / "dir").iterdir())
    assert files == ["%72egistry.jsonl", "a%2Fb.jsonl", "registry.jsonl"]
    expected = sorted(map(_key, RECORDS[1:]))
    assert sorted(map(_key, read_records(tmp_path / "one.jsonl"))) == expected
    assert sorted(map(_key, read_records(tmp_path / "dir"))) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"kind": "header", "format": "other", "version": 1}\n', "is not a cairn-export"),
        ("not json\n", "x.jsonl:1 is not a JSON record"),
        ('{"subject": "s"}\n', "x.jsonl:1 is not an export record"),
        (
            '{"kind": "schema", "subject": "s", "version": 1, "schema": "1"}\n',
            "x.jsonl:1: a schema",
        ),
    ],
)
def test_damaged_exports_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_records(path)


def test_import_reports_a_damaged_export_without_contacting_the_registry(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"kind": "header", "format": "other", "version": 1}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(path), "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "is not a cairn-export version 1 export" in result.output


def test_an_empty_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"holds no \.jsonl export files"):
        read_records(tmp_path)
