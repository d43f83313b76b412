"""Confluent's verbose compatibility messages for Avro findings.

Confluent turns each Avro incompatibility into
`{errorType:'<TYPE>', description:'<DESC>', additionalInfo:'<checker message>'}` where DESC has
two `%s` slots for the reader and writer roles, and then runs the whole string through Java's
`String.format(text, readerWord, writerWord)`. A finding keeps DESC split around those slots
(see `compat.types.Finding`), so the same finding renders as "new"/"old" in a backward check
and "old"/"new" in a forward one. Where Avro Java's checker throws by design (a reader field
matching two writer fields), Confluent reports the single message
`Unexpected exception during compatibility check: <exception message>`, which goes through the
same `String.format`; it is an incompatibility, not a failure of the check.
"""

from __future__ import annotations

import re

from compat.types import Finding

#: `Finding.type` of the one finding reported where Avro Java's checker throws by design.
UNEXPECTED_EXCEPTION = "UNEXPECTED_EXCEPTION"
_EXCEPTION_PREFIX = "Unexpected exception during compatibility check: "


def description(kind: str, path: str, message: str) -> tuple[str, ...]:
    """Confluent's description for an Avro incompatibility, split around the role words."""
    if kind == "FIXED_SIZE_MISMATCH":
        return (
            f"The size of FIXED type field at path '{path}' in the ",
            " schema does not match with the ",
            " schema",
        )
    if kind == "TYPE_MISMATCH":
        return (
            f"The type (path '{path}') of a field in the ",
            " schema does not match with the ",
            " schema",
        )
    if kind == "NAME_MISMATCH":
        return (f"The name of the schema has changed (path '{path}')",)
    if kind == "MISSING_ENUM_SYMBOLS":
        return (
            "The ",
            f" schema is missing enum symbols '{message}' at path '{path}' in the ",
            " schema",
        )
    if kind == "MISSING_UNION_BRANCH":
        return (
            "The ",
            f" schema is missing a type inside a union field at path '{path}' in the ",
            " schema",
        )
    if kind == "READER_FIELD_MISSING_DEFAULT_VALUE":
        return (
            f"The field '{message}' at path '{path}' in the ",
            " schema has no default value and is missing in the ",
            " schema",
        )
    return ("",)


def exception_finding(message: str) -> Finding:
    """The finding for Avro Java's designed throw: Confluent reports it as one plain message."""
    return Finding(
        type=UNEXPECTED_EXCEPTION,
        path="/",
        detail=message,
        description=(_EXCEPTION_PREFIX + message,),
    )


_JAVA_SPEC = re.compile(r"%(?:(\d+)\$)?([-#+ 0,(<]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def java_format(template: str, *args: str) -> str | None:
    """Java's `String.format` for the conversions a message can meet; None where Java throws.

    `%s`/`%S` (optionally `%1$s`), `%%` and `%n` are rendered as Java renders them; any other
    conversion, or too few arguments, makes Java throw, which is reported as None.
    """
    if "%" not in template:
        return template
    out: list[str] = []
    position = 0
    next_arg = 0
    for match in _JAVA_SPEC.finditer(template):
        if template.find("%", position, match.start()) >= 0:
            return None
        out.append(template[position : match.start()])
        index, flags, width, precision, conversion = match.groups()
        if conversion == "%" and not index:
            out.append("%")
        elif conversion == "n" and not (index or flags or width or precision):
            out.append("\n")
        elif conversion in "sS" and not flags and not width and not precision:
            arg_index = int(index) - 1 if index else next_arg
            if not index:
                next_arg += 1
            if not 0 <= arg_index < len(args):
                return None
            out.append(args[arg_index].upper() if conversion == "S" else args[arg_index])
        else:
            return None
        position = match.end()
    if "%" in template[position:]:
        return None
    out.append(template[position:])
    return "".join(out)


def confluent_message(finding: Finding, *, reader: str, writer: str) -> str:
    """The verbose message Confluent shows for one finding, with the given role words."""
    template = "%s".join(finding.description)
    if finding.type != UNEXPECTED_EXCEPTION:
        template = (
            f"{{errorType:'{finding.type}', description:'{template}', "
            f"additionalInfo:'{finding.detail}'}}"
        )
    formatted = java_format(template, reader, writer)
    # Where Java's formatter would throw (a stray `%` in an exception text), Confluent fails the
    # request; a message with the roles filled in literally is more useful than that.
    return formatted if formatted is not None else finding.describe(reader=reader, writer=writer)
