"""Building the node graph from a schema document, resolving `$ref`s without any fetching."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from referencing import Resource, Specification
from referencing._core import Resolver
from referencing.exceptions import Unresolvable

from compat.errors import SchemaParseError, SchemaReferenceError
from compat.jsonschema._model import (
    ALL_OF,
    ANY_OF,
    ARRAY,
    BOOLEAN,
    COMBINED,
    CONST,
    EMPTY,
    ENUM,
    FALSE,
    NOT,
    NULL,
    NUMBER,
    OBJECT,
    ONE_OF,
    REF,
    STRING,
    TRUE,
    Node,
    source_key,
)

STRING_KEYWORDS = frozenset({"minLength", "maxLength", "pattern", "format"})
NUMBER_KEYWORDS = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
)
OBJECT_KEYWORDS = frozenset(
    {
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
        "dependencies",
        "dependentRequired",
        "dependentSchemas",
        "minProperties",
        "maxProperties",
        "propertyNames",
        "unevaluatedProperties",
    }
)
ARRAY_KEYWORDS = frozenset(
    {
        "items",
        "additionalItems",
        "prefixItems",
        "minItems",
        "maxItems",
        "uniqueItems",
        "contains",
        "minContains",
        "maxContains",
        "unevaluatedItems",
    }
)
FAMILIES = (
    (STRING, STRING_KEYWORDS),
    (NUMBER, NUMBER_KEYWORDS),
    (OBJECT, OBJECT_KEYWORDS),
    (ARRAY, ARRAY_KEYWORDS),
)


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class Loader:
    """Turns schema objects into nodes; each object is loaded once, so cycles close."""

    def __init__(self, spec: Specification[Any], draft4: bool, prefix_items: bool) -> None:
        self._spec = spec
        self._draft4 = draft4
        self._prefix_items = prefix_items
        self._nodes: dict[tuple[int, str], Node] = {}
        self._pending: list[Callable[[], None]] = []

    def load(self, contents: Any, resolver: Resolver[Any]) -> Node:
        """The node for `contents`, with every `$ref` below it resolved."""
        node = self._node(contents, resolver)
        while self._pending:
            self._pending.pop()()
        return node

    def _node(self, contents: Any, resolver: Resolver[Any]) -> Node:
        if contents is True:
            return Node(TRUE, key="true")
        if contents is False:
            return Node(FALSE, key="false")
        if not isinstance(contents, Mapping):
            raise SchemaParseError(f"Invalid schema: expected an object or boolean: {contents!r}")
        sub_id = contents.get("$id", contents.get("id") if self._draft4 else None)
        if isinstance(sub_id, str):
            resolver = resolver.in_subresource(
                Resource.from_contents(contents, default_specification=self._spec)
            )
        memo = (id(contents), str(resolver._base_uri))
        found = self._nodes.get(memo)
        if found is not None:
            return found
        ref = contents.get("$ref")
        if isinstance(ref, str):
            node = Node(REF, key=source_key(contents))
            self._nodes[memo] = node
            self._pending.append(lambda: self._resolve(node, ref, resolver))
            return node
        parts = self._parts(contents, resolver)
        if not parts:
            node = Node(EMPTY, key=source_key(contents))
        elif len(parts) == 1:
            node = parts[0]
        else:
            node = Node(COMBINED, key=source_key(contents), criterion=ALL_OF, subschemas=parts)
        node.key = source_key(contents)
        node.schema_id = _text(sub_id)
        node.title = _text(contents.get("title"))
        node.description = _text(contents.get("description"))
        node.default = source_key(contents["default"]) if "default" in contents else None
        node.connect_type = contents.get("connect.type")
        self._nodes[memo] = node
        return node

    def _resolve(self, node: Node, ref: str, resolver: Resolver[Any]) -> None:
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable as exc:
            raise SchemaReferenceError(f"Invalid schema: cannot resolve the $ref '{ref}'") from exc
        node.target = self._node(resolved.contents, resolved.resolver)

    def _sub(self, contents: Any, resolver: Resolver[Any]) -> Node:
        return self._node(contents, resolver)

    def _parts(self, obj: Mapping[str, Any], resolver: Resolver[Any]) -> list[Node]:
        parts: list[Node] = []
        if isinstance(obj.get("enum"), list):
            parts.append(Node(ENUM, values=frozenset(source_key(v) for v in obj["enum"])))
        for criterion in (ALL_OF, ANY_OF, ONE_OF):
            subs = obj.get(criterion)
            if isinstance(subs, list):
                nodes = [self._sub(s, resolver) for s in subs]
                parts.append(Node(COMBINED, criterion=criterion, subschemas=nodes))
        if "not" in obj:
            parts.append(Node(NOT, inner=self._sub(obj["not"], resolver)))
        if "const" in obj:
            parts.append(Node(CONST, values=frozenset({source_key(obj["const"])})))
        typed = obj.get("type")
        if isinstance(typed, str):
            parts.append(self._typed(typed, obj, resolver))
        elif isinstance(typed, list):
            nodes = [self._typed(t, obj, resolver) for t in typed if isinstance(t, str)]
            if len(nodes) == 1:
                parts.append(nodes[0])
            elif nodes:
                parts.append(Node(COMBINED, criterion=ANY_OF, subschemas=nodes))
        else:
            for kind, keywords in FAMILIES:
                if not keywords.isdisjoint(obj):
                    parts.append(self._typed(kind, obj, resolver))
        for part in parts:
            if not part.key:
                part.key = source_key(obj) + "#" + part.kind
        return parts

    def _typed(self, name: str, obj: Mapping[str, Any], resolver: Resolver[Any]) -> Node:
        if name == STRING:
            return Node(
                STRING,
                min_length=_int(obj.get("minLength")),
                max_length=_int(obj.get("maxLength")),
                pattern=_text(obj.get("pattern")),
            )
        if name in (NUMBER, "integer"):
            return self._number(obj, integer=name == "integer")
        if name == OBJECT:
            return self._object(obj, resolver)
        if name == ARRAY:
            return self._array(obj, resolver)
        if name == BOOLEAN:
            return Node(BOOLEAN)
        return Node(NULL)

    def _number(self, obj: Mapping[str, Any], *, integer: bool) -> Node:
        node = Node(NUMBER, integer=integer)
        node.minimum = _float(obj.get("minimum"))
        node.maximum = _float(obj.get("maximum"))
        if not self._draft4:
            node.exclusive_minimum = _float(obj.get("exclusiveMinimum"))
            node.exclusive_maximum = _float(obj.get("exclusiveMaximum"))
        step = obj.get("multipleOf")
        if isinstance(step, int | float) and not isinstance(step, bool):
            try:
                node.multiple_of = Decimal(str(step))
            except InvalidOperation:  # pragma: no cover - json numbers always convert
                node.multiple_of = None
        return node

    def _object(self, obj: Mapping[str, Any], resolver: Resolver[Any]) -> Node:
        node = Node(OBJECT)
        props = obj.get("properties")
        if isinstance(props, Mapping):
            node.properties = {k: self._sub(v, resolver) for k, v in props.items()}
        required = obj.get("required")
        if isinstance(required, list):
            node.required = frozenset(r for r in required if isinstance(r, str))
        patterns = obj.get("patternProperties")
        if isinstance(patterns, Mapping):
            for regex, sub in patterns.items():
                try:
                    compiled = re.compile(regex)
                except re.error as exc:
                    raise SchemaParseError(
                        f"Invalid schema: bad regular expression '{regex}' in patternProperties"
                    ) from exc
                node.pattern_properties.append((compiled, self._sub(sub, resolver)))
        extra = obj.get("additionalProperties", True)
        if extra is False:
            node.additional_permitted = False
        elif extra is not True:
            node.additional_schema = self._sub(extra, resolver)
        if "unevaluatedProperties" in obj:
            node.unevaluated = self._sub(obj["unevaluatedProperties"], resolver)
        deps: dict[str, Any] = {}
        for keyword in ("dependencies", "dependentRequired", "dependentSchemas"):
            value = obj.get(keyword)
            if isinstance(value, Mapping):
                deps.update(value)
        for key, value in deps.items():
            if isinstance(value, list):
                node.dependency_arrays[key] = frozenset(v for v in value if isinstance(v, str))
            else:
                node.dependency_schemas[key] = self._sub(value, resolver)
        node.min_properties = _int(obj.get("minProperties"))
        node.max_properties = _int(obj.get("maxProperties"))
        return node

    def _array(self, obj: Mapping[str, Any], resolver: Resolver[Any]) -> Node:
        node = Node(ARRAY)
        items = obj.get("items")
        extra: Any = obj.get("additionalItems", True)
        if self._prefix_items and isinstance(obj.get("prefixItems"), list):
            node.tuple_items = [self._sub(s, resolver) for s in obj["prefixItems"]]
            extra = items if items is not None else True
        elif isinstance(items, list):
            node.tuple_items = [self._sub(s, resolver) for s in items]
        elif items is not None:
            node.items = self._sub(items, resolver)
            extra = True
        if extra is False:
            node.additional_permitted = False
        elif extra is not True:
            node.additional_schema = self._sub(extra, resolver)
        if "unevaluatedItems" in obj:
            node.unevaluated = self._sub(obj["unevaluatedItems"], resolver)
        node.min_items = _int(obj.get("minItems"))
        node.max_items = _int(obj.get("maxItems"))
        node.unique_items = obj.get("uniqueItems") is True
        node.min_contains = _int(obj.get("minContains"))
        node.max_contains = _int(obj.get("maxContains"))
        return node
