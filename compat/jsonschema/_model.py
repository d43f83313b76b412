"""The loaded form of a JSON Schema: one node per schema, in the shape the diff dispatches on.

A schema object becomes one of the kinds below. A schema that mixes keyword families (for
example `type` with `enum`, or `properties` with `allOf`) becomes an implicit `allOf` of one
node per family, and a `type` list becomes an `anyOf` of one node per type, because those are
the shapes Confluent's comparison sees.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

EMPTY = "empty"
TRUE = "true"
FALSE = "false"
STRING = "string"
NUMBER = "number"
BOOLEAN = "boolean"
NULL = "null"
OBJECT = "object"
ARRAY = "array"
ENUM = "enum"
CONST = "const"
NOT = "not"
COMBINED = "combined"
REF = "ref"

ALL_OF = "allOf"
ANY_OF = "anyOf"
ONE_OF = "oneOf"


def source_key(value: object) -> str:
    """A text that is equal for equal JSON values (object key order ignored)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(slots=True, eq=False)
class Node:
    """One loaded schema; which fields are meaningful depends on `kind`."""

    kind: str
    key: str = ""
    schema_id: str | None = None
    title: str | None = None
    description: str | None = None
    default: str | None = None
    connect_type: object = None
    target: Node | None = None
    # string
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    # number
    integer: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    multiple_of: Decimal | None = None
    # enum / const
    values: frozenset[str] = frozenset()
    # not
    inner: Node | None = None
    # combined
    criterion: str = ""
    subschemas: list[Node] = field(default_factory=list)
    # object
    properties: dict[str, Node] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    pattern_properties: list[tuple[re.Pattern[str], Node]] = field(default_factory=list)
    additional_permitted: bool = True
    additional_schema: Node | None = None
    #: None when absent, else a node (a `true`/`false` node for the boolean forms).
    unevaluated: Node | None = None
    dependency_arrays: dict[str, frozenset[str]] = field(default_factory=dict)
    dependency_schemas: dict[str, Node] = field(default_factory=dict)
    min_properties: int | None = None
    max_properties: int | None = None
    # array
    items: Node | None = None
    tuple_items: list[Node] | None = None
    min_items: int | None = None
    max_items: int | None = None
    unique_items: bool = False
    min_contains: int | None = None
    max_contains: int | None = None

    def deref(self) -> Node:
        """The schema a `$ref` node points at (following chains); the node itself otherwise."""
        node = self
        seen = 0
        while node.kind == REF and node.target is not None and seen < 64:
            node = node.target
            seen += 1
        return node

    @property
    def is_empty(self) -> bool:
        """`{}` or `true`: a schema that accepts everything."""
        return self.kind in (EMPTY, TRUE)

    @property
    def is_open(self) -> bool:
        """Whether an object accepts any extra property with any value."""
        return (
            self.additional_permitted
            and self.additional_schema is None
            and not self.pattern_properties
            and (self.unevaluated is None or self.unevaluated.kind == TRUE)
        )

    @property
    def items_open(self) -> bool:
        """Whether an array accepts any extra item with any value."""
        return (
            self.additional_permitted
            and self.additional_schema is None
            and (self.unevaluated is None or self.unevaluated.kind == TRUE)
        )

    def covering_property(self, name: str) -> Node | None:
        """The schema that a property not declared by this object must satisfy, if any."""
        for regex, node in self.pattern_properties:
            if regex.search(name):
                return node
        if self.additional_schema is not None:
            return self.additional_schema
        if self.unevaluated is not None and self.unevaluated.kind not in (TRUE, FALSE):
            return self.unevaluated
        return None

    def covering_item(self) -> Node | None:
        """The schema that an item past the tuple positions must satisfy, if any."""
        if self.additional_schema is not None:
            return self.additional_schema
        if self.unevaluated is not None and self.unevaluated.kind not in (TRUE, FALSE):
            return self.unevaluated
        return None
