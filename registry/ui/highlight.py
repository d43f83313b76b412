"""Syntax colouring of schema text for the web pages, with no script and no outside library.

Schemas are small and their languages simple, so one regular expression per language splits
the text into tokens and each token becomes a `<span>` with a class the style sheet colours.
Everything else is escaped, so a schema can never inject markup into a page.
"""

from __future__ import annotations

import json
import re

from markupsafe import Markup, escape

from compat.types import SchemaType

#: JSON (Avro and JSON Schema): a string that a colon follows is a key.
_JSON_TOKENS = re.compile(
    r'(?P<key>"(?:[^"\\]|\\.)*")(?=\s*:)'
    r'|(?P<str>"(?:[^"\\]|\\.)*")'
    r"|(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"|(?P<lit>\btrue\b|\bfalse\b|\bnull\b)"
    r"|(?P<punct>[{}\[\],:])"
)
_PROTO_KEYWORDS = (
    "syntax|edition|package|import|option|message|enum|service|rpc|returns|oneof|map|"
    "repeated|optional|required|reserved|extend|extensions|to|max|public|weak|stream"
)
_PROTO_TYPES = (
    "double|float|int32|int64|uint32|uint64|sint32|sint64|fixed32|fixed64|sfixed32|"
    "sfixed64|bool|string|bytes"
)
_PROTO_TOKENS = re.compile(
    r"(?P<comment>//[^\n]*|/\*.*?\*/)"
    r"|(?P<str>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"
    rf"|(?P<kw>\b(?:{_PROTO_KEYWORDS})\b)"
    rf"|(?P<type>\b(?:{_PROTO_TYPES})\b)"
    r"|(?P<num>\b\d+\b)"
    r"|(?P<punct>[{}\[\]();=<>,])",
    re.DOTALL,
)
#: Token kinds -> the CSS classes of `static/ui.css`.
_CLASSES = {
    "key": "t-key",
    "str": "t-str",
    "num": "t-num",
    "lit": "t-lit",
    "punct": "t-punct",
    "comment": "t-comment",
    "kw": "t-kw",
    "type": "t-type",
}


def pretty(text: str, schema_type: SchemaType) -> str:
    """The schema laid out for reading: JSON indented two spaces, Protobuf as it is."""
    if schema_type is SchemaType.PROTOBUF:
        return text
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text


def highlight(text: str, schema_type: SchemaType) -> Markup:
    """`text` as escaped HTML with each token in a `<span class="t-...">`."""
    pattern = _PROTO_TOKENS if schema_type is SchemaType.PROTOBUF else _JSON_TOKENS
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        kind = match.lastgroup or ""
        out.append(str(escape(text[last : match.start()])))
        out.append(f'<span class="{_CLASSES[kind]}">{escape(match.group())}</span>')
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))
