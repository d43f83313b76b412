"""`--help` of every command: each option described, Options listed before the examples."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from cli.main import main


def _commands() -> list[tuple[list[str], click.Command]]:
    """Every command and group under `cairn`, with the words that reach it."""
    found: list[tuple[list[str], click.Command]] = [([], main)]
    pending: list[tuple[list[str], click.Command]] = [([], main)]
    while pending:
        path, command = pending.pop()
        if isinstance(command, click.Group):
            for name, sub in sorted(command.commands.items()):
                found.append(([*path, name], sub))
                pending.append(([*path, name], sub))
    return found


COMMANDS = _commands()


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_option_has_a_description(path: list[str], command: click.Command) -> None:
    undescribed = [
        "/".join(param.opts)
        for param in command.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert undescribed == [], f"cairn {' '.join(path)}: options without help: {undescribed}"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_options_come_before_the_examples(path: list[str], command: click.Command) -> None:
    result = CliRunner().invoke(main, [*path, "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    options = result.output.index("\nOptions:")
    example = result.output.find("Example")
    assert example == -1 or options < example, result.output


def test_mode_set_shows_the_modes_in_upper_case_and_takes_any_case() -> None:
    result = CliRunner().invoke(main, ["mode", "set", "--help"])
    assert "{READWRITE|READONLY|READONLY_OVERRIDE|IMPORT|FORWARD}" in result.output
    lower = CliRunner().invoke(main, ["mode", "set", "sideways"])
    assert "'sideways' is not one of 'READWRITE', 'READONLY'" in lower.output


def test_log_levels_are_shown_in_upper_case() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert "[DEBUG|INFO|WARNING|ERROR|CRITICAL]" in result.output
