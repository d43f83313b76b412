"""Config and mode resolution over the state: Confluent's scope chain, resolved once.

A subject's effective setting comes from the first scope that sets it: the subject, then its
context (`:.ctx:`, skipped in the default context), then the registry-wide config, then the
`:.__GLOBAL:` pseudo-context, then the server default. A request resolves the chain once into
an `EffectiveConfig` and hands that value to every step that needs a setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from compat.types import CompatibilityLevel, CompatibilityPolicy
from registry.records import JsonObject
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

    @classmethod
    def parse(cls, raw: object) -> Mode | None:
        """The mode named by `raw` in any case, or None when it names none."""
        if not isinstance(raw, str):
            return None
        try:
            return cls(raw.upper())
        except ValueError:
            return None


#: The modes a client may set, in Confluent's wording of the 42204 message.
SETTABLE_MODES = (Mode.READWRITE, Mode.READONLY, Mode.IMPORT, Mode.FORWARD)


@dataclass(frozen=True, slots=True, kw_only=True)
class EffectiveConfig:
    """Every config setting that governs one subject (or the registry), resolved once.

    What the registry's own logic reads; `GET /config` answers the merged JSON fields
    (`config_fields`) instead.
    """

    level: CompatibilityLevel
    policy: CompatibilityPolicy
    normalize: bool
    validate_fields: bool
    compatibility_group: str | None
    default_metadata: JsonObject | None
    override_metadata: JsonObject | None
    default_rule_set: JsonObject | None
    override_rule_set: JsonObject | None


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


def config_fields(
    state: RegistryState, subject: str | None, default_level: CompatibilityLevel
) -> dict[str, Any]:
    """The merged JSON fields of the config governing `subject`, in Confluent's order.

    What `GET /config` answers; `resolve_config` types them for the registry's own logic.
    """
    merged: dict[str, Any] = {}
    for scope in reversed(scope_chain(subject)):
        stored = state.config(scope)
        if stored:
            merged.update({k: v for k, v in stored.items() if v is not None})
    merged.setdefault("compatibilityLevel", default_level.value)
    return order_config(merged)


def resolve_config(
    state: RegistryState, subject: str | None, default_level: CompatibilityLevel
) -> EffectiveConfig:
    """The config governing `subject` (None = the registry as a whole)."""
    fields = config_fields(state, subject, default_level)
    group = fields.get("compatibilityGroup")
    return EffectiveConfig(
        level=CompatibilityLevel.parse(str(fields["compatibilityLevel"])) or default_level,
        policy=CompatibilityPolicy.parse(fields.get("compatibilityPolicy", "STRICT"))
        or CompatibilityPolicy.STRICT,
        normalize=fields.get("normalize") is True,
        validate_fields=fields.get("validateFields") is True,
        compatibility_group=group if isinstance(group, str) and group else None,
        default_metadata=_object(fields.get("defaultMetadata")),
        override_metadata=_object(fields.get("overrideMetadata")),
        default_rule_set=_object(fields.get("defaultRuleSet")),
        override_rule_set=_object(fields.get("overrideRuleSet")),
    )


def _object(value: object) -> JsonObject | None:
    return value if isinstance(value, dict) else None


def order_config(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Config fields in Confluent's order, unknown ones after."""
    ordered = {k: fields[k] for k in CONFIG_FIELDS if fields.get(k) is not None}
    ordered.update({k: v for k, v in fields.items() if k not in ordered and v is not None})
    return ordered


def effective_mode(state: RegistryState, subject: str | None) -> Mode:
    """The mode that governs writes to `subject` (None = the registry as a whole)."""
    for scope in scope_chain(subject):
        stored = state.mode(scope)
        if stored is not None:
            mode = Mode.parse(stored)
            if mode is not None:
                return mode
    return Mode.READWRITE
