"""Message indexes: the wire encoding and the name <-> path mapping (api-reference §8.2)."""

from __future__ import annotations

import pytest
from google.protobuf.descriptor_pb2 import DescriptorProto, FileDescriptorProto

from compat.protobuf import decode_indexes, encode_indexes, message_index, message_name


@pytest.mark.parametrize(
    ("indexes", "wire"),
    [
        ([0], "00"),
        ([1], "0202"),
        ([0, 1], "040002"),
        ([2, 0, 3], "06040006"),
    ],
)
def test_documented_examples(indexes: list[int], wire: str) -> None:
    assert encode_indexes(indexes).hex() == wire
    assert decode_indexes(bytes.fromhex(wire)) == (indexes, len(wire) // 2)


def test_decode_from_offset_returns_next_offset() -> None:
    buf = b"\xff\xff" + encode_indexes([200, 1]) + b"payload"
    indexes, end = decode_indexes(buf, 2)
    assert indexes == [200, 1]
    assert buf[end:] == b"payload"


def test_large_index_round_trips() -> None:
    assert decode_indexes(encode_indexes([0, 70000]))[0] == [0, 70000]


@pytest.mark.parametrize("wire", ["", "04", "0480"])
def test_truncated_input_is_rejected(wire: str) -> None:
    with pytest.raises(ValueError, match="truncated"):
        decode_indexes(bytes.fromhex(wire))


def test_negative_or_huge_count_is_rejected() -> None:
    with pytest.raises(ValueError, match="count"):
        decode_indexes(bytes.fromhex("01"))  # zigzag -1
    with pytest.raises(ValueError, match="count"):
        decode_indexes(bytes.fromhex("c29a0c"))  # zigzag 100001


def _file(package: str) -> FileDescriptorProto:
    inner = DescriptorProto(name="Inner", nested_type=[DescriptorProto(name="Deep")])
    return FileDescriptorProto(
        name="x.proto",
        package=package,
        message_type=[
            DescriptorProto(name="A"),
            DescriptorProto(name="B", nested_type=[DescriptorProto(name="Other"), inner]),
        ],
    )


@pytest.mark.parametrize(
    ("name", "path"),
    [("A", [0]), ("B", [1]), ("B.Other", [1, 0]), ("B.Inner.Deep", [1, 1, 0])],
)
@pytest.mark.parametrize("package", ["", "com.acme"])
def test_name_and_path_map_both_ways(package: str, name: str, path: list[int]) -> None:
    file = _file(package)
    full = f"{package}.{name}" if package else name
    assert message_index(file, full) == path
    assert message_name(file, path) == full


def test_unknown_names_and_paths_raise() -> None:
    file = _file("p")
    with pytest.raises(KeyError):
        message_index(file, "p.C")
    with pytest.raises(KeyError):
        message_index(file, "q.A")
    with pytest.raises(KeyError):
        message_name(file, [2])
    with pytest.raises(KeyError):
        message_name(file, [])
