"""The wire framing: id prefix, GUID prefix, header form, message indexes, and bad input."""

from __future__ import annotations

import uuid

import pytest

from serdes.errors import FramingError
from serdes.framing import (
    KEY_SCHEMA_ID_HEADER,
    VALUE_SCHEMA_ID_HEADER,
    Frame,
    id_prefix,
    read_frame,
    read_prefix,
    schema_key,
)

GUID = uuid.UUID("12345678-1234-5678-1234-567812345678")


def test_id_prefix_is_magic_zero_and_big_endian_id() -> None:
    assert id_prefix(1) == b"\x00\x00\x00\x00\x01"
    assert id_prefix(0x01020304) == b"\x00\x01\x02\x03\x04"
    assert id_prefix(2**31 - 1) == b"\x00\x7f\xff\xff\xff"


@pytest.mark.parametrize("bad", [-1, 2**31])
def test_id_prefix_rejects_ids_that_do_not_fit(bad: int) -> None:
    with pytest.raises(FramingError):
        id_prefix(bad)


@pytest.mark.parametrize(
    ("indexes", "encoded"),
    [
        ([0], b"\x00"),
        ([1], b"\x02\x02"),
        ([0, 1], b"\x04\x00\x02"),
        ([2, 0, 3], b"\x06\x04\x00\x06"),
    ],
)
def test_protobuf_message_indexes_follow_the_id(indexes: list[int], encoded: bytes) -> None:
    prefix = id_prefix(7, indexes)
    assert prefix == b"\x00\x00\x00\x00\x07" + encoded
    frame = read_prefix(prefix + b"payload", with_indexes=True)
    assert frame == Frame(7, None, tuple(indexes), len(prefix))


def test_read_prefix_returns_id_and_payload_start() -> None:
    data = id_prefix(42) + b"\x02abc"
    frame = read_prefix(data)
    assert (frame.schema_id, frame.guid, frame.indexes) == (42, None, None)
    assert data[frame.payload_start :] == b"\x02abc"


def test_read_prefix_accepts_an_empty_payload_after_the_id() -> None:
    assert read_prefix(b"\x00\x00\x00\x00\x09").payload_start == 5


@pytest.mark.parametrize("data", [b"", b"\x00", b"\x00\x00\x00\x01"])
def test_short_buffers_are_framing_errors(data: bytes) -> None:
    with pytest.raises(FramingError, match=r"empty|shorter"):
        read_prefix(data)


@pytest.mark.parametrize("magic", [2, 0x7F, 0xFF, ord("{")])
def test_unknown_magic_bytes_are_rejected(magic: int) -> None:
    with pytest.raises(FramingError, match="unknown magic byte"):
        read_prefix(bytes([magic]) + b"\x00\x00\x00\x01payload")


def test_negative_ids_are_rejected() -> None:
    with pytest.raises(FramingError, match="negative"):
        read_prefix(b"\x00\xff\xff\xff\xfe")


@pytest.mark.parametrize(
    "tail",
    [
        b"",  # no index array at all
        b"\x80",  # continuation bit with nothing after it
        b"\x04\x00",  # count 2, only one index
        b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01",  # varint longer than 64 bits
        b"\x01",  # zigzag -1: a negative count
        b"\x02\x01",  # one index, negative
    ],
)
def test_bad_message_index_varints_are_framing_errors(tail: bytes) -> None:
    with pytest.raises(FramingError, match="message-index"):
        read_prefix(id_prefix(1) + tail, with_indexes=True)


def test_guid_prefix_is_read() -> None:
    data = b"\x01" + GUID.bytes + b"payload"
    frame = read_prefix(data)
    assert (frame.schema_id, frame.guid) == (None, GUID)
    assert data[frame.payload_start :] == b"payload"


def test_short_guid_prefix_is_rejected() -> None:
    with pytest.raises(FramingError, match="GUID"):
        read_prefix(b"\x01" + GUID.bytes[:10])


def test_header_form_takes_precedence_and_leaves_the_payload_whole() -> None:
    payload = b"\x00\x00\x00\x00\x05 not a prefix here"
    headers = [("other", b"x"), (VALUE_SCHEMA_ID_HEADER, b"\x01" + GUID.bytes)]
    frame = read_frame(payload, headers)
    assert frame == Frame(None, GUID, None, 0)


def test_key_and_value_headers_are_distinct() -> None:
    headers = {KEY_SCHEMA_ID_HEADER: id_prefix(3), VALUE_SCHEMA_ID_HEADER: id_prefix(4)}
    assert read_frame(b"{}", headers, is_key=True).schema_id == 3
    assert read_frame(b"{}", headers, is_key=False).schema_id == 4


def test_headers_without_a_schema_id_fall_back_to_the_prefix() -> None:
    assert read_frame(id_prefix(8) + b"x", [("trace", b"abc")]).schema_id == 8


def test_header_with_trailing_bytes_is_rejected() -> None:
    with pytest.raises(FramingError, match="trailing"):
        read_frame(b"{}", {VALUE_SCHEMA_ID_HEADER: id_prefix(1) + b"junk"})


def test_header_with_indexes_for_protobuf() -> None:
    headers = {VALUE_SCHEMA_ID_HEADER: b"\x01" + GUID.bytes + b"\x04\x00\x02"}
    assert read_frame(b"pb", headers, with_indexes=True) == Frame(None, GUID, (0, 1), 0)


def test_schema_key_fast_path_and_fallbacks_agree() -> None:
    assert schema_key(id_prefix(11) + b"x") == (11, 5)
    assert schema_key(b"\x01" + GUID.bytes + b"x") == (GUID, 17)
    assert schema_key(b"x", {VALUE_SCHEMA_ID_HEADER: id_prefix(12)}) == (12, 0)
    with pytest.raises(FramingError):
        schema_key(b"\x00\x80\x00\x00\x00x")
