"""Kafka serializers and deserializers speaking the schema-registry wire format.

Avro (fastavro), JSON Schema and Protobuf, shaped like confluent-kafka's serdes
(`serializer(obj, ctx)`, `to_dict` / `from_dict`, the same conf keys, and its own
`SerializationContext` accepted), with one error tree (`serdes.errors`), a small
registry-client interface with HTTP, in-memory and caching implementations
(`serdes.client`), subject name strategies, and a dead-letter helper for consumers.
Deserializers read the id prefix and the 8.x GUID prefix and schema-id headers; the
serializers write the id prefix (`serdes.framing`). `AvroJsonDecoder` reads records in
Avro's JSON encoding (what `cairn generate` prints) for the Avro serializer.

>>> from serdes.client import CachedRegistryClient, InMemoryRegistryClient
>>> client = CachedRegistryClient(InMemoryRegistryClient())
>>> schema = '{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}'
>>> data = AvroSerializer(client, schema)({"a": 1}, SerializationContext("orders"))
>>> data
b'\\x00\\x00\\x00\\x00\\x01\\x02'
>>> AvroDeserializer(client)(data, SerializationContext("orders"))
{'a': 1}
"""

from __future__ import annotations

from serdes.avro import AvroDeserializer, AvroSerializer
from serdes.avro_json import AvroJsonDecoder
from serdes.context import ContextLike, MessageField, SerializationContext
from serdes.deadletter import DeadLetters, Record
from serdes.errors import (
    DeadLetterError,
    FramingError,
    KmsAccessDeniedError,
    PayloadError,
    RegistryUnavailableError,
    RuleConditionError,
    RuleError,
    SchemaError,
    SchemaRegistryError,
    SerdesConfigError,
    SerdesError,
    UnknownSchemaIdError,
    UnknownSubjectError,
)
from serdes.json_schema import JSONDeserializer, JSONSerializer
from serdes.protobuf import ProtobufDeserializer, ProtobufSerializer
from serdes.strategies import (
    SubjectNameStrategy,
    record_subject_name_strategy,
    topic_record_subject_name_strategy,
    topic_subject_name_strategy,
)

__all__ = [
    "AvroDeserializer",
    "AvroJsonDecoder",
    "AvroSerializer",
    "ContextLike",
    "DeadLetterError",
    "DeadLetters",
    "FramingError",
    "JSONDeserializer",
    "JSONSerializer",
    "KmsAccessDeniedError",
    "MessageField",
    "PayloadError",
    "ProtobufDeserializer",
    "ProtobufSerializer",
    "Record",
    "RegistryUnavailableError",
    "RuleConditionError",
    "RuleError",
    "SchemaError",
    "SchemaRegistryError",
    "SerdesConfigError",
    "SerdesError",
    "SerializationContext",
    "SubjectNameStrategy",
    "UnknownSchemaIdError",
    "UnknownSubjectError",
    "record_subject_name_strategy",
    "topic_record_subject_name_strategy",
    "topic_subject_name_strategy",
]
