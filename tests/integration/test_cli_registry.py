"""The registry commands of `cairn` against a real `cairn serve` process."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import main

pytestmark = pytest.mark.integration

_names = itertools.count()

V1 = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}
V2 = {**V1, "fields": [*V1["fields"], {"name": "note", "type": "string", "default": ""}]}
BAD = {**V1, "fields": [{"name": "id", "type": "string"}]}


def subject(prefix: str) -> str:
    """A subject name unique within the module's shared server."""
    return f"cli-{prefix}-{next(_names)}"


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--url", url])


def write(tmp_path: Path, name: str, schema: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(schema), encoding="utf-8")
    return str(path)


def test_register_list_get_and_versions(registry_url: str, tmp_path: Path) -> None:
    name = subject("basic")
    first = run(registry_url, "register", name, write(tmp_path, "v1.avsc", V1))
    assert first.exit_code == 0, first.output
    assert f"Registered {name} version 1 with id" in first.output
    assert run(registry_url, "register", name, write(tmp_path, "v2.avsc", V2)).exit_code == 0
    assert name in run(registry_url, "subjects", "--prefix", "cli-basic").output.splitlines()
    assert run(registry_url, "versions", name).output.splitlines() == ["1", "2"]
    latest = run(registry_url, "get", name)
    assert json.loads(latest.output) == V2
    entity = json.loads(run(registry_url, "get", name, "1", "--json").output)
    assert entity["version"] == 1
    by_id = run(registry_url, "get", "--id", str(entity["id"]))
    assert json.loads(by_id.output) == V1
    out = tmp_path / "fetched.avsc"
    assert run(registry_url, "get", name, "2", "-o", str(out)).exit_code == 0
    assert json.loads(out.read_text()) == V2


def test_check_against_the_subject(registry_url: str, tmp_path: Path) -> None:
    name = subject("check")
    run(registry_url, "register", name, write(tmp_path, "v1.avsc", V1))
    ok = run(registry_url, "check", "--subject", name, write(tmp_path, "v2.avsc", V2))
    assert ok.exit_code == 0, ok.output
    bad = run(
        registry_url,
        "check",
        "--subject",
        name,
        write(tmp_path, "bad.avsc", BAD),
        "--format",
        "json",
    )
    assert bad.exit_code == 1, bad.output
    problem = json.loads(bad.output)["results"][0]["problems"][0]
    assert problem["type"] == "TYPE_MISMATCH"
    assert problem["path"] == "/fields/0/type"
    assert problem["direction"] == "backward"
    assert problem["against_version"] == 1
    invalid = tmp_path / "invalid.avsc"
    invalid.write_text('{"type": "record"', encoding="utf-8")
    rejected = run(registry_url, "check", "--subject", name, str(invalid))
    assert rejected.exit_code == 2
    assert "rejected the schema" in rejected.output


def test_check_against_a_subject_without_versions_fails_unless_new_is_allowed(
    registry_url: str, tmp_path: Path
) -> None:
    registered, typo = subject("typo"), subject("typo")
    run(registry_url, "register", registered, write(tmp_path, "v1.avsc", V1))
    new = write(tmp_path, "v2.avsc", V2)
    for extra in ([], ["--level", "FULL"], ["--version", "latest"]):
        misspelt = run(registry_url, "check", "--subject", typo, new, *extra)
        assert misspelt.exit_code == 2, (extra, misspelt.output)
        assert f"Subject '{typo}' has no versions" in misspelt.output
        assert "--allow-new-subject" in misspelt.output
    first = run(registry_url, "check", "--subject", typo, new, "--allow-new-subject")
    assert first.exit_code == 0, first.output
    # A project with a misspelt subject fails on that subject alone.
    project = tmp_path / "cairn.json"
    project.write_text(
        json.dumps({"subjects": {registered: {"file": "v2.avsc"}, typo: {"file": "v2.avsc"}}}),
        encoding="utf-8",
    )
    result = run(registry_url, "check", "--project", str(project), "--format", "json")
    assert result.exit_code == 2, result.output
    errors = {r["name"]: r.get("error") for r in json.loads(result.output)["results"]}
    assert errors[registered] is None
    assert "has no versions" in str(errors[typo])
    allowed = run(registry_url, "check", "--project", str(project), "--allow-new-subject")
    assert allowed.exit_code == 0, allowed.output


