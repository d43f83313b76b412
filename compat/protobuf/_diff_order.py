"""The order in which Confluent's checker visits names and numbers, reproduced exactly.

Confluent collects message names, enum names and enum constant numbers of both schemas into
Java `HashSet`s and reports differences while iterating them, so its difference list (and
the verbose messages built from it) follows Java's hash-table order rather than declaration
order. Reproducing that order makes Cairn's message lists identical to Confluent's.

A `HashSet` copied from the original's keys and then extended with the update's keys iterates
bucket by bucket; keys sharing a bucket keep their insertion order (resizes split buckets
without reordering them), and an original key is always inserted before an update-only key.
Within each side keys are inserted in declaration order, and two keys that share a bucket of
the final table also shared one in the smaller table they came from, so declaration order
breaks the remaining ties. Buckets holding eight or more colliding keys in a table of 64 or
more become trees in Java and may iterate differently; such collisions do not occur in real
schemas, and the order stays deterministic either way.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

_MASK = 0xFFFFFFFF
_DEFAULT_CAPACITY = 16
_LOAD_FACTOR = 0.75


def java_string_hash(text: str) -> int:
    """`String.hashCode()` as an unsigned 32-bit value (over UTF-16 code units)."""
    units = text.encode("utf-16-le")
    value = 0
    for index in range(0, len(units), 2):
        value = (31 * value + (units[index] | units[index + 1] << 8)) & _MASK
    return value


def java_int_hash(number: int) -> int:
    """`Integer.hashCode()` (the value itself) as an unsigned 32-bit value."""
    return number & _MASK


def _bucket(hash_value: int, capacity: int) -> int:
    # HashMap spreads the high bits into the low ones before masking.
    return (hash_value ^ (hash_value >> 16)) & (capacity - 1)


def _table_size_for(wanted: int) -> int:
    size = 1
    while size < wanted:
        size *= 2
    return size


def _final_capacity(first: int, total: int) -> int:
    """Table size of `new HashSet<>(firstKeys)` after `addAll` brought it to `total` keys."""
    capacity = _table_size_for(max(int(first / _LOAD_FACTOR) + 1, _DEFAULT_CAPACITY))
    while total > int(capacity * _LOAD_FACTOR):
        capacity *= 2
    return capacity


def java_set_order(
    original: Sequence[K], update: Sequence[K], hash_of: Callable[[K], int]
) -> list[K]:
    """Distinct keys of both sides in the order Java iterates their union `HashSet`.

    `original` and `update` hold each side's keys in declaration order.
    """
    seen: dict[K, tuple[int, int]] = {}
    for index, key in enumerate(original):
        seen.setdefault(key, (0, index))
    first = len(seen)
    for index, key in enumerate(update):
        seen.setdefault(key, (1, index))
    capacity = _final_capacity(first, len(seen))
    return sorted(seen, key=lambda k: (_bucket(hash_of(k), capacity), *seen[k]))
