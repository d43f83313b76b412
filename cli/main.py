"""The `cairn` command line: one click group holding every command."""

from __future__ import annotations

import click

from cli.commands import COMMANDS
from cli.param_types import LOG_LEVEL
from registry.log_output import configure_logging


@click.group()
@click.version_option(package_name="cairn-registry", prog_name="cairn")
@click.option(
    "--log-level",
    type=LOG_LEVEL,
    default="INFO",
    show_default=True,
    help="Python logging level.",
)
def main(log_level: str) -> None:
    """Cairn: a schema registry for Kafka."""
    configure_logging(log_level)


for _command in COMMANDS:
    main.add_command(_command)
