"""Serving the UI beside the API from one process, without touching the API's path.

`with_ui` puts a prefix test in front of the assembled API app: requests under `/ui` go to
the UI, everything else (and the lifespan) to the API as before. The API app itself, its
router and its security gate are unchanged, so an API request pays one string comparison.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

from registry.services import Registry

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class Served(Protocol):
    """An ASGI app over a registry (the API app, or a gate in front of it)."""

    registry: Registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""


class UiMount:
    """`/ui` and below to `ui`, everything else to `api`."""

    def __init__(self, api: Served, ui: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self._api = api
        self._ui = ui
        #: The registry behind both (what the metrics and start-up gate read).
        self.registry = api.registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Dispatch on the path's first segment."""
        path = scope.get("path", "")
        if path.startswith("/ui") and (len(path) == 3 or path[3] == "/"):
            await self._ui(scope, receive, send)
            return
        await self._api(scope, receive, send)
