"""The `cairn` command line, through click's CliRunner."""

from __future__ import annotations

from importlib import metadata
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


def test_an_unknown_log_level_is_a_usage_error_not_a_traceback() -> None:
    result = CliRunner().invoke(main, ["--log-level", "FOO", "subjects"])
    assert result.exit_code == 2
    assert "'FOO' is not one of" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_log_level_is_accepted_in_any_case() -> None:
    result = CliRunner().invoke(main, ["--log-level", "debug", "completion", "bash"])
    assert result.exit_code == 0, result.output


def test_a_url_without_a_scheme_is_a_usage_error_that_suggests_http() -> None:
    result = CliRunner().invoke(main, ["subjects", "--url", "127.0.0.1:8081"])
    assert result.exit_code == 2
    assert "did you mean 'http://127.0.0.1:8081'" in result.output
    other = CliRunner().invoke(main, ["subjects", "--url", "ftp://registry"])
    assert other.exit_code == 2
    assert "is not an http:// or https:// URL" in other.output


def test_version_names_the_installed_package() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"cairn, version {metadata.version('cairn-registry')}"
