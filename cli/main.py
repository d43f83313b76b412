"""The `cairn` command line: one click group holding every command."""

from __future__ import annotations

import logging

import click

from cli.commands import COMMANDS
from cli.param_types import LOG_LEVEL


@click.group()
@click.option(
    "--log-level",
    type=LOG_LEVEL,
    default="INFO",
    show_default=True,
    help="Python logging level.",
)
def main(log_level: str) -> None:
    """Cairn: a schema registry for Kafka."""
    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


for _command in COMMANDS:
    main.add_command(_command)
