"""`cairn check --records`: a new schema against captured records, per writer schema id.

Records are written by confluent-kafka's serializers against a fresh in-process registry (the
`schema_registry` fixture) at compatibility NONE, under versions the new schema can and
cannot read. The same check against a live topic is in tests/integration.
"""

from __future__ import annotations

import json
import socket
import struct
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import main
from registry.testing import LocalRegistry
from tests.support.records import (
    AVRO_NEW,
    AVRO_V1,
    AVRO_V2,
    AVRO_V3,
    Captured,
    avro_serializer,
    json_serializer,
    message_classes,
    order,
    protobuf_serializer,
    status_enum,
    value_ctx,
    write_captured,
)

TOPIC = "orders"


def run(registry_url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["check", "--url", registry_url, *args])


@pytest.fixture
def registry(schema_registry: LocalRegistry) -> LocalRegistry:
    """A fresh registry at NONE, so versions the new schema cannot read can be registered."""
    schema_registry.set_compatibility("NONE")
    return schema_registry


@pytest.fixture
def new_avsc(tmp_path: Path) -> Path:
    path = tmp_path / "order.avsc"
    path.write_text(AVRO_NEW, encoding="utf-8")
    return path


def avro_records(registry: LocalRegistry) -> list[Captured]:
    """Partition 0: v1 x2 then v3 x1; partition 1: v2 with NEW, SHIPPED, PAID."""
    client = registry.client()
    ctx = value_ctx(TOPIC)
    v1, v2, v3 = (avro_serializer(client, s) for s in (AVRO_V1, AVRO_V2, AVRO_V3))
    return [
        Captured(0, 0, v1({"id": 1, "status": "NEW"}, ctx)),
        Captured(0, 1, v1({"id": 2, "status": "PAID"}, ctx)),
        Captured(1, 0, v2({"id": 3, "status": "NEW"}, ctx)),
        Captured(1, 1, v2({"id": 4, "status": "SHIPPED"}, ctx)),
        Captured(1, 2, v2({"id": 5, "status": "PAID"}, ctx)),
        Captured(0, 2, v3({"id": "six", "status": "NEW"}, ctx)),
    ]


def check_json(registry: LocalRegistry, new: Path, records: Path, *extra: str) -> Any:
    result = run(
        registry.url,
        "--subject",
        f"{TOPIC}-value",
        str(new),
        "--records",
        str(records),
        "--format",
        "json",
        *extra,
    )
    assert result.exit_code in (0, 1), result.output
    return {"exit": result.exit_code, **json.loads(result.output)}


def by_id(report: Any) -> dict[Any, Any]:
    return {w["schema_id"]: w for w in report["writers"]}


def test_counts_unreadable_records_per_writer_schema(
    registry: LocalRegistry, new_avsc: Path, tmp_path: Path
) -> None:
    records = write_captured(tmp_path / "records.jsonl", avro_records(registry))
    report = check_json(registry, new_avsc, records)

    assert report["exit"] == 1
    assert (report["records"], report["unreadable"], report["readable"]) == (6, 2, False)
    writers = by_id(report)
    assert sorted(writers) == [1, 2, 3]
    assert (writers[1]["records"], writers[1]["unreadable"]) == (2, 0)
    # v2 is read except the record whose enum symbol the new schema lacks.
    assert (writers[2]["records"], writers[2]["unreadable"]) == (3, 1)
    [shipped] = writers[2]["failures"]
    assert (shipped["partition"], shipped["offset"]) == (1, 1)
    assert "SHIPPED" in shipped["reason"]
    assert (writers[3]["records"], writers[3]["unreadable"]) == (1, 1)
    assert (writers[3]["failures"][0]["partition"], writers[3]["failures"][0]["offset"]) == (0, 2)
    assert writers[3]["registered_as"] == [{"subject": f"{TOPIC}-value", "version": 3}]


