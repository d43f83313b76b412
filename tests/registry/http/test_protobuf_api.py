"""Protobuf through the HTTP API: references, canonical text, normalised lookup, views, 422s."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from google.protobuf.descriptor_pb2 import FileDescriptorProto
from starlette.testclient import TestClient

from compat.formats import default_formats
from compat.protobuf import ProtobufFormat
from compat.types import SchemaType

from .conftest import CT

ADDRESS = 'syntax = "proto3";\npackage geo;\n\nmessage Address {\n  string city = 1;\n}\n'

PERSON = """\
syntax = "proto3";
package people;
import "geo/address.proto";
import "google/protobuf/timestamp.proto";
// comments are not kept
message Person {
  string name = 1;
  geo.Address home = 2;
  google.protobuf.Timestamp born = 3;
  message Pet { string name = 1; }
  repeated Pet pets = 4;
}
"""


def _post(api: TestClient, url: str, schema: str, **body: Any) -> Any:
    return api.post(url, json={"schema": schema, "schemaType": "PROTOBUF", **body}, headers=CT)


def _register_address(api: TestClient, subject: str) -> list[dict[str, Any]]:
    address = f"{subject}-address"
    response = _post(api, f"/subjects/{address}/versions", ADDRESS)
    assert response.status_code == 200, response.text
    return [{"name": "geo/address.proto", "subject": address, "version": 1}]


def test_protobuf_is_a_supported_type(client: TestClient) -> None:
    assert "PROTOBUF" in client.get("/schemas/types").json()
    assert isinstance(default_formats().get(SchemaType.PROTOBUF), ProtobufFormat)


def test_register_with_references_stores_canonical_text(client: TestClient, subject: str) -> None:
    refs = _register_address(client, subject)
    registered = _post(client, f"/subjects/{subject}/versions", PERSON, references=refs)
    assert registered.status_code == 200, registered.text
    fetched = client.get(f"/subjects/{subject}/versions/1").json()
    assert fetched["schemaType"] == "PROTOBUF"
    assert fetched["references"] == refs
    assert fetched["schema"] == (
        'syntax = "proto3";\n'
        "package people;\n"
        "\n"
        'import "geo/address.proto";\n'
        'import "google/protobuf/timestamp.proto";\n'
        "\n"
        "message Person {\n"
        "  string name = 1;\n"
        "  geo.Address home = 2;\n"
        "  google.protobuf.Timestamp born = 3;\n"
        "  repeated Pet pets = 4;\n"
        "\n"
        "  message Pet {\n"
        "    string name = 1;\n"
        "  }\n"
        "}\n"
    )
    # The same schema written differently is the same schema: one id.
    again = _post(client, f"/subjects/{subject}/versions", fetched["schema"], references=refs)
    assert again.json()["id"] == registered.json()["id"]


def test_lookup_of_reordered_text_with_normalize(client: TestClient, subject: str) -> None:
    text = (
        'syntax = "proto3";\npackage n;\n'
        'import "google/protobuf/timestamp.proto";\nimport "google/protobuf/duration.proto";\n'
        "message M {\n  int32 b = 2;\n  google.protobuf.Timestamp a = 1;\n}\n"
    )
    registered = _post(client, f"/subjects/{subject}/versions?normalize=true", text)
    assert registered.status_code == 200, registered.text
    reordered = (
        'syntax = "proto3"; package n;\n'
        'import "google/protobuf/duration.proto"; import "google/protobuf/timestamp.proto";\n'
        "message M { google.protobuf.Timestamp a = 1; int32 b = 2; }\n"
    )
    found = _post(client, f"/subjects/{subject}?normalize=true", reordered)
    assert found.status_code == 200, found.text
    assert found.json()["id"] == registered.json()["id"]
    not_normalized = _post(client, f"/subjects/{subject}", reordered)
    assert not_normalized.status_code == 404


SPELLED = """\
syntax = "proto3";
package acc.x;

import "geo/address.proto";

