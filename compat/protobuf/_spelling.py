"""How the author spelled each type reference in a `.proto` text.

A descriptor keeps only fully-qualified names, yet Confluent's canonical text keeps the
author's spelling (`.acc.x.Ref` stays `.acc.x.Ref`, `x.Ref` stays `x.Ref`), so users who
compare the registered text with the file in their repository see no difference. protoc can
report source positions only through its command-line entry point, which prints warnings to
the process's stderr, so the spellings are read here instead: a small scanner walks the text
protoc has already accepted, tracks the enclosing package, messages, groups and services,
and notes the type written for each field, map value, `extend` block and rpc.

The scanner trusts that protoc accepted the text; anything it does not follow ends the scan
with what it found so far. The printer uses a spelling only where it resolves to the same
type from the same place, so a spelling the scanner got wrong costs the author's spelling,
never the schema's meaning.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType


class Role(Enum):
    """Which type reference of an element a spelling is for."""

    TYPE = "type"
    """A field's or extension's type (for a map field: the value type)."""
    EXTENDEE = "extendee"
    """The message an extension extends."""
    INPUT = "input"
    """An rpc's request type."""
    OUTPUT = "output"
    """An rpc's response type."""


@dataclass(frozen=True, slots=True)
class Spellings:
    """Type references as written, by role and the full name of the element holding them."""

    written: Mapping[tuple[Role, str], str] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, role: Role, element: str) -> str | None:
        """The spelling of `element`'s `role` reference (element: `pkg.Msg.field`), if known."""
        return self.written.get((role, element))


_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>//[^\n]*|/\*.*?\*/)
    | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<number>[0-9][A-Za-z0-9_.+-]*)
    | (?P<mark>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_LABELS = frozenset({"optional", "required", "repeated"})
#: Statements that hold no type reference: skipped up to their `;` (or their block).
_SKIPPED = frozenset(
    {"option", "reserved", "extensions", "syntax", "edition", "package", "import", "enum"}
)


class _ScanEndedError(Exception):
    """The text ended, or took a turn the scanner does not follow."""


def _tokens(text: str) -> list[str]:
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind not in ("space", "comment"):
            out.append(match.group())
    return out


def _join(scope: str, name: str) -> str:
    return f"{scope}.{name}" if scope else name


class _Scanner:
    def __init__(self, tokens: list[str]) -> None:
        self._tokens = tokens
        self._at = 0
        self.found: dict[tuple[Role, str], str] = {}

    # Tokens ------------------------------------------------------------------------------

    def _peek(self, ahead: int = 0) -> str:
        at = self._at + ahead
        if at >= len(self._tokens):
            raise _ScanEndedError
        return self._tokens[at]

    def _next(self) -> str:
        token = self._peek()
        self._at += 1
        return token

    def _expect(self, token: str) -> None:
        if self._next() != token:
            raise _ScanEndedError

    def _name(self) -> str:
        """A possibly dotted, possibly leading-dot name, written without spaces."""
        parts = []
        if self._peek() == ".":
            parts.append(self._next())
        parts.append(self._word())
        while self._peek() == ".":
            parts.append(self._next())
            parts.append(self._word())
        return "".join(parts)

    def _word(self) -> str:
        token = self._next()
        if not (token[0].isalpha() or token[0] == "_"):
            raise _ScanEndedError
        return token

    def _skip_statement(self) -> None:
        """Up to and including the `;` ending this statement, or its `{...}` block."""
        depth = 0
        while True:
            token = self._next()
            if token in ("{", "[", "("):
                depth += 1
            elif token in ("}", "]", ")"):
                depth -= 1
                if depth == 0 and token == "}":
                    if self._at < len(self._tokens) and self._peek() == ";":
                        self._at += 1
                    return
            elif token == ";" and depth == 0:
                return

    def _skip_brackets(self, opening: str, closing: str) -> None:
        if self._peek() != opening:
            return
        depth = 0
        while True:
            token = self._next()
            depth += token == opening
            depth -= token == closing
            if depth == 0:
                return

    # Grammar -----------------------------------------------------------------------------

    def file(self) -> None:
        package = ""
        while self._at < len(self._tokens):
            token = self._peek()
            if token == "package":
                self._next()
                package = self._name()
                self._expect(";")
            elif token == "message":
                self._next()
                self._body(_join(package, self._word()))
            elif token == "service":
                self._next()
                self._service(_join(package, self._word()))
            elif token == "extend":
                self._next()
                self._extend(package)
            elif token == ";":
                self._next()
            else:
                self._skip_statement()

    def _body(self, scope: str, *, oneof: bool = False) -> None:
        """A message's (or a oneof's) members after its name, braces included."""
        self._expect("{")
        while (token := self._peek()) != "}":
            if token == "message" and self._peek(1) not in (".", "="):
                self._next()
                self._body(_join(scope, self._word()))
            elif token == "oneof" and self._peek(2) == "{":
                self._next()
                self._word()
                self._body(scope, oneof=True)
            elif token == "extend" and self._peek(1) not in ("=",):
                self._next()
                self._extend(scope)
            elif (token in _SKIPPED and self._peek(1) not in (".", "=")) or token == ";":
                self._skip_statement()
            else:
                self._field(scope, None)
        self._next()
        if not oneof and self._at < len(self._tokens) and self._peek() == ";":
            self._next()

    def _extend(self, scope: str) -> None:
        extendee = self._name()
        self._expect("{")
        while (token := self._peek()) != "}":
            if token == ";":
                self._next()
            else:
                self._field(scope, extendee)
        self._next()

    def _field(self, scope: str, extendee: str | None) -> None:
        if self._peek() in _LABELS and self._peek(1) not in ("=",):
            self._next()
        if self._peek() == "group" and self._peek(2) == "=":
            self._next()
            name = self._word()
            self._expect("=")
            self._next()
            self._skip_brackets("[", "]")
            self._body(_join(scope, name))
            return
        if self._peek() == "map" and self._peek(1) == "<":
            self._next()
            self._next()
            self._name()
            self._expect(",")
            kind = self._name()
            self._expect(">")
        else:
            kind = self._name()
        element = _join(scope, self._word())
        self.found[(Role.TYPE, element)] = kind
        if extendee is not None:
            self.found[(Role.EXTENDEE, element)] = extendee
        self._skip_statement()

    def _service(self, scope: str) -> None:
        self._expect("{")
        while (token := self._peek()) != "}":
            if token == "rpc":
                self._next()
                element = _join(scope, self._word())
                self.found[(Role.INPUT, element)] = self._rpc_type()
                self._expect("returns")
                self.found[(Role.OUTPUT, element)] = self._rpc_type()
                self._skip_statement()
            else:
                self._skip_statement()
        self._next()

    def _rpc_type(self) -> str:
        self._expect("(")
        if self._peek() == "stream" and self._peek(1) != ")":
            self._next()
        kind = self._name()
        self._expect(")")
        return kind


def written_spellings(text: str) -> Spellings:
    """The type references of `text` as its author wrote them (see the module doc)."""
    scanner = _Scanner(_tokens(text))
    with contextlib.suppress(_ScanEndedError):
        scanner.file()
    return Spellings(MappingProxyType(dict(scanner.found)))
