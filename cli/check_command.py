"""`cairn check`: is this schema change safe? Offline, against a registry, or a whole project."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from cli.connection_options import connection_options
from cli.errors import EXIT_OK, InputError, RegistryRefusedError
from cli.outcomes import Outcome, failed, offline_outcome
from cli.param_types import LEVEL, SCHEMA_TYPE
from cli.project import ProjectEntry, load_project
from cli.registry_check import registry_outcome
from cli.registry_schemas import live_versions, registry_references
from cli.report import FORMATS, RENDERERS
from cli.rest_client import RegistryRestClient, segment
from cli.schema_files import ReferenceSpec, SchemaLoader, read_text, schema_type_for
from cli.topic_check import run_topic_check
from cli.topic_options import TopicOptions, topic_options
from compat.formats import Formats, default_formats
from compat.types import CompatibilityLevel, SchemaType

_PATH = click.Path(exists=True, dir_okay=False, path_type=Path)


def _offline(
    loader: SchemaLoader,
    files: Sequence[Path],
    *,
    level: CompatibilityLevel,
    explicit: SchemaType | None,
    references: Sequence[ReferenceSpec],
    name: str | None = None,
) -> Outcome:
    """Check the last file after the others (oldest first), each parsed with the references."""
    *history_files, new_file = files
    resolved = loader.references(references, explicit)
    new = loader.load(new_file, explicit, resolved)
    history = [loader.load(path, explicit, resolved) for path in history_files]
    return offline_outcome(
        loader.formats, level, new, history, name=name or str(new_file), file=str(new_file)
    )


def _against_registry(
    client: RegistryRestClient,
    subject: str,
    file: Path,
    *,
    explicit: SchemaType | None,
    references: Sequence[ReferenceSpec],
    version: str | None,
) -> Outcome:
    return registry_outcome(
        client,
        subject,
        read_text(file),
        schema_type_for(file, explicit),
        file=str(file),
        version=version,
        references=[spec.to_registry() for spec in references],
    )


def _missing_subject(
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


def _what_if(
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


def _project_entry(
    loader: SchemaLoader,
    client: RegistryRestClient,
    entry: ProjectEntry,
    *,
    allow_new_subject: bool,
) -> Outcome:
    """One subject of a project file; local mistakes become that subject's error."""
    level = entry.level or CompatibilityLevel.BACKWARD
    try:
        if not entry.history and not allow_new_subject:
            missing = _missing_subject(client, entry.subject, entry.file, level.value)
            if missing is not None:
                return missing
        if entry.level is not None and not entry.history:
            return _what_if(
                loader,
                client,
                entry.subject,
                entry.file,
                level=entry.level,
                explicit=entry.schema_type,
                references=entry.references,
                version=None,
            )
        if entry.history:
            return _offline(
                loader,
                [*entry.history, entry.file],
                level=level,
                explicit=entry.schema_type,
                references=entry.references,
                name=entry.subject,
            )
        return _against_registry(
            client,
            entry.subject,
            entry.file,
            explicit=entry.schema_type,
            references=entry.references,
            version=None,
        )
    except InputError as exc:
        return failed(entry.subject, str(entry.file), level.value, exc.format_message())


def _outcomes(
    formats: Formats,
    client: RegistryRestClient,
    files: tuple[Path, ...],
    *,
    subject: str | None,
    version: str | None,
    level: CompatibilityLevel | None,
    explicit: SchemaType | None,
    references: Sequence[ReferenceSpec],
    project: Path | None,
    allow_new_subject: bool = False,
) -> list[Outcome]:
    loader = SchemaLoader(formats)
    if project is not None:
        if files or subject:
            raise InputError("--project checks the files it lists; give no FILES or --subject")
        return [
            _project_entry(loader, client, entry, allow_new_subject=allow_new_subject)
            for entry in load_project(project)
        ]
    if subject is not None:
        if len(files) != 1:
            raise InputError("With --subject give exactly one FILE: the new schema")
        if not allow_new_subject:
            shown = level.value if level is not None else "the subject's level"
            missing = _missing_subject(client, subject, files[0], shown)
            if missing is not None:
                return [missing]
        if level is not None:
            return [
                _what_if(
                    loader,
                    client,
                    subject,
                    files[0],
                    level=level,
                    explicit=explicit,
                    references=references,
                    version=version,
                )
            ]
        return [
            _against_registry(
                client,
                subject,
                files[0],
                explicit=explicit,
                references=references,
                version=version,
            )
        ]
    if version is not None:
        raise InputError("--version selects a registry version; use it with --subject")
    if len(files) < 2:
        raise InputError(
            "Give the old schema(s) and the new one (cairn check OLD NEW), or --subject S FILE, "
            "or --project FILE"
        )
    return [
        _offline(
            loader,
            files,
            level=level or CompatibilityLevel.BACKWARD,
            explicit=explicit,
            references=references,
        )
    ]


