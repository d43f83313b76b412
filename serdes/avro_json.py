"""Records in Avro's JSON encoding, decoded into the values `AvroSerializer` writes.

Avro specifies a JSON encoding beside the binary one, and it is what `cairn generate` prints
for an Avro schema (and what Confluent's `kafka-avro-console-producer` reads). Each value is
encoded as the JSON of its underlying Avro type, so logical types carry their raw numbers:

    date                                        int: days since 1970-01-01
    time-millis / time-micros                   int: milli- / microseconds after midnight
    timestamp-millis / timestamp-micros         int: milli- / microseconds since the epoch (UTC)
    local-timestamp-millis / -micros            int: the same, for a local date and time
    decimal (bytes or fixed)                    the two's-complement unscaled value as bytes
    bytes, fixed                                a string with one code point U+0000-U+00FF per byte
    uuid                                        string
    union                                       null, or {"<branch type name>": value}
                                                (the full name for a record, enum or fixed)

`AvroJsonDecoder` turns such a record into the Python values fastavro writes (`datetime`,
`date`, `time`, `Decimal`, `bytes`, union values unwrapped), and is shaped as a `to_dict`
hook, so a serializer reads JSON lines directly:

    decode = AvroJsonDecoder(schema_str)
    serialize = AvroSerializer(client, schema_str, to_dict=decode)
    for line in sys.stdin:
        producer.produce(topic, value=serialize(line, SerializationContext(topic, VALUE)))
"""

from __future__ import annotations

import io
import json
from typing import Any

from fastavro import json_reader

from serdes.avro import AVRO, parse_avro
from serdes.client import RegistryClient, Schema
from serdes.context import ContextLike, as_schema
from serdes.errors import PayloadError, SchemaError


class AvroJsonDecoder:
    """`decode(record, ctx=None)`: one record in Avro's JSON encoding, as fastavro's input.

    `schema_str` is the writer schema (text or a `Schema`; its references are fetched through
    `client`). A record is given as a JSON text (one line, bytes or str) or as the object
    `json.loads` made of it.
    """

    __slots__ = ("_schema",)

    def __init__(self, schema_str: str | Schema, client: RegistryClient | None = None) -> None:
        schema = as_schema(schema_str, AVRO)
        if schema is None:
            raise SchemaError("AvroJsonDecoder needs the writer schema")
        self._schema = parse_avro(schema, client).schema

    def __call__(self, record: object, ctx: ContextLike | None = None) -> Any:
        """The record's values as `AvroSerializer` (fastavro) takes them."""
        try:
            document = json.loads(record) if isinstance(record, (str, bytes)) else record
            # One record per line, as fastavro's JSON decoder reads them.
            line = json.dumps(document)
            return next(iter(json_reader(io.StringIO(line), self._schema)))
        except Exception as exc:
            # json and fastavro raise several unrelated types for a record that does not fit.
            raise PayloadError(
                f"not a record of the schema in Avro's JSON encoding: {exc}"
            ) from exc