def test_text_report_names_the_writer_and_the_failing_offsets(
    registry: LocalRegistry, new_avsc: Path, tmp_path: Path
) -> None:
    records = write_captured(tmp_path / "records.jsonl", avro_records(registry))
    result = run(
        registry.url, "--subject", f"{TOPIC}-value", str(new_avsc), "--records", str(records)
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("FAIL  orders-value")
    assert "2 of 6 records" in lines[0]
    assert "  schema id 1 (orders-value v1): 2 read, all readable" in lines
    assert "  schema id 2 (orders-value v2): 3 read, 1 unreadable" in lines
    assert any(line.startswith("    - partition 1 offset 1: ") for line in lines)
    assert any(line.startswith("    - partition 0 offset 2: ") for line in lines)


def test_github_and_junit_reports_have_one_entry_per_failing_writer(
    registry: LocalRegistry, new_avsc: Path, tmp_path: Path
) -> None:
    records = write_captured(tmp_path / "records.jsonl", avro_records(registry))
    base = ["--subject", f"{TOPIC}-value", str(new_avsc), "--records", str(records)]
    github = run(registry.url, *base, "--format", "github")
    assert github.exit_code == 1
    errors = [line for line in github.output.splitlines() if line.startswith("::error ")]
    assert len(errors) == 2
    assert "schema id 2" in errors[0]
    assert "partition 1 offset 1" in errors[0]

    out = tmp_path / "report.xml"
    junit = run(registry.url, *base, "--format", "junit", "-o", str(out))
    assert junit.exit_code == 1
    suite = ET.parse(out).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("3", "2")


def test_all_readable_exits_0(registry: LocalRegistry, new_avsc: Path, tmp_path: Path) -> None:
    client = registry.client()
    v1 = avro_serializer(client, AVRO_V1)
    records = [Captured(0, i, v1({"id": i, "status": "NEW"}, value_ctx(TOPIC))) for i in range(3)]
    path = write_captured(tmp_path / "records.jsonl", records)
    result = run(registry.url, "--subject", f"{TOPIC}-value", str(new_avsc), "--records", str(path))
    assert result.exit_code == 0, result.output
    assert "all 3 records" in result.output


def test_sample_and_from_choose_records_per_partition(
    registry: LocalRegistry, new_avsc: Path, tmp_path: Path
) -> None:
    records = write_captured(tmp_path / "records.jsonl", avro_records(registry))
    # The last record of each partition: (0, 2) of v3 and (1, 2) of v2.
    latest = check_json(registry, new_avsc, records, "--sample", "1")
    assert {(w["schema_id"], w["records"]) for w in latest["writers"]} == {(2, 1), (3, 1)}
    assert latest["unreadable"] == 1
    # The first two of each partition: v1 twice, v2 NEW and SHIPPED.
    earliest = check_json(registry, new_avsc, records, "--sample", "2", "--from", "earliest")
    assert {(w["schema_id"], w["records"]) for w in earliest["writers"]} == {(1, 2), (2, 2)}
    assert [(f["partition"], f["offset"]) for w in earliest["writers"] for f in w["failures"]] == [
        (1, 1)
    ]
    assert (earliest["per_partition"], earliest["from"]) == (2, "earliest")


def test_unframed_and_unknown_id_records_are_unreadable_with_a_reason(
    registry: LocalRegistry, new_avsc: Path, tmp_path: Path
) -> None:
    client = registry.client()
    good = avro_serializer(client, AVRO_V1)({"id": 1, "status": "NEW"}, value_ctx(TOPIC))
    records = [
        Captured(0, 0, good),
        Captured(0, 1, b'{"id": 1}'),
        Captured(0, 2, struct.pack(">bI", 0, 4242) + b"\x02"),
        Captured(0, 3, None),
    ]
    report = check_json(registry, new_avsc, write_captured(tmp_path / "r.jsonl", records))
    assert report["exit"] == 1
    assert report["skipped"] == 1
    writers = by_id(report)
    assert writers[1]["unreadable"] == 0
    unframed = writers[None]
    assert (unframed["records"], unframed["failures"][0]["offset"]) == (1, 1)
    assert "magic byte" in unframed["failures"][0]["reason"]
    assert "not in the registry" in writers[4242]["failures"][0]["reason"]


def test_records_written_in_another_format_are_unreadable(
    registry: LocalRegistry, new_avsc: Path, tmp_path: Path
) -> None:
    schema = {"type": "object", "properties": {"id": {"type": "integer"}}}
    data = json_serializer(registry.client(), schema)({"id": 1}, value_ctx(TOPIC))
    report = check_json(
        registry, new_avsc, write_captured(tmp_path / "r.jsonl", [Captured(0, 0, data)])
    )
    assert report["exit"] == 1
    assert "written with a JSON schema" in report["writers"][0]["failures"][0]["reason"]


def test_schema_id_header_framing_is_read(
    registry: LocalRegistry, new_avsc: Path, tmp_path: Path
) -> None:
    framed = avro_serializer(registry.client(), AVRO_V2)(
        {"id": 1, "status": "SHIPPED"}, value_ctx(TOPIC)
    )
    assert framed is not None
    payload, prefix = framed[5:], framed[:5]
    records = [Captured(3, 7, payload, headers=[("__value_schema_id", prefix)])]
    report = check_json(registry, new_avsc, write_captured(tmp_path / "r.jsonl", records))
    [writer] = report["writers"]
    assert (writer["schema_id"], writer["unreadable"]) == (1, 1)
    assert writer["failures"][0]["offset"] == 7


def test_a_key_subject_checks_record_keys(
    registry: LocalRegistry, new_avsc: Path, tmp_path: Path
) -> None:
    client = registry.client()
    key = avro_serializer(client, AVRO_V3)({"id": "k", "status": "NEW"}, value_ctx(TOPIC))
    value = avro_serializer(client, AVRO_V1)({"id": 1, "status": "NEW"}, value_ctx(TOPIC))
    records = write_captured(
        tmp_path / "r.jsonl", [Captured(0, 0, value, key=key), Captured(0, 1, value)]
    )
    result = run(
        registry.url,
        "--subject",
        f"{TOPIC}-key",
        str(new_avsc),
        "--records",
        str(records),
        "--format",
        "json",
    )
    report = json.loads(result.output)
    assert result.exit_code == 1
    assert (report["field"], report["records"], report["unreadable"], report["skipped"]) == (
        "key",
        1,
        1,
        1,
    )


def test_json_schema_values_are_validated_against_the_new_schema(
    registry: LocalRegistry, tmp_path: Path
) -> None:
    client = registry.client()
    v1 = {"type": "object", "properties": {"id": {"type": "integer"}}}
    v2 = {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "email": {"type": "string"}},
    }
    new = {**v2, "required": ["email"]}
    ctx = value_ctx(TOPIC)
    records = [
        Captured(0, 0, json_serializer(client, v1)({"id": 1}, ctx)),
        Captured(0, 1, json_serializer(client, v2)({"id": 2, "email": "a@b"}, ctx)),
        Captured(0, 2, json_serializer(client, v2)({"id": 3}, ctx)),
    ]
    path = tmp_path / "order.json"
    path.write_text(json.dumps(new), encoding="utf-8")
    report = check_json(registry, path, write_captured(tmp_path / "r.jsonl", records))
    writers = by_id(report)
    assert (writers[1]["records"], writers[1]["unreadable"]) == (1, 1)
    assert (writers[2]["records"], writers[2]["unreadable"]) == (2, 1)
    assert writers[2]["failures"][0]["offset"] == 2
    assert "email" in writers[2]["failures"][0]["reason"]