def test_check_follows_the_subjects_level(registry_url: str, tmp_path: Path) -> None:
    name = subject("level")
    run(registry_url, "register", name, write(tmp_path, "v1.avsc", V1))
    set_level = run(registry_url, "config", "set", "forward_transitive", "--subject", name)
    assert set_level.exit_code == 0, set_level.output
    assert json.loads(run(registry_url, "config", "get", "-s", name).stdout) == {
        "compatibilityLevel": "FORWARD_TRANSITIVE"
    }
    # A new required field (no default) is fine forward: old readers ignore it.
    extra = {**V1, "fields": [*V1["fields"], {"name": "must", "type": "int"}]}
    result = run(registry_url, "check", "--subject", name, write(tmp_path, "x.avsc", extra))
    assert result.exit_code == 0, result.output
    assert "FORWARD_TRANSITIVE" in result.output


def test_check_a_project_against_the_registry(registry_url: str, tmp_path: Path) -> None:
    good, bad = subject("proj"), subject("proj")
    write(tmp_path, "v1.avsc", V1)
    write(tmp_path, "v2.avsc", V2)
    write(tmp_path, "bad.avsc", BAD)
    for name in (good, bad):
        run(registry_url, "register", name, str(tmp_path / "v1.avsc"))
    project = tmp_path / "cairn.json"
    project.write_text(
        json.dumps({"subjects": {good: {"file": "v2.avsc"}, bad: {"file": "bad.avsc"}}}),
        encoding="utf-8",
    )
    result = run(registry_url, "check", "--project", str(project), "--format", "json")
    assert result.exit_code == 1, result.output
    verdicts = {r["name"]: r["compatible"] for r in json.loads(result.output)["results"]}
    assert verdicts == {good: True, bad: False}


def test_soft_and_permanent_delete(registry_url: str, tmp_path: Path) -> None:
    name = subject("delete")
    run(registry_url, "register", name, write(tmp_path, "v1.avsc", V1))
    run(registry_url, "register", name, write(tmp_path, "v2.avsc", V2))
    soft = run(registry_url, "delete", name, "1")
    assert soft.exit_code == 0, soft.output
    assert run(registry_url, "versions", name).output.splitlines() == ["2"]
    assert run(registry_url, "versions", name, "--deleted").output.splitlines() == ["1", "2"]
    hard = run(registry_url, "delete", name, "--permanent")
    assert hard.exit_code == 0, hard.output
    assert name not in run(registry_url, "subjects", "--deleted").output.splitlines()


def test_mode_get_and_set(registry_url: str, tmp_path: Path) -> None:
    name = subject("mode")
    run(registry_url, "register", name, write(tmp_path, "v1.avsc", V1))
    assert run(registry_url, "mode", "set", "readonly", "-s", name).exit_code == 0
    assert run(registry_url, "mode", "get", "-s", name).stdout.strip() == "READONLY"
    refused = run(registry_url, "register", name, write(tmp_path, "v2.avsc", V2))
    assert refused.exit_code == 2
    assert "read-only" in refused.output
    assert "42205" in refused.output


def test_diff_between_versions(registry_url: str, tmp_path: Path) -> None:
    name = subject("diff")
    assert run(registry_url, "config", "set", "NONE", "-s", name).exit_code == 0
    run(registry_url, "register", name, write(tmp_path, "v1.json", {"type": "object"}))
    newer = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    registered = run(registry_url, "register", name, write(tmp_path, "v2.json", newer))
    assert registered.exit_code == 0, registered.output
    result = run(registry_url, "diff", "--subject", name, "1", "2")
    assert result.exit_code == 0, result.output
    assert "#/properties/a" in result.output


