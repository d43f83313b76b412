"""Every command is registered, has help with an example, and shares the connection options."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from cli.commands import COMMANDS
from cli.main import main


def _leaves() -> list[list[str]]:
    paths: list[list[str]] = []
    for command in COMMANDS:
        assert command.name is not None
        if isinstance(command, click.Group):
            paths += [[command.name, sub] for sub in command.commands]
        else:
            paths.append([command.name])
    return paths


@pytest.mark.parametrize("path", _leaves(), ids=" ".join)
def test_help_has_an_example(path: list[str]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
    assert f"cairn {path[0]}" in result.output


def test_every_command_is_on_the_group() -> None:
    for command in COMMANDS:
        assert main.commands[str(command.name)] is command


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in _leaves()
        if p[0] not in ("diff", "generate", "completion", "serve", "auth", "check-rules")
    ]
    + [["diff"]],
    ids=" ".join,
)
def test_registry_commands_take_the_connection_options(path: list[str]) -> None:
    output = CliRunner().invoke(main, [*path, "--help"]).output
    for option in (
        "--url",
        "--user",
        "--password",
        "--token",
        "--ca-cert",
        "--cert",
        "--key",
        "--insecure",
        "--timeout",
    ):
        assert option in output


def test_url_comes_from_the_environment() -> None:
    result = CliRunner().invoke(
        main, ["subjects", "--timeout", "2"], env={"CAIRN_URL": "http://127.0.0.1:9"}
    )
    assert result.exit_code == 3
    assert "http://127.0.0.1:9" in result.output


def test_completion_script_completes_commands() -> None:
    result = CliRunner().invoke(main, ["completion", "bash"])
    assert result.exit_code == 0
    assert "_CAIRN_COMPLETE=bash_complete" in result.output
    completed = CliRunner().invoke(
        main,
        [],
        env={"_CAIRN_COMPLETE": "bash_complete", "COMP_WORDS": "cairn che", "COMP_CWORD": "1"},
        prog_name="cairn",
    )
    assert "plain,check" in completed.output
