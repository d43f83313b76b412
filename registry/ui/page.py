"""What every page handler gets: the request, the registry's services, the viewer, and a
renderer of templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse

from registry.services import Registry
from registry.ui.listing import SubjectIndex
from registry.ui.viewer import Viewer


@dataclass(frozen=True, slots=True)
class Page:
    """One request to the UI."""

    request: Request
    registry: Registry
    viewer: Viewer
    templates: Environment
    subjects: SubjectIndex

    @property
    def partial(self) -> bool:
        """Whether htmx asked for a fragment to swap in rather than a whole page."""
        return self.request.headers.get("hx-request") == "true"

    def arg(self, name: str, default: str = "") -> str:
        """A query parameter as text."""
        return self.request.query_params.get(name, default)

    def int_arg(self, name: str) -> int | None:
        """A query parameter as a whole number; None when absent or not a number."""
        try:
            return int(self.request.query_params[name])
        except (KeyError, ValueError):
            return None

    def render(
        self, template: str, values: Mapping[str, Any], *, status: int = 200
    ) -> HTMLResponse:
        """`template` rendered with `values` (and the viewer) as the response."""
        text = self.templates.get_template(template).render(viewer=self.viewer, **values)
        return HTMLResponse(text, status_code=status, headers=_NO_STORE)


#: Pages show the registry as it is now; never from a cache.
_NO_STORE = {"cache-control": "no-store"}
