"""The `cairn` command line, through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli.main import main
from registry.log.file import FileLog


def test_serve_help_lists_its_options() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in (
        "--host",
        "--port",
        "--data-dir",
        "--compatibility",
        "--incompatible-error-code",
    ):
        assert option in result.output


def test_invalid_level_is_refused_when_parsing_the_command_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["serve", "--data-dir", str(tmp_path), "--compatibility", "sideways"]
    )
    assert result.exit_code == 2
    assert "'sideways' is not one of" in result.output


def test_a_locked_data_dir_fails_with_a_clear_message(tmp_path: Path) -> None:
    holder = FileLog.open(tmp_path)
    try:
        result = CliRunner().invoke(main, ["serve", "--data-dir", str(tmp_path), "--port", "0"])
    finally:
        holder.close()
    assert result.exit_code == 1
    assert str(tmp_path) in result.output
