"""Compiling `.proto` text to descriptors with protoc itself.

Why protoc: the registry must accept exactly what protoc accepts and reject the rest with
protoc's own messages (line and column), and the serdes need a `FileDescriptorProto` to build
dynamic messages. A pure-Python parser would have to re-implement protoc's name resolution
and validation (scoping, reserved ranges, defaults, proto2/proto3/editions rules) and would
drift from it; the compiler shipped in the `grpcio-tools` wheel is protoc, in-process, and
returns either the descriptors or a structured list of errors.

The compiler reads files from include directories, so each compilation writes the schema and
its imports (the referenced schemas, named by their import paths) into a private temporary
directory. Well-known types resolve from the `google/protobuf/*.proto` files shipped with
grpcio-tools, and the `google/type/*` and `confluent/*` files bundled here, without references.
"""

from __future__ import annotations

import ast
import os
import re
import tempfile
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import grpc_tools  # type: ignore[import-untyped]
from google.protobuf.descriptor_pb2 import FileDescriptorProto
from grpc_tools import _protoc_compiler

from compat.errors import SchemaParseError, SchemaReferenceError

#: The `google/protobuf/*.proto` files that ship with the compiler.
_COMPILER_INCLUDE = Path(grpc_tools.__file__).parent / "_proto"
#: The `google/type/*` and `confluent/*` files Cairn bundles, as Confluent does.
_BUNDLED_INCLUDE = Path(__file__).parent / "bundled"

#: How many distinct compiler errors an error message lists.
MAX_REPORTED_DIAGNOSTICS = 10

#: The compiler keeps process-wide state while it runs; one compilation at a time.
_COMPILER_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class CompiledProto:
    """A compiled schema: its own file and every file it imports, directly or not."""

    file: FileDescriptorProto
    dependencies: tuple[FileDescriptorProto, ...]
    """The imported files in dependency order (a file after everything it imports)."""


@dataclass(frozen=True, slots=True)
class ProtocDiagnostic:
    """One error reported by the compiler."""

    file: str
    line: int
    """1-based, as protoc prints it; 0 when the error has no position (a missing file)."""
    column: int
    """1-based; 0 when unknown."""
    message: str

    def __str__(self) -> str:
        """`file:line:column: message`, the way protoc prints it (no position when unknown)."""
        if self.line <= 0:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class ProtoCompileError(SchemaParseError):
    """protoc rejected the schema; `diagnostics` holds every error it reported."""

    def __init__(self, diagnostics: tuple[ProtocDiagnostic, ...]) -> None:
        self.diagnostics = diagnostics
        # A broken file can make protoc repeat one error thousands of times (an unclosed
        # brace per nesting level); the message keeps the first few distinct ones.
        distinct = list(dict.fromkeys(str(d) for d in diagnostics))
        shown = "; ".join(distinct[:MAX_REPORTED_DIAGNOSTICS])
        if len(distinct) > MAX_REPORTED_DIAGNOSTICS:
            shown += f"; and {len(distinct) - MAX_REPORTED_DIAGNOSTICS} more errors"
        super().__init__("Invalid schema: " + shown)


def well_known_import(path: str) -> bool:
    """True for an import that resolves without a reference (bundled well-known types)."""
    return (_COMPILER_INCLUDE / path).is_file() or (_BUNDLED_INCLUDE / path).is_file()


def _checked_import_path(name: str) -> PurePosixPath:
    """`name` as a relative path that stays inside the compilation directory."""
    path = PurePosixPath(name)
    bad = (
        not name
        or "\\" in name
        or "\x00" in name
        or path.is_absolute()
        or any(part in ("", ".", "..") for part in name.split("/"))
        or not name.endswith(".proto")
    )
    if bad:
        raise SchemaReferenceError(
            f"Invalid schema: reference name '{name}' is not a usable import path "
            "(a relative path ending in .proto, without '.' or '..' segments)"
        )
    return path


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


#: The bytes literal the generated module hands to `AddSerializedFile`.
_SERIALIZED_LITERAL = re.compile(rb"AddSerializedFile\((b'(?:[^'\\]|\\.)*')\)")


def _serialized_descriptor(generated_code: bytes) -> bytes:
    """The `FileDescriptorProto` bytes embedded in the Python code the compiler generated.

    Only the one bytes literal is evaluated; parsing the whole generated module would cost
    more than the compilation itself.
    """
    match = _SERIALIZED_LITERAL.search(generated_code)
    if match is not None:
        value = ast.literal_eval(match.group(1).decode("ascii"))
        if isinstance(value, bytes):
            return value
    raise SchemaParseError("Invalid schema: the compiler produced no descriptor")


def _scratch_base() -> str | None:
    """A RAM-backed directory for the compiler's input files when the system has one.

    The compiler reads its input from files; on a disk-backed temporary directory creating and
    removing them costs more than compiling a typical schema.
    """
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def _run_compiler(directory: Path, main_name: str) -> list[FileDescriptorProto]:
    include = [str(p).encode() for p in (directory, _COMPILER_INCLUDE, _BUNDLED_INCLUDE)]
    with _COMPILER_LOCK, warnings.catch_warnings():
        # Unused imports and similar notes arrive as warnings; they do not make a schema invalid.
        warnings.simplefilter("ignore")
        try:
            generated = _protoc_compiler.get_protos(main_name.encode(), include)
        except _protoc_compiler.ProtocErrors as exc:
            raise ProtoCompileError(
                tuple(
                    ProtocDiagnostic(
                        _text(e.filename),
                        e.line + 1 if e.line >= 0 else 0,
                        e.column + 1 if e.line >= 0 else 0,
                        _text(e.message),
                    )
                    for e in exc.errors()
                )
            ) from None
    files = []
    for _module, code in generated:
        descriptor = FileDescriptorProto()
        descriptor.ParseFromString(_serialized_descriptor(code))
        files.append(descriptor)
    return files


def _in_dependency_order(
    main_name: str, by_name: Mapping[str, FileDescriptorProto]
) -> list[FileDescriptorProto]:
    ordered: list[FileDescriptorProto] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name not in by_name:
            return
        seen.add(name)
        for dependency in by_name[name].dependency:
            visit(dependency)
        if name != main_name:
            ordered.append(by_name[name])

    visit(main_name)
    return ordered


def compile_proto(
    text: str, imports: Mapping[str, str], *, name: str = "schema.proto"
) -> CompiledProto:
    """Compile `text` (the file `name`) with `imports` (import path -> .proto text) available.

    Raises `ProtoCompileError` with protoc's diagnostics when the text or an import is
    invalid, and `SchemaReferenceError` for an import path that is not a safe relative path.
    """
    main_path = _checked_import_path(name)
    if name in imports:
        raise SchemaReferenceError(f"Invalid schema: the schema cannot import itself ('{name}')")
    with tempfile.TemporaryDirectory(prefix="cairn-proto-", dir=_scratch_base()) as scratch:
        root = Path(scratch)
        for import_name, import_text in {**imports, name: text}.items():
            target = root / _checked_import_path(import_name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(import_text, encoding="utf-8")
        files = _run_compiler(root, str(main_path))
    by_name = {f.name: f for f in files}
    if name not in by_name:
        raise SchemaParseError("Invalid schema: the compiler produced no descriptor")
    return CompiledProto(by_name[name], tuple(_in_dependency_order(name, by_name)))
