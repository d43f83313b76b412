"""`cairn check --subject`: a file against a subject's registered versions.

The registry judges at the subject's own level (`subject_outcome`), or the versions are
fetched and judged here at another level (`what_if_outcome`). A subject with no versions is
most likely a misspelt name (`missing_subject_outcome`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cli.errors import InputError, RegistryRefusedError
from cli.outcomes import Outcome, failed, offline_outcome
from cli.registry_check import registry_outcome
from cli.registry_schemas import live_versions, registry_references
from cli.rest_client import RegistryRestClient, segment
from cli.schema_files import ReferenceSpec, SchemaLoader, read_text, schema_type_for
from compat.types import CompatibilityLevel, SchemaType


def subject_outcome(
    client: RegistryRestClient,
    subject: str,
    file: Path,
    *,
    explicit: SchemaType | None,
    references: Sequence[ReferenceSpec],
    version: str | None,
) -> Outcome:
    """Ask the registry whether FILE may join `subject` (or is compatible with `version`)."""
    return registry_outcome(
        client,
        subject,
        read_text(file),
        schema_type_for(file, explicit),
        file=str(file),
        version=version,
        references=[spec.to_registry() for spec in references],
    )


def missing_subject_outcome(
    client: RegistryRestClient, subject: str, file: Path, level: str
) -> Outcome | None:
    """An error outcome when `subject` has no live version: most likely a misspelt name.

    Without this a CI gate would pass on a typo, since nothing is incompatible with nothing.
    """
    try:
        client.get(f"/subjects/{segment(subject)}/versions")
    except RegistryRefusedError as exc:
        if exc.error_code != 40401:
            raise
        return failed(
            subject,
            str(file),
            level,
            f"Subject '{subject}' has no versions in the registry, so there is nothing to check "
            "against. Check the name (`cairn subjects` lists them), or pass "
            "--allow-new-subject when this is the subject's first schema.",
        )
    return None


def what_if_outcome(
    loader: SchemaLoader,
    client: RegistryRestClient,
    subject: str,
    file: Path,
    *,
    level: CompatibilityLevel,
    explicit: SchemaType | None,
    references: Sequence[ReferenceSpec],
    version: str | None,
) -> Outcome:
    """Check FILE against the subject's registered versions at a level of our choosing.

    The versions (and the references) come from the registry; the engine runs here, so a
    team can see what a stricter level would reject before configuring it.
    """
    resolved = registry_references(loader, client, references)
    new = loader.load(file, explicit, resolved)
    history = live_versions(loader, client, subject)
    if version is not None:
        wanted = history[-1][0] if version.lower() == "latest" and history else version
        history = [item for item in history if str(item[0]) == str(wanted)]
        if not history:
            raise InputError(f"{subject} has no live version {version}")
    return offline_outcome(loader.formats, level, new, history, name=subject, file=str(file))
