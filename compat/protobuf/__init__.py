"""Protobuf schemas: protoc-exact parsing, Confluent's canonical text and checks, message indexes.

Schemas compile with protoc itself (from the grpcio-tools wheel, in-process); imports resolve
through schema references named by their import path, and the well-known `google/protobuf/*`,
`google/type/*` and `confluent/*` files resolve without one. proto2 and proto3 are accepted;
editions are refused. The canonical text is Confluent's layout of the compiled descriptor.

>>> fmt = ProtobufFormat()
>>> old = fmt.parse('syntax = "proto3"; message Ping { string id = 1; }')
>>> print(old.canonical, end="")
syntax = "proto3";
<BLANKLINE>
message Ping {
  string id = 1;
}
>>> new = fmt.parse('syntax = "proto3"; message Ping { int64 id = 1; }')
>>> [f.type for f in fmt.backward_findings(new, old)]
['FIELD_SCALAR_KIND_CHANGED']
"""

from __future__ import annotations

from compat.protobuf._compile import (
    CompiledProto,
    ProtocDiagnostic,
    ProtoCompileError,
    compile_proto,
    well_known_import,
)
from compat.protobuf._format import ParsedProtobuf, ProtobufFormat
from compat.protobuf._indexes import (
    MAX_INDEXES,
    decode_indexes,
    encode_indexes,
    message_index,
    message_name,
)
from compat.protobuf._render import RenderMode, render

__all__ = [
    "MAX_INDEXES",
    "CompiledProto",
    "ParsedProtobuf",
    "ProtoCompileError",
    "ProtobufFormat",
    "ProtocDiagnostic",
    "RenderMode",
    "compile_proto",
    "decode_indexes",
    "encode_indexes",
    "message_index",
    "message_name",
    "render",
    "well_known_import",
]
