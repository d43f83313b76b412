"""The web UI's ASGI application: routes, templates, static files, and who is asking.

Pages call the registry's services directly (never the HTTP API), so a page costs what its
questions cost and nothing of the API's hot path. Every page identifies its viewer first
(`viewer.identify`): with authentication on, a browser without credentials gets the basic
auth challenge. Static files (the style sheet and htmx) are served to anyone: they hold
nothing of the registry.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from registry.errors import RegistryError, UnauthorizedError
from registry.security.audit import AuditLog
from registry.security.config import AuthConfigSource
from registry.services import Registry
from registry.ui import browse, changes, compare, keys
from registry.ui.changes import guarded_write
from registry.ui.listing import SubjectIndex
from registry.ui.page import Page
from registry.ui.viewer import Viewer, identify

#: Where the UI is served.
PREFIX = "/ui"
STATIC = Path(__file__).resolve().parent / "static"

Handler = Callable[[Page], Awaitable[Response]]


def templates() -> Environment:
    """The page templates, loaded from the installed package."""
    env = Environment(
        loader=PackageLoader("registry.ui", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    env.globals["prefix"] = PREFIX
    return env


def _when(ts_ms: int) -> str:
    moment = datetime.datetime.fromtimestamp(ts_ms / 1000, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


class UiApp:
    """The pages under `/ui` over one registry.

    `auth` None: read-only pages for anyone. `writable` says whether this node may write
    at all (a follower in a cluster may not: its writes belong to the leader).
    """

    def __init__(
        self,
        registry: Registry,
        auth: AuthConfigSource | None,
        *,
        writable: Callable[[], bool] = lambda: True,
        audit: AuditLog | None = None,
    ) -> None:
        self._registry = registry
        self._auth = auth
        self._writable = writable
        self._audit = audit or AuditLog()
        self._templates = templates()
        state = registry.store.state
        self._subjects = SubjectIndex(registry.queries, lambda: state.next_offset)
        self._router = Router(
            routes=[
                Route(PREFIX, self._redirect),
                Route(f"{PREFIX}/", self._page(browse.subjects)),
                Route(f"{PREFIX}/subjects", self._page(browse.subjects)),
                Route(f"{PREFIX}/subject", self._page(browse.subject)),
                Route(f"{PREFIX}/settings", self._page(browse.settings)),
                Route(f"{PREFIX}/keys", self._page(keys.keys)),
                Route(f"{PREFIX}/diff", self._page(compare.diff)),
                Route(f"{PREFIX}/check", self._page(compare.check_form), methods=["GET"]),
                Route(f"{PREFIX}/check", self._page(compare.check), methods=["POST"]),
                Route(f"{PREFIX}/register", self._page(self._register), methods=["POST"]),
                Route(f"{PREFIX}/delete-version", self._page(self._delete), methods=["POST"]),
                Route(f"{PREFIX}/set-level", self._page(self._set_level), methods=["POST"]),
                Mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name="static"),
            ]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        await self._router(scope, receive, send)

    async def _redirect(self, request: Request) -> Response:
        return RedirectResponse(f"{PREFIX}/subjects", status_code=307)

    def _page(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                viewer = await identify(self._auth, request.scope, writes=self._writable())
            except UnauthorizedError:
                return Response(
                    "Sign in to see the registry",
                    status_code=401,
                    headers={"www-authenticate": 'Basic realm="cairn"'},
                )
            page = Page(request, self._registry, viewer, self._templates, self._subjects)
            try:
                return await handler(page)
            except RegistryError as exc:
                return page.render("not_found.html", {"message": exc.message}, status=exc.status)

        return endpoint

    async def _register(self, page: Page) -> Response:
        return await guarded_write(
            page, self._audit, "ui_register", Viewer.may_write, changes.register
        )

    async def _delete(self, page: Page) -> Response:
        return await guarded_write(
            page, self._audit, "ui_delete_version", Viewer.may_write, changes.delete_version
        )

    async def _set_level(self, page: Page) -> Response:
        return await guarded_write(
            page, self._audit, "ui_set_config", Viewer.may_admin, changes.set_level
        )