def test_missing_subject_is_a_clear_error(registry_url: str) -> None:
    result = run(registry_url, "get", subject("nope"))
    assert result.exit_code == 2
    assert "40401" in result.output
    assert "Traceback" not in result.output


def test_check_with_references_and_a_pinned_version(registry_url: str, tmp_path: Path) -> None:
    money, pay = subject("money"), subject("pay")
    money_schema = {
        "type": "record",
        "name": "Money",
        "namespace": "m",
        "fields": [{"name": "c", "type": "long"}],
    }
    pay_v1 = {"type": "record", "name": "Pay", "fields": [{"name": "a", "type": "m.Money"}]}
    pay_v2 = {**pay_v1, "fields": [*pay_v1["fields"], {"name": "b", "type": "m.Money"}]}
    assert (
        run(registry_url, "register", money, write(tmp_path, "money.avsc", money_schema)).exit_code
        == 0
    )
    ref = f"m.Money=@{money}:1"
    first = run(registry_url, "register", pay, write(tmp_path, "p1.avsc", pay_v1), "-r", ref)
    assert first.exit_code == 0, first.output
    v2 = write(tmp_path, "p2.avsc", pay_v2)
    result = run(registry_url, "check", "-s", pay, v2, "-r", ref, "--version", "1")
    assert result.exit_code == 1, result.output
    assert "add a default to field `b`" in result.output
    unresolved = run(registry_url, "check", "-s", pay, v2)
    assert unresolved.exit_code == 2
    missing = run(registry_url, "check", "-s", pay, v2, "-r", ref, "--version", "7")
    assert missing.exit_code == 2
    assert "40402" in missing.output


def test_what_if_check_at_another_level(registry_url: str, tmp_path: Path) -> None:
    name = subject("whatif")
    run(registry_url, "register", name, write(tmp_path, "v1.avsc", V1))
    run(registry_url, "register", name, write(tmp_path, "v2.avsc", V2))
    extra = {**V2, "fields": [*V2["fields"], {"name": "must", "type": "int"}]}
    candidate = write(tmp_path, "x.avsc", extra)
    # The subject's level (BACKWARD) rejects it ...
    assert run(registry_url, "check", "-s", name, candidate).exit_code == 1
    # ... FORWARD_TRANSITIVE, checked here against both registered versions, accepts it.
    forward = run(registry_url, "check", "-s", name, candidate, "--level", "FORWARD_TRANSITIVE")
    assert forward.exit_code == 0, forward.output
    assert "compatible at FORWARD_TRANSITIVE" in forward.output
    full = run(
        registry_url,
        "check",
        "-s",
        name,
        candidate,
        "--level",
        "FULL_TRANSITIVE",
        "--format",
        "json",
    )
    assert full.exit_code == 1
    problems = json.loads(full.output)["results"][0]["problems"]
    assert {p["against_version"] for p in problems} == {1, 2}
    one = run(
        registry_url,
        "check",
        "-s",
        name,
        candidate,
        "--level",
        "FULL",
        "--version",
        "1",
        "--format",
        "json",
    )
    assert {p["against_version"] for p in json.loads(one.output)["results"][0]["problems"]} == {1}
    assert (
        run(
            registry_url, "check", "-s", name, candidate, "--level", "FULL", "--version", "9"
        ).exit_code
        == 2
    )


def test_incompatible_registration_exits_one_with_advice(registry_url: str, tmp_path: Path) -> None:
    name = subject("incompatible")
    run(registry_url, "register", name, write(tmp_path, "v1.avsc", V1))
    result = run(registry_url, "register", name, write(tmp_path, "bad.avsc", BAD))
    assert result.exit_code == 1
    assert "incompatible" in result.output
    assert "cairn check --subject" in result.output
