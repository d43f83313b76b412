"""JSON Schema: drafts 4 to 2020-12, references, canonical text and Confluent's diff rules.

>>> fmt = JsonSchemaFormat()
>>> old = fmt.parse('{"type": "object", "properties": {"a": {"type": "string"}}}')
>>> old.canonical
'{"type":"object","properties":{"a":{"type":"string"}}}'
>>> new = fmt.parse('{"type": "object", "properties": {"a": {"type": "integer"}}}')
>>> [f.type for f in fmt.backward_findings(new, old)]
['TYPE_CHANGED']
"""

from __future__ import annotations

from compat.jsonschema._diff import Difference
from compat.jsonschema._format import JsonSchemaFormat, ParsedJsonSchema, differences
from compat.jsonschema._messages import LENIENT_COMPATIBLE, STRICT_COMPATIBLE
from compat.jsonschema._parse import MAX_DEPTH

__all__ = [
    "Difference",
    "JsonSchemaFormat",
    "LENIENT_COMPATIBLE",
    "MAX_DEPTH",
    "ParsedJsonSchema",
    "STRICT_COMPATIBLE",
    "differences",
]
