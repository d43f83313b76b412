"""The `cairn` command line: one click group; `cairn serve` runs the registry."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from cli.commands import COMMANDS
from compat.types import CompatibilityLevel
from registry.log.errors import LogError
from registry.log.file import FileLog
from registry.server import build_app
from registry.server import serve as run_server
from registry.settings import Settings


class LevelType(click.ParamType[CompatibilityLevel]):
    """A compatibility level, validated when the command line is parsed."""

    name = "level"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> CompatibilityLevel:
        """Parse case-insensitively, as the API does."""
        if isinstance(value, CompatibilityLevel):
            return value
        level = CompatibilityLevel.parse(str(value))
        if level is None:
            self.fail(
                f"{value!r} is not one of {', '.join(lvl.value for lvl in CompatibilityLevel)}"
            )
        return level


@click.group()
@click.option("--log-level", default="INFO", show_default=True, help="Python logging level.")
def main(log_level: str) -> None:
    """Cairn: a schema registry for Kafka."""
    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


for _command in COMMANDS:
    main.add_command(_command)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8081, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--data-dir",
    default=Path("cairn-data"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory of the embedded log (created if missing).",
)
@click.option(
    "--compatibility",
    default="BACKWARD",
    show_default=True,
    type=LevelType(),
    help="Compatibility level when none is configured.",
)
@click.option(
    "--incompatible-error-code",
    default=409,
    show_default=True,
    type=click.Choice(["409", "40901"]),
    help="error_code for incompatible schemas (409 as Confluent <= 8.1, 40901 as 8.2+).",
)
@click.option("--max-request-bytes", default=8 * 1024 * 1024, show_default=True, type=int)
@click.option("--access-log/--no-access-log", default=False, show_default=True)
def serve(
    host: str,
    port: int,
    data_dir: Path,
    compatibility: CompatibilityLevel,
    incompatible_error_code: str,
    max_request_bytes: int,
    access_log: bool,
) -> None:
    """Run the registry on an embedded, crash-safe local log (no Kafka needed)."""
    settings = Settings(
        host=host,
        port=port,
        data_dir=data_dir,
        default_compatibility=compatibility,
        incompatible_error_code=int(incompatible_error_code),
        max_request_bytes=max_request_bytes,
        access_log=access_log,
    )
    try:
        log = FileLog.open(data_dir)
    except LogError as exc:
        raise click.ClickException(str(exc)) from exc
    run_server(build_app(log, settings), settings)