PROTO_V1 = """syntax = "proto3";
package shop;
message Order { string id = 1; bytes note = 2; }
message Refund { string id = 1; }
"""
PROTO_NEW = """syntax = "proto3";
package shop;
message Order { string id = 1; string note = 2; }
"""


def test_protobuf_payloads_are_decoded_as_the_new_message_at_their_indexes(
    registry: LocalRegistry, tmp_path: Path
) -> None:
    client = registry.client()
    ctx = value_ctx(TOPIC)
    order_cls, refund_cls = message_classes(PROTO_V1, "shop.Order", "shop.Refund")
    orders = protobuf_serializer(client, order_cls)
    refunds = protobuf_serializer(client, refund_cls)
    records = [
        Captured(0, 0, orders(order_cls(id="1", note=b"text"), ctx)),
        Captured(0, 1, orders(order_cls(id="2", note=b"\xff\xfe"), ctx)),
        Captured(0, 2, refunds(refund_cls(id="3"), ctx)),
    ]
    path = tmp_path / "order.proto"
    path.write_text(PROTO_NEW, encoding="utf-8")
    report = check_json(registry, path, write_captured(tmp_path / "r.jsonl", records))
    [writer] = report["writers"]
    assert (writer["records"], writer["unreadable"]) == (3, 2)
    reasons = {f["offset"]: f["reason"] for f in writer["failures"]}
    assert set(reasons) == {1, 2}
    assert "not a valid shop.Order" in reasons[1]
    assert "select no message in the new schema" in reasons[2]


