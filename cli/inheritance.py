"""Where a subject's compatibility level or mode comes from: its own, its context's, or global.

A subject without a setting of its own inherits one through Confluent's scope chain: the
subject, then its context (for a qualified subject `:.ctx:name`), then the registry-wide
setting. The REST API answers the effective value (`?defaultToGlobal=true`) and, scope by
scope, what is set there itself; walking the chain with those answers names the source.
The registry-wide answer is the server's default when nothing is set globally, which the
API does not tell apart, so that source is reported as global.
"""

from __future__ import annotations

from dataclasses import dataclass

from cli.rest_client import RegistryRestClient, as_object, own_config_or_mode, resource_path
from registry.effective import scope_chain

#: The field that carries the setting, per resource.
FIELDS = {"config": "compatibilityLevel", "mode": "mode"}


@dataclass(frozen=True, slots=True)
class Inherited:
    """A subject's effective setting and the scope it comes from."""

    answer: dict[str, object]
    field: str
    source: str

    @property
    def value(self) -> str:
        """The setting itself (the level or the mode)."""
        return str(self.answer.get(self.field))

    def describe(self, subject: str, resource: str) -> str:
        """One line for a person: the value and where it was set."""
        what = "compatibility level" if resource == "config" else "mode"
        return f"{subject}: {what} {self.value}, from {self.source}"


def _source(scope: str, subject: str, resource: str) -> str:
    if scope == subject:
        return "the subject's own setting"
    return f"the {resource} of context {scope}"


def inherited(client: RegistryRestClient, resource: str, subject: str) -> Inherited:
    """The effective config or mode of `subject` and the first scope that sets it."""
    field = FIELDS[resource]
    path = resource_path(resource, subject)
    answer = as_object(client.get(path, {"defaultToGlobal": True}), path)
    for scope in scope_chain(subject):
        if scope is None:
            break
        own = own_config_or_mode(client, resource, scope)
        if own is not None and own.get(field) is not None:
            return Inherited(answer, field, _source(scope, subject, resource))
    return Inherited(
        answer,
        field,
        f"the global {resource} (the server's default when none is set)",
    )
