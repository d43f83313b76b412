"""Tags in Avro text: finding records and fields the way Confluent's registry does."""

from __future__ import annotations

import json
from typing import Any

import pytest

from compat.errors import SchemaParseError
from compat.tags import EntityType, SchemaEntity, edit_tags, inline_tags
from compat.types import SchemaType

RECORD = EntityType.SR_RECORD
FIELD = EntityType.SR_FIELD
SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Order",
        "namespace": "acme",
        "fields": [
            {"name": "id", "type": "string"},
            {
                "name": "lines",
                "type": {
                    "type": "array",
                    "items": {
                        "type": "record",
                        "name": "Line",
                        "fields": [{"name": "sku", "type": "string"}],
                    },
                },
            },
            {
                "name": "payer",
                "type": [
                    "null",
                    {
                        "type": "record",
                        "name": "Payer",
                        "fields": [{"name": "card", "type": "string"}],
                    },
                ],
            },
        ],
    }
)


def edit(add: dict[SchemaEntity, list[str]], remove: dict[SchemaEntity, list[str]]) -> Any:
    return json.loads(edit_tags(SchemaType.AVRO, SCHEMA, add, remove))


def test_records_and_fields_are_found_through_arrays_and_unions() -> None:
    tagged = edit(
        {
            SchemaEntity("acme.Order", RECORD): ["A"],
            SchemaEntity("Line.sku", FIELD): ["B"],
            SchemaEntity(".acme.Payer.card", FIELD): ["PII", "PII"],
        },
        {},
    )
    assert tagged["confluent:tags"] == ["A"]
    assert tagged["fields"][1]["type"]["items"]["fields"][0]["confluent:tags"] == ["B"]
    assert tagged["fields"][2]["type"][1]["fields"][0]["confluent:tags"] == ["PII"]
    text = json.dumps(tagged)
    assert inline_tags(SchemaType.AVRO, text) == {
        SchemaEntity("acme.Order", RECORD): ["A"],
        SchemaEntity("acme.Line.sku", FIELD): ["B"],
        SchemaEntity("acme.Payer.card", FIELD): ["PII"],
    }


def test_removing_the_last_tag_drops_the_attribute() -> None:
    entity = SchemaEntity("acme.Order.id", FIELD)
    tagged = edit_tags(SchemaType.AVRO, SCHEMA, {entity: ["X", "Y"]}, {})
    cleared = json.loads(edit_tags(SchemaType.AVRO, tagged, {}, {entity: ["X", "Y"]}))
    assert cleared == json.loads(SCHEMA)
    # Adding and removing one tag at once: added first, then removed.
    assert "confluent:tags" not in edit({entity: ["Z"]}, {entity: ["Z"]})["fields"][0]


@pytest.mark.parametrize(
    "entity",
    [
        SchemaEntity("Missing", RECORD),
        SchemaEntity("other.Order", RECORD),
        SchemaEntity("Order.nosuch", FIELD),
        SchemaEntity("Order", FIELD),
    ],
)
def test_an_entity_not_in_the_schema_is_a_parse_error(entity: SchemaEntity) -> None:
    with pytest.raises(SchemaParseError, match="No matching path"):
        edit_tags(SchemaType.AVRO, SCHEMA, {entity: ["T"]}, {})


def test_only_avro_can_be_tagged_here() -> None:
    entity = SchemaEntity("R", RECORD)
    with pytest.raises(SchemaParseError, match="only in AVRO"):
        edit_tags(SchemaType.JSON, "{}", {entity: ["T"]}, {})
    assert edit_tags(SchemaType.JSON, "{}", {}, {}) == "{}"
    assert inline_tags(SchemaType.PROTOBUF, 'syntax = "proto3";') == {}
