"""The pages' writes: registering a checked schema, soft-deleting a version, and setting a
subject's compatibility level, all behind one guard (`guarded_write`).

The guard: only a signed-in viewer whose ACL grants the permission the API would ask (write
to register or soft-delete, admin to change a subject's config), only from the page's own
script (htmx's header, which another site's form cannot send), and every attempt by a known
user audited like the API's writes. A permanent delete is not offered: it cannot be undone,
and the command line or the API are the place for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.responses import Response

from compat.types import CompatibilityLevel
from registry.errors import RegistryError
from registry.requests import SchemaRequest
from registry.security.audit import AuditLog
from registry.subjects import normalize_subject
from registry.ui.forms import read_form, schema_type
from registry.ui.page import Page
from registry.ui.viewer import Viewer

#: A write of a page: the subject and the posted form in, the answer out.
Change = Callable[[Page, str, dict[str, str]], Awaitable[Response]]


async def guarded_write(
    page: Page,
    audit: AuditLog,
    action: str,
    allowed: Callable[[Viewer, str], bool],
    change: Change,
) -> Response:
    """Run `change` on the posted subject if `allowed`, else 403; audit the attempt."""
    form = await read_form(page.request, page.registry.settings.max_request_bytes)
    name = normalize_subject(form.get("subject", ""))
    response: Response
    if page.partial and allowed(page.viewer, name):
        try:
            response = await change(page, name, form)
        except RegistryError as exc:
            response = message(page, exc.message, ok=False, status=exc.status)
    else:
        response = message(page, "Not allowed", ok=False, status=403)
    if page.viewer.principal is not None:
        audit.record(
            principal=page.viewer.principal,
            action=action,
            subject=name,
            status=response.status_code,
        )
    return response


def message(page: Page, text: str, *, ok: bool, status: int = 200, **extra: object) -> Response:
    """The one-line answer the pages swap in."""
    return page.render("_message.html", {"message": text, "ok": ok, **extra}, status=status)


async def register(page: Page, name: str, form: dict[str, str]) -> Response:
    """Register the posted schema under the subject."""
    request = SchemaRequest(
        form.get("schema", ""), schema_type=schema_type(form.get("schemaType", ""))
    )
    try:
        version = await page.registry.registration.register(name, request)
    except RegistryError as exc:
        # Shown in the check form's result, where the user can still fix the schema.
        return message(page, exc.message, ok=False)
    text = f"Registered {name} version {version.version} (id {version.schema.id})"
    return message(page, text, ok=True, subject=name, version=version.version)


async def delete_version(page: Page, name: str, form: dict[str, str]) -> Response:
    """Soft-delete the posted version."""
    try:
        version = int(form.get("version", ""))
    except ValueError:
        return message(page, "No such version", ok=False, status=422)
    await page.registry.deletion.delete_version(name, version, permanent=False)
    return message(page, f"Soft-deleted {name} version {version}", ok=True)


async def set_level(page: Page, name: str, form: dict[str, str]) -> Response:
    """Set the subject's own compatibility level."""
    raw = form.get("level", "")
    level = CompatibilityLevel.parse(raw)
    if level is None:
        return message(page, f"Unknown level {raw!r}", ok=False, status=422)
    await page.registry.config_mode.set_config(name, {"compatibility": level.value})
    return message(page, f"Compatibility of {name} set to {level.value}", ok=True)
