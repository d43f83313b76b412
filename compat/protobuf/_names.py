"""Writing type and option names the way a person would: as short as protoc still resolves.

Descriptors hold fully-qualified names (`.pkg.Outer.Inner`). Where the author's spelling
is not known (option names, schemas sent as serialized descriptors) the canonical text
writes each name in the shortest form that protoc, resolving it from the place where it is
written, turns back into the same symbol, so `Inner` inside `Outer` and
`google.protobuf.Timestamp` elsewhere; `lookup` also checks that an author's spelling still
resolves where the printer puts it (`_spelling`). The lookup follows protoc's scoping rule:
try the enclosing scopes from the innermost outwards for the first component of the name; a
compound name whose first component is found in a scope must resolve there (if that
component is a message, enum, service or package) or the search moves outwards (if it is
anything else).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType

from google.protobuf.descriptor_pb2 import DescriptorProto, EnumDescriptorProto, FileDescriptorProto

from compat.protobuf._compile import CompiledProto


class SymbolKind(Enum):
    """What a fully-qualified name denotes."""

    PACKAGE = "package"
    MESSAGE = "message"
    ENUM = "enum"
    SERVICE = "service"
    OTHER = "other"
    """Fields, oneofs, enum values, extensions and methods."""

    @property
    def aggregate(self) -> bool:
        """Whether a compound name may continue inside this symbol."""
        return self is not SymbolKind.OTHER

    @property
    def is_type(self) -> bool:
        """Whether a field may have this symbol as its type."""
        return self in (SymbolKind.MESSAGE, SymbolKind.ENUM)


def _join(scope: str, name: str) -> str:
    return f"{scope}.{name}" if scope else name


def _add_enum(table: dict[str, SymbolKind], scope: str, enum: EnumDescriptorProto) -> None:
    table[_join(scope, enum.name)] = SymbolKind.ENUM
    for value in enum.value:
        # Enum values are siblings of their enum, as in C++.
        table.setdefault(_join(scope, value.name), SymbolKind.OTHER)


def _add_message(table: dict[str, SymbolKind], scope: str, message: DescriptorProto) -> None:
    full = _join(scope, message.name)
    table[full] = SymbolKind.MESSAGE
    members = [f.name for f in (*message.field, *message.extension)]
    members.extend(o.name for o in message.oneof_decl)
    for member in members:
        table.setdefault(_join(full, member), SymbolKind.OTHER)
    for nested in message.nested_type:
        _add_message(table, full, nested)
    for enum in message.enum_type:
        _add_enum(table, full, enum)


def _add_file(table: dict[str, SymbolKind], file: FileDescriptorProto) -> None:
    parts = file.package.split(".") if file.package else []
    for i in range(1, len(parts) + 1):
        table.setdefault(".".join(parts[:i]), SymbolKind.PACKAGE)
    for message in file.message_type:
        _add_message(table, file.package, message)
    for enum in file.enum_type:
        _add_enum(table, file.package, enum)
    for extension in file.extension:
        table.setdefault(_join(file.package, extension.name), SymbolKind.OTHER)
    for service in file.service:
        full = _join(file.package, service.name)
        table[full] = SymbolKind.SERVICE
        for method in service.method:
            table.setdefault(_join(full, method.name), SymbolKind.OTHER)


def _visible_files(compiled: CompiledProto) -> list[FileDescriptorProto]:
    """The file itself, its direct imports and whatever those re-export with `import public`."""
    by_name = {f.name: f for f in compiled.dependencies}
    visible: dict[str, FileDescriptorProto] = {}
    pending = list(compiled.file.dependency)
    while pending:
        name = pending.pop()
        if name in visible or name not in by_name:
            continue
        visible[name] = by_name[name]
        dep = by_name[name]
        pending.extend(dep.dependency[i] for i in dep.public_dependency)
    return [compiled.file, *visible.values()]


@dataclass(frozen=True, slots=True)
class NameResolver:
    """Shortest-name rendering against the symbols a file can see."""

    symbols: Mapping[str, SymbolKind]

    @classmethod
    def for_files(cls, files: Iterable[FileDescriptorProto]) -> NameResolver:
        """A resolver over every symbol the given files define."""
        table: dict[str, SymbolKind] = {}
        for file in files:
            _add_file(table, file)
        return cls(MappingProxyType(table))

    @classmethod
    def for_compiled(cls, compiled: CompiledProto) -> NameResolver:
        """A resolver over the symbols visible from `compiled.file`."""
        return cls.for_files(_visible_files(compiled))

    def lookup(self, name: str, relative_to: str, *, types_only: bool) -> str | None:
        """The full name protoc finds for `name` written in the scope of `relative_to`."""
        if name.startswith("."):
            return name[1:] if name[1:] in self.symbols else None
        first, _, rest = name.partition(".")
        scope = relative_to
        while True:
            dot = scope.rfind(".")
            if dot < 0:
                return name if name in self.symbols else None
            scope = scope[:dot]
            candidate = _join(scope, first)
            kind = self.symbols.get(candidate)
            if kind is None:
                continue
            if rest:
                if kind.aggregate:
                    full = f"{candidate}.{rest}"
                    return full if full in self.symbols else None
            elif not types_only or kind.is_type:
                return candidate

    def shortest(self, full_name: str, relative_to: str, *, types_only: bool) -> str:
        """The shortest spelling of `full_name` (leading dot optional) that resolves back to it.

        `relative_to` is the full name of the element the name is written in (a field, a
        method, an extension), as protoc uses it; names that no suffix reaches keep the
        leading dot, which always resolves.
        """
        target = full_name.removeprefix(".")
        parts = target.split(".")
        for start in range(len(parts) - 1, -1, -1):
            candidate = ".".join(parts[start:])
            if self.lookup(candidate, relative_to, types_only=types_only) == target:
                return candidate
        return "." + target
