"""`cairn check-rules`: lint a data contract (rule set, metadata) against its schema file.

The registry accepts any well-formed rule set; whether its CEL and JSONata expressions
compile, its encryption rules name a KEK, and its field rules' tags are on any field of the
schema only shows in a producer at run time. This checks those in CI, with the same
executors the serializers run (`serdes.rules.lint`). `cairn register --rule-set` runs the
same check before it sends anything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import click

from cli.errors import InputError
from cli.param_types import SCHEMA_TYPE
from cli.schema_files import ReferenceSpec, SchemaLoader
from compat.formats import ParsedSchema, default_formats
from compat.protobuf import ParsedProtobuf
from compat.types import SchemaType
from registry.errors import RegistryError
from registry.rules import validate_rule_set
from serdes.protobuf import pool_of
from serdes.rules import RuleRegistry
from serdes.rules.lint import RuleProblem, Severity, lint_rule_set
from serdes.rules.protobuf_fields import ProtobufFieldWalker

_PATH = click.Path(exists=True, dir_okay=False, path_type=Path)
_TAGS = "confluent:tags"


def read_json_object(path: Path, what: str) -> dict[str, Any]:
    """A JSON object from `path`; anything else is an `InputError` naming the file."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"Cannot read the {what} in {path}: {exc}") from exc
    if not isinstance(value, dict):
        raise InputError(f"The {what} in {path} must be a JSON object")
    return value


def schema_tags(parsed: ParsedSchema, text: str, metadata: Mapping[str, Any]) -> frozenset[str]:
    """Every tag a field rule could select in this schema: inline ones and metadata's."""
    tags: set[str] = set()
    for paths_tags in (metadata.get("tags") or {}).values():
        tags.update(str(t) for t in paths_tags or ())
    if parsed.schema_type is SchemaType.PROTOBUF:
        tags.update(_protobuf_tags(parsed))
    else:
        tags.update(_json_tags(json.loads(text)))
    return frozenset(tags)


def _json_tags(node: Any) -> Iterator[str]:
    """`confluent:tags` anywhere in an Avro or JSON Schema document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == _TAGS and isinstance(value, list):
                yield from (str(t) for t in value)
            else:
                yield from _json_tags(value)
    elif isinstance(node, list):
        for item in node:
            yield from _json_tags(item)


def _protobuf_tags(parsed: ParsedSchema) -> Iterator[str]:
    if not isinstance(parsed, ParsedProtobuf):
        return
    walker = ProtobufFieldWalker()
    file = pool_of(parsed).FindFileByName(parsed.file.name)
    stack = list(file.message_types_by_name.values())
    while stack:
        message = stack.pop()
        stack.extend(message.nested_types)
        for field in message.fields:
            yield from walker.inline_tags(field)


def contract_problems(
    parsed: ParsedSchema | None,
    text: str,
    rule_set: Mapping[str, Any],
    metadata: Mapping[str, Any],
) -> list[RuleProblem]:
    """The rule set's problems for this schema (None: not parsed here, so its tags are not
    checked): the registry's own validation first."""
    try:
        validate_rule_set(rule_set)
    except RegistryError as exc:
        return [RuleProblem("ruleSet", Severity.ERROR, exc.message)]
    properties = {str(k): str(v) for k, v in (metadata.get("properties") or {}).items()}
    return lint_rule_set(
        rule_set,
        schema_tags=None if parsed is None else schema_tags(parsed, text, metadata),
        properties=properties,
        rules=RuleRegistry.default(),
    )


def render(problems: list[RuleProblem], rule_set_file: Path) -> str:
    """One line per problem, or a line saying the rule set is fine."""
    if not problems:
        return f"{rule_set_file}: no problems"
    return "\n".join(
        f"{rule_set_file}: {p.severity.value}: {p.path}: {p.message}" for p in problems
    )


@click.command(
    "check-rules",
    epilog="""\b
Exit codes:
  0  no errors (warnings are printed)
  2  an error (a rule that fails at run time), an invalid schema or file;
     with --strict, a warning too

\b
Examples:
  cairn check-rules customer.avsc --rule-set rules.json
  cairn check-rules customer.proto --rule-set rules.json --metadata metadata.json --strict""",
)
@click.argument("file", type=_PATH)
@click.option(
    "--rule-set",
    "rule_set_file",
    type=_PATH,
    required=True,
    help="The ruleSet JSON (domainRules, migrationRules, encodingRules).",
)
@click.option(
    "--metadata",
    "metadata_file",
    type=_PATH,
    help="The metadata JSON (its tags and properties count, as in the serializers).",
)
@click.option("--type", "schema_type", type=SCHEMA_TYPE, help="Schema type if not by extension.")
@click.option(
    "--reference",
    "-r",
    "references",
    multiple=True,
    help="NAME=PATH of a schema FILE uses; repeatable.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 2) on warnings too.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
def check_rules(
    file: Path,
    rule_set_file: Path,
    metadata_file: Path | None,
    schema_type: SchemaType | None,
    references: tuple[str, ...],
    strict: bool,
    output_format: str,
) -> None:
    """Lint FILE's data contract: expressions compile, encryption rules name a KEK, field
    rules' tags are on some field, actions and phases fit."""
    loader = SchemaLoader(default_formats())
    specs = [ReferenceSpec.parse(r) for r in references]
    parsed = loader.load(file, schema_type, loader.references(specs, schema_type))
    rule_set = read_json_object(rule_set_file, "rule set")
    metadata = read_json_object(metadata_file, "metadata") if metadata_file else {}
    problems = contract_problems(parsed, file.read_text(encoding="utf-8"), rule_set, metadata)
    if output_format == "json":
        entries = [
            {"path": p.path, "severity": p.severity.value, "message": p.message} for p in problems
        ]
        click.echo(json.dumps({"file": str(rule_set_file), "problems": entries}, indent=2))
    else:
        click.echo(render(problems, rule_set_file))
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    if any(p.severity in failing for p in problems):
        click.get_current_context().exit(2)