message Ref {
  string a = 1;
}
message Order {
  .acc.x.Ref full = 1;
  x.Ref partial = 2;
  Ref relative = 3;
  .geo.Address ship_to = 4;
  geo.Address bill_to = 5;
  map<string, .acc.x.Ref> refs = 6;
}
"""


def test_type_references_keep_the_authors_spelling(client: TestClient, subject: str) -> None:
    refs = _register_address(client, subject)
    registered = _post(client, f"/subjects/{subject}/versions", SPELLED, references=refs)
    assert registered.status_code == 200, registered.text
    schema_id = registered.json()["id"]
    assert client.get(f"/subjects/{subject}/versions/1").json()["schema"] == SPELLED
    assert client.get(f"/schemas/ids/{schema_id}").json()["schema"] == SPELLED
    # The same text finds the version, registers as the same version, and shares its id.
    found = _post(client, f"/subjects/{subject}", SPELLED, references=refs)
    assert found.status_code == 200, found.text
    assert (found.json()["id"], found.json()["version"]) == (schema_id, 1)
    again = _post(client, f"/subjects/{subject}/versions", SPELLED, references=refs)
    assert (again.json()["id"], again.json()["version"]) == (schema_id, 1)
    other = _post(client, f"/subjects/{subject}-other/versions", SPELLED, references=refs)
    assert other.json()["id"] == schema_id
    assert client.get(f"/subjects/{subject}/versions").json() == [1]
    # Spelt otherwise it is another text, as in Confluent; normalising makes them one.
    respelled = SPELLED.replace("  x.Ref partial", "  Ref partial")
    assert _post(client, f"/subjects/{subject}", respelled, references=refs).status_code == 404
    by_normal = _post(
        client, f"/subjects/{subject}-normal/versions?normalize=true", SPELLED, references=refs
    )
    found_normal = _post(
        client, f"/subjects/{subject}-normal?normalize=true", respelled, references=refs
    )
    assert found_normal.json()["id"] == by_normal.json()["id"]


def test_serialized_and_ignore_extensions_views(client: TestClient, subject: str) -> None:
    text = (
        'syntax = "proto3";\npackage v;\nimport "confluent/meta.proto";\n'
        'import "google/protobuf/descriptor.proto";\n'
        "extend google.protobuf.FieldOptions { string label = 50001; }\n"
        'message M {\n  string s = 1 [(label) = "S", (confluent.field_meta) = { doc: "a" }];\n}\n'
    )
    registered = _post(client, f"/subjects/{subject}/versions", text)
    assert registered.status_code == 200, registered.text
    schema_id = registered.json()["id"]

    serialized = client.get(f"/schemas/ids/{schema_id}?format=serialized").json()["schema"]
    descriptor = FileDescriptorProto.FromString(base64.b64decode(serialized))
    assert descriptor.package == "v"
    assert [m.name for m in descriptor.message_type] == ["M"]
    assert list(descriptor.dependency) == [
        "confluent/meta.proto",
        "google/protobuf/descriptor.proto",
    ]

    plain = client.get(f"/schemas/ids/{schema_id}").json()["schema"]
    assert "(label)" in plain
    assert "extend " in plain
    stripped = client.get(f"/schemas/ids/{schema_id}?format=ignore_extensions").json()["schema"]
    assert "(label)" not in stripped
    assert "extend " not in stripped
    assert "(confluent.field_meta)" in stripped
    unknown = client.get(f"/schemas/ids/{schema_id}?format=whatever").json()["schema"]
    assert unknown == plain

    # A serialized descriptor is accepted as schema text and names the same schema.
    same = _post(client, f"/subjects/{subject}", serialized)
    assert same.status_code == 200, same.text
    assert same.json()["id"] == schema_id


def test_compatibility_uses_the_protobuf_rules(client: TestClient, subject: str) -> None:
    v1 = 'syntax = "proto3";\nmessage M {\n  string id = 1;\n}\n'
    assert _post(client, f"/subjects/{subject}/versions", v1).status_code == 200
    changed = 'syntax = "proto3";\nmessage M {\n  int64 id = 1;\n}\n'
    check = _post(
        client, f"/compatibility/subjects/{subject}/versions/latest?verbose=true", changed
    )
    assert check.status_code == 200, check.text
    assert check.json()["is_compatible"] is False
    assert any("FIELD_" in m for m in check.json()["messages"])
    added = 'syntax = "proto3";\nmessage M {\n  string id = 1;\n  int32 n = 2;\n}\n'
    assert _post(client, f"/subjects/{subject}/versions", added).status_code == 200


@pytest.mark.parametrize(
    ("schema", "fragment"),
    [
        ("this is not a proto file", "Expected top-level statement"),
        ('syntax = "proto3";\nmessage M {\n  int32 a = 1;\n  int32 b = 1;\n}\n', ":4:13:"),
        ('syntax = "proto3";\nimport "missing/thing.proto";\n', "missing/thing.proto"),
        ('syntax = "proto3";\nimport "schema.proto";\n', "recursively imports itself"),
        ('edition = "2023";\nmessage M {}\n', "editions are not supported"),
        ('syntax = "proto3";\n' + "message M {\n" * 5000 + "}\n" * 5000, "recursion limit"),
        ("AAAA", "Invalid schema"),
    ],
)
def test_bad_input_answers_422_42201(
    client: TestClient, subject: str, schema: str, fragment: str
) -> None:
    for url in (f"/subjects/{subject}/versions", f"/compatibility/subjects/{subject}/versions"):
        response = _post(client, url, schema)
        assert response.status_code == 422, response.text
        assert response.json()["error_code"] == 42201
        assert fragment in response.json()["message"]


def test_reference_to_a_non_protobuf_schema_is_422(client: TestClient, subject: str) -> None:
    other = f"{subject}-avro"
    assert (
        client.post(
            f"/subjects/{other}/versions", json={"schema": '"string"'}, headers=CT
        ).status_code
        == 200
    )
    refs = [{"name": "a.proto", "subject": other, "version": 1}]
    response = _post(
        client,
        f"/subjects/{subject}/versions",
        'syntax = "proto3";\nimport "a.proto";\n',
        references=refs,
    )
    assert response.status_code == 422
    assert response.json()["error_code"] == 42201
    assert "AVRO schema" in response.json()["message"]
