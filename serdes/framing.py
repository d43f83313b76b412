"""The wire framing of serialized records (api-reference §8): which schema wrote these bytes.

Supported:

* writing the id prefix: magic `0x00`, the schema id as a 4-byte big-endian integer, then for
  Protobuf the message-index array (with the `[0]` shortcut), then the payload;
* reading that prefix, the 8.x GUID prefix (magic `0x01` + 16 GUID bytes), and the 8.x header
  form, where `__key_schema_id` / `__value_schema_id` holds either prefix and the payload
  carries none. Like Confluent's "dual" reader, a header wins over the payload prefix.

Writing GUID framing is not supported: every registry we talk to hands out ids.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from compat.protobuf import decode_indexes, encode_indexes
from serdes.errors import FramingError

MAGIC_ID = 0
"""Magic byte of the id prefix (Confluent 5.x onwards)."""
MAGIC_GUID = 1
"""Magic byte of the GUID prefix (Confluent 8.x)."""
KEY_SCHEMA_ID_HEADER = "__key_schema_id"
"""Kafka header that carries the key's schema id or GUID in the 8.x header form."""
VALUE_SCHEMA_ID_HEADER = "__value_schema_id"
"""Kafka header that carries the value's schema id or GUID in the 8.x header form."""

ID_PREFIX_LEN = 5
GUID_PREFIX_LEN = 17
_MAX_ID = 2**31 - 1
_ID = struct.Struct(">bI")

HeaderValue = str | bytes | None
Headers = Sequence[tuple[str, HeaderValue]] | Mapping[str, HeaderValue]
"""Kafka headers the way confluent-kafka hands them over: a list of pairs or a dict."""


@dataclass(frozen=True, slots=True)
class Frame:
    """What the framing says about one record: the schema, the message path and the payload.

    Exactly one of `schema_id` and `guid` is set. `indexes` is set only when it was read (for
    Protobuf). The payload is `data[payload_start:]`; the start is 0 for the header form.
    """

    schema_id: int | None
    guid: uuid.UUID | None
    indexes: tuple[int, ...] | None
    payload_start: int


def id_prefix(schema_id: int, indexes: Sequence[int] | None = None) -> bytes:
    """The bytes written before a payload: magic 0, the id, and the index array if given.

    Computed once per schema by the serializers, so the hot path is one concatenation.
    """
    if not 0 <= schema_id <= _MAX_ID:
        raise FramingError(f"schema id {schema_id} does not fit the 4-byte id prefix")
    prefix = _ID.pack(MAGIC_ID, schema_id)
    return prefix if indexes is None else prefix + encode_indexes(indexes)


def header_name(is_key: bool) -> str:
    """The Kafka header that carries the schema id in the header form, for a key or a value."""
    return KEY_SCHEMA_ID_HEADER if is_key else VALUE_SCHEMA_ID_HEADER


def _read_indexes(data: bytes, offset: int) -> tuple[tuple[int, ...], int]:
    try:
        indexes, end = decode_indexes(data, offset)
    except ValueError as exc:
        raise FramingError(f"bad message-index array: {exc}") from None
    if any(i < 0 for i in indexes):
        raise FramingError(f"bad message-index array: negative index in {indexes}")
    return tuple(indexes), end


def read_prefix(data: bytes, *, with_indexes: bool = False) -> Frame:
    """Read the id or GUID prefix of `data`; raise `FramingError` when it is not one."""
    if not data:
        raise FramingError("empty payload: expected a magic byte and a schema id")
    magic = data[0]
    if magic == MAGIC_ID:
        if len(data) < ID_PREFIX_LEN:
            raise FramingError(
                f"payload of {len(data)} bytes is shorter than the {ID_PREFIX_LEN}-byte id prefix"
            )
        schema_id = int.from_bytes(data[1:ID_PREFIX_LEN], "big", signed=True)
        if schema_id < 0:
            raise FramingError(f"negative schema id {schema_id} in the prefix")
        start, guid = ID_PREFIX_LEN, None
    elif magic == MAGIC_GUID:
        if len(data) < GUID_PREFIX_LEN:
            raise FramingError(
                f"payload of {len(data)} bytes is shorter than the "
                f"{GUID_PREFIX_LEN}-byte GUID prefix"
            )
        schema_id, start, guid = None, GUID_PREFIX_LEN, uuid.UUID(bytes=bytes(data[1:17]))
    else:
        raise FramingError(f"unknown magic byte {magic:#04x}: not a schema-registry framed record")
    if not with_indexes:
        return Frame(schema_id, guid, None, start)
    indexes, start = _read_indexes(data, start)
    return Frame(schema_id, guid, indexes, start)


def _header_value(headers: Headers | None, name: str) -> bytes | None:
    if not headers:
        return None
    if isinstance(headers, Mapping):
        value = headers.get(name)
    else:
        value = next((v for k, v in headers if k == name), None)
    if isinstance(value, str):
        return value.encode("latin-1")
    return value


def read_frame(
    data: bytes,
    headers: Headers | None = None,
    *,
    is_key: bool = False,
    with_indexes: bool = False,
) -> Frame:
    """The frame of a record: from its schema-id header when present, else from the prefix."""
    value = _header_value(headers, header_name(is_key))
    if value is None:
        return read_prefix(data, with_indexes=with_indexes)
    found = read_prefix(value, with_indexes=with_indexes)
    if found.payload_start != len(value):
        raise FramingError(f"trailing bytes after the schema id in header {header_name(is_key)}")
    return Frame(found.schema_id, found.guid, found.indexes, 0)


def schema_key(
    data: bytes, headers: Headers | None = None, *, is_key: bool = False
) -> tuple[int | uuid.UUID, int]:
    """The schema id (or GUID) of a record and where its payload starts; no message indexes.

    The common case (no headers, id prefix) is decided without building a `Frame`, since
    deserializers call this for every record.
    """
    if not headers and len(data) >= ID_PREFIX_LEN and data[0] == MAGIC_ID:
        schema_id = int.from_bytes(data[1:ID_PREFIX_LEN], "big", signed=True)
        if schema_id >= 0:
            return schema_id, ID_PREFIX_LEN
    frame = read_frame(data, headers, is_key=is_key)
    if frame.guid is not None:
        return frame.guid, frame.payload_start
    assert frame.schema_id is not None  # a frame without a GUID always has an id
    return frame.schema_id, frame.payload_start
