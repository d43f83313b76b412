"""`cairn check`: is this schema change safe? Offline, against a registry, or a whole project."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from cli.connection_options import connection_options
from cli.errors import EXIT_OK, InputError
from cli.offline_check import files_outcome, validation_outcome
from cli.outcomes import Outcome, failed
from cli.param_types import LEVEL, SCHEMA_TYPE
from cli.project import ProjectEntry, load_project
from cli.report import FORMATS, RENDERERS
from cli.rest_client import RegistryRestClient
from cli.schema_files import ReferenceSpec, SchemaLoader
from cli.subject_check import missing_subject_outcome, subject_outcome, what_if_outcome
from cli.topic_check import run_topic_check
from cli.topic_options import TopicOptions, topic_options
from compat.formats import Formats, default_formats
from compat.types import CompatibilityLevel, SchemaType

_PATH = click.Path(exists=True, dir_okay=False, path_type=Path)


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
            missing = missing_subject_outcome(client, entry.subject, entry.file, level.value)
            if missing is not None:
                return missing
        if entry.level is not None and not entry.history:
            return what_if_outcome(
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
            return files_outcome(
                loader,
                [*entry.history, entry.file],
                level=level,
                explicit=entry.schema_type,
                references=entry.references,
                name=entry.subject,
            )
        return subject_outcome(
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
            missing = missing_subject_outcome(client, subject, files[0], shown)
            if missing is not None:
                return [missing]
        if level is not None:
            return [
                what_if_outcome(
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
            subject_outcome(
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
    if not files:
        raise InputError(
            "Give a schema to validate (cairn check FILE), the old schema(s) and the new one "
            "(cairn check OLD NEW), --subject S FILE, or --project FILE"
        )
    if len(files) == 1:
        if level is not None:
            raise InputError(
                "With one FILE, check only validates it; give the earlier schema(s) before it "
                "to check compatibility at --level"
            )
        return [validation_outcome(loader, files[0], explicit=explicit, references=references)]
    return [
        files_outcome(
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
  0  compatible (one FILE: valid)
  1  incompatible
  2  usage error or invalid schema
  3  registry unreachable or server error, or the check failed inside
When several schemas are checked (--project), the highest code wins.
With --against-topic or --records: 0 every record readable, 1 some unreadable,
2 also for a topic that does not exist, 3 also for Kafka unreachable.

\b
Examples:
  cairn check order.avsc             # only validate one schema file
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

    Offline, FILES are earlier versions oldest first and the new schema last; a single FILE
    is only validated. Each problem is printed with its path, what breaks (which consumers
    cannot read which data) and a hint.
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
