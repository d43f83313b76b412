"""The pages' writes besides registering: soft-deleting a version and setting a subject's
compatibility level.

The same guards as registering: only a signed-in viewer whose ACL grants the permission the
API would ask (write to soft-delete a version, admin to change a subject's config), only
from the page's own script (htmx's header, which another site's form cannot send), and
every attempt by a known user audited like the API's writes. A permanent delete is not
offered: it cannot be undone, and the command line or the API are the place for it.
"""

from __future__ import annotations

from starlette.responses import Response

from compat.types import CompatibilityLevel
from registry.errors import RegistryError
from registry.security.audit import AuditLog
from registry.subjects import normalize_subject
from registry.ui.forms import read_form
from registry.ui.page import Page

_NOT_ALLOWED = {"message": "Not allowed", "ok": False}


async def delete_version(page: Page, audit: AuditLog) -> Response:
    """Soft-delete the posted version of the posted subject."""
    form = await read_form(page.request, page.registry.settings.max_request_bytes)
    name = normalize_subject(form.get("subject", ""))
    response: Response
    if not page.partial or not page.viewer.may_write(name):
        response = page.render("_message.html", _NOT_ALLOWED, status=403)
    else:
        response = await _delete(page, name, form.get("version", ""))
    _audit(page, audit, "ui_delete_version", name, response)
    return response


async def _delete(page: Page, name: str, raw_version: str) -> Response:
    try:
        version = int(raw_version)
    except ValueError:
        return page.render("_message.html", {"message": "No such version", "ok": False}, status=422)
    try:
        await page.registry.deletion.delete_version(name, version, permanent=False)
    except RegistryError as exc:
        return page.render(
            "_message.html", {"message": exc.message, "ok": False}, status=exc.status
        )
    message = f"Soft-deleted {name} version {version}"
    return page.render("_message.html", {"message": message, "ok": True})


async def set_level(page: Page, audit: AuditLog) -> Response:
    """Set the posted subject's own compatibility level."""
    form = await read_form(page.request, page.registry.settings.max_request_bytes)
    name = normalize_subject(form.get("subject", ""))
    response: Response
    if not page.partial or not page.viewer.may_admin(name):
        response = page.render("_message.html", _NOT_ALLOWED, status=403)
    else:
        response = await _set_level(page, name, form.get("level", ""))
    _audit(page, audit, "ui_set_config", name, response)
    return response


async def _set_level(page: Page, name: str, raw_level: str) -> Response:
    level = CompatibilityLevel.parse(raw_level)
    if level is None:
        unknown = {"message": f"Unknown level {raw_level!r}", "ok": False}
        return page.render("_message.html", unknown, status=422)
    try:
        await page.registry.config_mode.set_config(name, {"compatibility": level.value})
    except RegistryError as exc:
        return page.render(
            "_message.html", {"message": exc.message, "ok": False}, status=exc.status
        )
    message = f"Compatibility of {name} set to {level.value}"
    return page.render("_message.html", {"message": message, "ok": True})


def _audit(page: Page, audit: AuditLog, action: str, subject: str, response: Response) -> None:
    if page.viewer.principal is not None:
        audit.record(
            principal=page.viewer.principal,
            action=action,
            subject=subject,
            status=response.status_code,
        )