@click.command(
    epilog="""\b
Exit codes:
  0  compatible
  1  incompatible
  2  usage error or invalid schema
  3  registry unreachable or server error, or the check failed inside
When several schemas are checked (--project), the highest code wins.
With --against-topic or --records: 0 every record readable, 1 some unreadable,
2 also for a topic that does not exist, 3 also for Kafka unreachable.

\b
Examples:
  cairn check v1.avsc v2.avsc
  cairn check v1.avsc v2.avsc v3.avsc new.avsc --level BACKWARD_TRANSITIVE
  cairn check -r com.acme.Money=money.avsc old.avsc new.avsc --level FULL
  cairn check --subject orders-value order.avsc --format github
  cairn check --project cairn.toml --format junit -o report.xml
  cairn check --subject orders-value new.avsc --against-topic orders --bootstrap-servers kafka:9092
  cairn check --subject orders-value new.avsc --records captured.jsonl --sample 500

\b
Project file (TOML, or the same keys in JSON):
  [subjects."orders-value"]
  file = "schemas/order.avsc"        # checked by the registry, at the subject's level
  references = [{ name = "com.acme.Money", subject = "money-value", version = 1 }]
  [subjects."payments-value"]
  file = "schemas/payment.json"
  history = ["schemas/payment.v1.json"]   # or offline, against these files
  level = "FULL_TRANSITIVE"          # (with no history: registry versions, this level)
"""
)
@click.argument("files", nargs=-1, type=_PATH)
@click.option("--subject", "-s", help="Check FILE against this subject in the registry.")
@click.option(
    "--version",
    help="With --subject: check against one version (a number or 'latest') instead of the "
    "versions the subject's level selects.",
)
@click.option(
    "--level",
    type=LEVEL,
    default=None,
    help="Level to check at (offline default BACKWARD; *_TRANSITIVE checks every earlier "
    "version). With --subject, the registry's versions are checked here at this level "
    "instead of the subject's configured one.",
)
@click.option(
    "--allow-new-subject",
    is_flag=True,
    help="With --subject or --project: a subject with no versions yet passes (its first "
    "schema) instead of failing with exit 2 as a likely misspelt name.",
)
@click.option("--type", "schema_type", type=SCHEMA_TYPE, help="Schema type if not by extension.")
@click.option(
    "--reference",
    "-r",
    "references",
    multiple=True,
    help="NAME=PATH[@SUBJECT:VERSION] (offline) or NAME=@SUBJECT:VERSION (registry); repeatable.",
)
@click.option(
    "--project",
    type=_PATH,
    help="A .toml or .json project file mapping subjects to schema files.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
@connection_options
@topic_options
def check(
    files: tuple[Path, ...],
    subject: str | None,
    version: str | None,
    level: CompatibilityLevel | None,
    allow_new_subject: bool,
    schema_type: SchemaType | None,
    references: tuple[str, ...],
    project: Path | None,
    output_format: str,
    output: Path | None,
    client: RegistryRestClient,
    topic: TopicOptions,
) -> None:
    """Check that a schema change is compatible: offline, against a registry, or a project.

    Offline, FILES are earlier versions oldest first and the new schema last. Each problem
    is printed with its path, what breaks (which consumers cannot read which data) and a hint.
    """
    if topic.requested:
        run_topic_check(
            topic,
            client,
            subject=subject,
            files=files,
            explicit=schema_type,
            references=references,
            output_format=output_format,
            output=output,
            unused={
                "--project": project is not None,
                "--level": level is not None,
                "--version": version is not None,
                "--allow-new-subject": allow_new_subject,
            },
        )
        return
    outcomes = _outcomes(
        default_formats(),
        client,
        files,
        subject=subject,
        version=version,
        level=level,
        explicit=schema_type,
        references=[ReferenceSpec.parse(r) for r in references],
        project=project,
        allow_new_subject=allow_new_subject,
    )
    report = RENDERERS[output_format](outcomes)
    if output is not None:
        try:
            output.write_text(report + "\n", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"Cannot write the report to {output}: {exc}") from exc
    else:
        click.echo(report)
    code = max((o.exit_code for o in outcomes), default=EXIT_OK)
    if code != EXIT_OK:
        click.get_current_context().exit(code)
