"""The `confluent:version` metadata property: a version that records its own number.

Confluent's registry (7.4+) stores `confluent:version` in a version's metadata properties
when the registration asked for a version (`"version": N` or `-1` for "the latest, or a new
one") or when the merged metadata already carries the property. The stored value is always
the number the version really got, whatever the request said, so readers (serializers
pinning `use.latest.with.metadata`, deserializers that report the writer's version) can
trust it.

Lookups treat the property as a pin: a schema sent with `confluent:version: N` finds only
version N, even when version N was registered without the property; a schema sent without
it finds a version that has it as if the property were absent (`equivalent`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.records import JsonObject

#: The metadata property Confluent reserves for the version number.
CONFLUENT_VERSION = "confluent:version"


def _properties(metadata: Mapping[str, Any] | None) -> Mapping[str, Any]:
    properties = (metadata or {}).get("properties")
    return properties if isinstance(properties, Mapping) else {}


def pinned_version(metadata: Mapping[str, Any] | None) -> int | None:
    """The `confluent:version` in `metadata` as a number; None when absent or not a number."""
    value = _properties(metadata).get(CONFLUENT_VERSION)
    if not isinstance(value, str):
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def has_pin(metadata: Mapping[str, Any] | None) -> bool:
    """Whether `metadata` carries the `confluent:version` property at all."""
    return CONFLUENT_VERSION in _properties(metadata)


def with_pin(metadata: Mapping[str, Any] | None, version: int) -> JsonObject:
    """`metadata` with `confluent:version` set to `version`."""
    updated: JsonObject = dict(metadata or {})
    updated["properties"] = {**_properties(metadata), CONFLUENT_VERSION: str(version)}
    return updated


def without_pin(metadata: Mapping[str, Any] | None) -> JsonObject | None:
    """`metadata` without `confluent:version`; None when nothing else is left."""
    if metadata is None:
        return None
    updated: JsonObject = dict(metadata)
    properties = {k: v for k, v in _properties(metadata).items() if k != CONFLUENT_VERSION}
    if properties:
        updated["properties"] = properties
    else:
        updated.pop("properties", None)
    return comparable(updated)


def comparable(metadata: Mapping[str, Any] | None) -> JsonObject | None:
    """`metadata` with empty members dropped, so `{}`, `{"properties": {}}` and None compare
    equal, as Confluent's `Metadata` objects do."""
    if not metadata:
        return None
    kept = {k: v for k, v in metadata.items() if v not in (None, {}, [])}
    return kept or None


def equivalent_ignoring_pin(
    given: Mapping[str, Any] | None,
    given_version: int | None,
    stored_version: int,
    stored: Mapping[str, Any] | None,
) -> bool:
    """Whether metadata `given` with a request finds a version whose metadata is `stored`.

    Confluent's rule: a pin on one side only is ignored, except that a pin in the request
    must name the stored version; pins on both sides (or neither) must match exactly, which
    the caller's exact comparison covers.
    """
    if has_pin(given) and not has_pin(stored):
        return given_version == stored_version and without_pin(given) == comparable(stored)
    if has_pin(stored) and not has_pin(given):
        return comparable(given) == without_pin(stored)
    return comparable(given) == comparable(stored)
