"""Subject names, contexts and Confluent's qualified-subject syntax (`:.context:subject`).

Subjects are kept in one normal form: a subject in the default context is its bare name, any
other is `:.ctx:name`. A context's own scope (for config and mode) is `:.ctx:` with an empty
name; the registry-wide fallback pseudo-context is `:.__GLOBAL:`.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_CONTEXT = "."
GLOBAL_CONTEXT = ".__GLOBAL"
WILDCARD = ":*:"
#: The version number that means "the newest live version" (`latest` in paths).
LATEST = -1
_RESERVED_NAMES = frozenset({"__GLOBAL", "__EMPTY"})


@dataclass(frozen=True, slots=True)
class QualifiedSubject:
    """A subject split into its context (`.` or `.name`) and its name within the context."""

    context: str
    name: str

    @classmethod
    def parse(cls, subject: str) -> QualifiedSubject:
        """Split `subject`; an unqualified name lives in the default context."""
        if subject.startswith(":.") and ":" in subject[2:]:
            end = subject.index(":", 2)
            context = subject[1:end]
            return cls(context, subject[end + 1 :])
        return cls(DEFAULT_CONTEXT, subject)

    @property
    def is_default_context(self) -> bool:
        """Whether the subject lives in the default context."""
        return self.context == DEFAULT_CONTEXT

    @property
    def is_context_scope(self) -> bool:
        """Whether this names a whole context (`:.ctx:`) rather than a subject in it."""
        return self.name == "" and not self.is_default_context

    def __str__(self) -> str:
        if self.is_default_context:
            return self.name
        return f":{self.context}:{self.name}"


def normalize_subject(subject: str) -> str:
    """The stored form of a subject (`:.:name` and `name` are the same subject)."""
    return str(QualifiedSubject.parse(subject))


def context_of(subject: str) -> str:
    """The context a stored subject belongs to."""
    return QualifiedSubject.parse(subject).context


def is_valid_subject(subject: str) -> bool:
    """Confluent's rule: no control characters, no reserved names, not the global context."""
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in subject):
        return False
    qualified = QualifiedSubject.parse(subject)
    if qualified.name in _RESERVED_NAMES or qualified.context == GLOBAL_CONTEXT:
        return False
    return ":" not in qualified.context


def config_scope(subject: str | None) -> str | None:
    """The scope a config or mode applies to, for a path or record-key subject.

    None is the registry-wide scope; every spelling of the default context's own scope
    (`:.:`, `:.:` with nothing after it) means the registry-wide scope too, as in Confluent.
    """
    if subject is None:
        return None
    qualified = QualifiedSubject.parse(subject)
    if subject.startswith(":") and qualified.is_default_context and qualified.name == "":
        return None
    return str(qualified)
