"""Config and mode resolution over the state (Confluent's scope chain).

A subject's effective setting comes from the first scope that sets it: the subject, then its
context (`:.ctx:`, skipped in the default context), then the registry-wide config, then the
`:.__GLOBAL:` pseudo-context, then the server default.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from compat.types import CompatibilityLevel
from registry.state import RegistryState
from registry.subjects import GLOBAL_CONTEXT, QualifiedSubject

GLOBAL_SCOPE = f":{GLOBAL_CONTEXT}:"

#: Config fields Confluent stores, by their JSON names in Config responses.
CONFIG_FIELDS = (
    "alias",
    "normalize",
    "validateFields",
    "validateRules",
    "compatibilityLevel",
    "compatibilityPolicy",
    "compatibilityGroup",
    "defaultMetadata",
    "overrideMetadata",
    "defaultRuleSet",
    "overrideRuleSet",
)


class Mode(StrEnum):
    """Registry modes; READONLY_OVERRIDE is kept for topics written by older registries."""

    READWRITE = "READWRITE"
    READONLY = "READONLY"
    READONLY_OVERRIDE = "READONLY_OVERRIDE"
    IMPORT = "IMPORT"
    FORWARD = "FORWARD"

    @property
    def read_only(self) -> bool:
        """Whether writes are refused."""
        return self in (Mode.READONLY, Mode.READONLY_OVERRIDE)

    @property
    def imports(self) -> bool:
        """Whether registrations carry explicit ids (and skip compatibility)."""
        return self in (Mode.IMPORT, Mode.FORWARD)


def scope_chain(subject: str | None) -> list[str | None]:
    """The scopes consulted for a subject, most specific first (None = global)."""
    chain: list[str | None] = []
    if subject is not None:
        qualified = QualifiedSubject.parse(subject)
        if qualified.name:
            chain.append(subject)
        if not qualified.is_default_context:
            chain.append(f":{qualified.context}:")
    return [*chain, None, GLOBAL_SCOPE]


def effective_config(
    state: RegistryState, subject: str | None, default_level: CompatibilityLevel
) -> dict[str, Any]:
    """Every config field resolved through the scope chain, in Confluent's field order."""
    merged: dict[str, Any] = {}
    for scope in reversed(scope_chain(subject)):
        stored = state.config(scope)
        if stored:
            merged.update({k: v for k, v in stored.items() if v is not None})
    merged.setdefault("compatibilityLevel", default_level.value)
    return order_config(merged)


def order_config(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Config fields in Confluent's order, unknown ones after."""
    ordered = {k: fields[k] for k in CONFIG_FIELDS if fields.get(k) is not None}
    ordered.update({k: v for k, v in fields.items() if k not in ordered and v is not None})
    return ordered


def effective_level(
    state: RegistryState, subject: str, default_level: CompatibilityLevel
) -> CompatibilityLevel:
    """The compatibility level that governs registrations to `subject`."""
    level = effective_config(state, subject, default_level)["compatibilityLevel"]
    return CompatibilityLevel.parse(str(level)) or default_level


def effective_mode(state: RegistryState, subject: str | None) -> Mode:
    """The mode that governs writes to `subject` (None = the registry as a whole)."""
    for scope in scope_chain(subject):
        stored = state.mode(scope)
        if stored is not None:
            try:
                return Mode(stored)
            except ValueError:
                continue
    return Mode.READWRITE
