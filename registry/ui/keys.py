"""The keys page: the DEK registry's KEKs and, under each, the subjects with DEKs.

For operators of field encryption: which KEKs exist, in which KMS, whether the registry may
use their key (shared), and which subjects have DEKs under them, in which algorithms and
versions. Subjects the viewer may not read are left out, as in the API. Key material is
never shown: the page reads the stored records, which hold only wrapped keys, and unwraps
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from registry.dek_records import Dek, Kek
from registry.ui.page import Page


@dataclass(frozen=True, slots=True)
class DekGroup:
    """A subject's DEKs of one algorithm under a KEK."""

    subject: str
    algorithm: str
    versions: tuple[int, ...]
    deleted: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class KekRow:
    """A KEK and the DEK groups the viewer may see."""

    kek: Kek
    groups: tuple[DekGroup, ...]


def _groups(deks: list[Dek], show_deleted: bool) -> tuple[DekGroup, ...]:
    by_slot: dict[tuple[str, str], list[Dek]] = {}
    for dek in deks:
        if show_deleted or not dek.deleted:
            by_slot.setdefault((dek.subject, dek.algorithm), []).append(dek)
    return tuple(
        DekGroup(
            subject,
            algorithm,
            tuple(d.version for d in found),
            tuple(d.version for d in found if d.deleted),
        )
        for (subject, algorithm), found in sorted(by_slot.items())
    )


async def keys(page: Page) -> Response:
    """Every KEK (soft-deleted ones with `deleted=1`) with its readable DEK subjects."""
    show_deleted = page.arg("deleted") == "1"
    state = page.registry.store.state.keys
    rows = []
    for kek in state.keks():
        if kek.deleted and not show_deleted:
            continue
        readable = [d for d in state.deks(kek.name) if page.viewer.may_read(d.subject)]
        rows.append(KekRow(kek, _groups(readable, show_deleted)))
    return page.render("keys.html", {"rows": rows, "show_deleted": show_deleted})