def test_an_empty_records_file_passes(
    registry: LocalRegistry, new_avsc: Path, tmp_path: Path
) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("", encoding="utf-8")
    result = run(registry.url, "--subject", f"{TOPIC}-value", str(new_avsc), "--records", str(path))
    assert result.exit_code == 0
    assert "no records" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--records", "{records}", "{new}"], "give --subject S and exactly one FILE"),
        (["--subject", "s", "{new}", "{new}", "--records", "{records}"], "exactly one FILE"),
        (["--subject", "s", "{new}", "--records", "{records}", "--level", "FULL"], "--level"),
        (
            ["--subject", "s", "{new}", "--records", "{records}", "--against-topic", "t"],
            "not both",
        ),
        (["--subject", "s", "{new}", "--sample", "3"], "--sample: use with"),
        (["--subject", "s", "{new}", "--against-topic", "t"], "needs --bootstrap-servers"),
        (["--subject", "s", "{new}", "--bootstrap-servers", "h:1"], "use with --against-topic"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str, new_avsc: Path, tmp_path: Path) -> None:
    records = write_captured(tmp_path / "r.jsonl", [])
    filled = [a.format(new=new_avsc, records=records) for a in args]
    result = run("http://127.0.0.1:1", *filled)
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not JSON"),
        ('{"partition": 0, "offset": 0}', "'value' is missing"),
        ('{"partition": -1, "offset": 0, "value": null}', "'partition' must be"),
        ('{"partition": 0, "offset": 0, "value": "%%%"}', "not valid base64"),
        ('{"partition": 0, "offset": 0, "value": null, "headers": 3}', "'headers' must be"),
    ],
)
def test_a_bad_records_file_exits_2_naming_the_line(
    line: str, message: str, new_avsc: Path, tmp_path: Path
) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("\n" + line + "\n", encoding="utf-8")
    result = run("http://127.0.0.1:1", "--subject", "s", str(new_avsc), "--records", str(path))
    assert result.exit_code == 2
    assert f"{path}:2" in result.output
    assert message in result.output


def test_an_invalid_new_schema_exits_2(registry: LocalRegistry, tmp_path: Path) -> None:
    new = tmp_path / "bad.avsc"
    new.write_text('{"type": "record", "name": "X", "fields": [{"name": "a"}]}', "utf-8")
    records = write_captured(tmp_path / "r.jsonl", [])
    result = run(registry.url, "--subject", "s", str(new), "--records", str(records))
    assert result.exit_code == 2
    assert "the new schema cannot be used" in result.output


def test_an_unreachable_registry_exits_3(new_avsc: Path, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    framed = struct.pack(">bI", 0, 1) + b"\x02\x00"
    records = write_captured(tmp_path / "r.jsonl", [Captured(0, 0, framed)])
    result = run(
        f"http://127.0.0.1:{port}",
        "--timeout",
        "1",
        "--subject",
        "s",
        str(new_avsc),
        "--records",
        str(records),
    )
    assert result.exit_code == 3
    assert "Cannot use the registry" in result.output


def test_guid_framing_is_read_and_reported_by_guid(
    registry: LocalRegistry, new_avsc: Path, tmp_path: Path
) -> None:
    framed = avro_serializer(registry.client(), AVRO_V3)(
        {"id": "x", "status": "NEW"}, value_ctx(TOPIC)
    )
    assert framed is not None
    with urllib.request.urlopen(f"{registry.url}/schemas/ids/1") as answer:
        guid = uuid.UUID(json.load(answer)["guid"])
    records = [Captured(0, 0, b"\x01" + guid.bytes + framed[5:])]
    report = check_json(registry, new_avsc, write_captured(tmp_path / "r.jsonl", records))
    [writer] = report["writers"]
    assert (writer["schema_id"], writer["guid"], writer["unreadable"]) == (None, str(guid), 1)


def test_the_new_schema_may_reference_registered_types(
    registry: LocalRegistry, tmp_path: Path
) -> None:
    status = {**status_enum("NEW", "PAID"), "namespace": "shop"}
    registry.register("status-value", json.dumps(status))
    v1 = avro_serializer(registry.client(), AVRO_V1)({"id": 1, "status": "PAID"}, value_ctx(TOPIC))
    new = tmp_path / "order.avsc"
    new.write_text(order("int", "shop.Status"), encoding="utf-8")
    records = write_captured(tmp_path / "r.jsonl", [Captured(0, 0, v1)])
    result = run(
        registry.url,
        "--subject",
        f"{TOPIC}-value",
        str(new),
        "-r",
        "shop.Status=@status-value:1",
        "--records",
        str(records),
    )
    assert result.exit_code == 0, result.output
