"""Writing one Avro datum into a buffer as fast as fastavro allows.

`fastavro.schemaless_writer` wraps its compiled `write_data` in a stream, an encoder and a
schema check on every call, which costs about a third of the time for a small record. When
fastavro's compiled module is present and its `write_data` accepts a bytearray (probed once,
here), the serializer calls it directly; otherwise it uses the public `schemaless_writer`.
Both produce the same bytes.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable
from typing import Any

from fastavro import parse_schema, schemaless_writer

from serdes._avrogen import generate
from serdes._avroread import GeneratedRead, generate_reader

WriteInto = Callable[[bytearray, Any], None]
"""Appends the Avro binary encoding of a datum to the buffer."""

_OPTIONS = {"strict": False, "strict_allow_default": False, "disable_tuple_notation": False}


def _compiled_write_data() -> Callable[..., None] | None:
    try:
        module = importlib.import_module("fastavro._write")
    except ImportError:
        return None
    write_data = getattr(module, "write_data", None)
    if not getattr(module, "CYTHON_MODULE", 0) or not callable(write_data):
        return None
    probe = bytearray()
    try:
        write_data(probe, 5, "int", {}, "", dict(_OPTIONS))
    except TypeError:
        return None
    if bytes(probe) != b"\x0a":
        return None
    found: Callable[..., None] = write_data
    return found


_WRITE_DATA = _compiled_write_data()


def writer_for(parsed: Any, *, generated: bool = True) -> WriteInto:
    """A function writing datums of the fastavro-parsed schema `parsed` into a bytearray.

    With `generated`, a specialised encoder (`_avrogen`) writes the common case and fastavro
    handles whatever it refuses, so the result is always fastavro's.
    """
    slow = _fastavro_writer(parsed)
    if not generated:
        return slow
    named: dict[str, Any] = {}
    parse_schema(parsed, named_schemas=named)
    fast = generate(parsed, named)
    if fast is None:
        return slow

    def write(buffer: bytearray, datum: Any) -> None:
        start = len(buffer)
        try:
            fast(buffer, datum)
        except Exception:
            # Not the plain shape the generated code takes: fastavro decides (and may raise).
            del buffer[start:]
            slow(buffer, datum)

    return write


def reader_for(parsed: Any) -> GeneratedRead | None:
    """A generated reader for data written with the fastavro-parsed `parsed`; None if none."""
    named: dict[str, Any] = {}
    parse_schema(parsed, named_schemas=named)
    return generate_reader(parsed, named)


def _fastavro_writer(parsed: Any) -> WriteInto:
    if _WRITE_DATA is not None:
        write_data = _WRITE_DATA
        named: dict[str, Any] = {}
        parse_schema(parsed, named_schemas=named)
        options = dict(_OPTIONS)

        def direct(buffer: bytearray, datum: Any) -> None:
            write_data(buffer, datum, parsed, named, "", options)

        return direct

    def portable(buffer: bytearray, datum: Any) -> None:
        out = io.BytesIO()
        schemaless_writer(out, parsed, datum)
        buffer += out.getvalue()

    return portable
