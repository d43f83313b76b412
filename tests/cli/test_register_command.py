"""`cairn register`: a refusal is explained like `cairn check`, naming the real subject and file."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from starlette.testclient import TestClient

from cli.main import main

V1 = {"type": "record", "name": "Order", "fields": [{"name": "id", "type": "long"}]}
BAD = {**V1, "fields": [{"name": "id", "type": "string"}]}


def _register(url: str, subject: str, file: Path) -> Result:
    return CliRunner().invoke(main, ["register", subject, str(file), "--url", url])


def _file(tmp_path: Path, name: str, text: object) -> Path:
    path = tmp_path / name
    path.write_text(text if isinstance(text, str) else json.dumps(text), encoding="utf-8")
    return path


def test_registering_prints_the_id_and_version(registry_url: str, tmp_path: Path) -> None:
    result = _register(registry_url, "orders-value", _file(tmp_path, "v1.avsc", V1))
    assert result.exit_code == 0, result.output
    assert result.output == "Registered orders-value version 1 with id 1\n"


def test_an_incompatible_schema_lists_its_problems_like_check(
    registry: TestClient, registry_url: str, tmp_path: Path
) -> None:
    assert registry.post("/subjects/orders-value/versions", json={"schema": json.dumps(V1)})
    bad = _file(tmp_path, "bad order.avsc", BAD)
    result = _register(registry_url, "orders-value", bad)
    assert result.exit_code == 1, result.output
    assert f"{bad} is incompatible with orders-value at BACKWARD; not registered." in result.output
    assert "TYPE_MISMATCH at /fields/0/type (against version 1)" in result.output
    assert "breaks: consumers using the new schema cannot read data" in result.output
    assert "hint:   keep the type at /fields/0/type" in result.output
    assert f"`cairn check --subject orders-value '{bad}'`" in result.output
    # Not the server's raw answer: no echoed old schema, no placeholders.
    assert "oldSchema" not in result.output
    assert "errorType" not in result.output
    assert "SUBJECT FILE" not in result.output


def test_an_invalid_schema_names_the_file_without_echoing_it(
    registry_url: str, tmp_path: Path
) -> None:
    uses_money = {**V1, "fields": [{"name": "price", "type": "com.acme.Money"}]}
    file = _file(tmp_path, "order.avsc", uses_money)
    result = _register(registry_url, "orders-value", file)
    assert result.exit_code == 2, result.output
    assert f"{file} is not a valid AVRO schema: " in result.output
    assert "unknown type 'com.acme.Money'" in result.output
    # register takes registered references only, so that is the form suggested.
    assert "-r com.acme.Money=@SUBJECT:VERSION" in result.output
    assert "=PATH" not in result.output
    assert f"`cairn check {file}`" in result.output
    assert '"fields"' not in result.output


def test_a_protobuf_error_names_the_users_file(registry_url: str, tmp_path: Path) -> None:
    file = _file(tmp_path, "order.proto", 'syntax = "proto3";\nmessage Order { int64 id = 1 }\n')
    result = _register(registry_url, "orders-value", file)
    assert result.exit_code == 2, result.output
    assert f"{file}:2:" in result.output
    assert "schema.proto" not in result.output
    assert "message Order" not in result.output
