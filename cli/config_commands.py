"""`cairn config` and `cairn mode`: read and change a registry's compatibility levels and modes.

Both act on the registry's configuration, registry-wide or for one subject; the modes offered
are the server's own `Mode` values, so the two cannot drift apart.
"""

from __future__ import annotations

import json

import click

from cli.connection_options import connection_options
from cli.errors import InputError
from cli.inheritance import inherited
from cli.param_types import LEVEL, UpperChoice
from cli.rest_client import RegistryRestClient, as_object, resource_path
from compat.types import CompatibilityLevel
from registry.effective import Mode


@click.group(
    epilog="\b\nExamples:\n  cairn config get --subject orders-value\n  cairn config set FULL"
)
def config() -> None:
    """Read or change the compatibility level (global, or one subject's)."""


@config.command(
    "get",
    epilog="""\b
Examples:
  cairn config get                      # the registry-wide level
  cairn config get -s orders-value      # the level that governs the subject, and its source
  cairn config get -s orders-value --own""",
)
@click.option("--subject", "-s", default=None, help="A subject; the global config without it.")
@click.option(
    "--own",
    is_flag=True,
    help="Only the subject's own config; fails (40408) when it has none and inherits one.",
)
@click.option(
    "--effective",
    is_flag=True,
    hidden=True,
    help="What a subject's config shows by default now; kept for existing scripts.",
)
@connection_options
def config_get(subject: str | None, own: bool, effective: bool, client: RegistryRestClient) -> None:
    """Print the config as JSON (compatibilityLevel and any other settings).

    For a subject, the config that governs it, and on stderr where its level comes from:
    its own setting, its context's, or the global one.
    """
    if own and effective:
        raise InputError("Give --own or --effective, not both")
    if subject is None or own:
        answer = as_object(client.get(resource_path("config", subject)), "the config")
        click.echo(json.dumps(answer, indent=2))
        return
    found = inherited(client, "config", subject)
    click.echo(json.dumps(found.answer, indent=2))
    click.echo(found.describe(subject, "config"), err=True)


@config.command("set", epilog="\b\nExample:\n  cairn config set FULL_TRANSITIVE -s orders-value")
@click.argument("level", type=LEVEL)
@click.option("--subject", "-s", default=None, help="A subject; the global config without it.")
@connection_options
def config_set(level: CompatibilityLevel, subject: str | None, client: RegistryRestClient) -> None:
    """Set the compatibility LEVEL."""
    client.put(resource_path("config", subject), {"compatibility": level.value})
    click.echo(f"Compatibility of {subject or 'the registry'} set to {level.value}")


@click.group(epilog="\b\nExamples:\n  cairn mode get\n  cairn mode set READONLY -s orders-value")
def mode() -> None:
    """Read or change the mode (READWRITE, READONLY, IMPORT, ...)."""


@mode.command(
    "get",
    epilog="""\b
Examples:
  cairn mode get
  cairn mode get -s orders-value        # the mode that governs the subject, and its source
  cairn mode get -s orders-value --own""",
)
@click.option("--subject", "-s", default=None, help="A subject; the global mode without it.")
@click.option(
    "--own",
    is_flag=True,
    help="Only the subject's own mode; fails (40409) when it has none and inherits one.",
)
@click.option(
    "--effective",
    is_flag=True,
    hidden=True,
    help="What a subject's mode shows by default now; kept for existing scripts.",
)
@connection_options
def mode_get(subject: str | None, own: bool, effective: bool, client: RegistryRestClient) -> None:
    """Print the mode.

    For a subject, the mode that governs it, and on stderr where it comes from: its own
    setting, its context's, or the global one.
    """
    if own and effective:
        raise InputError("Give --own or --effective, not both")
    if subject is None or own:
        answer = as_object(client.get(resource_path("mode", subject)), "the mode")
        click.echo(str(answer.get("mode")))
        return
    found = inherited(client, "mode", subject)
    click.echo(found.value)
    click.echo(found.describe(subject, "mode"), err=True)


@mode.command("set", epilog="\b\nExample:\n  cairn mode set IMPORT --force")
@click.argument("value", type=UpperChoice([m.value for m in Mode]))
@click.option("--subject", "-s", default=None, help="A subject; the global mode without it.")
@click.option("--force", is_flag=True, help="Allow IMPORT although subjects exist.")
@connection_options
def mode_set(value: str, subject: str | None, force: bool, client: RegistryRestClient) -> None:
    """Set the mode to VALUE."""
    path = resource_path("mode", subject)
    if force:
        path += "?force=true"
    client.put(path, {"mode": value.upper()})
    click.echo(f"Mode of {subject or 'the registry'} set to {value.upper()}")
