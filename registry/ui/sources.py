"""Where a subject's effective compatibility level and mode come from.

The registry resolves both through a chain of scopes (the subject, its context, the global
setting, the registry-wide `:.__GLOBAL:` context, then the server's default). The settings
page names the scope that decided, so a user knows where to change it.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.effective import GLOBAL_SCOPE, Mode, scope_chain
from registry.services import Registry
from registry.subjects import QualifiedSubject


@dataclass(frozen=True, slots=True)
class Setting:
    """An effective value and the scope it was set at."""

    value: str
    source: str


@dataclass(frozen=True, slots=True)
class SubjectSettings:
    """The effective level and mode of one subject (None: the registry as a whole)."""

    subject: str | None
    level: Setting
    mode: Setting


def _scope_name(scope: str | None, subject: str | None) -> str:
    if scope is None:
        return "global"
    if scope == GLOBAL_SCOPE:
        return "registry-wide (:.__GLOBAL:)"
    if scope == subject:
        return "subject"
    return f"context {QualifiedSubject.parse(scope).context}"


def settings_of(registry: Registry, subject: str | None) -> SubjectSettings:
    """The level and mode governing `subject`, each with the scope that set it."""
    state = registry.store.state
    level = mode = None
    for scope in scope_chain(subject):
        stored = state.config(scope)
        if level is None and stored and stored.get("compatibilityLevel"):
            level = Setting(str(stored["compatibilityLevel"]), _scope_name(scope, subject))
        raw_mode = state.mode(scope)
        if mode is None and raw_mode is not None and Mode.parse(raw_mode) is not None:
            mode = Setting(raw_mode.upper(), _scope_name(scope, subject))
    default_level = registry.settings.default_compatibility.value
    return SubjectSettings(
        subject,
        level or Setting(default_level, "server default (--compatibility)"),
        mode or Setting(Mode.READWRITE.value, "default"),
    )
