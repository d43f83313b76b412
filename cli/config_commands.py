"""`cairn config` and `cairn mode`: read and change a registry's compatibility levels and modes.

Both act on the registry's configuration, registry-wide or for one subject; the modes offered
are the server's own `Mode` values, so the two cannot drift apart.
"""

from __future__ import annotations

import json

import click

from cli.connection_options import connection_options
from cli.param_types import LEVEL, UpperChoice
from cli.rest_client import RegistryRestClient, as_object, resource_path
from compat.types import CompatibilityLevel
from registry.effective import Mode


@click.group(
    epilog="\b\nExamples:\n  cairn config get --subject orders-value\n  cairn config set FULL"
)
def config() -> None:
    """Read or change the compatibility level (global, or one subject's)."""


@config.command("get", epilog="\b\nExample:\n  cairn config get -s orders-value --effective")
@click.option("--subject", "-s", default=None, help="A subject; the global config without it.")
@click.option(
    "--effective",
    is_flag=True,
    help="For a subject without its own config, show the level it inherits.",
)
@connection_options
def config_get(subject: str | None, effective: bool, client: RegistryRestClient) -> None:
    """Print the config as JSON (compatibilityLevel and any other settings)."""
    query = {"defaultToGlobal": True} if effective else None
    answer = as_object(client.get(resource_path("config", subject), query), "the config")
    click.echo(json.dumps(answer, indent=2))


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


@mode.command("get", epilog="\b\nExample:\n  cairn mode get -s orders-value")
@click.option("--subject", "-s", default=None, help="A subject; the global mode without it.")
@click.option("--effective", is_flag=True, help="Show the inherited mode for a subject.")
@connection_options
def mode_get(subject: str | None, effective: bool, client: RegistryRestClient) -> None:
    """Print the mode."""
    query = {"defaultToGlobal": True} if effective else None
    answer = as_object(client.get(resource_path("mode", subject), query), "the mode")
    click.echo(str(answer.get("mode")))


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
