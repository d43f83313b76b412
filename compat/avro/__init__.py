"""Avro schemas: Avro Java's parsing rules and canonical text, and its compatibility checker.

>>> fmt = AvroFormat()
>>> old = fmt.parse('{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}')
>>> old.canonical
'{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}'
>>> new = fmt.parse('{"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}')
>>> fmt.backward_findings(new, old)
[]
"""

from __future__ import annotations

from compat.avro._format import AvroFormat, ParsedAvroSchema
from compat.avro._messages import UNEXPECTED_EXCEPTION
from compat.avro._parse import MAX_DEPTH

__all__ = ["AvroFormat", "MAX_DEPTH", "ParsedAvroSchema", "UNEXPECTED_EXCEPTION"]
