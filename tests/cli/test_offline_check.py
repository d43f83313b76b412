"""`cairn check` offline: one file validated; findings name the file they were found against."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cli.main import main

V1 = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}
V2 = {**V1, "fields": [*V1["fields"], {"name": "note", "type": "string", "default": ""}]}
V3 = {**V1, "fields": [{"name": "note", "type": "string", "default": ""}]}
BAD = {**V1, "fields": [*V1["fields"], {"name": "customer", "type": "string"}]}
USES_MONEY = {**V1, "fields": [{"name": "price", "type": "com.acme.Money"}]}
MONEY = {
    "type": "record",
    "name": "Money",
    "namespace": "com.acme",
    "fields": [{"name": "cents", "type": "long"}],
}


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _write(tmp_path: Path, name: str, schema: Any) -> str:
    path = tmp_path / name
    path.write_text(schema if isinstance(schema, str) else json.dumps(schema), encoding="utf-8")
    return str(path)


def test_one_valid_file_is_validated_and_exits_zero(tmp_path: Path) -> None:
    file = _write(tmp_path, "order.avsc", V1)
    result = _run("check", file)
    assert result.exit_code == 0, result.output
    assert f"OK    {file}: a valid AVRO schema" in result.output
    assert "1 checked: 1 valid, 0 not valid" in result.output


def test_one_invalid_file_exits_two_with_the_parsers_reason(tmp_path: Path) -> None:
    file = _write(tmp_path, "order.avsc", '{"type": "record", "name": "Order"}')
    result = _run("check", file)
    assert result.exit_code == 2, result.output
    assert f"ERROR {file}: not a valid AVRO schema" in result.output
    assert "1 checked: 0 valid, 1 not valid" in result.output
    report = json.loads(_run("check", file, "--format", "json").output)
    assert report["compatible"] is False
    assert report["results"][0]["error"].startswith("not a valid AVRO schema: ")
    junit = _run("check", file, "--format", "junit")
    assert junit.exit_code == 2
    assert ET.fromstring(junit.output.split("\n", 1)[1]).find(".//testcase/error") is not None


def test_one_file_with_a_level_is_a_usage_error(tmp_path: Path) -> None:
    result = _run("check", _write(tmp_path, "order.avsc", V1), "--level", "FULL")
    assert result.exit_code == 2
    assert "give the earlier schema(s) before it" in result.output


def test_one_file_is_validated_with_its_references(tmp_path: Path) -> None:
    file = _write(tmp_path, "order.avsc", USES_MONEY)
    money = _write(tmp_path, "money.avsc", MONEY)
    assert _run("check", file, "-r", f"com.acme.Money={money}").exit_code == 0


def test_a_missing_avro_reference_suggests_the_reference_option(tmp_path: Path) -> None:
    result = _run("check", _write(tmp_path, "order.avsc", USES_MONEY))
    assert result.exit_code == 2
    assert "unknown type 'com.acme.Money'" in result.output
    assert "-r com.acme.Money=PATH" in result.output
    assert "-r com.acme.Money=@SUBJECT:VERSION" in result.output


def test_a_missing_protobuf_import_suggests_the_reference_option(tmp_path: Path) -> None:
    text = 'syntax = "proto3";\nimport "money.proto";\nmessage Order { int64 id = 1; }\n'
    result = _run("check", _write(tmp_path, "order.proto", text))
    assert result.exit_code == 2
    assert "-r money.proto=PATH" in result.output


def test_protobuf_errors_name_the_users_file(tmp_path: Path) -> None:
    file = _write(tmp_path, "order.proto", 'syntax = "proto3";\nmessage Order { int64 id = 1 }\n')
    result = _run("check", file)
    assert result.exit_code == 2
    assert f"{file}:2:" in result.output
    assert "schema.proto" not in result.output


def test_findings_name_the_file_they_were_found_against(tmp_path: Path) -> None:
    v1 = _write(tmp_path, "v1.avsc", V1)
    bad = _write(tmp_path, "bad.avsc", BAD)
    result = _run("check", v1, bad)
    assert result.exit_code == 1
    assert f"READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1 (against {v1})" in result.output
    assert "against version" not in result.output
    report = json.loads(_run("check", v1, bad, "--format", "json").output)
    (problem,) = report["results"][0]["problems"]
    assert problem["against_file"] == v1


def test_transitive_findings_name_each_earlier_file(tmp_path: Path) -> None:
    files = [_write(tmp_path, f"v{n}.avsc", s) for n, s in ((1, V1), (2, V2), (3, V3))]
    result = _run("check", *files, "--level", "FORWARD_TRANSITIVE", "--format", "json")
    problems = json.loads(result.output)["results"][0]["problems"]
    assert {p["against_file"] for p in problems} == set(files[:2])


def test_project_history_findings_name_the_history_files(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    _write(tmp_path, "schemas/order.v1.avsc", V1)
    _write(tmp_path, "schemas/order.avsc", BAD)
    project = tmp_path / "cairn.toml"
    project.write_text(
        '[subjects."orders-value"]\nfile = "schemas/order.avsc"\n'
        'history = ["schemas/order.v1.avsc"]\n',
        encoding="utf-8",
    )
    result = _run("check", "--project", str(project))
    assert result.exit_code == 1
    assert f"(against {tmp_path / 'schemas/order.v1.avsc'})" in result.output
