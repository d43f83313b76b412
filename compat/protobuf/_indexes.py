"""Message indexes: the path from a file to one of its message types (api-reference §8.2).

The wire format writes the path's length and then each element, every number as a zigzag
varint; the common path `[0]` is written as a lone zero (a length of zero).
"""

from __future__ import annotations

from collections.abc import Sequence

from google.protobuf.descriptor_pb2 import DescriptorProto, FileDescriptorProto

MAX_INDEXES = 100_000
"""The longest index array a decoder accepts."""


def _zigzag_varint(n: int) -> bytes:
    value = (n << 1) ^ (n >> 63)
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_zigzag(buf: bytes, offset: int) -> tuple[int, int]:
    value = 0
    shift = 0
    while True:
        if offset >= len(buf):
            raise ValueError("truncated varint in message indexes")
        if shift > 63:
            raise ValueError("varint too long in message indexes")
        byte = buf[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return (value >> 1) ^ -(value & 1), offset


def encode_indexes(indexes: Sequence[int]) -> bytes:
    """The wire bytes for a message index path, with the `[0]` shortcut."""
    if list(indexes) == [0]:
        return b"\x00"
    return _zigzag_varint(len(indexes)) + b"".join(_zigzag_varint(i) for i in indexes)


def decode_indexes(buf: bytes, offset: int = 0) -> tuple[list[int], int]:
    """The index path starting at `offset` in `buf`, and the offset just after it."""
    count, offset = _read_zigzag(buf, offset)
    if count == 0:
        return [0], offset
    if count < 0 or count > MAX_INDEXES:
        raise ValueError(f"invalid message index count {count}")
    indexes: list[int] = []
    for _ in range(count):
        index, offset = _read_zigzag(buf, offset)
        indexes.append(index)
    return indexes, offset


def message_index(file: FileDescriptorProto, full_name: str) -> list[int]:
    """The index path of the message `full_name` (package-qualified, no leading dot) in `file`."""
    name = full_name.removeprefix(".")
    if file.package:
        prefix = file.package + "."
        if not name.startswith(prefix):
            raise KeyError(f"message {full_name!r} is not in package {file.package!r}")
        name = name[len(prefix) :]
    parts = name.split(".")
    path: list[int] = []
    messages: Sequence[DescriptorProto] = file.message_type
    for part in parts:
        for i, message in enumerate(messages):
            if message.name == part:
                path.append(i)
                messages = message.nested_type
                break
        else:
            raise KeyError(f"no message {full_name!r} in {file.name or 'the file'}")
    return path


def message_name(file: FileDescriptorProto, indexes: Sequence[int]) -> str:
    """The full name of the message at index path `indexes` in `file`."""
    if not indexes:
        raise KeyError("an empty message index path names no message")
    names: list[str] = []
    messages: Sequence[DescriptorProto] = file.message_type
    for i in indexes:
        if i < 0 or i >= len(messages):
            raise KeyError(f"no message at index path {list(indexes)}")
        names.append(messages[i].name)
        messages = messages[i].nested_type
    qualified = ".".join(names)
    return f"{file.package}.{qualified}" if file.package else qualified
