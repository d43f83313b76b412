"""Contexts as a resource: forgetting an empty one (listing them is a query)."""

from __future__ import annotations

from registry.errors import ContextNotEmptyError
from registry.records import ContextKey
from registry.services.writes import WriteSupport
from registry.subjects import DEFAULT_CONTEXT, context_of


class ContextService:
    """`DELETE /contexts/{context}`."""

    def __init__(self, writes: WriteSupport) -> None:
        self._writes = writes

    async def delete_context(self, context: str) -> None:
        """Forget an empty context; one that still holds subjects is refused (42211)."""
        store = self._writes.store
        state = store.state
        if context == DEFAULT_CONTEXT or any(context_of(s) == context for s in state.subjects()):
            raise ContextNotEmptyError(context)
        if context in state.contexts():
            await store.write([(ContextKey(context), None)])
