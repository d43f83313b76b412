"""`cairn diff`: the structural differences between two schemas (files or registry versions).

JSON Schema has a full difference list in the engine (compatible changes included); for the
other formats the engine reports what breaks in each direction, and a line diff of the
pretty-printed canonical forms shows everything else that changed.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import click

from cli.connection_options import connection_options
from cli.errors import InputError
from cli.param_types import SCHEMA_TYPE
from cli.registry_schemas import fetch_version
from cli.rest_client import RegistryRestClient
from cli.schema_files import SchemaLoader
from compat.formats import ParsedSchema, default_formats, safe_backward_findings
from compat.jsonschema import STRICT_COMPATIBLE, ParsedJsonSchema, differences
from compat.types import SchemaType

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _pretty(text: str) -> list[str]:
    try:
        return json.dumps(json.loads(text), indent=2).splitlines()
    except ValueError:
        return text.splitlines()


def difference_lines(loader: SchemaLoader, old: ParsedSchema, new: ParsedSchema) -> list[str]:
    """Every difference from `old` to `new`, one per line, marked compatible or not."""
    lines: list[str] = []
    if old.schema_type != new.schema_type:
        return [f"schema type changed: {old.schema_type.value} -> {new.schema_type.value}"]
    if isinstance(old, ParsedJsonSchema) and isinstance(new, ParsedJsonSchema):
        for found in differences(old, new):
            mark = "compatible  " if found.type in STRICT_COMPATIBLE else "INCOMPATIBLE"
            lines.append(f"{mark} {found.type} {found.path}")
        return lines
    fmt = loader.formats.get(new.schema_type)
    for finding in safe_backward_findings(fmt, new, old):
        text = finding.describe(reader="new", writer="old")
        verdict = "CHECK FAILED" if finding.is_error else "INCOMPATIBLE"
        lines.append(f"BACKWARD {verdict} {finding.type} {finding.path}: {text}")
    for finding in safe_backward_findings(fmt, old, new):
        text = finding.describe(reader="old", writer="new")
        verdict = "CHECK FAILED" if finding.is_error else "INCOMPATIBLE"
        lines.append(f"FORWARD {verdict}  {finding.type} {finding.path}: {text}")
    lines += difflib.unified_diff(
        _pretty(old.canonical), _pretty(new.canonical), "old", "new", lineterm=""
    )
    return lines


@click.command(
    epilog="""\b
Examples:
  cairn diff old.avsc new.avsc
  cairn diff --subject orders-value 1 3"""
)
@click.argument("old")
@click.argument("new")
@click.option("--subject", "-s", help="OLD and NEW are versions of this registry subject.")
@click.option("--type", "schema_type", type=SCHEMA_TYPE, help="Schema type if not by extension.")
@connection_options
def diff(
    old: str,
    new: str,
    subject: str | None,
    schema_type: SchemaType | None,
    client: RegistryRestClient,
) -> None:
    """Show the structural differences between OLD and NEW (files, or versions with --subject)."""
    loader = SchemaLoader(default_formats())
    if subject is not None:
        parsed_old = fetch_version(loader, client, subject, old)[0]
        parsed_new = fetch_version(loader, client, subject, new)[0]
    else:
        for name in (old, new):
            if not Path(name).is_file():
                raise InputError(f"{name} is not a file; to compare versions add --subject")
        parsed_old = loader.load(Path(old), schema_type)
        parsed_new = loader.load(Path(new), schema_type)
    lines = difference_lines(loader, parsed_old, parsed_new)
    click.echo("\n".join(lines) if lines else "No differences")
