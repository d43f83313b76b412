"""Query parameter parsing with Confluent's (JAX-RS) rules (path parameters: `routing`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from registry.errors import UnprocessableError

T = TypeVar("T")


def flag(params: Mapping[str, str], name: str) -> bool:
    """JAX-RS `Boolean.valueOf`: only a case-insensitive `true` is true (`True` included)."""
    value = params.get(name)
    return value is not None and value.strip().lower() == "true"


def optional_flag(params: Mapping[str, str], name: str) -> bool | None:
    """A boolean that may be absent (None), for settings that fall back to config."""
    if name not in params:
        return None
    return flag(params, name)


def integer(params: Mapping[str, str], name: str, default: int) -> int:
    """An integer query parameter; a non-integer is a 422 rather than a silent default."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise UnprocessableError(
            f"Query parameter {name} must be an integer, got '{raw}'"
        ) from None


def page(items: Sequence[T], offset: int, limit: int, default_limit: int) -> list[T]:
    """Confluent pagination: `offset` skips, `limit <= 0` or over the maximum means default."""
    if limit <= 0 or limit > default_limit:
        limit = default_limit
    offset = max(offset, 0)
    return list(items[offset : offset + limit])
