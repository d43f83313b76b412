"""The registry's web UI at `/ui`: browse subjects, read, diff and check schemas.

    UiApp          routes, templates and static files (app.py), mounted on the API app
    ├── browse     the subjects list, a subject, the settings
    └── compare    two versions side by side; a new schema checked against a subject

The pages are rendered on the server from Jinja2 templates, with htmx for live search and
in-place check results; they use the registry's services directly.
"""

from __future__ import annotations

from registry.ui.app import PREFIX, UiApp

__all__ = ["PREFIX", "UiApp"]
