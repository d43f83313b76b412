"""Reading a schema document: JSON text, its draft, metaschema validation and nesting limits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# jsonschema ships no type information; only its validator classes are used here.
from jsonschema import (  # type: ignore[import-untyped]
    Draft4Validator,
    Draft6Validator,
    Draft7Validator,
    Draft201909Validator,
    Draft202012Validator,
)
from jsonschema.exceptions import best_match  # type: ignore[import-untyped]
from referencing import Specification
from referencing.jsonschema import DRAFT4, DRAFT6, DRAFT7, DRAFT201909, DRAFT202012

#: Deepest nesting of JSON arrays and objects accepted in a schema document.
MAX_DEPTH = 128


@dataclass(frozen=True, slots=True)
class Dialect:
    """One supported draft: its metaschema validator and `referencing` specification."""

    name: str
    validator: Any
    spec: Specification[Any]


_DIALECTS = {
    "json-schema.org/draft-04/schema": Dialect("draft-04", Draft4Validator, DRAFT4),
    "json-schema.org/draft-06/schema": Dialect("draft-06", Draft6Validator, DRAFT6),
    "json-schema.org/draft-07/schema": Dialect("draft-07", Draft7Validator, DRAFT7),
    "json-schema.org/draft/2019-09/schema": Dialect("2019-09", Draft201909Validator, DRAFT201909),
    "json-schema.org/draft/2020-12/schema": Dialect("2020-12", Draft202012Validator, DRAFT202012),
}
DEFAULT_DIALECT = _DIALECTS["json-schema.org/draft-07/schema"]


class DocumentError(ValueError):
    """The text is not a schema document; the message says why."""


def _reject_constant(name: str) -> Any:
    # Python's decoder accepts NaN and Infinity, which are not JSON.
    raise ValueError(f"'{name}' is not a JSON value")


def _depth_ok(value: Any) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


def _pointer(parts: Any) -> str:
    tokens = [str(p).replace("~", "~0").replace("/", "~1") for p in parts]
    return "#/" + "/".join(tokens)


def dialect_of(document: Any) -> Dialect:
    """The draft named by `$schema` (draft 7 when absent); DocumentError when unknown."""
    if not isinstance(document, dict) or "$schema" not in document:
        return DEFAULT_DIALECT
    uri = document["$schema"]
    if not isinstance(uri, str):
        raise DocumentError("$schema must be a string")
    key = uri.split("://", 1)[-1].rstrip("#")
    dialect = _DIALECTS.get(key)
    if dialect is None:
        raise DocumentError(f"unknown or unsupported $schema '{uri}'")
    return dialect


def read_document(text: str) -> tuple[Any, Dialect]:
    """The decoded, validated document and its dialect; DocumentError if it is not a schema."""
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except RecursionError as exc:
        raise DocumentError("the schema nests too deeply") from exc
    except ValueError as exc:
        raise DocumentError(f"not valid JSON: {exc}") from exc
    if not isinstance(document, dict | bool):
        raise DocumentError("a schema must be a JSON object or boolean")
    if not _depth_ok(document):
        raise DocumentError(f"the schema nests more than {MAX_DEPTH} levels deep")
    dialect = dialect_of(document)
    # No format checker: `pattern` values are ECMA 262 regexes that Python's `re` may not
    # read (`\p{L}`), and the comparison treats them as text.
    checker = dialect.validator(dialect.validator.META_SCHEMA)
    try:
        error = best_match(checker.iter_errors(document))
    except RecursionError as exc:
        raise DocumentError("the schema nests too deeply") from exc
    if error is not None:
        raise DocumentError(f"{error.message} at {_pointer(error.absolute_path)}")
    return document, dialect


def canonical_text(document: Any, *, normalize: bool) -> str:
    """Compact JSON in the document's key order, or with keys sorted when normalising."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=normalize)
