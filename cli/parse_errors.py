"""A parser's complaint about a schema file, said in terms of the user's file and options.

The parsers (ours locally, the registry's over HTTP) know nothing of the command line: a
Protobuf schema is compiled as `schema.proto`, and a missing reference is reported as an
unknown name. Here the compiler's file name becomes the user's, and a missing reference
comes with the `-r` option that supplies it.
"""

from __future__ import annotations

import re

#: The name the Protobuf parser compiles a schema under (underscores are added on a clash).
_PROTO_FILE = re.compile(r"(?<![\w./-])_*schema\.proto(?=:\d)")
#: Confluent's 42201 message echoes the whole schema before the parser's reason.
_ECHOED_SCHEMA = re.compile(r"^Invalid schema .*, details: ", re.DOTALL)
#: How each format names a reference it could not find.
_MISSING = (
    re.compile(r"unknown type '(?P<name>[^']+)'"),
    re.compile(r'the import "(?P<name>[^"]+)" was not found'),
    re.compile(r"cannot resolve the \$ref '(?P<name>[^'#]+)(?:#[^']*)?'"),
)


def registry_reason(message: str) -> str:
    """The parser's reason in a registry's "invalid schema" message, without the schema."""
    return _ECHOED_SCHEMA.sub("", message, count=1).strip()


def missing_reference(message: str) -> str | None:
    """The name of the reference a parse error says is missing, if it says so."""
    for pattern in _MISSING:
        found = pattern.search(message)
        if found is not None:
            return found.group("name")
    return None


def reference_hint(name: str, *, files: bool = True) -> str:
    """How to give the missing reference `name` on the command line."""
    registered = f"-r {name}=@SUBJECT:VERSION (a registered schema)"
    if not files:
        return f"Supply {name!r} with {registered}."
    return (
        f"Supply {name!r} with -r {name}=PATH (a file that defines it), or against a "
        f"registry with {registered}."
    )


def explain(message: str, file: str, *, files: bool = True) -> str:
    """`message` naming `file` instead of the compiler's name, with a hint for a missing
    reference (`files`: whether the command takes reference files, or only registered ones).
    """
    text = _PROTO_FILE.sub(lambda _: file, message)
    name = missing_reference(text)
    if name is None:
        return text
    return f"{text.rstrip('.')}. {reference_hint(name, files=files)}"
