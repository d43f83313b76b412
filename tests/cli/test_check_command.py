"""`cairn check` offline: the shared compatibility cases, histories, reports and exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import main
from tests.corpus import CASES_DIR

EXTENSIONS = {"avro": ".avsc", "jsonschema": ".json", "protobuf": ".proto"}


def _cases(name: str) -> list[Any]:
    cases: list[dict[str, Any]] = json.loads((CASES_DIR / f"{name}.json").read_text("utf-8"))
    return [
        pytest.param(name, case, id=f"{name}: {case['name']}")
        for case in cases
        # Imports and reserved-field metadata need registry context the files cannot carry.
        if "old_references" not in case and "old_metadata" not in case
    ]


ALL_CASES = _cases("avro") + _cases("jsonschema") + _cases("protobuf")


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize(("corpus", "case"), ALL_CASES)
def test_exit_code_matches_confluents_verdict(
    corpus: str, case: dict[str, Any], tmp_path: Path
) -> None:
    ext = EXTENSIONS[corpus]
    old = tmp_path / f"old{ext}"
    new = tmp_path / f"new{ext}"
    old.write_text(case["old"], encoding="utf-8")
    new.write_text(case["new"], encoding="utf-8")
    result = _run("check", str(old), str(new), "--level", case["direction"])
    assert result.exit_code == (0 if case["expected"] else 1), result.output


AVRO_V1 = {
    "type": "record",
    "name": "Order",
    "fields": [{"name": "id", "type": "long"}, {"name": "qty", "type": "int"}],
}
AVRO_V2 = {  # adds a field with a default: fine both ways
    **AVRO_V1,
    "fields": [*AVRO_V1["fields"], {"name": "note", "type": "string", "default": ""}],
}
AVRO_V3 = {  # drops qty (no default in v1/v2): old readers break, new readers fine
    **AVRO_V1,
    "fields": [{"name": "id", "type": "long"}, {"name": "note", "type": "string", "default": ""}],
}
AVRO_BAD = {  # adds a field without a default: new readers cannot read old data
    **AVRO_V1,
    "fields": [*AVRO_V1["fields"], {"name": "customer", "type": "string"}],
}


def _write(tmp_path: Path, name: str, schema: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(schema), encoding="utf-8")
    return str(path)


def test_compatible_change_exits_zero_and_says_so(tmp_path: Path) -> None:
    result = _run(
        "check", _write(tmp_path, "v1.avsc", AVRO_V1), _write(tmp_path, "v2.avsc", AVRO_V2)
    )
    assert result.exit_code == 0
    assert "compatible at BACKWARD" in result.output


def test_each_problem_has_path_what_breaks_and_hint(tmp_path: Path) -> None:
    result = _run(
        "check", _write(tmp_path, "v1.avsc", AVRO_V1), _write(tmp_path, "bad.avsc", AVRO_BAD)
    )
    assert result.exit_code == 1
    assert "READER_FIELD_MISSING_DEFAULT_VALUE at /fields/2" in result.output
    assert "consumers using the new schema cannot read data written with the old" in result.output
    assert "add a default to field `customer`" in result.output


def test_transitive_level_checks_every_earlier_file(tmp_path: Path) -> None:
    files = [
        _write(tmp_path, "v1.avsc", AVRO_V1),
        _write(tmp_path, "v2.avsc", AVRO_V2),
        _write(tmp_path, "v3.avsc", AVRO_V3),
    ]
    # FORWARD only looks at v2 -> v3 (qty removed, v2 readers lack a default: breaks).
    forward = _run("check", *files, "--level", "FORWARD", "--format", "json")
    assert forward.exit_code == 1
    report = json.loads(forward.output)
    problems = report["results"][0]["problems"]
    assert {p["against_version"] for p in problems} == {2}
    assert all(p["direction"] == "forward" for p in problems)
    # Against v1 as well: both earlier versions fail and both are reported.
    transitive = _run("check", *files, "--level", "FORWARD_TRANSITIVE", "--format", "json")
    versions = {
        p["against_version"] for p in json.loads(transitive.output)["results"][0]["problems"]
    }
    assert versions == {1, 2}
    # BACKWARD_TRANSITIVE: v3 reads v1 and v2 data (dropping a field is fine for readers).
    assert _run("check", *files, "--level", "BACKWARD_TRANSITIVE").exit_code == 0


def test_non_transitive_level_ignores_older_versions(tmp_path: Path) -> None:
    old = _write(tmp_path, "v0.avsc", {"type": "record", "name": "Order", "fields": []})
    files = [old, _write(tmp_path, "v1.avsc", AVRO_V1), _write(tmp_path, "v1b.avsc", AVRO_V1)]
    # v1's new fields have no default, so reading v0 data fails, but only v0 is that old.
    assert _run("check", *files, "--level", "BACKWARD").exit_code == 0
    assert _run("check", *files, "--level", "BACKWARD_TRANSITIVE").exit_code == 1


def test_github_format_annotates_the_new_file(tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.avsc", AVRO_BAD)
    result = _run("check", _write(tmp_path, "v1.avsc", AVRO_V1), bad, "--format", "github")
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith(f"::error file={bad},title=")
    assert "Hint%3A" not in first  # data part is not property-escaped
    assert "Hint: add a default to field `customer`" in first


def test_junit_report_has_one_failing_case(tmp_path: Path) -> None:
    out = tmp_path / "report.xml"
    result = _run(
        "check",
        _write(tmp_path, "v1.avsc", AVRO_V1),
        _write(tmp_path, "bad.avsc", AVRO_BAD),
        "--format",
        "junit",
        "-o",
        str(out),
    )
    assert result.exit_code == 1
    suite = ET.parse(out).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("tests") == "1"
    assert suite.get("failures") == "1"
    failure = suite.find("testcase/failure")
    assert failure is not None
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in (failure.text or "")


def test_json_schema_findings_name_the_property(tmp_path: Path) -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}}}
    new = {"type": "object", "properties": {"a": {"type": "integer"}}}
    result = _run(
        "check",
        _write(tmp_path, "old.json", old),
        _write(tmp_path, "new.json", new),
        "--format",
        "json",
    )
    assert result.exit_code == 1
    problem = json.loads(result.output)["results"][0]["problems"][0]
    assert problem["type"] == "TYPE_CHANGED"
    assert problem["path"] == "#/properties/a"
    assert "#/properties/a" in problem["hint"]


def test_invalid_schema_exits_two_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.avsc"
    bad.write_text('{"type": "record", "name": "R"', encoding="utf-8")
    result = _run("check", _write(tmp_path, "v1.avsc", AVRO_V1), str(bad))
    assert result.exit_code == 2
    assert "is not a valid AVRO schema" in result.output
    assert "Traceback" not in result.output


def test_unknown_extension_asks_for_type(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.txt", AVRO_V1)
    b = _write(tmp_path, "b.txt", AVRO_V2)
    result = _run("check", a, b)
    assert result.exit_code == 2
    assert "--type" in result.output
    assert _run("check", a, b, "--type", "avro").exit_code == 0


def test_no_file_is_a_usage_error_naming_every_form() -> None:
    result = _run("check")
    assert result.exit_code == 2
    assert "cairn check FILE" in result.output
    assert "cairn check OLD NEW" in result.output


def test_help_documents_exit_codes_and_an_example() -> None:
    result = _run("check", "--help")
    assert result.exit_code == 0
    for text in ("0  compatible", "1  incompatible", "2  usage error", "3  registry unreachable"):
        assert text in result.output
    assert "cairn check v1.avsc v2.avsc" in result.output


def test_references_from_files(tmp_path: Path) -> None:
    money = _write(
        tmp_path,
        "money.avsc",
        {
            "type": "record",
            "name": "Money",
            "namespace": "a",
            "fields": [{"name": "c", "type": "long"}],
        },
    )
    v1 = {
        "type": "record",
        "name": "Pay",
        "namespace": "a",
        "fields": [{"name": "m", "type": "a.Money"}],
    }
    v2 = {**v1, "fields": [*v1["fields"], {"name": "n", "type": "a.Money"}]}
    files = [_write(tmp_path, "v1.avsc", v1), _write(tmp_path, "v2.avsc", v2)]
    without = _run("check", *files)
    assert without.exit_code == 2
    assert "a.Money" in without.output
    result = _run("check", *files, "-r", f"a.Money={money}@money:1")
    assert result.exit_code == 1  # n has no default
    assert "add a default to field `n`" in result.output


def test_project_file_checks_each_subject_offline(tmp_path: Path) -> None:
    _write(tmp_path, "v1.avsc", AVRO_V1)
    _write(tmp_path, "v2.avsc", AVRO_V2)
    _write(tmp_path, "bad.avsc", AVRO_BAD)
    project = tmp_path / "cairn.toml"
    project.write_text(
        '[subjects."good-value"]\nfile = "v2.avsc"\nhistory = ["v1.avsc"]\nlevel = "FULL"\n'
        '[subjects."bad-value"]\nfile = "bad.avsc"\nhistory = ["v1.avsc"]\n',
        encoding="utf-8",
    )
    result = _run("check", "--project", str(project), "--format", "json")
    assert result.exit_code == 1
    results = {r["name"]: r for r in json.loads(result.output)["results"]}
    assert results["good-value"]["compatible"] is True
    assert results["good-value"]["level"] == "FULL"
    assert results["bad-value"]["compatible"] is False


def test_project_file_mistakes_are_usage_errors(tmp_path: Path) -> None:
    project = tmp_path / "cairn.json"
    project.write_text(json.dumps({"subjects": {"s": {"fil": "x.avsc"}}}), encoding="utf-8")
    result = _run("check", "--project", str(project))
    assert result.exit_code == 2
    assert "unknown keys ['fil']" in result.output


def test_registry_unreachable_exits_three(tmp_path: Path) -> None:
    result = _run(
        "check",
        "--subject",
        "s",
        _write(tmp_path, "v1.avsc", AVRO_V1),
        "--url",
        "http://127.0.0.1:9",
        "--timeout",
        "2",
    )
    assert result.exit_code == 3
    assert "Cannot reach the registry at http://127.0.0.1:9" in result.output
