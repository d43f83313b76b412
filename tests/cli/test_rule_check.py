"""`cairn check-rules`, and `cairn register --rule-set/--metadata`, which runs it first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cli.main import main

CUSTOMER = {
    "type": "record",
    "name": "Customer",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "ssn", "type": "string", "confluent:tags": ["PII"]},
    ],
}
ENCRYPT_PII = {
    "name": "enc",
    "kind": "TRANSFORM",
    "mode": "WRITEREAD",
    "type": "ENCRYPT",
    "tags": ["PII"],
    "params": {"encrypt.kek.name": "customers"},
}


def write(tmp_path: Path, name: str, value: Any) -> Path:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return path


def cairn(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def rules(*domain: dict[str, Any]) -> dict[str, Any]:
    return {"domainRules": list(domain)}


def test_a_sound_contract_passes(tmp_path: Path) -> None:
    schema = write(tmp_path, "c.avsc", CUSTOMER)
    result = cairn(
        "check-rules", schema, "--rule-set", write(tmp_path, "r.json", rules(ENCRYPT_PII))
    )
    assert (result.exit_code, result.output.strip().endswith("no problems")) == (0, True)


def test_errors_fail_and_warnings_fail_only_when_strict(tmp_path: Path) -> None:
    schema = write(tmp_path, "c.avsc", CUSTOMER)
    broken = write(tmp_path, "broken.json", rules({**ENCRYPT_PII, "params": {}}))
    result = cairn("check-rules", schema, "--rule-set", broken)
    assert result.exit_code == 2
    assert "error: domainRules/enc: the ENCRYPT rule needs a non-empty encrypt.kek.name" in (
        result.output
    )
    doubtful = write(tmp_path, "doubtful.json", rules({**ENCRYPT_PII, "tags": ["SECRET"]}))
    lenient = cairn("check-rules", schema, "--rule-set", doubtful)
    assert lenient.exit_code == 0
    assert "warning: domainRules/enc: no field of the schema is tagged SECRET" in lenient.output
    assert cairn("check-rules", schema, "--rule-set", doubtful, "--strict").exit_code == 2
    as_json = cairn("check-rules", schema, "--rule-set", doubtful, "--format", "json")
    [problem] = json.loads(as_json.output)["problems"]
    assert (problem["path"], problem["severity"]) == ("domainRules/enc", "warning")


def test_the_registrys_own_validation_comes_first(tmp_path: Path) -> None:
    schema = write(tmp_path, "c.avsc", CUSTOMER)
    duplicate = write(tmp_path, "dup.json", rules(ENCRYPT_PII, ENCRYPT_PII))
    result = cairn("check-rules", schema, "--rule-set", duplicate)
    assert result.exit_code == 2
    assert "Found rule with duplicate name 'enc'" in result.output


def test_tags_from_json_schema_protobuf_and_metadata(tmp_path: Path) -> None:
    tagged = {**ENCRYPT_PII, "tags": ["SECRET"]}
    rule_set = write(tmp_path, "r.json", rules(tagged))
    json_schema = {
        "type": "object",
        "properties": {
            "outer": {
                "type": "object",
                "properties": {"k": {"type": "string", "confluent:tags": ["SECRET"]}},
            }
        },
    }
    proto = (
        'syntax = "proto3";\npackage shop;\nimport "confluent/meta.proto";\n'
        "message Customer {\n  message Inner {\n"
        '    string k = 1 [(confluent.field_meta) = { tags: ["SECRET"] }];\n  }\n'
        "  Inner inner = 1;\n}\n"
    )
    for name, text in (("s.json", json.dumps(json_schema)), ("s.proto", proto)):
        result = cairn("check-rules", write(tmp_path, name, text), "--rule-set", rule_set)
        assert "no problems" in result.output, (name, result.output)
    plain = write(tmp_path, "c.avsc", CUSTOMER)
    assert "tagged SECRET" in cairn("check-rules", plain, "--rule-set", rule_set).output
    metadata = write(tmp_path, "m.json", {"tags": {"Customer.id": ["SECRET"]}})
    with_metadata = cairn("check-rules", plain, "--rule-set", rule_set, "--metadata", metadata)
    assert "no problems" in with_metadata.output


def test_register_sends_the_contract(registry_url: str, tmp_path: Path) -> None:
    schema = write(tmp_path, "c.avsc", CUSTOMER)
    rule_set = write(tmp_path, "r.json", rules(ENCRYPT_PII))
    metadata = write(tmp_path, "m.json", {"properties": {"owner": "crm"}})
    result = cairn(
        "register",
        "customers-value",
        schema,
        "--rule-set",
        rule_set,
        "--metadata",
        metadata,
        "--url",
        registry_url,
    )
    assert result.exit_code == 0, result.output
    got = cairn("get", "customers-value", "--json", "--url", registry_url)
    stored = json.loads(got.output)
    assert stored["ruleSet"]["domainRules"][0]["name"] == "enc"
    assert stored["metadata"]["properties"] == {"owner": "crm"}


def test_register_refuses_a_contract_with_errors(registry_url: str, tmp_path: Path) -> None:
    schema = write(tmp_path, "c.avsc", CUSTOMER)
    broken = write(tmp_path, "r.json", rules({**ENCRYPT_PII, "type": "CEL", "expr": "1 +"}))
    result = cairn(
        "register", "customers-value", schema, "--rule-set", broken, "--url", registry_url
    )
    assert result.exit_code == 2
    assert "does not compile" in result.output
    assert "Not registered" in result.output
    assert cairn("subjects", "--url", registry_url).output == ""
