"""`cairn register`: register a schema file under a subject, explaining a refusal.

A refused registration is said the way `cairn check` says it: an incompatible schema lists
its problems (asked of the registry's verbose compatibility check, since the 409 itself
carries Confluent's raw messages and the old schema), and an invalid one gives the parser's
reason for the user's file; both name the real subject and file in their advice.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import click

from cli.connection_options import connection_options
from cli.errors import IncompatibleRegistrationError, InputError, RegistryRefusedError
from cli.param_types import SCHEMA_TYPE
from cli.parse_errors import explain, registry_reason
from cli.registry_check import registry_outcome
from cli.report import problem_lines
from cli.rest_client import RegistryRestClient, as_object, segment
from cli.rule_check import contract_problems, read_json_object, render
from cli.schema_files import ReferenceSpec, SchemaLoader, read_text, schema_type_for
from compat.formats import default_formats
from compat.types import SchemaType
from serdes.rules.lint import Severity

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
#: Confluent's "invalid schema" and "invalid schema type" codes.
_INVALID = (42201, 422)


def _incompatible(
    client: RegistryRestClient,
    subject: str,
    file: Path,
    body: dict[str, object],
    refusal: IncompatibleRegistrationError,
) -> IncompatibleRegistrationError:
    """The 409 restated as `cairn check --subject` reports it, with the command to re-check."""
    check = f"cairn check --subject {shlex.quote(subject)} {shlex.quote(str(file))}"
    outcome = registry_outcome(
        client,
        subject,
        str(body["schema"]),
        SchemaType(str(body["schemaType"])),
        file=str(file),
        version=None,
        references=list(body.get("references", [])),  # type: ignore[call-overload]
    )
    if not outcome.problems:
        # The check passes now (the subject changed meanwhile): the registry's own words.
        details = f"{refusal.format_message()} Check again with `{check}`."
        return IncompatibleRegistrationError(
            details, status=refusal.status, error_code=refusal.error_code
        )
    lines = [f"{file} is incompatible with {subject} at {outcome.level}; not registered."]
    for problem in outcome.problems:
        lines += problem_lines(problem)
    lines.append(f"Check a fix with `{check}` before registering again.")
    return IncompatibleRegistrationError(
        "\n".join(lines), status=refusal.status, error_code=refusal.error_code
    )


def _invalid(file: Path, schema_type: str, refusal: RegistryRefusedError) -> InputError:
    """The registry's parse error for FILE, without the echoed schema, naming FILE."""
    reason = explain(registry_reason(refusal.reason), str(file), files=False)
    return InputError(
        f"{file} is not a valid {schema_type} schema: {reason.rstrip('.')}. "
        f"Validate it offline with `cairn check {shlex.quote(str(file))}`."
    )


def _check_contract(
    file: Path,
    kind: SchemaType,
    text: str,
    rule_set: dict[str, Any],
    metadata: dict[str, Any],
    rule_set_file: Path,
) -> None:
    """Refuse (exit 2) a rule set with errors; print its warnings and go on."""
    try:
        parsed = SchemaLoader(default_formats()).parse_text(text, kind, origin=str(file))
    except InputError:
        parsed = None  # references in the registry: the tags are not checked here
    problems = contract_problems(parsed, text, rule_set, metadata)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise InputError(
            f"{render(problems, rule_set_file)}\nNot registered: fix the rule set "
            f"(`cairn check-rules {shlex.quote(str(file))} --rule-set "
            f"{shlex.quote(str(rule_set_file))}`)."
        )
    if problems:
        click.echo(render(problems, rule_set_file), err=True)


@click.command(
    epilog="""\b
Example:
  cairn register orders-value order.avsc
  cairn register orders-value order.avsc -r com.acme.Money=@money-value:1
  cairn register customers-value customer.avsc --rule-set rules.json --metadata meta.json"""
)
@click.argument("subject")
@click.argument("file", type=_FILE)
@click.option("--type", "schema_type", type=SCHEMA_TYPE, help="Schema type if not by extension.")
@click.option(
    "--reference",
    "-r",
    "references",
    multiple=True,
    help="NAME=@SUBJECT:VERSION of a registered schema this one uses; repeatable.",
)
@click.option("--normalize", is_flag=True, help="Register the normalised form.")
@click.option(
    "--rule-set",
    "rule_set_file",
    type=_FILE,
    help="A ruleSet JSON to register with the schema (its data contract); checked first "
    "as `cairn check-rules` does, and not sent when it has errors.",
)
@click.option(
    "--metadata",
    "metadata_file",
    type=_FILE,
    help="A metadata JSON (tags, properties, sensitive) to register with the schema.",
)
@connection_options
def register(
    subject: str,
    file: Path,
    schema_type: SchemaType | None,
    references: tuple[str, ...],
    normalize: bool,
    rule_set_file: Path | None,
    metadata_file: Path | None,
    client: RegistryRestClient,
) -> None:
    """Register FILE under SUBJECT and print its id and version."""
    kind = schema_type_for(file, schema_type).value
    text = read_text(file)
    body: dict[str, object] = {"schema": text, "schemaType": kind}
    if references:
        body["references"] = [ReferenceSpec.parse(r).to_registry() for r in references]
    metadata = read_json_object(metadata_file, "metadata") if metadata_file else None
    if metadata is not None:
        body["metadata"] = metadata
    if rule_set_file is not None:
        rule_set = read_json_object(rule_set_file, "rule set")
        _check_contract(file, SchemaType(kind), text, rule_set, metadata or {}, rule_set_file)
        body["ruleSet"] = rule_set
    query = {"normalize": True} if normalize else None
    path = f"/subjects/{segment(subject)}"
    try:
        answer = as_object(client.post(path + "/versions", body, query), "the registration")
    except IncompatibleRegistrationError as exc:
        raise _incompatible(client, subject, file, body, exc) from None
    except RegistryRefusedError as exc:
        if exc.error_code not in _INVALID:
            raise
        raise _invalid(file, kind, exc) from None
    version = answer.get("version")
    if version is None:
        found = as_object(client.post(path, body, query), "the lookup")
        version = found.get("version")
    click.echo(f"Registered {subject} version {version} with id {answer.get('id')}")
