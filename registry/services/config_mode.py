"""Changing config and mode at every scope: a subject, a context (`:.ctx:`), or global.

Reads of config and mode are queries (`RegistryQueries.config`/`.mode`); this service writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compat.types import CompatibilityLevel, CompatibilityPolicy
from registry.effective import CONFIG_FIELDS, SETTABLE_MODES, Mode
from registry.errors import (
    InvalidCompatibilityError,
    InvalidModeError,
    InvalidSubjectError,
    OperationNotPermittedError,
    ReferenceExistsError,
    SubjectNotFoundError,
)
from registry.records import (
    ClearSubjectKey,
    ClearSubjectValue,
    ConfigKey,
    ConfigValue,
    ModeKey,
    ModeValue,
    SchemaKey,
    legacy_global_keys,
)
from registry.rules import validate_rule_set
from registry.services.queries import RegistryQueries
from registry.services.writes import WriteSupport, reference_message
from registry.store import Write
from registry.subjects import QualifiedSubject, context_of, is_valid_subject

_INVALID_MODE = (
    "Invalid mode. Valid values are "
    + ", ".join(m.value for m in SETTABLE_MODES[:-1])
    + f" and {SETTABLE_MODES[-1].value}."
)


class ConfigModeService:
    """`PUT`/`DELETE` on `/config[/{s}]` and `/mode[/{s}]`."""

    def __init__(self, writes: WriteSupport, queries: RegistryQueries) -> None:
        self._writes = writes
        self._queries = queries

    # ------------------------------------------------------------------ config

    async def set_config(self, scope: str | None, update: Mapping[str, Any]) -> dict[str, Any]:
        """`PUT /config[/{s}]`: a partial update; explicit nulls clear fields."""
        if scope is not None and not is_valid_subject(scope):
            raise InvalidSubjectError(scope)
        _validate_config_update(update)
        writes = self._writes
        writes.check_writable(scope)
        async with writes.lock(f"config:{scope}"):
            stored = dict(writes.store.state.config(scope) or {})
            for name, raw_value in update.items():
                value = raw_value
                field = "compatibilityLevel" if name == "compatibility" else name
                if name == "compatibilityLevel" and "compatibility" in update:
                    continue
                if field not in CONFIG_FIELDS:
                    continue
                if isinstance(value, str) and field in (
                    "compatibilityLevel",
                    "compatibilityPolicy",
                ):
                    value = value.upper()
                if value is None:
                    stored.pop(field, None)
                else:
                    stored[field] = value
            await writes.store.write([(ConfigKey(scope), ConfigValue(scope, stored))])
        return {("compatibility" if k == "compatibilityLevel" else k): v for k, v in stored.items()}

    async def delete_config(self, scope: str | None) -> dict[str, Any]:
        """`DELETE /config[/{s}]`: unset, returning what was there."""
        writes = self._writes
        writes.check_writable(scope)
        if scope is None:
            previous = self._queries.config(None, default_to_global=True)
            key = ConfigKey(None)
            await writes.store.write_raw([(raw, None) for raw in legacy_global_keys(key)])
            return previous
        stored = writes.store.state.config(scope)
        if stored is None:
            raise SubjectNotFoundError(scope)
        await writes.store.write([(ConfigKey(scope), None)])
        return dict(stored)

    # ------------------------------------------------------------------ mode

    async def set_mode(self, scope: str | None, raw_mode: object, *, force: bool) -> str:
        """`PUT /mode[/{s}]`."""
        if scope is not None and not is_valid_subject(scope):
            raise InvalidSubjectError(scope)
        mode = Mode.parse(raw_mode)
        if mode is None:
            raise InvalidModeError(_INVALID_MODE)
        if mode is Mode.FORWARD and scope is not None:
            raise InvalidModeError("Forward mode only supported on global level")
        current = self._queries.effective_mode(scope)
        entering_import = mode is Mode.IMPORT and current is not Mode.IMPORT
        if entering_import and not force and self._has_live_subjects(scope):
            raise OperationNotPermittedError("Cannot import since found existing subjects")
        records: list[Write] = []
        if entering_import:
            records += self._leftovers_cleared(scope)
        records.append((ModeKey(scope), ModeValue(scope, mode.value)))
        await self._writes.store.write(records)
        return mode.value

    async def delete_mode(self, scope: str | None, *, recursive: bool = False) -> str:
        """`DELETE /mode[/{s}]`: unset, returning the previous mode.

        With `recursive`, the modes of every subject in scope (the whole registry, or a
        context given as `:.ctx:`) are unset too.
        """
        store = self._writes.store
        state = store.state
        nested: list[Write] = []
        if recursive:
            nested = [
                (ModeKey(name), None)
                for name in state.mode_scopes()
                if name != scope and _in_scope(name, scope)
            ]
        if scope is None:
            previous = self._queries.effective_mode(None).value
            if nested:
                await store.write(nested)
            await store.write_raw([(raw, None) for raw in legacy_global_keys(ModeKey(None))])
            return previous
        stored = state.mode(scope)
        if stored is None and not recursive:
            raise SubjectNotFoundError(scope)
        previous = stored if stored is not None else self._queries.effective_mode(scope).value
        records = [*nested, (ModeKey(scope), None)] if stored is not None else nested
        if records:
            await store.write(records)
        return previous

    def _leftovers_cleared(self, scope: str | None) -> list[Write]:
        """Entering IMPORT: soft-deleted versions in scope are deleted for good, as Confluent
        does, so imported ids and versions cannot collide with them; 42206 if referenced."""
        state = self._writes.store.state
        records: list[Write] = []
        cleared: list[str] = []
        for subject in state.subjects():
            if not _in_scope(subject, scope):
                continue
            versions = state.versions(subject)
            dead = [n for n, v in versions.items() if v.deleted]
            for number in dead:
                if state.referrers(subject, number):
                    raise ReferenceExistsError(reference_message(subject, number))
                records.append((SchemaKey(subject, number), None))
            if dead:
                cleared.append(subject)
                records[:0] = self._writes.id_floor(subject)
        if cleared:
            prefix = scope if scope is not None else ""
            records.append((ClearSubjectKey(prefix), ClearSubjectValue(prefix)))
        return records

    def _has_live_subjects(self, scope: str | None) -> bool:
        state = self._writes.store.state
        return any(_in_scope(s, scope) and self._queries.live_versions(s) for s in state.subjects())


def _validate_config_update(update: Mapping[str, Any]) -> None:
    """42203 for a level or policy Confluent does not know; 42210 for a bad rule set."""
    if "compatibility" in update or "compatibilityLevel" in update:
        raw = update.get("compatibility", update.get("compatibilityLevel"))
        if raw is not None:
            level = CompatibilityLevel.parse(raw) if isinstance(raw, str) else None
            if level is None:
                raise InvalidCompatibilityError()
    policy = update.get("compatibilityPolicy")
    if policy is not None and CompatibilityPolicy.parse(policy) is None:
        raise InvalidCompatibilityError(
            "Invalid compatibility policy. Valid values are STRICT and LENIENT"
        )
    for name in ("defaultRuleSet", "overrideRuleSet"):
        rule_set = update.get(name)
        if rule_set is not None:
            validate_rule_set(rule_set)


def _in_scope(subject: str, scope: str | None) -> bool:
    """Whether `subject` falls under `scope`: everything, a whole context, or itself."""
    if scope is None:
        return True
    qualified = QualifiedSubject.parse(scope)
    if qualified.is_context_scope:
        return context_of(subject) == qualified.context
    return subject == scope
